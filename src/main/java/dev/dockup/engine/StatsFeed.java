package dev.dockup.engine;

import dev.dockup.bus.Bus;
import dev.dockup.settings.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code stats_update} messages, one per watched stack every {@code stats_interval}, while some
 * feed client watches ({@link StatsDemand}); nothing is read while none does. The readings of a
 * tick are taken just before it, as long before as the last round took (and a little more), so
 * the tick itself only publishes from memory, on time, with figures a fraction of a second old.
 * The first client to arrive gets figures at once, not an interval later.
 *
 * <p>{@code sample_ms} is how long the tick took to publish, {@code read_ms} how long the round
 * of readings it publishes took. Used on the engine verticle's event loop only.
 */
final class StatsFeed {
  static final long MIN_LEAD_MS = 100;
  static final long LEAD_MARGIN_MS = 200;

  private final Vertx vertx;
  private final String node;
  private final Settings settings;
  private final EngineWatch watch;
  private final StatsSampler sampler;
  private final WorkerExecutor workers;
  /** Made on a worker at the first round (oshi loads native code), used there only. */
  private HostSampler host;
  private final StatsDemand demand = new StatsDemand();
  private MessageConsumer<JsonObject> consumer;
  private long timer = -1;
  private boolean reading;
  private long readMs;
  private long tick;
  private JsonObject hostFigures = new JsonObject();
  private boolean stopped;

  StatsFeed(Vertx vertx, String node, Settings settings, EngineWatch watch, StatsSampler sampler, WorkerExecutor workers) {
    this.vertx = vertx;
    this.node = node;
    this.settings = settings;
    this.watch = watch;
    this.sampler = sampler;
    this.workers = workers;
  }

  void start() {
    consumer = vertx.eventBus().consumer(Bus.FEED_DEMAND, msg -> onDemand(msg.body()));
    schedule();
  }

  void stop() {
    stopped = true;
    if (timer >= 0) vertx.cancelTimer(timer);
    if (consumer != null) consumer.unregister();
  }

  private long intervalMs() {
    return Math.max(1, settings.statsInterval()) * 1000L;
  }

  /** A hub repeats its demand every 2 s: three intervals without one (at least 6 s) and nobody watches. */
  private boolean watched() {
    long interval = intervalMs();
    return watch.engineOk() && demand.active(System.currentTimeMillis(), Math.max(6_000, 3 * interval));
  }

  private void onDemand(JsonObject msg) {
    boolean before = watched();
    demand.heard(msg == null ? new JsonObject() : msg, System.currentTimeMillis());
    if (!before && watched() && !reading) {
      long interval = intervalMs();
      read().onComplete(ar -> {
        if (!stopped && watched()) publish(System.nanoTime(), interval);
      });
    }
  }

  /** Interval minus lead: read; lead later: publish. The interval is read each time, so a change applies at the next tick. */
  private void schedule() {
    if (stopped) return;
    long interval = intervalMs();
    long lead = Math.max(MIN_LEAD_MS, Math.min(interval / 2, readMs + LEAD_MARGIN_MS));
    timer = vertx.setTimer(interval - lead, id -> {
      if (!watched()) sampler.forget();
      else if (!reading) read();
      timer = vertx.setTimer(lead, id2 -> {
        long started = System.nanoTime();
        if (watched()) publish(started, interval);
        schedule();
      });
    });
  }

  private Future<Void> read() {
    reading = true;
    long started = System.nanoTime();
    List<JsonObject> wanted = new ArrayList<>();
    for (JsonObject c : watch.containers()) {
      if ("running".equals(c.getString("state")) && demand.wants(node, c.getString("project"))) wanted.add(c);
    }
    Future<JsonObject> hostNow = workers.executeBlocking(() -> {
      if (host == null) host = new HostSampler();
      return host.sample();
    }, false);
    return Future.join(sampler.read(wanted, watch::hostNetwork), hostNow).<Void>mapEmpty().otherwiseEmpty().andThen(ar -> {
      reading = false;
      readMs = (System.nanoTime() - started) / 1_000_000;
      if (hostNow.succeeded()) hostFigures = hostNow.result();
    });
  }

  /** One {@code stats_update} per watched stack that has readings of a round not older than two intervals. */
  private void publish(long started, long intervalMs) {
    long tickNo = ++tick;
    long notBefore = System.currentTimeMillis() - 2 * intervalMs - MIN_LEAD_MS;
    Map<String, JsonArray> byProject = new LinkedHashMap<>();
    for (JsonObject c : watch.containers()) {
      if (!"running".equals(c.getString("state")) || !demand.wants(node, c.getString("project"))) continue;
      JsonObject s = sampler.latest(c.getString("id"), notBefore);
      if (s == null) continue;
      JsonObject copy = s.copy();
      copy.remove("project");
      byProject.computeIfAbsent(c.getString("project"), p -> new JsonArray()).add(copy);
    }
    String ts = Instant.now().toString();
    long sampleMs = (System.nanoTime() - started) / 1_000_000;
    byProject.forEach((project, containers) -> vertx.eventBus().publish(Bus.EVENTS, new JsonObject()
        .put("type", "stats_update").put("node", node).put("ts", ts).put("stack", project)
        .put("containers", containers).put("host", hostFigures)
        .put("tick", tickNo).put("sample_ms", sampleMs).put("read_ms", readMs).put("interval_ms", intervalMs)));
  }
}
