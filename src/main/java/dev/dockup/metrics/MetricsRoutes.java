package dev.dockup.metrics;

import dev.dockup.Config;
import dev.dockup.bus.Bus;
import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

/**
 * {@code GET /metrics}: this node's meters in Prometheus text format. It needs a {@code read}
 * credential (series name the node's stacks) unless {@code METRICS_PUBLIC=true}, for a
 * Prometheus that cannot send one.
 */
public final class MetricsRoutes implements RouteGroup {
  /** The text exposition format Prometheus asks for first. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  static final long SCRAPE_TIMEOUT_MS = 15_000;

  private final Config config;

  public MetricsRoutes(Config config) {
    this.config = config;
  }

  @Override
  public String tag() {
    return "metrics";
  }

  @Override
  public List<Route> routes() {
    return List.of(Route.get("/metrics", config.metricsPublic() ? Access.PUBLIC : Access.READ, "metrics",
            "This node's metrics in Prometheus text format")
        .description("HTTP requests by route template and status, stacks, operations, updates, scans, backups, feed clients, "
            + "the fleet, the engine's events, the JVM and the process; every series carries the node's name. Public when "
            + "METRICS_PUBLIC=true.")
        .produces("text/plain").errors(503, 504).handle(this::scrape));
  }

  private void scrape(RoutingContext ctx) {
    Api.request(ctx, Bus.metrics(config.nodeName()), MetricsVerticle.SCRAPE, new JsonObject(), SCRAPE_TIMEOUT_MS)
        .onSuccess(reply -> {
          if (reply.headers().contains(Bus.STATUS)) Api.reply(ctx, reply);
          else ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE).putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
              .end(String.valueOf(reply.body()));
        })
        .onFailure(t -> Api.fail(ctx, t));
  }
}
