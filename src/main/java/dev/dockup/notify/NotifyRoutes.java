package dev.dockup.notify;

import dev.dockup.web.Api;
import io.vertx.ext.web.Router;

/**
 * {@code POST /api/notifications/test}: a test message to every configured URL, answered with
 * each one's result (masked URL, ok, status or error). Authentication and the admin scope are
 * checked before these routes.
 */
public final class NotifyRoutes {
  private NotifyRoutes() {}

  public static void mount(Router router, Notifier notifier) {
    router.post("/api/notifications/test").handler(ctx -> notifier.test().onComplete(ar -> {
      if (ar.succeeded()) Api.send(ctx, 200, ar.result());
      else Api.fail(ctx, ar.cause());
    }));
  }
}
