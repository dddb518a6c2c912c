package dev.dockup.fleet;

import dev.dockup.Config;
import dev.dockup.DockUpVersion;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The fleet as this node sees it, from memory: every node publishes its own entry (name,
 * address, version, engine state, stacks) every {@link #BEAT_MS} and every node keeps what it
 * hears, updated between beats by the feed's {@code stack_status}. A node not heard for
 * {@link #LOST_MS} is shown unreachable with its last known stacks. Alone, the fleet is this node.
 */
public final class FleetVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FleetVerticle.class);
  static final long BEAT_MS = 2_000;
  static final long LOST_MS = 8_000;
  static final long NAME_CHECK_MS = 2_000;

  private final Config config;
  private final Map<String, JsonObject> nodes = new TreeMap<>();
  private final Map<String, Long> heardAt = new LinkedHashMap<>();

  public FleetVerticle(Config config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    Map<String, Function<JsonObject, Future<?>>> actions = Map.of(
        "fleet", req -> Future.succeededFuture(view(true)),
        "nodes", req -> Future.succeededFuture(view(false)));
    return vertx.eventBus().consumer(Bus.ping(config.nodeName()), m -> m.reply(new JsonObject().put("node", config.nodeName()))).completion()
        .onSuccess(v -> {
          vertx.eventBus().<JsonObject>localConsumer(Bus.fleet(config.nodeName()), m -> Services.serve(m, actions));
          vertx.eventBus().<JsonObject>consumer(Bus.FLEET_NODES, m -> heard(m.body()));
          vertx.eventBus().<JsonObject>consumer(Bus.EVENTS, m -> onFeed(m.body()));
          beat();
          vertx.setPeriodic(BEAT_MS, id -> beat());
          vertx.setPeriodic(1_000, id -> noticeLost());
        });
  }

  @Override
  public Future<?> stop() {
    // Leaving on purpose: say so, so the others need not wait for the silence.
    vertx.eventBus().publish(Bus.FLEET_NODES, new JsonObject().put("name", config.nodeName()).put("leaving", true));
    return Future.succeededFuture();
  }

  /**
   * Run before anything registers this node's addresses: a name held by a member that answers
   * within 2 s is refused; a silent holder (a crash, then a quick restart) is replaced.
   */
  public static Future<Void> nameIsFree(io.vertx.core.Vertx vertx, Config config) {
    if (!config.cluster().enabled()) return Future.succeededFuture();
    return vertx.eventBus().request(Bus.ping(config.nodeName()), new JsonObject(), new DeliveryOptions().setSendTimeout(NAME_CHECK_MS))
        .transform(ar -> {
          if (ar.succeeded()) {
            return Future.failedFuture(new IllegalStateException("The node name '" + config.nodeName()
                + "' is held by a running member of the cluster; set another DOCKUP_NODE_NAME"));
          }
          if (ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
            LOG.warn("The node name '{}' was held by a member that does not answer; taking its place", config.nodeName());
          }
          return Future.succeededFuture();
        });
  }

  /** This node's entry, with its stacks as the stacks verticle lists them, to everyone. */
  private void beat() {
    vertx.eventBus().<Object>request(Bus.stacks(config.nodeName()), new JsonObject(),
            new DeliveryOptions().addHeader(Bus.ACTION, Bus.Stacks.LIST).setSendTimeout(5_000))
        .onSuccess(reply -> {
          JsonObject list = new JsonObject(String.valueOf(reply.body()));
          vertx.eventBus().publish(Bus.FLEET_NODES, new JsonObject()
              .put("name", config.nodeName())
              .put("address", config.cluster().enabled() ? config.cluster().host() : config.host())
              .put("version", DockUpVersion.VERSION)
              .put("engine_ok", list.getBoolean("engine_ok", false))
              .put("stacks", list.getJsonArray("stacks", new JsonArray())));
        });
  }

  private void heard(JsonObject entry) {
    String name = entry.getString("name");
    if (name == null) return;
    if (entry.getBoolean("leaving", false)) {
      markLost(name);
      return;
    }
    JsonObject before = nodes.get(name);
    boolean wasReachable = before != null && before.getBoolean("reachable", false);
    JsonObject now = entry.copy().put("reachable", true).put("last_seen", Instant.now().toString());
    nodes.put(name, now);
    heardAt.put(name, System.currentTimeMillis());
    if (!wasReachable && !name.equals(config.nodeName())) announce("node_joined", name, now);
  }

  /** Between beats, the feed keeps the stacks current. */
  private void onFeed(JsonObject msg) {
    if (!"stack_status".equals(msg.getString("type"))) return;
    JsonObject node = nodes.get(msg.getString("node"));
    if (node == null) return;
    JsonArray stacks = node.getJsonArray("stacks", new JsonArray());
    String name = msg.getString("stack");
    for (int i = 0; i < stacks.size(); i++) {
      if (name.equals(stacks.getJsonObject(i).getString("name"))) {
        stacks.remove(i);
        break;
      }
    }
    if (!msg.getBoolean("removed", false)) {
      JsonObject item = msg.copy();
      item.remove("type");
      item.remove("ts");
      item.remove("stack");
      stacks.add(item.put("name", name));
    }
  }

  private void noticeLost() {
    long now = System.currentTimeMillis();
    heardAt.forEach((name, at) -> {
      if (now - at > LOST_MS && nodes.get(name).getBoolean("reachable", false)) markLost(name);
    });
  }

  private void markLost(String name) {
    JsonObject node = nodes.get(name);
    if (node == null || !node.getBoolean("reachable", false)) return;
    node.put("reachable", false);
    LOG.warn("Node '{}' left the fleet (last seen {})", name, node.getString("last_seen"));
    announce("node_left", name, node);
  }

  private void announce(String type, String name, JsonObject node) {
    // Each node announces what it saw; the feed of every node forwards its own node's view.
    vertx.eventBus().publish(Bus.EVENTS, new JsonObject().put("type", type).put("node", name)
        .put("ts", Instant.now().toString()).put("seen_by", config.nodeName())
        .put("reachable", node.getBoolean("reachable")), new DeliveryOptions().setLocalOnly(true));
  }

  private JsonObject view(boolean withStacks) {
    JsonArray list = new JsonArray();
    nodes.forEach((name, node) -> {
      JsonObject n = node.copy().put("self", name.equals(config.nodeName()));
      if (!withStacks) n.remove("stacks");
      list.add(n);
    });
    return new JsonObject().put("nodes", list);
  }
}
