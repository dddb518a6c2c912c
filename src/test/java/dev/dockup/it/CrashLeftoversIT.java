package dev.dockup.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DockUp killed while it writes secrets leaves no readable temporary file, and its next start
 * removes what was left.
 */
class CrashLeftoversIT {
  @TempDir Path tmp;

  static List<Path> temporaryFiles(Path root) throws Exception {
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }

  static Http signedIn(NodeProcess node) {
    String jwt = node.http().post("/api/auth/token", new JsonObject().put("password", TestNode.PASSWORD)).json().getString("token");
    return node.http().with("Authorization", "Bearer " + jwt);
  }

  @Test
  void aKilledProcessLeavesNoReadableTemporaryFileAndARestartRemovesThem() throws Exception {
    Path stacks = tmp.resolve("stacks");
    Path data = tmp.resolve("data");
    NodeProcess node = new NodeProcess("crash", tmp.resolve("run"), Map.of(
        "PORT", "0", "HOST", "127.0.0.1", "STACKS_DIR", stacks.toString(), "DATA_DIR", data.toString(),
        "DOCKER_HOST", Engine.shared().host, "DOCKUP_NODE_NAME", "crash-it", "DOCKUP_PASSWORD", TestNode.PASSWORD));
    try {
      node.start().awaitListening();
      Http http = signedIn(node);
      assertEquals(201, http.post("/api/stack/leak/compose", Stacks.content(Stacks.twoServices("x"))).status());

      // Large .env writes from several clients, until the process dies under them.
      String big = "SECRET=" + "s".repeat(900_000) + "\n";
      AtomicBoolean writing = new AtomicBoolean(true);
      List<CompletableFuture<Void>> writers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        writers.add(CompletableFuture.runAsync(() -> {
          while (writing.get()) {
            try {
              http.put("/api/stack/leak/env", Stacks.content(big));
            } catch (IllegalStateException dead) {
              return;
            }
          }
        }));
      }
      Thread.sleep(1_500);
      node.kill();
      writing.set(false);
      CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).join();

      for (Path p : temporaryFiles(tmp)) {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
      }

      // Leftovers wherever a crash can leave them, in case the kill fell between writes.
      String id = UUID.randomUUID().toString();
      List<Path> planted = List.of(
          Files.writeString(stacks.resolve("leak/.env." + id + ".tmp"), "SECRET=half"),
          Files.writeString(stacks.resolve("leak/.compose.yaml." + id + ".tmp"), "services:"),
          Files.writeString(data.resolve(".settings.json." + id + ".tmp"), "{"),
          Files.writeString(Files.createDirectories(data.resolve("history/leak")).resolve(".env-1." + id + ".tmp"), "x"),
          Files.writeString(Files.createDirectories(data.resolve("tmp")).resolve("input-" + id + ".yaml"), "x"));

      node.start().awaitListening();
      planted.forEach(p -> assertFalse(Files.exists(p), p + " is left"));
      assertEquals(List.of(), temporaryFiles(tmp));
      Path env = stacks.resolve("leak/.env");
      if (Files.exists(env)) {
        assertEquals(big, Files.readString(env), "a .env is whole or absent");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
      }
      assertTrue(signedIn(node).get("/api/stack/leak").status() == 200);
    } finally {
      node.close();
    }
  }
}
