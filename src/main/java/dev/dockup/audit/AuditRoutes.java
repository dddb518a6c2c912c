package dev.dockup.audit;

import dev.dockup.web.Api;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.regex.Pattern;

/** {@code GET /api/audit?limit=N}: the newest entries first. The admin scope is checked before. */
public final class AuditRoutes {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 10_000;
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");

  private AuditRoutes() {}

  public static void mount(Router router, Vertx vertx, AuditLog log) {
    router.get("/api/audit").handler(ctx -> list(ctx, vertx, log));
  }

  private static void list(RoutingContext ctx, Vertx vertx, AuditLog log) {
    Integer limit = limit(ctx.request().getParam("limit"));
    if (limit == null) {
      Api.error(ctx, 400, "limit must be a whole number from 1 to " + MAX_LIMIT);
      return;
    }
    // Reading files blocks: never on the event loop.
    vertx.executeBlocking(() -> log.newest(limit), false).onComplete(ar -> {
      if (ar.succeeded()) Api.send(ctx, 200, new JsonObject().put("entries", new JsonArray(ar.result())));
      else Api.fail(ctx, ar.cause());
    });
  }

  /** The limit, or null when it is not a whole number in range. */
  static Integer limit(String raw) {
    if (raw == null) return DEFAULT_LIMIT;
    String s = raw.trim();
    if (!DIGITS.matcher(s).matches()) return null;
    int n = Integer.parseInt(s);
    return n >= 1 && n <= MAX_LIMIT ? n : null;
  }
}
