package dev.dockup.feed;

import dev.dockup.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What a new feed client gets first: a {@code node_status} per node and a {@code stack_status} per stack, fleet-wide. */
final class Snapshot {
  private Snapshot() {}

  /**
   * This node's stacks from its stacks verticle (always current), then every other node of the
   * fleet as this node last heard it (nothing more when alone).
   */
  static Future<List<JsonObject>> of(Vertx vertx, String node) {
    Future<Object> local = vertx.eventBus().request(Bus.stacks(node), new JsonObject(),
            new DeliveryOptions().addHeader(Bus.ACTION, Bus.Stacks.LIST).setSendTimeout(10_000))
        .map(reply -> reply.body());
    Future<JsonObject> fleet = vertx.eventBus().<JsonObject>request(Bus.fleet(node), new JsonObject(),
            new DeliveryOptions().addHeader(Bus.ACTION, "fleet").setSendTimeout(2_000))
        .map(reply -> reply.body())
        .otherwise(new JsonObject());
    return Future.all(local, fleet).map(v -> {
      String ts = Instant.now().toString();
      List<JsonObject> out = new ArrayList<>();
      JsonObject list = new JsonObject(String.valueOf(local.result()));
      add(out, node, ts, list.getBoolean("engine_ok", false), true, list.getJsonArray("stacks", new JsonArray()));
      for (Object o : fleet.result().getJsonArray("nodes", new JsonArray())) {
        JsonObject other = (JsonObject) o;
        if (node.equals(other.getString("name"))) continue;
        add(out, other.getString("name"), ts, other.getBoolean("engine_ok", false), other.getBoolean("reachable", false),
            other.getJsonArray("stacks", new JsonArray()));
      }
      return out;
    });
  }

  private static void add(List<JsonObject> out, String node, String ts, boolean engineOk, boolean reachable, JsonArray stacks) {
    out.add(new JsonObject().put("type", "node_status").put("node", node).put("ts", ts)
        .put("engine_ok", engineOk).put("reachable", reachable));
    for (int i = 0; i < stacks.size(); i++) {
      JsonObject item = stacks.getJsonObject(i);
      JsonObject msg = new JsonObject().put("type", "stack_status").put("node", item.getString("node", node))
          .put("ts", ts).put("stack", item.getString("name"));
      item.forEach(e -> {
        if (!msg.containsKey(e.getKey())) msg.put(e.getKey(), e.getValue());
      });
      out.add(msg);
    }
  }
}
