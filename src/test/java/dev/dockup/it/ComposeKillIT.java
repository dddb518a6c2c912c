package dev.dockup.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A validation or an operation that runs past its limit is killed with everything compose
 * started. A stand-in compose CLI starts a child and hangs, writing both process ids.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ComposeKillIT {
  TestNode node;
  Path pids;

  @BeforeAll
  void start() throws Exception {
    Path root = Files.createTempDirectory("dockup-kill-");
    pids = Files.createDirectories(root.resolve("pids"));
    Path fake = root.resolve("fake-compose");
    Files.writeString(fake, """
        #!/bin/sh
        case "$*" in
          *"version --short"*) echo 2.99.0; exit 0 ;;
        esac
        hang() {
          sleep 1000 &
          echo $! > "%1$s/$1-child"
          echo $$ > "%1$s/$1-parent"
          wait
        }
        case "$*" in
          *" config "*) if [ -f "%1$s/hang-config" ]; then hang config; fi; exit 0 ;;
          *" up "*) hang up ;;
        esac
        exit 0
        """.formatted(pids));
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
    node = TestNode.builder().root(root).compose(fake.toString()).operationTimeout(3).start();
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) node.close();
  }

  void killedWithItsChild(String what) throws Exception {
    for (String role : new String[] {"parent", "child"}) {
      long pid = Long.parseLong(Files.readString(pids.resolve(what + "-" + role)).trim());
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) Thread.sleep(50);
      assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), what + " " + role + " " + pid + " still runs");
    }
  }

  @Test
  void aValidationPastItsLimitIsKilledWithItsChildren() throws Exception {
    Files.writeString(pids.resolve("hang-config"), "");
    try {
      Http.Resp r = node.http.post("/api/stacks/validate", Stacks.content("services:\n  web:\n    image: x\n"));
      assertEquals(504, r.status(), r.toString());
      assertEquals("Validation timed out after 3 s", r.json().getString("error"));
      killedWithItsChild("config");
    } finally {
      Files.delete(pids.resolve("hang-config"));
    }
  }

  @Test
  void anOperationPastItsLimitIsKilledWithItsChildren() throws Exception {
    String name = Stacks.uniqueName("kill");
    assertEquals(201, node.http.post("/api/stack/" + name + "/compose", Stacks.content("services:\n  web:\n    image: x\n")).status());
    Http.Resp up = node.http.operation(name, "up");
    assertEquals(504, up.status(), up.toString());
    killedWithItsChild("up");
  }
}
