package dev.dockup.registry;

import dev.dockup.settings.Settings;
import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import io.vertx.ext.web.RoutingContext;

import java.util.List;

import static dev.dockup.web.Schema.bool;
import static dev.dockup.web.Schema.integer;
import static dev.dockup.web.Schema.nullable;
import static dev.dockup.web.Schema.number;
import static dev.dockup.web.Schema.object;
import static dev.dockup.web.Schema.string;

/** {@code GET /api/docker-hub/rate-limit}. */
public final class RegistryRoutes implements RouteGroup {
  private final RegistryClient client;
  private final Settings settings;

  public RegistryRoutes(RegistryClient client, Settings settings) {
    this.client = client;
    this.settings = settings;
  }

  @Override
  public String tag() {
    return "registry";
  }

  @Override
  public List<Route> routes() {
    return List.of(Route.get("/api/docker-hub/rate-limit", Access.READ, "hubRateLimit", "Docker Hub pulls left in the current window")
        .response(object("limit", nullable(integer()), "remaining", nullable(integer()), "percentage", nullable(number()),
            "window_seconds", nullable(integer()), "source", nullable(string()), "unlimited", bool()))
        .errors(503).handle(this::rateLimit));
  }

  private void rateLimit(RoutingContext ctx) {
    // Read per request: the URLs are settings a user may change at any time.
    client.rateLimit(settings.hubRegistryUrl(), settings.hubAuthUrl()).onComplete(ar -> {
      if (ar.succeeded()) Api.send(ctx, 200, ar.result().toJson());
      else Api.error(ctx, 503, "Docker Hub unreachable: " + cause(ar.cause()));
    });
  }

  /** RegistryException messages are written to be shown; anything else is not DockUp's to repeat. */
  private static String cause(Throwable t) {
    return t instanceof RegistryException && t.getMessage() != null ? t.getMessage() : "no answer";
  }
}
