package dev.dockup.engine;

import dev.dockup.it.Engine;
import dev.dockup.it.Stacks;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Both sources of a container's stats against the real engine: its cgroup files, read here, and
 * the engine's one-shot stats, which a node uses where it cannot see the cgroups (DockUp in a
 * container). They must tell the same story.
 */
class StatsSamplerIT {
  @Test
  void cgroupReadingsAndTheEnginesOneShotStatsAgree() throws Exception {
    String project = Stacks.uniqueName("statsrc");
    Path dir = Files.createTempDirectory("dockup-stats-");
    Path compose = dir.resolve("compose.yaml");
    Files.writeString(compose, """
        services:
          busy:
            image: %s
            init: true
            stop_grace_period: 1s
            command: ["sh", "-c", "while true; do :; done"]
        """.formatted(Engine.IMAGE));
    Vertx vertx = Vertx.vertx();
    try (Engine engine = Engine.shared()) {
      Engine.sh("docker compose -p " + project + " -f " + compose + " up -d 2>&1");
      String id = engine.running(project).get(0).getId();
      JsonObject c = new JsonObject().put("id", id).put("name", project + "-busy-1").put("service", "busy").put("project", project);
      EngineClient client = onContext(vertx, () -> EngineClient.create(vertx, engine.host, System.getenv()));
      WorkerExecutor workers = vertx.createSharedWorkerExecutor("stats-it", 1);

      StatsSampler fromCgroups = new StatsSampler(vertx, client, workers, CgroupStats.host());
      assertNotNull(CgroupStats.host().read(id, true), "this engine's cgroups are visible here");
      JsonObject direct = read(vertx, fromCgroups, c);
      StatsSampler fromEngine = new StatsSampler(vertx, client, workers, new CgroupStats(dir.resolve("none"), dir.resolve("none")));
      JsonObject asked = read(vertx, fromEngine, c);

      for (JsonObject s : List.of(direct, asked)) {
        assertEquals(id, s.getString("id"));
        assertTrue(s.getDouble("cpu_percent") > 20 && s.getDouble("cpu_percent") <= 100.0 * Runtime.getRuntime().availableProcessors(),
            "a busy loop uses most of a core: " + s.encode());
        assertTrue(s.getLong("mem_bytes") > 0 && s.getLong("mem_bytes") < 64L * 1024 * 1024, s.encode());
        assertTrue(s.getLong("net_rx_bytes") >= 0 && s.getLong("net_tx_bytes") >= 0, s.encode());
      }
      assertEquals(asked.getLong("mem_limit"), direct.getLong("mem_limit"), "no limit: the host's memory, both ways");
      workers.close();
    } finally {
      try (Engine engine = Engine.shared()) {
        engine.removeProjects(project);
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Two rounds (the first gives the second its CPU share), on a context as the engine verticle runs them. */
  static JsonObject read(Vertx vertx, StatsSampler sampler, JsonObject c) throws Exception {
    CompletableFuture<JsonObject> done = new CompletableFuture<>();
    vertx.runOnContext(v -> sampler.read(List.of(c), id -> false)
        .onComplete(ar -> done.complete(sampler.latest(c.getString("id"), 0))));
    JsonObject s = done.get(30, TimeUnit.SECONDS);
    assertNotNull(s, "a reading with a CPU share");
    return s;
  }

  static <T> T onContext(Vertx vertx, Supplier<T> make) throws Exception {
    CompletableFuture<T> made = new CompletableFuture<>();
    vertx.runOnContext(v -> made.complete(make.get()));
    return made.get(10, TimeUnit.SECONDS);
  }
}
