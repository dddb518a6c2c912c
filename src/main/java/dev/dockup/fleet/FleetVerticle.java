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
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The fleet as this node sees it, from memory. Every node publishes its own entry (name,
 * address, version, engine state, stacks) every {@link #BEAT_MS} and soon after each change of
 * its stacks, and keeps it in a clustered map, where it stays when the node leaves: a node that
 * starts later still sees it. Entries are sealed with the cluster secret, and one older than the
 * last heard is ignored, so no member can speak for a node. A node not heard for
 * {@link #LOST_MS} is shown unreachable with its last known stacks. Alone, the fleet is this node.
 */
public final class FleetVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FleetVerticle.class);
  static final long BEAT_MS = 2_000;
  static final long LOST_MS = 8_000;
  static final long NAME_CHECK_MS = 2_000;
  /** A burst of stack changes makes one beat. */
  static final long CHANGE_BEAT_MS = 50;
  static final String PURPOSE = "fleet-entry";

  private final Config config;
  private final Signer signer;
  private final List<FleetOnce.Job> jobs;
  private final BusIds busIds;
  private final Map<String, JsonObject> nodes = new TreeMap<>();
  private final Map<String, Long> heardAt = new LinkedHashMap<>();
  private final Map<String, Long> lastTs = new HashMap<>();
  private boolean changeBeatDue;

  /** {@code signer} is null when not clustered; {@code jobs} run once per fleet; {@code busIds} learns who is who. */
  public FleetVerticle(Config config, Signer signer, List<FleetOnce.Job> jobs, BusIds busIds) {
    this.config = config;
    this.signer = signer;
    this.jobs = jobs;
    this.busIds = busIds;
  }

  @Override
  public Future<?> start() {
    Map<String, Function<JsonObject, Future<?>>> actions = Map.of(
        "fleet", req -> Future.succeededFuture(view(true)),
        "nodes", req -> Future.succeededFuture(view(false)));
    return vertx.eventBus().consumer(Bus.ping(config.nodeName()), m -> m.reply(new JsonObject().put("node", config.nodeName()))).completion()
        .compose(v -> rememberedNodes())
        .onSuccess(v -> {
          vertx.eventBus().<JsonObject>localConsumer(Bus.fleet(config.nodeName()), m -> Services.serve(m, actions));
          vertx.eventBus().<JsonObject>consumer(Bus.FLEET_NODES, m -> heard(m.body()));
          vertx.eventBus().<JsonObject>consumer(Bus.EVENTS, m -> onFeed(m.body()));
          beat();
          vertx.setPeriodic(BEAT_MS, id -> beat());
          vertx.setPeriodic(1_000, id -> noticeLost());
          jobs.forEach(job -> FleetOnce.schedule(vertx, job));
        });
  }

  @Override
  public Future<?> stop() {
    // Leaving on purpose: say so, so the others need not wait for the silence.
    JsonObject leaving = new JsonObject().put("name", config.nodeName()).put("leaving", true).put("ts", System.currentTimeMillis());
    vertx.eventBus().publish(Bus.FLEET_NODES, seal(leaving));
    return Future.succeededFuture();
  }

  /** The entries nodes left in the cluster's map: a node that is gone is shown with its last state. */
  private Future<Void> rememberedNodes() {
    if (signer == null) return Future.succeededFuture();
    long now = System.currentTimeMillis();
    return fleetMap().compose(AsyncMap::entries).onSuccess(entries -> entries.forEach((name, value) -> {
      // Any member may put anything there.
      JsonObject entry = value instanceof String text ? Sealed.openText(signer, PURPOSE, text) : null;
      if (entry == null || !name.equals(entry.getString("name")) || name.equals(config.nodeName())) return;
      long ts = entry.getLong("ts", 0L);
      boolean recent = now - ts < LOST_MS;
      lastTs.put(name, ts);
      entry.remove("ts");
      busIds.learned(name, (String) entry.remove("bus_id"));
      nodes.put(name, entry.put("reachable", recent).put("last_seen", Instant.ofEpochMilli(ts).toString()));
      if (recent) heardAt.put(name, ts);
    })).<Void>mapEmpty().recover(t -> {
      LOG.warn("Could not read the fleet's last known nodes: {}", t.getMessage());
      return Future.succeededFuture();
    });
  }

  private Future<AsyncMap<String, Object>> fleetMap() {
    return vertx.sharedData().getAsyncMap(Bus.FLEET_MAP);
  }

  private JsonObject seal(JsonObject entry) {
    return signer == null ? entry : Sealed.seal(signer, PURPOSE, entry);
  }

  private JsonObject open(JsonObject message) {
    return signer == null ? message : Sealed.open(signer, PURPOSE, message);
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
          JsonObject sealed = seal(new JsonObject()
              .put("name", config.nodeName())
              .put("address", config.cluster().enabled() ? config.cluster().host() : config.host())
              .put("version", DockUpVersion.VERSION)
              .put("engine_ok", list.getBoolean("engine_ok", false))
              .put("bus_id", BusIds.own(vertx))
              .put("ts", System.currentTimeMillis())
              .put("stacks", list.getJsonArray("stacks", new JsonArray())));
          vertx.eventBus().publish(Bus.FLEET_NODES, sealed);
          if (signer != null) fleetMap().compose(m -> m.put(config.nodeName(), sealed.encode()))
              .onFailure(t -> LOG.debug("Fleet map not updated: {}", t.getMessage()));
        });
  }

  private void heard(JsonObject message) {
    JsonObject entry = open(message);
    if (entry == null) {
      LOG.warn("Ignored a fleet entry not sealed with this fleet's secret");
      return;
    }
    String name = entry.getString("name");
    if (name == null) return;
    long ts = entry.getLong("ts", 0L);
    // A replayed entry would bring back an old state, or a node that left.
    if (ts <= lastTs.getOrDefault(name, Long.MIN_VALUE)) return;
    lastTs.put(name, ts);
    entry.remove("ts");
    busIds.learned(name, (String) entry.remove("bus_id"));
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

  /**
   * A change of this node's stacks is told to the fleet at once rather than at the next beat.
   * The feed itself is not sealed, so the others learn it from the sealed entry.
   */
  private void onFeed(JsonObject msg) {
    if (changeBeatDue || !"stack_status".equals(msg.getString("type")) || !config.nodeName().equals(msg.getString("node"))) return;
    changeBeatDue = true;
    vertx.setTimer(CHANGE_BEAT_MS, id -> {
      changeBeatDue = false;
      beat();
    });
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
