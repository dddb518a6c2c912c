package dev.dockup.stack;

import dev.dockup.Config;
import dev.dockup.auth.Principal;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.fleet.NodeTarget;
import dev.dockup.fleet.Remote;
import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Map;

import static dev.dockup.web.Schema.array;
import static dev.dockup.web.Schema.bool;
import static dev.dockup.web.Schema.integer;
import static dev.dockup.web.Schema.nullable;
import static dev.dockup.web.Schema.object;
import static dev.dockup.web.Schema.ref;
import static dev.dockup.web.Schema.string;

/**
 * The stack routes of the 1.3.0 API, for this node and (per-node twins) any node of the fleet
 * ({@code remote} is null when not clustered: then only this node's own name works). Each
 * validates its input and becomes one event-bus request.
 */
public final class StackRoutes implements RouteGroup {
  static final int MAX_LOG_LINES = 5_000;

  private final String address;
  private final NodeTarget target;
  private final long operationTimeoutMs;
  private final StackListCache listCache;
  /** {@code ?follow=true} on the logs route: the live feed streams them. */
  private final Handler<RoutingContext> followLogs;

  public StackRoutes(Config config, StackListCache listCache, Remote remote, Handler<RoutingContext> followLogs) {
    this.address = Bus.stacks(config.nodeName());
    this.target = new NodeTarget(config.nodeName(), remote, "stacks", address);
    this.listCache = listCache;
    this.followLogs = followLogs;
    // Above OPERATION_TIMEOUT so the stack verticle's own 504 (with the output) arrives first.
    this.operationTimeoutMs = (config.operationTimeoutSeconds() + 60L) * 1000;
  }

