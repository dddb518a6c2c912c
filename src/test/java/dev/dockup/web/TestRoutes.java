package dev.dockup.web;

import io.vertx.ext.web.Router;

/**
 * Mounts one feature's routes on a bare router, without authentication, the way the route table
 * would otherwise (body reader included): for tests of a feature's handlers alone.
 */
public final class TestRoutes {
  private TestRoutes() {}

  public static void mount(Router router, RouteGroup group) {
    for (Route r : RouteTable.of(java.util.List.of(group)).entries().stream().map(RouteTable.Entry::route).toList()) {
      io.vertx.ext.web.Route vr = router.route(r.vertxPath());
      r.methods().forEach(vr::method);
      if (r.has(Route.Option.BODY)) vr.handler(new RawBody(HttpVerticle.MAX_BODY));
      vr.handler(r.handler());
    }
    router.route().failureHandler(ctx -> Api.fail(ctx, ctx.failure()));
  }
}
