package dev.dockup.engine;

import com.github.dockerjava.transport.DockerHttpClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Container stats from the engine's own stats streams, open only while someone listens. The
 * engine's collector pushes a reading per container about once a second whatever we do; a
 * tick reads the latest ones from memory, so it costs no engine call at all. One-shot calls,
 * tried first, each wait for that collector's next pass, which at 200 containers itself takes
 * about two seconds.
 */
final class StatsSampler {
  private static final Logger LOG = LoggerFactory.getLogger(StatsSampler.class);
  static final long FIRST_READING_WAIT_MS = 2_500;

  private final Vertx vertx;
  private final DockerHttpClient http;
  /** Container id → its open stream; the reader thread keeps {@code latest} up to date. */
  private final Map<String, StatsStream> streams = new ConcurrentHashMap<>();

  StatsSampler(Vertx vertx, DockerHttpClient http) {
    this.vertx = vertx;
    this.http = http;
  }

  /**
   * The latest reading of each given container ({@code id, name, service, project}), in the
   * {@code stats_update} shape plus {@code project}. Streams open for new containers and close
   * for gone ones; a container without a reading yet is left out of this tick.
   */
  Future<List<JsonObject>> sample(List<JsonObject> containers) {
    Set<String> wanted = new HashSet<>();
    boolean opened = false;
    for (JsonObject c : containers) {
      wanted.add(c.getString("id"));
      if (!streams.containsKey(c.getString("id"))) {
        streams.put(c.getString("id"), StatsStream.open(http, c.getString("id")));
        opened = true;
      }
    }
    for (String id : new ArrayList<>(streams.keySet())) {
      if (!wanted.contains(id)) close(id);
    }
    List<JsonObject> now = readings(containers);
    // Only a first tick, with nothing read yet, waits for the streams' first readings; a stream
    // reopened later just joins the next tick, so a steady tick never waits.
    if (!opened || !now.isEmpty()) return Future.succeededFuture(now);
    Promise<List<JsonObject>> result = Promise.promise();
    vertx.setTimer(FIRST_READING_WAIT_MS, t -> result.complete(readings(containers)));
    return result.future();
  }

  /** Nobody listens any more: the engine need not keep collecting for us. */
  void stopAll() {
    new ArrayList<>(streams.keySet()).forEach(this::close);
  }

  private void close(String id) {
    StatsStream s = streams.remove(id);
    if (s != null) s.close();
  }

  private List<JsonObject> readings(List<JsonObject> containers) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject c : containers) {
      StatsStream s = streams.get(c.getString("id"));
      if (s == null) continue;
      if (s.ended()) {
        streams.remove(c.getString("id"), s);
        continue;
      }
      JsonObject raw = s.latest();
      if (raw != null) out.add(toStats(c, raw));
    }
    return out;
  }

  /** One reading in the {@code stats_update} shape; fields the engine leaves out or null (no network, cgroup v2) read as 0. */
  static JsonObject toStats(JsonObject c, JsonObject raw) {
    JsonObject cpu = EngineJson.object(raw, "cpu_stats");
    JsonObject pre = EngineJson.object(raw, "precpu_stats");
    long cpuDelta = EngineJson.number(EngineJson.object(cpu, "cpu_usage"), "total_usage", 0)
        - EngineJson.number(EngineJson.object(pre, "cpu_usage"), "total_usage", 0);
    long systemDelta = EngineJson.number(cpu, "system_cpu_usage", 0) - EngineJson.number(pre, "system_cpu_usage", 0);
    long cpus = Math.max(1, EngineJson.number(cpu, "online_cpus", 1));
    // As `docker stats` computes it, from the engine's own previous reading.
    double percent = systemDelta > 0 && cpuDelta >= 0 && EngineJson.number(pre, "system_cpu_usage", 0) > 0
        ? 100.0 * cpus * cpuDelta / systemDelta : 0.0;
    JsonObject mem = EngineJson.object(raw, "memory_stats");
    JsonObject memDetail = EngineJson.object(mem, "stats");
    // Usage less the inactive page cache, as `docker stats` counts it.
    long cache = EngineJson.number(memDetail, "inactive_file", EngineJson.number(memDetail, "total_inactive_file", 0));
    long rx = 0;
    long tx = 0;
    JsonObject networks = EngineJson.object(raw, "networks");
    for (String nic : networks.fieldNames()) {
      rx += EngineJson.number(EngineJson.object(networks, nic), "rx_bytes", 0);
      tx += EngineJson.number(EngineJson.object(networks, nic), "tx_bytes", 0);
    }
    return new JsonObject()
        .put("id", c.getString("id"))
        .put("name", c.getString("name"))
        .put("service", c.getString("service"))
        .put("project", c.getString("project"))
        .put("cpu_percent", Math.round(percent * 100) / 100.0)
        .put("mem_bytes", Math.max(0, EngineJson.number(mem, "usage", 0) - cache))
        .put("mem_limit", EngineJson.number(mem, "limit", 0))
        .put("net_rx_bytes", rx)
        .put("net_tx_bytes", tx);
  }

  static Map<String, List<JsonObject>> byProject(List<JsonObject> stats) {
    Map<String, List<JsonObject>> out = new HashMap<>();
    for (JsonObject s : stats) out.computeIfAbsent(s.getString("project"), p -> new ArrayList<>()).add(s);
    return out;
  }

  /** One engine stats stream, read by a daemon thread of its own (the read blocks). */
  private static final class StatsStream {
    private final Thread reader;
    private volatile DockerHttpClient.Response response;
    private volatile JsonObject latest;
    private volatile boolean ended;
    private volatile boolean closed;

    private StatsStream(DockerHttpClient http, String id) {
      reader = new Thread(() -> read(http, id), "dockup-stats-" + id.substring(0, Math.min(12, id.length())));
      reader.setDaemon(true);
    }

    static StatsStream open(DockerHttpClient http, String id) {
      StatsStream s = new StatsStream(http, id);
      s.reader.start();
      return s;
    }

    private void read(DockerHttpClient http, String id) {
      var request = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET)
          .path("/containers/" + id + "/stats?stream=true").build();
      try (DockerHttpClient.Response r = http.execute(request)) {
        response = r;
        if (closed || r.getStatusCode() != 200) return;
        BufferedReader in = new BufferedReader(new InputStreamReader(r.getBody(), StandardCharsets.UTF_8));
        for (String line; !closed && (line = in.readLine()) != null; ) {
          if (!line.isBlank()) latest = new JsonObject(line);
        }
      } catch (Exception e) {
        if (!closed) LOG.debug("stats stream of {} ended: {}", id, e.getMessage());
      } finally {
        ended = true;
      }
    }

    JsonObject latest() { return latest; }

    boolean ended() { return ended; }

    void close() {
      closed = true;
      DockerHttpClient.Response r = response;
      try {
        if (r != null) r.close();
      } catch (Exception ignored) {
        // closing a stream that already ended
      }
      reader.interrupt();
    }
  }
}
