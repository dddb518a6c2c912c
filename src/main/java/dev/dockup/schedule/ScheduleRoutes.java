package dev.dockup.schedule;

import dev.dockup.Config;
import dev.dockup.bus.Bus;
import dev.dockup.fleet.NodeTarget;
import dev.dockup.fleet.Remote;
import dev.dockup.stack.StackFiles;
import dev.dockup.web.Api;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /api/stack/<name>/schedule}: read, change (both request forms) and run now, each one request to the schedule verticle. */
public final class ScheduleRoutes {
  /** Above the verticle's own wait for the update service, so its 504 arrives first. */
  static final long RUN_TIMEOUT_MS = ScheduleVerticle.RUN_TIMEOUT_MS + 60_000;

  private final NodeTarget target;

  private ScheduleRoutes(Config config, Remote remote) {
    this.target = new NodeTarget(config.nodeName(), remote, "schedules", Bus.schedules(config.nodeName()));
  }

  /** Also under {@code /api/nodes/<node>} for a stack on another node ({@code remote} null when not clustered). */
  public static void mount(Router router, Config config, Remote remote) {
    ScheduleRoutes r = new ScheduleRoutes(config, remote);
    for (String prefix : NodeTarget.PREFIXES) {
      router.get(prefix + "/stack/:name/schedule").handler(r::get);
      router.post(prefix + "/stack/:name/schedule").handler(r::put);
      router.put(prefix + "/stack/:name/schedule").handler(r::put);
      router.post(prefix + "/stack/:name/schedule/run").handler(r::run);
    }
  }

  private void get(RoutingContext ctx) {
    target.forward(ctx, Bus.Schedules.GET, named(ctx), Api.DEFAULT_TIMEOUT_MS);
  }

  private void put(RoutingContext ctx) {
    target.forward(ctx, Bus.Schedules.PUT, named(ctx).put(ScheduleVerticle.BODY, Api.body(ctx)), Api.DEFAULT_TIMEOUT_MS);
  }

  private void run(RoutingContext ctx) {
    target.forward(ctx, Bus.Schedules.RUN, named(ctx), RUN_TIMEOUT_MS);
  }

  private static JsonObject named(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    StackFiles.checkName(name);
    return new JsonObject().put(Bus.NAME, name);
  }
}
