package dev.dockup.fleet;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.web.Api;
import dev.dockup.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Where a route's request goes: the local service, or, under {@code /api/nodes/<node>}, the
 * same service on another node through its signed gateway. {@code remote} is null when not
 * clustered; then only this node's own name is served.
 */
public record NodeTarget(String self, Remote remote, String service, String localAddress) {
  public static final String[] PREFIXES = {"/api", "/api/nodes/:node"};

  public void forward(RoutingContext ctx, String action, JsonObject payload, long timeoutMs) {
    if (isLocal(ctx)) {
      Api.forward(ctx, localAddress, action, payload, timeoutMs);
    } else {
      ask(ctx, action, payload, timeoutMs)
          .onSuccess(a -> Api.send(ctx, a.status(), a.body()))
          .onFailure(t -> Api.fail(ctx, t));
    }
  }

  /** The service's answer, for a route that acts on it before answering itself. */
  public Future<Remote.Answer> ask(RoutingContext ctx, String action, JsonObject payload, long timeoutMs) {
    return ask(ctx.vertx(), node(ctx), action, payload, timeoutMs);
  }

  /** The same for a named node (this one's own name works too). */
  public Future<Remote.Answer> ask(Vertx vertx, String node, String action, JsonObject payload, long timeoutMs) {
    if (node.equals(self)) {
      return vertx.eventBus().request(localAddress, payload, new DeliveryOptions().addHeader(Bus.ACTION, action).setSendTimeout(timeoutMs))
          .map(Remote.Answer::of);
    }
    if (remote == null || !Config.NODE_NAME.matcher(node).matches()) return Future.failedFuture(ApiException.unavailable("Node unreachable"));
    return remote.request(node, service, action, payload, timeoutMs);
  }

  /** The node the path names, or this one. */
  public String node(RoutingContext ctx) {
    return ctx.pathParam("node") == null ? self : ctx.pathParam("node");
  }

  private boolean isLocal(RoutingContext ctx) {
    return node(ctx).equals(self);
  }
}
