package dev.dockup.fleet;

import dev.dockup.Config;
import dev.dockup.bus.Bus;
import dev.dockup.web.Api;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** {@code GET /api/fleet} (every node with its stacks) and {@code GET /api/nodes} (without), from memory. */
public final class FleetRoutes {
  private FleetRoutes() {}

  public static void mount(Router router, Config config) {
    String address = Bus.fleet(config.nodeName());
    router.get("/api/fleet").handler(ctx -> Api.forward(ctx, address, "fleet", new JsonObject()));
    router.get("/api/nodes").handler(ctx -> Api.forward(ctx, address, "nodes", new JsonObject()));
  }
}
