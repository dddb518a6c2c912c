package dev.dockup.update;

import dev.dockup.Config;
import dev.dockup.bus.Bus;
import dev.dockup.stack.StackFiles;
import dev.dockup.web.Api;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code POST /api/stack/<name>/check-updates} and {@code GET /api/stack/<name>/updates}. */
public final class UpdateRoutes {
  private UpdateRoutes() {}

  public static void mount(Router router, Config config) {
    String address = Bus.updates(config.nodeName());
    router.post("/api/stack/:name/check-updates").handler(ctx ->
        Api.forward(ctx, address, Bus.Updates.CHECK, named(ctx), 120_000));
    router.get("/api/stack/:name/updates").handler(ctx ->
        Api.forward(ctx, address, Bus.Updates.HISTORY, named(ctx)));
  }

  private static JsonObject named(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    StackFiles.checkName(name);
    return new JsonObject().put("stack", name);
  }
}
