package dev.dockup.metrics;

import dev.dockup.bus.Bus;
import dev.dockup.bus.Services;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Feeds this node's meters from what already crosses the event bus (operations done, scans
 * finished, the engine's reachability), and answers a scrape: the stacks and the fleet are read
 * from their own services first, so the gauges are as fresh as the answer, and a deleted stack's
 * series are gone from it.
 */
public final class MetricsVerticle extends VerticleBase {
  public static final String SCRAPE = "scrape";
  static final long READ_TIMEOUT_MS = 5_000;
  static final Set<String> STATUSES = Set.of("running", "partial", "stopped", "inactive", "unknown");
  static final Set<String> HEALTHS = Set.of("healthy", "unhealthy", "starting", "stopped", "unknown");

  private final String node;
  private Meters meters;
  private Boolean engineOk;
  private final AtomicInteger engineUp = new AtomicInteger();
  private final AtomicInteger reachable = new AtomicInteger(1);
  private final AtomicInteger unreachable = new AtomicInteger();
  /** image (id, else reference) and time of the last scan counted: a scan is announced once per stack that runs its image. */
  private String lastScan;
  private MultiGauge stacks;
  private MultiGauge stackState;
  private MultiGauge stackContainers;
  private MultiGauge stackRunning;
  private MultiGauge stackUpdates;

  public MetricsVerticle(String node) {
    this.node = node;
  }

  @Override
  public Future<?> start() {
    meters = Meters.of(vertx);
    var r = meters.registry();
    Gauge.builder("dockup.engine.up", engineUp, AtomicInteger::get).description("1 while the Docker engine answers").register(r);
    Gauge.builder("dockup.cluster.members", reachable, AtomicInteger::get)
        .description("Nodes of the fleet this node hears from, itself included").register(r);
    Gauge.builder("dockup.cluster.members.unreachable", unreachable, AtomicInteger::get)
        .description("Nodes of the fleet known but not heard from lately").register(r);
    stacks = MultiGauge.builder("dockup.stacks").description("This node's stacks by status and health").register(r);
    stackState = MultiGauge.builder("dockup.stack.state").description("1 for each stack, with its status and health").register(r);
    stackContainers = MultiGauge.builder("dockup.stack.containers").description("Containers of each stack").register(r);
    stackRunning = MultiGauge.builder("dockup.stack.containers.running").description("Running containers of each stack").register(r);
    stackUpdates = MultiGauge.builder("dockup.stack.update.available").description("1 when a stack's images have an update").register(r);
    vertx.eventBus().<JsonObject>consumer(Bus.EVENTS, m -> onEvent(m.body()));
    vertx.eventBus().<JsonObject>localConsumer(Bus.engineState(node), m -> onEngine(m.body().getBoolean(Bus.ENGINE_OK, false)));
    return vertx.eventBus().<JsonObject>localConsumer(Bus.metrics(node), m -> Services.serve(m, Map.of(SCRAPE, req -> scrape())))
        .completion();
  }

  private void onEvent(JsonObject msg) {
    if (!node.equals(msg.getString("node"))) return;
    String type = msg.getString("type", "");
    if (type.equals("operation_done")) {
      String result = msg.getString("status", msg.getBoolean("success", false) ? "succeeded" : "failed");
      Object ms = msg.getValue("duration_ms");
      meters.operation(msg.getString("operation"), result, ms instanceof Number n ? n.longValue() : 0);
    } else if (type.equals("scan_complete")) {
      String key = msg.getString("image_id", msg.getString("image")) + "@" + msg.getString("ts");
      if (key.equals(lastScan)) return;
      lastScan = key;
      meters.scan(msg.getString("status"));
    }
  }

  private void onEngine(boolean ok) {
    if (ok && Boolean.FALSE.equals(engineOk)) meters.engineReconnected();
    engineOk = ok;
    engineUp.set(ok ? 1 : 0);
  }

  /** Fresh gauges, then the text (formatted on a worker); a service that does not answer leaves its last values. */
  private Future<String> scrape() {
    Future<JsonObject> list = vertx.eventBus().request(Bus.stacks(node), new JsonObject(),
            new DeliveryOptions().addHeader(Bus.ACTION, Bus.Stacks.LIST).setSendTimeout(READ_TIMEOUT_MS))
        .map(reply -> new JsonObject(String.valueOf(reply.body())))
        .onSuccess(this::stacks);
    Future<JsonObject> fleet = Services.request(vertx, Bus.fleet(node), "nodes", new JsonObject(), READ_TIMEOUT_MS)
        .onSuccess(this::fleet);
    return Future.join(list, fleet).transform(ar -> vertx.executeBlocking(meters::scrape, false));
  }

  private void stacks(JsonObject list) {
    engineUp.set(list.getBoolean("engine_ok", false) ? 1 : 0);
    Map<Tags, Integer> counts = new HashMap<>();
    List<MultiGauge.Row<?>> state = new ArrayList<>();
    List<MultiGauge.Row<?>> containers = new ArrayList<>();
    List<MultiGauge.Row<?>> running = new ArrayList<>();
    List<MultiGauge.Row<?>> updates = new ArrayList<>();
    for (Object o : list.getJsonArray("stacks", new JsonArray())) {
      if (!(o instanceof JsonObject s) || s.getString("name") == null) continue;
      String status = Meters.bounded(s.getString("status"), STATUSES);
      String health = Meters.bounded(s.getString("health_status"), HEALTHS);
      counts.merge(Tags.of("status", status, "health", health), 1, Integer::sum);
      Tags stack = Tags.of("stack", s.getString("name"));
      state.add(MultiGauge.Row.of(stack.and("status", status, "health", health), 1));
      containers.add(MultiGauge.Row.of(stack, number(s.getValue("containers"))));
      running.add(MultiGauge.Row.of(stack, number(s.getValue("running"))));
      updates.add(MultiGauge.Row.of(stack, s.getBoolean("update_available", false) ? 1 : 0));
    }
    List<MultiGauge.Row<?>> byStatus = new ArrayList<>();
    counts.forEach((tags, n) -> byStatus.add(MultiGauge.Row.of(tags, n)));
    stacks.register(byStatus, true);
    stackState.register(state, true);
    stackContainers.register(containers, true);
    stackRunning.register(running, true);
    stackUpdates.register(updates, true);
  }

  private void fleet(JsonObject view) {
    int up = 0;
    int down = 0;
    for (Object o : view.getJsonArray("nodes", new JsonArray())) {
      if (o instanceof JsonObject n && n.getBoolean("reachable", false)) up++;
      else down++;
    }
    reachable.set(Math.max(1, up));
    unreachable.set(down);
  }

  private static Number number(Object v) {
    return v instanceof Number n ? n : 0;
  }
}
