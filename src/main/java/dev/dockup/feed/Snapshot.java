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

/** What a new feed client gets first: a {@code stack_status} per stack and a {@code node_status} per node. */
final class Snapshot {
  private Snapshot() {}

  static Future<List<JsonObject>> of(Vertx vertx, String node) {
    return vertx.eventBus().request(Bus.stacks(node), new JsonObject(),
            new DeliveryOptions().addHeader(Bus.ACTION, Bus.Stacks.LIST).setSendTimeout(10_000))
        .map(reply -> {
          JsonObject list = new JsonObject(String.valueOf(reply.body()));
          String ts = Instant.now().toString();
          List<JsonObject> out = new ArrayList<>();
          out.add(new JsonObject().put("type", "node_status").put("node", node).put("ts", ts)
              .put("engine_ok", list.getBoolean("engine_ok", false)).put("reachable", true));
          JsonArray stacks = list.getJsonArray("stacks", new JsonArray());
          for (int i = 0; i < stacks.size(); i++) {
            JsonObject item = stacks.getJsonObject(i);
            JsonObject msg = new JsonObject().put("type", "stack_status").put("node", item.getString("node", node))
                .put("ts", ts).put("stack", item.getString("name"));
            item.forEach(e -> {
              if (!msg.containsKey(e.getKey())) msg.put(e.getKey(), e.getValue());
            });
            out.add(msg);
          }
          return out;
        });
  }
}
