package dev.dockup.fleet;

import dev.dockup.Config;
import dev.dockup.web.Api;
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
    String node = ctx.pathParam("node");
    if (node == null || node.equals(self)) {
      Api.forward(ctx, localAddress, action, payload, timeoutMs);
    } else if (remote == null || !Config.NODE_NAME.matcher(node).matches()) {
      Api.error(ctx, 503, "Node unreachable");
    } else {
      remote.request(node, service, action, payload, timeoutMs)
          .onSuccess(a -> Api.send(ctx, a.status(), a.body()))
          .onFailure(t -> Api.fail(ctx, t));
    }
  }
}
