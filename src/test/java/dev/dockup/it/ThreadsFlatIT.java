package dev.dockup.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14: no thread per container or per stream. A feed client watches the stats of 40
 * running containers and follows the logs of 16 stacks' containers; the node's live thread count
 * is what it was with one stack watched. The containers are started with the compose CLI, not
 * through DockUp, so no compose operation's worker is counted.
 */
class ThreadsFlatIT {
  static final int STACKS = 20;
  /** Pool threads that start lazily may still appear (a worker of a pool not yet at its size); a thread per container would add 40. */
  static final int SLACK = 4;

  @Test
  void watchingStatsAndLogsOfFortyContainersAddsNoThreads() throws Exception {
    String prefix = Stacks.uniqueName("threads");
    Path dir = Files.createTempDirectory("dockup-threads-");
    Path compose = dir.resolve("compose.yaml");
    Files.writeString(compose, """
        services:
          a:
            image: %1$s
            init: true
            network_mode: none
            command: ["sh", "-c", "while true; do echo tick; sleep 1; done"]
          b:
            image: %1$s
            init: true
            network_mode: none
            command: ["sleep", "3600"]
        """.formatted(Engine.IMAGE));
    List<String> projects = new ArrayList<>();
    for (int i = 1; i <= STACKS; i++) projects.add(prefix + "-" + i);
    try (TestNode node = TestNode.builder().start(); Engine engine = Engine.shared()) {
      assertTrue(node.http.post("/api/config", new JsonObject().put("stats_interval", 1)).status() == 200);
      up(compose, projects.subList(0, 1));
      try (Ws ws = Ws.feed(node)) {
        ws.send(new JsonObject().put("follow_logs", new JsonObject().put("stack", projects.get(0)).put("tail", 1)));
        ws.next(m -> "log_line".equals(m.getString("type")), Duration.ofSeconds(20));
        awaitStatsOf(ws, projects.subList(0, 1));
        awaitStatsOf(ws, projects.subList(0, 1));
        int before = dockupThreads().size();
        Set<String> namesBefore = new TreeSet<>(dockupThreads());

        up(compose, projects.subList(1, STACKS));
        for (String p : projects.subList(1, 16)) {
          ws.send(new JsonObject().put("follow_logs", new JsonObject().put("stack", p).put("tail", 1)));
        }
        Set<String> logsFrom = new HashSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (logsFrom.size() < 16 && System.nanoTime() < deadline) {
          JsonObject line = ws.next(m -> "log_line".equals(m.getString("type")), Duration.ofSeconds(30));
          logsFrom.add(line.getString("stack"));
        }
        assertTrue(logsFrom.size() >= 16, "lines from 16 followed stacks: " + logsFrom);
        awaitStatsOf(ws, projects);
        awaitStatsOf(ws, projects);
        List<String> after = dockupThreads();
        Set<String> added = new TreeSet<>(after);
        added.removeAll(namesBefore);
        System.out.println("live threads, 2 containers watched: " + before + "; 40 watched, 32 followed: " + after.size() + "; new: " + added);
        assertTrue(after.size() <= before + SLACK, "threads with 2 containers watched: " + before + ", with 40: " + after.size()
            + "; new: " + added);
      }
    } finally {
      try (Engine engine = Engine.shared()) {
        engine.removeProjects(prefix);
      }
    }
  }

  /** Starts the projects with the compose CLI, 4 at a time. */
  static void up(Path compose, List<String> projects) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> runs = new ArrayList<>();
      for (String p : projects) {
        runs.add(pool.submit(() -> Engine.sh("docker compose -p " + p + " -f " + compose + " up -d 2>&1")));
      }
      for (Future<String> f : runs) f.get();
    } finally {
      pool.shutdownNow();
    }
  }

  /** Waits for one tick whose stats_update messages cover every container of the projects. */
  static void awaitStatsOf(Ws ws, List<String> projects) throws InterruptedException {
    Set<String> want = new HashSet<>(projects);
    long tick = -1;
    Set<String> covered = new HashSet<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      JsonObject m = ws.next(x -> "stats_update".equals(x.getString("type")) && want.contains(x.getString("stack")),
          Duration.ofSeconds(60));
      if (m.getLong("tick") != tick) {
        tick = m.getLong("tick");
        covered.clear();
      }
      JsonArray cs = m.getJsonArray("containers");
      if (cs.size() == 2) covered.add(m.getString("stack"));
      if (covered.containsAll(want)) return;
    }
    throw new AssertionError("no tick covered every container of " + projects.size() + " stacks");
  }

  /**
   * The JVM's live threads, less this test's own clients (java.net.http's, which the feed
   * client uses): what the node runs.
   */
  static List<String> dockupThreads() {
    List<String> names = new ArrayList<>();
    for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
      if (!t.getThreadName().startsWith("HttpClient-")) names.add(t.getThreadName());
    }
    return names;
  }
}
