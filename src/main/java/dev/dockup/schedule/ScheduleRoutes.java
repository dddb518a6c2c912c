package dev.dockup.schedule;

import dev.dockup.Config;
import dev.dockup.bus.Bus;
import dev.dockup.fleet.NodeTarget;
import dev.dockup.fleet.Remote;
import dev.dockup.stack.StackFiles;
import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Map;

import static dev.dockup.web.Schema.any;
import static dev.dockup.web.Schema.bool;
import static dev.dockup.web.Schema.described;
import static dev.dockup.web.Schema.nullable;
import static dev.dockup.web.Schema.object;
import static dev.dockup.web.Schema.oneOf;
import static dev.dockup.web.Schema.ref;
import static dev.dockup.web.Schema.string;

/**
 * {@code /api/stack/<name>/schedule}: read, change (both request forms) and run now, each one
 * request to the schedule verticle; also under {@code /api/nodes/<node>} for a stack on another
 * node ({@code remote} null when not clustered).
 */
public final class ScheduleRoutes implements RouteGroup {
  private final NodeTarget target;
  /** Above the verticle's own wait for the update service, so its 504 arrives first. */
  private final long runTimeoutMs;

  public ScheduleRoutes(Config config, Remote remote) {
    this.target = new NodeTarget(config.nodeName(), remote, "schedules", Bus.schedules(config.nodeName()));
    this.runTimeoutMs = ScheduleVerticle.runTimeoutMs(config) + 60_000;
  }

  @Override
  public String tag() {
    return "schedules";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.get("/api/stack/{name}/schedule", Access.READ, "getSchedule", "The stack's update schedule, in both forms, with its next run")
            .response(ref("Schedule")).errors(404).perNode().handle(this::get),
        Route.post("/api/stack/{name}/schedule", Access.ADMIN, "setSchedule",
                "Change the schedule: {enabled, schedule, timezone} (1.3.0) or {mode, cron, timezone}; mode wins")
            .request(ref("ScheduleChange")).response(ref("Schedule")).errors(404).perNode().handle(this::put),
        Route.put("/api/stack/{name}/schedule", Access.ADMIN, "replaceSchedule", "The same as POST")
            .request(ref("ScheduleChange")).response(ref("Schedule")).errors(404).perNode().handle(this::put),
        Route.post("/api/stack/{name}/schedule/run", Access.OPERATE, "runSchedule", "Run the stack's job now (a check when the mode is off)")
            .response(any()).errors(404, 503, 504).perNode().handle(this::run));
  }

  @Override
  public Map<String, JsonObject> schemas() {
    return Map.of(
        "Schedule", object("stack", string(), "mode", oneOf("off", "check", "auto"), "cron", nullable(string()),
            "timezone", string(), "enabled", bool(), "schedule", nullable(string()),
            "scan_gate", oneOf("off", "no_new_critical", "no_new_high"), "next_run", nullable(string())),
        "ScheduleChange", object("mode?", oneOf("off", "check", "auto"), "cron?", string(), "enabled?", bool(),
            "schedule?", string(), "timezone?", string("An IANA zone"),
            "scan_gate?", described(oneOf("off", "no_new_critical", "no_new_high"),
                "auto: refuse a new image that brings CRITICAL (or HIGH and worse) vulnerabilities the running one does not have")));
  }

  private void get(RoutingContext ctx) {
    target.forward(ctx, Bus.Schedules.GET, named(ctx), Api.DEFAULT_TIMEOUT_MS);
  }

  private void put(RoutingContext ctx) {
    target.forward(ctx, Bus.Schedules.PUT, named(ctx).put(ScheduleVerticle.BODY, Api.body(ctx)), Api.DEFAULT_TIMEOUT_MS);
  }

  private void run(RoutingContext ctx) {
    target.forward(ctx, Bus.Schedules.RUN, named(ctx), runTimeoutMs);
  }

  private static JsonObject named(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    StackFiles.checkName(name);
    return new JsonObject().put(Bus.NAME, name);
  }
}
