package dev.dockup.update;

import dev.dockup.Config;
import dev.dockup.bus.Bus;
import dev.dockup.fleet.NodeTarget;
import dev.dockup.fleet.Remote;
import dev.dockup.stack.StackFiles;
import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

import static dev.dockup.web.Schema.any;
import static dev.dockup.web.Schema.array;
import static dev.dockup.web.Schema.bool;
import static dev.dockup.web.Schema.nullable;
import static dev.dockup.web.Schema.object;
import static dev.dockup.web.Schema.string;

/**
 * {@code POST /api/stack/<name>/check-updates} and {@code GET /api/stack/<name>/updates}, also
 * under {@code /api/nodes/<node>} for a stack on another node ({@code remote} null when not clustered).
 */
public final class UpdateRoutes implements RouteGroup {
  static final long CHECK_TIMEOUT_MS = 120_000;

  private final NodeTarget target;
  /** With {@code ?scan=true}: the running and the new image may each wait for a scan. */
  private final long scanTimeoutMs;

  public UpdateRoutes(Config config, Remote remote) {
    this.target = new NodeTarget(config.nodeName(), remote, "updates", Bus.updates(config.nodeName()));
    this.scanTimeoutMs = CHECK_TIMEOUT_MS + (2L * config.scan().timeoutSeconds() + 120) * 1000;
  }

  @Override
  public String tag() {
    return "updates";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.post("/api/stack/{name}/check-updates", Access.OPERATE, "checkUpdates",
                "Compare each service's running image with its tag's digest in the registry (nothing is pulled)")
            .query("scan", bool(), "Also scan each new digest in its registry (nothing is pulled) and the running image: "
                + "each image then has scan {status, introduced, fixed} (vulnerability ids with their severity)")
            .response(object("success", bool(), "update_available", bool(), "last_check", nullable(string()),
                "images", array(any())))
            .errors(404, 503).perNode()
            .handle(ctx -> {
              boolean scan = Api.flag(ctx, "scan");
              target.forward(ctx, Bus.Updates.CHECK, named(ctx).put("scan", scan), scan ? scanTimeoutMs : CHECK_TIMEOUT_MS);
            }),
        Route.get("/api/stack/{name}/updates", Access.READ, "updateHistory", "The stack's update records, newest first")
            .response(object("updates", array(any()))).errors(404).perNode()
            .handle(ctx -> target.forward(ctx, Bus.Updates.HISTORY, named(ctx), Api.DEFAULT_TIMEOUT_MS)));
  }

  private static JsonObject named(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    StackFiles.checkName(name);
    return new JsonObject().put("stack", name);
  }
}
