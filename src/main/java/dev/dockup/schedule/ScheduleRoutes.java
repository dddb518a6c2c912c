package dev.dockup.schedule;

import dev.dockup.Config;
import dev.dockup.bus.Bus;
import dev.dockup.stack.StackFiles;
import dev.dockup.web.Api;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code /api/stack/<name>/schedule}: read, change (both request forms) and run now, each one request to the schedule verticle. */
public final class ScheduleRoutes {
  /** Above the verticle's own wait for the update service, so its 504 arrives first. */
  static final long RUN_TIMEOUT_MS = ScheduleVerticle.RUN_TIMEOUT_MS + 60_000;

  private final String address;

  private ScheduleRoutes(Config config) {
    this.address = Bus.schedules(config.nodeName());
  }

  public static void mount(Router router, Config config) {
    ScheduleRoutes r = new ScheduleRoutes(config);
    router.get("/api/stack/:name/schedule").handler(r::get);
    router.post("/api/stack/:name/schedule").handler(r::put);
    router.put("/api/stack/:name/schedule").handler(r::put);
    router.post("/api/stack/:name/schedule/run").handler(r::run);
  }

  private void get(RoutingContext ctx) {
    Api.forward(ctx, address, Bus.Schedules.GET, named(ctx));
  }

  private void put(RoutingContext ctx) {
    Api.forward(ctx, address, Bus.Schedules.PUT, named(ctx).put(ScheduleVerticle.BODY, Api.body(ctx)));
  }

  private void run(RoutingContext ctx) {
    Api.forward(ctx, address, Bus.Schedules.RUN, named(ctx), RUN_TIMEOUT_MS);
  }

  private static JsonObject named(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    StackFiles.checkName(name);
    return new JsonObject().put(Bus.NAME, name);
  }
}
