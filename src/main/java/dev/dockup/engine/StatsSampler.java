package dev.dockup.engine;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One reading per container when asked ({@link #read}), with no stream and no thread per
 * container: from the container's cgroup where DockUp can see it ({@link CgroupStats}, one
 * worker task for all of them), else from the engine's one-shot stats
 * ({@code stream=false&one-shot=true}, API 1.41) through {@link EngineClient}, which wait for
 * the engine's collector together. CPU share comes from DockUp's own previous reading of the
 * same container: a container read for the first time is read once more shortly after, so its
 * first figures are real ones. Called on the engine verticle's event loop.
 */
final class StatsSampler {
  /** The gap between a first reading and the one that gives it a CPU share. */
  static final long SECOND_READING_MS = 250;

  private final Vertx vertx;
  private final EngineClient engine;
  private final WorkerExecutor workers;
  private final CgroupStats cgroups;
  /** Container id → its latest reading, and the one before (the CPU share is their difference). */
  private final Map<String, Reading> latest = new HashMap<>();

  private record Reading(CgroupStats.Raw raw, JsonObject stats, long atMs) {}

  StatsSampler(Vertx vertx, EngineClient engine, WorkerExecutor workers, CgroupStats cgroups) {
    this.vertx = vertx;
    this.engine = engine;
    this.workers = workers;
    this.cgroups = cgroups;
  }

  /**
   * Reads each given container ({@code id, name, service, project}); {@code hostNetwork} tells
   * which share the host's network. Readings of containers not given are dropped.
   */
  Future<Void> read(List<JsonObject> containers, Predicate<String> hostNetwork) {
    Set<String> ids = new HashSet<>();
    for (JsonObject c : containers) ids.add(c.getString("id"));
    latest.keySet().retainAll(ids);
    List<JsonObject> first = containers.stream().filter(c -> !latest.containsKey(c.getString("id"))).toList();
    Future<Void> once = readAll(containers, hostNetwork);
    if (first.isEmpty()) return once;
    return once.compose(v -> {
      Promise<Void> again = Promise.promise();
      vertx.setTimer(SECOND_READING_MS, t -> readAll(first, hostNetwork).onComplete(again));
      return again.future();
    });
  }

  /** The latest figures of a container in the {@code stats_update} shape (plus {@code project}), or null. */
  JsonObject latest(String id, long notBeforeMs) {
    Reading r = latest.get(id);
    return r == null || r.stats() == null || r.atMs() < notBeforeMs ? null : r.stats();
  }

  void forget() {
    latest.clear();
  }

  private Future<Void> readAll(List<JsonObject> containers, Predicate<String> hostNetwork) {
    List<JsonObject> byEngine = new ArrayList<>();
    return workers.<Map<String, CgroupStats.Raw>>executeBlocking(() -> {
          Map<String, CgroupStats.Raw> found = new HashMap<>();
          for (JsonObject c : containers) {
            String id = c.getString("id");
            CgroupStats.Raw raw = cgroups.read(id, !hostNetwork.test(id));
            if (raw != null) found.put(id, raw);
          }
          return found;
        }, false)
        .otherwise(t -> Map.of())
        .compose(found -> {
          long now = System.currentTimeMillis();
          for (JsonObject c : containers) {
            CgroupStats.Raw raw = found.get(c.getString("id"));
            if (raw != null) record(c, raw, now);
            else byEngine.add(c);
          }
          List<Future<Void>> calls = new ArrayList<>();
          for (JsonObject c : byEngine) calls.add(oneShot(c));
          return Future.join(calls).<Void>mapEmpty().otherwiseEmpty();
        });
  }

  /** The engine's one-shot stats; a container that stopped meanwhile simply has no reading. */
  private Future<Void> oneShot(JsonObject c) {
    return engine.slowGet("/containers/" + EngineHttp.encode(c.getString("id")) + "/stats?stream=false&one-shot=true")
        .map(answer -> {
          if (answer.ok()) {
            CgroupStats.Raw raw = fromEngine(answer.object());
            if (raw != null) record(c, raw, System.currentTimeMillis());
          }
          return (Void) null;
        })
        .otherwiseEmpty();
  }

  private void record(JsonObject c, CgroupStats.Raw raw, long nowMs) {
    Reading before = latest.get(c.getString("id"));
    double percent = before == null ? Double.NaN : cpuPercent(before.raw(), raw);
    JsonObject stats = Double.isNaN(percent) ? null : toStats(c, raw, percent);
    // A first reading keeps the figures of none: it only gives the next one its CPU share.
    latest.put(c.getString("id"), new Reading(raw, stats, nowMs));
  }

  /** The CPU share between two readings (100 is one core), as {@code docker stats} computes it; NaN without a usable pair. */
  static double cpuPercent(CgroupStats.Raw before, CgroupStats.Raw now) {
    long cpu = now.cpuNs() - before.cpuNs();
    long basis = now.basisNs() - before.basisNs();
    if (before.engine() != now.engine() || basis <= 0 || cpu < 0) return Double.NaN;
    return 100.0 * cpu / basis;
  }

  /**
   * The figures of the engine's stats answer. Its CPU basis is the host's CPU time over its
   * CPUs, so its share between two readings is what {@code docker stats} shows. Fields the
   * engine leaves out or sends as null (no network, cgroup v2) read as 0; null for an answer
   * without CPU figures (a container that is not running).
   */
  static CgroupStats.Raw fromEngine(JsonObject raw) {
    JsonObject cpu = EngineJson.object(raw, "cpu_stats");
    long system = EngineJson.number(cpu, "system_cpu_usage", 0);
    if (system <= 0) return null;
    long cpus = Math.max(1, EngineJson.number(cpu, "online_cpus", 1));
    JsonObject mem = EngineJson.object(raw, "memory_stats");
    JsonObject memDetail = EngineJson.object(mem, "stats");
    long inactive = EngineJson.number(memDetail, "inactive_file", EngineJson.number(memDetail, "total_inactive_file", 0));
    long rx = 0;
    long tx = 0;
    JsonObject networks = EngineJson.object(raw, "networks");
    for (String nic : networks.fieldNames()) {
      rx += EngineJson.number(EngineJson.object(networks, nic), "rx_bytes", 0);
      tx += EngineJson.number(EngineJson.object(networks, nic), "tx_bytes", 0);
    }
    return new CgroupStats.Raw(true, EngineJson.number(EngineJson.object(cpu, "cpu_usage"), "total_usage", 0), system / cpus,
        EngineJson.number(mem, "usage", 0), inactive, EngineJson.number(mem, "limit", 0), rx, tx);
  }

  /** One reading in the {@code stats_update} shape, plus {@code project}; memory less the inactive page cache, as {@code docker stats} counts it. */
  static JsonObject toStats(JsonObject c, CgroupStats.Raw raw, double cpuPercent) {
    return new JsonObject()
        .put("id", c.getString("id"))
        .put("name", c.getString("name"))
        .put("service", c.getString("service"))
        .put("project", c.getString("project"))
        .put("cpu_percent", Math.round(cpuPercent * 100) / 100.0)
        .put("mem_bytes", Math.max(0, raw.memUsage() - raw.memInactive()))
        .put("mem_limit", raw.memLimit())
        .put("net_rx_bytes", raw.rx())
        .put("net_tx_bytes", raw.tx());
  }
}
