package dev.dockup.proc;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessRunnerTest {
  @TempDir Path tmp;

  @Test
  void aChildGetsTheCleanEnvironmentOnly() throws Exception {
    Map<String, String> env = ProcessRunner.cleanEnvironment("unix:///x.sock");
    assertEquals("unix:///x.sock", env.get("DOCKER_HOST"));
    assertTrue(env.keySet().stream().allMatch(k -> List.of("PATH", "HOME", "LANG", "DOCKER_HOST", "DOCKER_CONFIG").contains(k)), env.toString());
    Path out = tmp.resolve("out");
    ProcessRunner.Outcome o = ProcessRunner.runToFiles(List.of("sh", "-c", "env; echo oops >&2; exit 3"), env, out,
        tmp.resolve("err"), Duration.ofSeconds(30), p -> {});
    assertEquals(3, o.exitCode());
    assertFalse(o.timedOut());
    assertTrue(Files.readString(out).contains("DOCKER_HOST=unix:///x.sock"));
    assertEquals("oops\n", Files.readString(tmp.resolve("err")));
  }

  @Test
  void pastItsTimeAProgramIsKilledWithEverythingItStarted() throws Exception {
    Path pids = tmp.resolve("pids");
    String script = "sleep 600 & echo $! > " + pids + "; sh -c 'sleep 700' & echo $! >> " + pids + "; echo $$ >> " + pids + "; wait";
    ProcessRunner.Outcome o = ProcessRunner.runToFiles(List.of("sh", "-c", script), ProcessRunner.cleanEnvironment(null),
        tmp.resolve("out"), tmp.resolve("err"), Duration.ofMillis(1500), p -> {});
    assertTrue(o.timedOut());
    assertNull(o.exitCode());
    List<Long> started = new ArrayList<>();
    Files.readAllLines(pids).forEach(l -> started.add(Long.parseLong(l.trim())));
    assertEquals(3, started.size());
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (started.stream().anyMatch(ProcessRunnerTest::alive) && System.nanoTime() < deadline) Thread.sleep(50);
    for (long pid : started) assertFalse(alive(pid), "process " + pid + " still runs");
  }

  @Test
  void aProbeAnswersItsOutputOrNothing() {
    Map<String, String> env = ProcessRunner.cleanEnvironment(null);
    assertEquals("Version: 1.2.3", ProcessRunner.probe(List.of("sh", "-c", "echo 'Version: 1.2.3'"), env, Duration.ofSeconds(10)));
    assertNull(ProcessRunner.probe(List.of("sh", "-c", "echo no; exit 1"), env, Duration.ofSeconds(10)));
    assertNull(ProcessRunner.probe(List.of("/nonexistent/program"), env, Duration.ofSeconds(10)));
    assertNull(ProcessRunner.probe(List.of("sh", "-c", "sleep 30"), env, Duration.ofMillis(300)), "a hung probe is killed");
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
