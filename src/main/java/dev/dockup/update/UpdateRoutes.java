package dev.dockup.update;

import dev.dockup.Config;
import dev.dockup.bus.Bus;
import dev.dockup.fleet.NodeTarget;
import dev.dockup.fleet.Remote;
import dev.dockup.stack.StackFiles;
import dev.dockup.web.Api;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code POST /api/stack/<name>/check-updates} and {@code GET /api/stack/<name>/updates}. */
public final class UpdateRoutes {
  private UpdateRoutes() {}

  /** Also under {@code /api/nodes/<node>} for a stack on another node ({@code remote} null when not clustered). */
  public static void mount(Router router, Config config, Remote remote) {
    NodeTarget target = new NodeTarget(config.nodeName(), remote, "updates", Bus.updates(config.nodeName()));
    for (String prefix : NodeTarget.PREFIXES) {
      router.post(prefix + "/stack/:name/check-updates").handler(ctx ->
          target.forward(ctx, Bus.Updates.CHECK, named(ctx), 120_000));
      router.get(prefix + "/stack/:name/updates").handler(ctx ->
          target.forward(ctx, Bus.Updates.HISTORY, named(ctx), Api.DEFAULT_TIMEOUT_MS));
    }
  }

  private static JsonObject named(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    StackFiles.checkName(name);
    return new JsonObject().put("stack", name);
  }
}
