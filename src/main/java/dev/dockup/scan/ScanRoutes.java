package dev.dockup.scan;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
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
import java.util.regex.Pattern;

import static dev.dockup.web.Schema.any;
import static dev.dockup.web.Schema.array;
import static dev.dockup.web.Schema.bool;
import static dev.dockup.web.Schema.described;
import static dev.dockup.web.Schema.integer;
import static dev.dockup.web.Schema.nullable;
import static dev.dockup.web.Schema.object;
import static dev.dockup.web.Schema.oneOf;
import static dev.dockup.web.Schema.ref;
import static dev.dockup.web.Schema.string;

/**
 * Vulnerability scans of containers, stacks and images, and the node's recent scans; each route
 * one request to the scan verticle of this node or, under {@code /api/nodes/<node>}, of another.
 */
public final class ScanRoutes implements RouteGroup {
  /** A container's id, short id or name (the engine's own rule for names). */
  private static final Pattern CONTAINER = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$");
  /** An image id, or a reference (one path segment: a reference with a slash is sent percent-encoded). */
  private static final Pattern IMAGE = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9_.:/@-]{0,254}$");
  static final String[] STATUSES = {"not_scanned", "queued", "scanning", "completed", "failed"};

  private final NodeTarget target;

  public ScanRoutes(Config config, Remote remote) {
    this.target = new NodeTarget(config.nodeName(), remote, "scans", Bus.scans(config.nodeName()));
  }

  @Override
  public String tag() {
    return "scans";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.post("/api/container/{id}/scan", Access.OPERATE, "scanContainer",
                "Scan the image a container runs (by id, short id or name); a recent result is answered at once")
            .description("202 ScanAccepted when a scan is queued or started; 200 with the ScanStatus of a result younger than SCAN_CACHE_HOURS")
            .query("force", bool(), "Scan again even when a result younger than SCAN_CACHE_HOURS exists")
            .response(202, ref("ScanAccepted")).errors(400, 404, 503).perNode()
            .handle(ctx -> target.forward(ctx, Bus.Scans.CONTAINER_SCAN, container(ctx).put(Bus.FORCE, Api.flag(ctx, "force")),
                Api.DEFAULT_TIMEOUT_MS)),
        Route.get("/api/container/{id}/scan-status", Access.READ, "containerScanStatus",
                "The scan status and last result of the image a container runs")
            .response(ref("ScanStatus")).errors(400, 404, 503).perNode()
            .handle(ctx -> target.forward(ctx, Bus.Scans.CONTAINER_STATUS, container(ctx), Api.DEFAULT_TIMEOUT_MS)),
        Route.post("/api/stack/{name}/scan", Access.OPERATE, "scanStack", "Scan every image the stack's containers run")
            .query("force", bool(), "Scan again even the images with a recent result")
            .description("202 when a scan was queued or started; 200 when every image had a recent result")
            .response(202, object("stack", string(), "images", array(any()))).errors(404, 503).perNode()
            .handle(ctx -> target.forward(ctx, Bus.Scans.STACK_SCAN, stack(ctx).put(Bus.FORCE, Api.flag(ctx, "force")),
                Api.DEFAULT_TIMEOUT_MS)),
        Route.get("/api/stack/{name}/scan-summary", Access.READ, "stackScanSummary",
                "Worst severity, counts over the stack's distinct images, how many are scanned, the oldest scan")
            .response(ref("ScanSummary")).errors(404, 503).perNode()
            .handle(ctx -> target.forward(ctx, Bus.Scans.STACK_SUMMARY, stack(ctx), Api.DEFAULT_TIMEOUT_MS)),
        Route.get("/api/images/{id}/scan", Access.READ, "imageScanStatus",
                "The scan status and last result of an image, running or not (id, tag or digest; encode a slash as %2F)")
            .response(ref("ScanStatus")).errors(400, 404, 503).perNode()
            .handle(ctx -> target.forward(ctx, Bus.Scans.IMAGE_STATUS, image(ctx), Api.DEFAULT_TIMEOUT_MS)),
        Route.post("/api/images/{id}/scan", Access.OPERATE, "scanImage", "Scan an image, running or not")
            .description("202 ScanAccepted when a scan is queued or started; 200 with the ScanStatus of a recent result")
            .query("force", bool(), "Scan again even when a recent result exists")
            .response(202, ref("ScanAccepted")).errors(400, 404, 503).perNode()
            .handle(ctx -> target.forward(ctx, Bus.Scans.IMAGE_SCAN, image(ctx).put(Bus.FORCE, Api.flag(ctx, "force")),
                Api.DEFAULT_TIMEOUT_MS)),
        Route.get("/api/scans", Access.READ, "listScans", "Scans waiting and running on this node, then the stored results, newest first")
            .response(object("scans", array(any()), "running", integer(), "queued", integer(), "scanner", any()))
            .errors(503).perNode()
            .handle(ctx -> target.forward(ctx, Bus.Scans.LIST, new JsonObject(), Api.DEFAULT_TIMEOUT_MS)),
        Route.delete("/api/scans/cache", Access.ADMIN, "clearScanResults", "Forget every stored scan result of this node")
            .response(object("success", bool(), "removed", integer())).perNode()
            .handle(ctx -> target.forward(ctx, Bus.Scans.CLEAR, new JsonObject(), Api.DEFAULT_TIMEOUT_MS)));
  }

  @Override
  public Map<String, JsonObject> schemas() {
    JsonObject counts = object("CRITICAL", integer(), "HIGH", integer(), "MEDIUM", integer(), "LOW", integer(), "UNKNOWN", integer());
    return Map.of(
        "ScanAccepted", described(object("status", oneOf(STATUSES), "image", nullable(string()), "image_id", nullable(string()),
            "container?", nullable(string()), "queue_position?", integer()),
            "202: the scan waits (queued, with its place) or runs; 200 answers a recent result as ScanStatus instead"),
        "ScanStatus", object("status", oneOf(STATUSES), "container", nullable(string()), "image", nullable(string()),
            "image_id", nullable(string()), "vulnerabilities", nullable(ref("SeverityCounts")), "scan_time", nullable(string()),
            "scanner", nullable(object("name", string(), "version", string(), "mode", oneOf("cli", "server"))),
            "findings", array(ref("Finding")), "truncated", bool("More findings than the 200 listed"), "total", integer(),
            "error", nullable(string()), "queue_position?", integer()),
        "Finding", object("id", string(), "package", nullable(string()), "installed", nullable(string()), "fixed", nullable(string()),
            "severity", oneOf("CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"), "title", nullable(string()), "url", nullable(string())),
        "SeverityCounts", counts,
        "ScanSummary", object("stack", string(), "worst", nullable(string()), "vulnerabilities", nullable(ref("SeverityCounts")),
            "scanned", integer(), "total", integer(), "oldest_scan", nullable(string()), "images", array(any())));
  }

  private static JsonObject container(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (id == null || !CONTAINER.matcher(id).matches()) throw ApiException.badRequest("Invalid container id or name");
    return new JsonObject().put(Bus.ID, id);
  }

  private static JsonObject image(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (id == null || !IMAGE.matcher(id).matches()) throw ApiException.badRequest("Invalid image id or reference");
    return new JsonObject().put(Bus.ID, id);
  }

  private static JsonObject stack(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    StackFiles.checkName(name);
    return new JsonObject().put(Bus.NAME, name);
  }
}
