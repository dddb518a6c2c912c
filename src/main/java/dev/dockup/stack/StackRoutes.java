package dev.dockup.stack;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.fleet.NodeTarget;
import dev.dockup.fleet.Remote;
import dev.dockup.web.Api;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** The stack routes of the 1.3.0 API. Each validates its input and becomes one event-bus request. */
public final class StackRoutes {
  static final int MAX_LOG_LINES = 5_000;

  private final String address;
  private final NodeTarget target;
  private final long operationTimeoutMs;
  private final StackListCache listCache;

  private StackRoutes(Config config, StackListCache listCache, Remote remote) {
    this.address = Bus.stacks(config.nodeName());
    this.target = new NodeTarget(config.nodeName(), remote, "stacks", address);
    this.listCache = listCache;
    // Above OPERATION_TIMEOUT so the stack verticle's own 504 (with the output) arrives first.
    this.operationTimeoutMs = (config.operationTimeoutSeconds() + 60L) * 1000;
  }

  /**
   * Mounts the stack routes for this node, and the same under {@code /api/nodes/<node>} for any
   * node of the fleet ({@code remote} is null when not clustered: then only this node's own name works).
   */
  public static void mount(Router router, Config config, StackListCache listCache, Remote remote) {
    StackRoutes r = new StackRoutes(config, listCache, remote);
    router.get("/api/stacks").handler(r::list);
    router.post("/api/stacks/validate").handler(r::validate);
    router.get("/api/trash").handler(r::trash);
    router.post("/api/trash/:id/restore").handler(r::restore);
    router.get("/api/operations").handler(r::operations);
    for (String prefix : NodeTarget.PREFIXES) {
      router.get(prefix + "/stack/:name").handler(r::get);
      router.delete(prefix + "/stack/:name").handler(r::delete);
      router.post(prefix + "/stack/:name/operation").handler(r::operation);
      router.get(prefix + "/stack/:name/logs").handler(r::logs);
      router.get(prefix + "/stack/:name/compose").handler(r::getCompose);
      router.post(prefix + "/stack/:name/compose").handler(r::putCompose);
      router.put(prefix + "/stack/:name/compose").handler(r::putCompose);
      router.get(prefix + "/stack/:name/env").handler(r::getEnv);
      router.put(prefix + "/stack/:name/env").handler(r::putEnv);
      router.post(prefix + "/stack/:name/env").handler(r::putEnv);
      router.get(prefix + "/operations/:id").handler(r::getOperation);
    }
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
    send(ctx, Bus.Stacks.LOGS, named(ctx).put(Bus.LINES, lines(ctx)), 180_000);
  }

  private void getCompose(RoutingContext ctx) {
    send(ctx, Bus.Stacks.GET_COMPOSE, named(ctx), Api.DEFAULT_TIMEOUT_MS);
  }

  private void putCompose(RoutingContext ctx) {
    JsonObject req = named(ctx).put(Bus.CONTENT, Api.body(ctx).getValue(Bus.CONTENT));
    send(ctx, Bus.Stacks.PUT_COMPOSE, req, 180_000);
  }

  private void getEnv(RoutingContext ctx) {
    send(ctx, Bus.Stacks.GET_ENV, named(ctx), Api.DEFAULT_TIMEOUT_MS);
  }

  private void putEnv(RoutingContext ctx) {
    send(ctx, Bus.Stacks.PUT_ENV, named(ctx).put(Bus.CONTENT, Api.body(ctx).getValue(Bus.CONTENT)), Api.DEFAULT_TIMEOUT_MS);
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