  @Override
  public String tag() {
    return "stacks";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.get("/api/stacks", Access.READ, "listStacks", "This node's stacks, from memory")
            .response(ref("StackList")).handle(this::list),
        Route.post("/api/stacks/validate", Access.ADMIN, "validateCompose",
                "Check a compose file as compose would read it, without saving (admin: compose reads the files it names)")
            .request(object("content", string(), "stack?", string("Validate as this stack's file (its .env and folder)")))
            .response(object("valid", bool(), "services?", array(string()), "error?", string(), "line?", integer()))
            .perNode().handle(this::validate),
        Route.get("/api/trash", Access.READ, "listTrash", "Deleted stacks kept for 30 days")
            .response(object("trash", array(object("id", string(), "stack", string(), "deleted_at", string(), "bytes", integer()))))
            .perNode().handle(this::trash),
        Route.post("/api/trash/{id}/restore", Access.ADMIN, "restoreFromTrash", "Bring a deleted stack's folder back")
            .response(object("success", bool(), "stack", string())).errors(404, 409).perNode().handle(this::restore),
        Route.get("/api/operations", Access.READ, "listOperations", "Recent and running operations on this node")
            .response(object("operations", array(ref("Operation")))).perNode().handle(this::operations),
        Route.get("/api/stack/{name}", Access.READ, "getStack", "A stack with its containers")
            .response(ref("StackDetail")).errors(404).perNode().handle(this::get),
        Route.delete("/api/stack/{name}", Access.ADMIN, "deleteStack", "Take a stack down and move its folder to the trash")
            .query("delete_images", bool(), "Also remove the images no other container uses")
            .query("force", bool(), "Allowed on the stack DockUp runs in")
            .response(object("success", bool(), "stack", string(), "trash_id", string(), "images_removed", array(string()),
                "output", array(string())))
            .errors(404, 409, 500, 503, 504).perNode().handle(this::delete),
        Route.post("/api/stack/{name}/operation", Access.OPERATE, "runOperation",
                "up, down, stop, restart or pull, for the stack or some services")
            .request(ref("OperationRequest"))
            .query("async", bool(), "Answer 202 {operation_id} at once; follow it on the feed or /api/operations/{id}")
            .query("force", bool(), "Allow down or stop of the stack DockUp runs in")
            .response(ref("Operation")).errors(404, 409, 500, 503, 504).perNode().handle(this::operation),
        Route.get("/api/stack/{name}/logs", Access.READ, "stackLogs", "The last lines of every container's output")
            .query("lines", integer(), "1 to 5000, default 100")
            .query("follow", bool(), "Stream log_line events (Server-Sent Events) instead")
            .query("service", string(), "With follow: one service only")
            .response(ref("Logs")).errors(404, 503).perNode().handle(this::logs),
        Route.get("/api/stack/{name}/compose", Access.READ, "getCompose", "The compose file")
            .response(object("content", string(), "file", nullable(string()))).errors(404).perNode().handle(this::getCompose),
        Route.post("/api/stack/{name}/compose", Access.ADMIN, "saveCompose", "Save (or create the stack with) a compose file, validated first")
            .request(ref("Content")).response(object("success", bool(), "stack", string(), "file", string(), "created", bool()))
            .errors(409).perNode().handle(this::putCompose),
        Route.put("/api/stack/{name}/compose", Access.ADMIN, "replaceCompose", "The same as POST")
            .request(ref("Content")).response(object("success", bool(), "stack", string(), "file", string(), "created", bool()))
            .errors(409).perNode().handle(this::putCompose),
        Route.get("/api/stack/{name}/env", Access.ADMIN, "getEnv", "The stack's .env file (admin: it holds secrets)")
            .response(object("content", string(), "exists", bool())).errors(404).perNode().handle(this::getEnv),
        Route.put("/api/stack/{name}/env", Access.ADMIN, "saveEnv", "Replace the stack's .env file")
            .request(ref("Content")).errors(404, 409).perNode().handle(this::putEnv),
        Route.post("/api/stack/{name}/env", Access.ADMIN, "saveEnvPost", "The same as PUT")
            .request(ref("Content")).errors(404, 409).perNode().handle(this::putEnv),
        Route.get("/api/operations/{id}", Access.READ, "getOperation", "One operation, running or finished")
            .response(ref("Operation")).errors(404).perNode().handle(this::getOperation));
  }

  @Override
  public Map<String, JsonObject> schemas() {
    return StackSchemas.all();
  }

  private void send(RoutingContext ctx, String action, JsonObject payload, long timeoutMs) {
    target.forward(ctx, action, payload, timeoutMs);
  }

  /** The hot path: straight from the shared encoded answer when it is current. */
  private void list(RoutingContext ctx) {
    var cached = listCache.get();
    if (cached != null) Api.send(ctx, 200, cached);
    else Api.forward(ctx, address, Bus.Stacks.LIST, new JsonObject());  // local only
  }

  private void get(RoutingContext ctx) {
    send(ctx, Bus.Stacks.GET, named(ctx), Api.DEFAULT_TIMEOUT_MS);
  }

  private void operation(RoutingContext ctx) {
    JsonObject body = Api.body(ctx);
    JsonObject req = named(ctx)
        .put(Bus.OPERATION, body.getValue(Bus.OPERATION) instanceof String s ? s : String.valueOf(body.getValue(Bus.OPERATION)))
        .put(Bus.FORCE_RECREATE, Boolean.TRUE.equals(body.getValue(Bus.FORCE_RECREATE)))
        .put(Bus.FORCE, Api.flag(ctx, "force") || Boolean.TRUE.equals(body.getValue(Bus.FORCE)))
        .put(Bus.ASYNC, Api.flag(ctx, "async"));
    if (body.containsKey(Bus.SERVICES)) req.put(Bus.SERVICES, body.getValue(Bus.SERVICES));
    send(ctx, Bus.Stacks.OPERATION, req, operationTimeoutMs);
  }

  private void delete(RoutingContext ctx) {
    JsonObject req = named(ctx)
        .put(Bus.DELETE_IMAGES, Api.flag(ctx, "delete_images"))
        .put(Bus.FORCE, Api.flag(ctx, "force"));
    send(ctx, Bus.Stacks.DELETE, req, operationTimeoutMs);
  }

  private void logs(RoutingContext ctx) {
    if (Api.flag(ctx, "follow")) followLogs.handle(ctx);
    else send(ctx, Bus.Stacks.LOGS, named(ctx).put(Bus.LINES, lines(ctx)), 180_000);
  }

  private void getCompose(RoutingContext ctx) {
    send(ctx, Bus.Stacks.GET_COMPOSE, named(ctx), Api.DEFAULT_TIMEOUT_MS);
  }

  private void putCompose(RoutingContext ctx) {
    JsonObject req = named(ctx).put(Bus.CONTENT, Api.body(ctx).getValue(Bus.CONTENT)).put(Bus.BY, by(ctx));
    send(ctx, Bus.Stacks.PUT_COMPOSE, req, 180_000);
  }

  private void getEnv(RoutingContext ctx) {
    send(ctx, Bus.Stacks.GET_ENV, named(ctx), Api.DEFAULT_TIMEOUT_MS);
  }

  private void putEnv(RoutingContext ctx) {
    send(ctx, Bus.Stacks.PUT_ENV, named(ctx).put(Bus.CONTENT, Api.body(ctx).getValue(Bus.CONTENT)).put(Bus.BY, by(ctx)),
        Api.DEFAULT_TIMEOUT_MS);
  }

  private void validate(RoutingContext ctx) {
    JsonObject body = Api.body(ctx);
    JsonObject req = new JsonObject().put(Bus.CONTENT, body.getValue(Bus.CONTENT));
    if (body.getValue(Bus.STACK) != null) {
      if (!(body.getValue(Bus.STACK) instanceof String s)) throw ApiException.badRequest("Invalid stack name");
      StackFiles.checkName(s);
      req.put(Bus.STACK, s);
    }
    send(ctx, Bus.Stacks.VALIDATE, req, 180_000);
  }

  private void trash(RoutingContext ctx) {
    send(ctx, Bus.Stacks.TRASH, new JsonObject(), Api.DEFAULT_TIMEOUT_MS);
  }

  private void restore(RoutingContext ctx) {
    send(ctx, Bus.Stacks.RESTORE, new JsonObject().put(Bus.ID, ctx.pathParam("id")), Api.DEFAULT_TIMEOUT_MS);
  }

  private void operations(RoutingContext ctx) {
    send(ctx, Bus.Stacks.OPERATIONS, new JsonObject(), Api.DEFAULT_TIMEOUT_MS);
  }

  private void getOperation(RoutingContext ctx) {
    send(ctx, Bus.Stacks.GET_OPERATION, new JsonObject().put(Bus.ID, ctx.pathParam("id")), Api.DEFAULT_TIMEOUT_MS);
  }

  /** Who saves: what the audit log names (a file's history keeps it); null when unknown. */
  static String by(RoutingContext ctx) {
    Principal p = Principal.of(ctx);
    return p == null ? null : p.credential();
  }

  private static JsonObject named(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    StackFiles.checkName(name);
    return new JsonObject().put(Bus.NAME, name);
  }

  private static int lines(RoutingContext ctx) {
    String v = ctx.request().getParam("lines");
    if (v == null || v.isBlank()) return 100;
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 1 && n <= MAX_LOG_LINES) return n;
    } catch (NumberFormatException e) {
      // fall through
    }
    throw ApiException.badRequest("lines must be a whole number from 1 to " + MAX_LOG_LINES);
  }
}
