package dev.dockup.stack;

import dev.dockup.Config;
import dev.dockup.auth.Principal;
import dev.dockup.auth.Scope;
import dev.dockup.bus.Bus;
import dev.dockup.fleet.NodeTarget;
import dev.dockup.fleet.Remote;
import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Map;

import static dev.dockup.web.Schema.array;
import static dev.dockup.web.Schema.bool;
import static dev.dockup.web.Schema.integer;
import static dev.dockup.web.Schema.nullable;
import static dev.dockup.web.Schema.object;
import static dev.dockup.web.Schema.oneOf;
import static dev.dockup.web.Schema.ref;
import static dev.dockup.web.Schema.string;

/**
 * The previous versions of a stack's compose and {@code .env} files: listed, read, compared with
 * the current file, and restored (a new save, validated like any other). A version of the
 * {@code .env} holds secrets: its text and its diff need {@code admin}, whatever the route's
 * own scope.
 */
public final class HistoryRoutes implements RouteGroup {
  private final NodeTarget target;

  public HistoryRoutes(Config config, Remote remote) {
    this.target = new NodeTarget(config.nodeName(), remote, "stacks", Bus.stacks(config.nodeName()));
  }

  @Override
  public String tag() {
    return "history";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.get("/api/stack/{name}/history", Access.READ, "stackHistory",
                "The kept versions of the stack's compose and .env files, newest first (last 50 of each)")
            .response(ref("HistoryList")).errors(404, 409).perNode()
            .handle(ctx -> target.forward(ctx, Bus.Stacks.HISTORY, named(ctx), Api.DEFAULT_TIMEOUT_MS)),
        Route.get("/api/stack/{name}/history/{id}", Access.READ, "stackHistoryVersion",
                "One version's text (a .env version needs admin)")
            .response(object("id", string(), "kind", oneOf("compose", "env"), "file", string(), "content", string()))
            .errors(403, 404, 409).perNode()
            .handle(ctx -> version(ctx, Bus.Stacks.HISTORY_VERSION)),
        Route.get("/api/stack/{name}/history/{id}/diff", Access.READ, "stackHistoryDiff",
                "A unified diff from the version to the current file (a .env version needs admin)")
            .response(object("id", string(), "file", string(), "identical", bool(), "diff", string()))
            .errors(403, 404, 409).perNode()
            .handle(ctx -> version(ctx, Bus.Stacks.HISTORY_DIFF)),
        Route.post("/api/stack/{name}/history/{id}/restore", Access.ADMIN, "restoreStackVersion",
                "Save the version again as the current file: validated like any save, and itself a new version")
            .response(object("success", bool(), "stack", string(), "file?", string(), "created?", bool(), "restored", string()))
            .errors(400, 404, 409).perNode()
            .handle(ctx -> target.forward(ctx, Bus.Stacks.HISTORY_RESTORE,
                withId(ctx).put(Bus.BY, StackRoutes.by(ctx)), 180_000)));
  }

  @Override
  public Map<String, JsonObject> schemas() {
    return Map.of("HistoryList", object("stack", string(), "versions", array(object(
        "id", string(), "kind", oneOf("compose", "env"), "file", string("The file this text was"),
        "saved_at", nullable(string("When this text was saved; null when not known")),
        "by", nullable(string("Who saved it (the credential, as the audit log names it); null when not known or edited by hand")),
        "replaced_at", nullable(string()), "replaced_by", nullable(string()), "size", integer()))));
  }

  private void version(RoutingContext ctx, String action) {
    JsonObject req = withId(ctx);
    if ("env".equals(StackHistory.kind(req.getString(Bus.ID)))) {
      Principal p = Principal.of(ctx);
      if (p == null || !p.scope().covers(Scope.ADMIN)) {
        Api.error(ctx, 403, "Insufficient scope");
        return;
      }
    }
    target.forward(ctx, action, req, Api.DEFAULT_TIMEOUT_MS);
  }

  private static JsonObject named(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    StackFiles.checkName(name);
    return new JsonObject().put(Bus.NAME, name);
  }

  private static JsonObject withId(RoutingContext ctx) {
    return named(ctx).put(Bus.ID, ctx.pathParam("id"));
  }
}
