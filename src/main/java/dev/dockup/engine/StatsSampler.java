package dev.dockup.engine;

import com.github.dockerjava.transport.DockerHttpClient;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Container stats with the engine's one-shot mode: no second sample inside the engine, but each
 * call still waits for the engine's stats collector, which passes once a second. So the calls of
 * a tick go out together (at most {@link #CONCURRENCY} in flight, on a pool of their own) and all
 * wait for the same pass: a tick takes about a second at 200 containers instead of 200 seconds.
 * CPU share comes from the difference to this sampler's previous reading of the same container.
 */
final class StatsSampler {
  static final int CONCURRENCY = 256;

  private record Reading(long containerCpu, long systemCpu) {}

  private final DockerHttpClient http;
  private final WorkerExecutor workers;
  private final Map<String, Reading> previous = new ConcurrentHashMap<>();

  StatsSampler(DockerHttpClient http, WorkerExecutor workers) {
    this.http = http;
    this.workers = workers;
  }

  /**
   * Samples every given container ({@code id, name, service, project} each); answers one entry
   * per container that answered, in DESIGN.md's {@code stats_update} shape plus {@code project}.
   */
  Future<List<JsonObject>> sample(List<JsonObject> containers) {
    List<List<JsonObject>> lanes = new ArrayList<>();
    for (int i = 0; i < Math.min(CONCURRENCY, containers.size()); i++) lanes.add(new ArrayList<>());
    for (int i = 0; i < containers.size(); i++) lanes.get(i % lanes.size()).add(containers.get(i));
    List<Future<List<JsonObject>>> parts = new ArrayList<>();
    for (List<JsonObject> lane : lanes) parts.add(workers.executeBlocking(() -> sampleLane(lane), false));
    return Future.join(parts).map(cf -> {
      List<JsonObject> out = new ArrayList<>();
      for (Future<List<JsonObject>> f : parts) if (f.succeeded()) out.addAll(f.result());
      previous.keySet().retainAll(containers.stream().map(c -> c.getString("id")).toList());
      return out;
    });
  }

  /** One worker thread walks its share of the containers, one call at a time. */
  private List<JsonObject> sampleLane(List<JsonObject> lane) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject c : lane) {
      JsonObject raw = read(c.getString("id"));
      if (raw != null) out.add(toStats(c, raw));
    }
    return out;
  }

  private JsonObject read(String id) {
    var request = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET)
        .path("/containers/" + id + "/stats?stream=false&one-shot=true").build();
    try (DockerHttpClient.Response response = http.execute(request); InputStream body = response.getBody()) {
      if (response.getStatusCode() != 200) return null;
      return new JsonObject(new String(body.readAllBytes(), StandardCharsets.UTF_8));
    } catch (Exception e) {
      return null;
    }
  }

  JsonObject toStats(JsonObject c, JsonObject raw) {
    JsonObject cpu = raw.getJsonObject("cpu_stats", new JsonObject());
    long containerCpu = cpu.getJsonObject("cpu_usage", new JsonObject()).getLong("total_usage", 0L);
    long systemCpu = cpu.getLong("system_cpu_usage", 0L);
    long cpus = cpu.getLong("online_cpus", 1L);
    Reading before = previous.put(c.getString("id"), new Reading(containerCpu, systemCpu));
    double percent = 0.0;
    if (before != null && systemCpu > before.systemCpu() && containerCpu >= before.containerCpu()) {
      percent = 100.0 * cpus * (containerCpu - before.containerCpu()) / (systemCpu - before.systemCpu());
    }
    JsonObject mem = raw.getJsonObject("memory_stats", new JsonObject());
    JsonObject memDetail = mem.getJsonObject("stats", new JsonObject());
    // As `docker stats` counts it: usage less the inactive page cache.
    long cache = memDetail.getLong("inactive_file", memDetail.getLong("total_inactive_file", 0L));
    long rx = 0;
    long tx = 0;
    JsonObject networks = raw.getJsonObject("networks", new JsonObject());
    for (String nic : networks.fieldNames()) {
      rx += networks.getJsonObject(nic).getLong("rx_bytes", 0L);
      tx += networks.getJsonObject(nic).getLong("tx_bytes", 0L);
    }
    return new JsonObject()
        .put("id", c.getString("id"))
        .put("name", c.getString("name"))
        .put("service", c.getString("service"))
        .put("project", c.getString("project"))
        .put("cpu_percent", Math.round(percent * 100) / 100.0)
        .put("mem_bytes", Math.max(0, mem.getLong("usage", 0L) - cache))
        .put("mem_limit", mem.getLong("limit", 0L))
        .put("net_rx_bytes", rx)
        .put("net_tx_bytes", tx);
  }

  static Map<String, List<JsonObject>> byProject(List<JsonObject> stats) {
    Map<String, List<JsonObject>> out = new HashMap<>();
    for (JsonObject s : stats) out.computeIfAbsent(s.getString("project"), p -> new ArrayList<>()).add(s);
    return out;
  }
}
