package dev.dockup.notify;

import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;

import java.util.List;

import static dev.dockup.web.Schema.any;
import static dev.dockup.web.Schema.array;
import static dev.dockup.web.Schema.object;

/**
 * {@code POST /api/notifications/test}: a test message to every configured URL, answered with
 * each one's result (masked URL, ok, status or error).
 */
public final class NotifyRoutes implements RouteGroup {
  private final Notifier notifier;

  public NotifyRoutes(Notifier notifier) {
    this.notifier = notifier;
  }

  @Override
  public String tag() {
    return "notifications";
  }

  @Override
  public List<Route> routes() {
    return List.of(Route.post("/api/notifications/test", Access.ADMIN, "testNotifications",
            "Send a test message to every notification URL")
        .response(object("results", array(any())))
        .handle(ctx -> notifier.test().onComplete(ar -> {
          if (ar.succeeded()) Api.send(ctx, 200, ar.result());
          else Api.fail(ctx, ar.cause());
        })));
  }
}
