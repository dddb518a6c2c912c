package dev.dockup.fleet;

import dev.dockup.Config;
import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

import static dev.dockup.web.Schema.array;
import static dev.dockup.web.Schema.bool;
import static dev.dockup.web.Schema.nullable;
import static dev.dockup.web.Schema.object;
import static dev.dockup.web.Schema.ref;
import static dev.dockup.web.Schema.string;

/** {@code GET /api/fleet} (every node with its stacks) and {@code GET /api/nodes} (without), from memory. */
public final class FleetRoutes implements RouteGroup {
  private final String address;

  public FleetRoutes(Config config) {
    this.address = dev.dockup.bus.Bus.fleet(config.nodeName());
  }

  @Override
  public String tag() {
    return "fleet";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.get("/api/fleet", Access.READ, "fleet", "Every node of the fleet with its stacks, as this node last heard them")
            .response(object("nodes", array(ref("FleetNode")))).handle(ctx -> Api.forward(ctx, address, "fleet", new JsonObject())),
        Route.get("/api/nodes", Access.READ, "nodes", "Every node of the fleet, without stacks")
            .response(object("nodes", array(ref("FleetNode")))).handle(ctx -> Api.forward(ctx, address, "nodes", new JsonObject())));
  }

  @Override
  public Map<String, JsonObject> schemas() {
    return Map.of("FleetNode", object("name", string(), "address", nullable(string()), "version", nullable(string()),
        "engine_ok", bool(), "reachable", bool(), "last_seen", nullable(string()), "self", bool(),
        "stacks?", array(ref("StackItem"))));
  }
}
