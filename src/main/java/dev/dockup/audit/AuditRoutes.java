package dev.dockup.audit;

import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.regex.Pattern;

import static dev.dockup.web.Schema.anyObject;
import static dev.dockup.web.Schema.array;
import static dev.dockup.web.Schema.integer;
import static dev.dockup.web.Schema.object;

/** {@code GET /api/audit?limit=N}: the newest entries first. */
public final class AuditRoutes implements RouteGroup {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 10_000;
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,9}");

  private final Vertx vertx;
  private final AuditLog log;

  public AuditRoutes(Vertx vertx, AuditLog log) {
    this.vertx = vertx;
    this.log = log;
  }

  @Override
  public String tag() {
    return "audit";
  }

  @Override
  public List<Route> routes() {
    return List.of(Route.get("/api/audit", Access.ADMIN, "auditLog", "The audit log, newest first")
        .query("limit", integer(), "1 to 10000, default 100")
        .response(object("entries", array(anyObject()))).handle(this::list));
  }

  private void list(RoutingContext ctx) {
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
