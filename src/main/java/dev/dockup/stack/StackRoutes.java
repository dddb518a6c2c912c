package dev.dockup.stack;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.web.Api;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** The stack routes of the 1.3.0 API. Each validates its input and becomes one event-bus request. */
public final class StackRoutes {
  static final int MAX_LOG_LINES = 5_000;

  private final String address;
  private final long operationTimeoutMs;
  private final StackListCache listCache;

  private StackRoutes(Config config, StackListCache listCache) {
    this.address = Bus.stacks(config.nodeName());
    this.listCache = listCache;
    // Above OPERATION_TIMEOUT so the stack verticle's own 504 (with the output) arrives first.
    this.operationTimeoutMs = (config.operationTimeoutSeconds() + 60L) * 1000;
  }

  public static void mount(Router router, Config config, StackListCache listCache) {
    StackRoutes r = new StackRoutes(config, listCache);
    router.get("/api/stacks").handler(r::list);
    router.post("/api/stacks/validate").handler(r::validate);
    router.get("/api/stack/:name").handler(r::get);
    router.delete("/api/stack/:name").handler(r::delete);
    router.post("/api/stack/:name/operation").handler(r::operation);
    router.get("/api/stack/:name/logs").handler(r::logs);
    router.get("/api/stack/:name/compose").handler(r::getCompose);
    router.post("/api/stack/:name/compose").handler(r::putCompose);
    router.put("/api/stack/:name/compose").handler(r::putCompose);
    router.get("/api/stack/:name/env").handler(r::getEnv);
    router.put("/api/stack/:name/env").handler(r::putEnv);
    router.post("/api/stack/:name/env").handler(r::putEnv);
    router.get("/api/trash").handler(r::trash);
    router.post("/api/trash/:id/restore").handler(r::restore);
    router.get("/api/operations").handler(r::operations);
    router.get("/api/operations/:id").handler(r::getOperation);
  }

  /** The hot path: straight from the shared encoded answer when it is current. */
  private void list(RoutingContext ctx) {
    var cached = listCache.get();
    if (cached != null) Api.send(ctx, 200, cached);
    else Api.forward(ctx, address, Bus.Stacks.LIST, new JsonObject());
  }

  private void get(RoutingContext ctx) {
    Api.forward(ctx, address, Bus.Stacks.GET, named(ctx));
  }

  private void operation(RoutingContext ctx) {
    JsonObject body = Api.body(ctx);
    JsonObject req = named(ctx)
        .put(Bus.OPERATION, body.getValue(Bus.OPERATION) instanceof String s ? s : String.valueOf(body.getValue(Bus.OPERATION)))
        .put(Bus.FORCE_RECREATE, Boolean.TRUE.equals(body.getValue(Bus.FORCE_RECREATE)))
        .put(Bus.FORCE, Api.flag(ctx, "force") || Boolean.TRUE.equals(body.getValue(Bus.FORCE)))
        .put(Bus.ASYNC, Api.flag(ctx, "async"));
    if (body.containsKey(Bus.SERVICES)) req.put(Bus.SERVICES, body.getValue(Bus.SERVICES));
    Api.forward(ctx, address, Bus.Stacks.OPERATION, req, operationTimeoutMs);
  }

  private void delete(RoutingContext ctx) {
    JsonObject req = named(ctx)
        .put(Bus.DELETE_IMAGES, Api.flag(ctx, "delete_images"))
        .put(Bus.FORCE, Api.flag(ctx, "force"));
    Api.forward(ctx, address, Bus.Stacks.DELETE, req, operationTimeoutMs);
  }

  private void logs(RoutingContext ctx) {
    Api.forward(ctx, address, Bus.Stacks.LOGS, named(ctx).put(Bus.LINES, lines(ctx)), 180_000);
  }

  private void getCompose(RoutingContext ctx) {
    Api.forward(ctx, address, Bus.Stacks.GET_COMPOSE, named(ctx));
  }

  private void putCompose(RoutingContext ctx) {
    JsonObject req = named(ctx).put(Bus.CONTENT, Api.body(ctx).getValue(Bus.CONTENT));
    Api.forward(ctx, address, Bus.Stacks.PUT_COMPOSE, req, 180_000);
  }

  private void getEnv(RoutingContext ctx) {
    Api.forward(ctx, address, Bus.Stacks.GET_ENV, named(ctx));
  }

  private void putEnv(RoutingContext ctx) {
    Api.forward(ctx, address, Bus.Stacks.PUT_ENV, named(ctx).put(Bus.CONTENT, Api.body(ctx).getValue(Bus.CONTENT)));
  }

  private void validate(RoutingContext ctx) {
    JsonObject body = Api.body(ctx);
    JsonObject req = new JsonObject().put(Bus.CONTENT, body.getValue(Bus.CONTENT));
    if (body.getValue(Bus.STACK) != null) {
      if (!(body.getValue(Bus.STACK) instanceof String s)) throw ApiException.badRequest("Invalid stack name");
      StackFiles.checkName(s);
      req.put(Bus.STACK, s);
    }
    Api.forward(ctx, address, Bus.Stacks.VALIDATE, req, 180_000);
  }

  private void trash(RoutingContext ctx) {
    Api.forward(ctx, address, Bus.Stacks.TRASH, new JsonObject());
  }

  private void restore(RoutingContext ctx) {
    Api.forward(ctx, address, Bus.Stacks.RESTORE, new JsonObject().put(Bus.ID, ctx.pathParam("id")));
  }

  private void operations(RoutingContext ctx) {
    Api.forward(ctx, address, Bus.Stacks.OPERATIONS, new JsonObject());
  }

  private void getOperation(RoutingContext ctx) {
    Api.forward(ctx, address, Bus.Stacks.GET_OPERATION, new JsonObject().put(Bus.ID, ctx.pathParam("id")));
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
