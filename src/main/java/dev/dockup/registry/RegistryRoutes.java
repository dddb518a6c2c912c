package dev.dockup.registry;

import dev.dockup.settings.Settings;
import dev.dockup.web.Api;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /api/docker-hub/rate-limit}. Authentication and scope are checked before these routes. */
public final class RegistryRoutes {
  private RegistryRoutes() {}

  public static void mount(Router router, RegistryClient client, Settings settings) {
    router.get("/api/docker-hub/rate-limit").handler(ctx -> rateLimit(ctx, client, settings));
  }

  private static void rateLimit(RoutingContext ctx, RegistryClient client, Settings settings) {
    // Read per request: the URLs are settings a user may change at any time.
    client.rateLimit(settings.hubRegistryUrl(), settings.hubAuthUrl()).onComplete(ar -> {
      if (ar.succeeded()) Api.send(ctx, 200, ar.result().toJson());
      else Api.error(ctx, 503, "Docker Hub unreachable: " + cause(ar.cause()));
    });
  }

  /** RegistryException messages are written to be shown; anything else shows its message or type. */
  private static String cause(Throwable t) {
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
