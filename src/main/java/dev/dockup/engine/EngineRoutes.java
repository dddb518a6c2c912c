package dev.dockup.engine;

import dev.dockup.Config;
import dev.dockup.DockUpVersion;
import dev.dockup.bus.Bus;
import dev.dockup.fleet.NodeTarget;
import dev.dockup.fleet.Remote;
import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import io.vertx.core.Future;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Map;

import static dev.dockup.web.Schema.any;
import static dev.dockup.web.Schema.array;
import static dev.dockup.web.Schema.bool;
import static dev.dockup.web.Schema.integer;
import static dev.dockup.web.Schema.mapOf;
import static dev.dockup.web.Schema.nullable;
import static dev.dockup.web.Schema.number;
import static dev.dockup.web.Schema.object;
import static dev.dockup.web.Schema.ref;
import static dev.dockup.web.Schema.string;

/** Images, networks, host stats, appdata sizes and versions: each route one request to the engine verticle. */
public final class EngineRoutes implements RouteGroup {
  private final String address;
  private final String stacksAddress;
  private final String node;
  /** Host figures of any node of the fleet (the dashboard's node cards). */
  private final NodeTarget host;

  public EngineRoutes(Config config, Remote remote) {
    this.node = config.nodeName();
    this.address = Bus.engine(node);
    this.stacksAddress = Bus.stacks(node);
    this.host = new NodeTarget(node, remote, "engine", address);
  }

  @Override
  public String tag() {
    return "engine";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.get("/api/version", Access.READ, "version", "DockUp's, the engine's and compose's versions")
            .response(ref("Version")).handle(this::version),
        Route.get("/api/images", Access.READ, "listImages", "Images with their size, tags and the containers using them")
            .response(object("images", array(ref("Image")))).errors(503).handle(ctx -> forward(ctx, Bus.Engine.IMAGES, new JsonObject())),
        Route.post("/api/images/prune", Access.ADMIN, "pruneImages", "Remove dangling images, or with all=true every image no container uses")
            .query("all", bool(), "Every unused image, not only dangling ones")
            .response(object("success", bool(), "space_reclaimed", integer(), "images_deleted", integer())).errors(503)
            .handle(ctx -> forward(ctx, Bus.Engine.PRUNE_IMAGES, new JsonObject().put("all", Api.flag(ctx, "all")))),
        Route.delete("/api/images/{ref*}", Access.ADMIN, "deleteImage", "Remove an image (by id or reference); 409 while a container uses it")
            .query("force", bool(), "Remove it even while containers use it")
            .errors(404, 409, 503)
            .handle(ctx -> forward(ctx, Bus.Engine.DELETE_IMAGE,
                new JsonObject().put(Bus.ID, ctx.pathParam("*")).put(Bus.FORCE, Api.flag(ctx, "force")))),
        Route.get("/api/networks", Access.READ, "listNetworks", "Networks with the containers using them")
            .response(object("networks", array(ref("Network")))).errors(503)
            .handle(ctx -> forward(ctx, Bus.Engine.NETWORKS, new JsonObject())),
        Route.post("/api/network", Access.ADMIN, "createNetwork", "Create a network")
            .request(ref("NewNetwork")).response(201, object("success", bool(), "id", string(), "name", string()))
            .errors(409, 503).handle(this::createNetwork),
        Route.post("/api/networks", Access.ADMIN, "createNetworkPlural", "The same as POST /api/network")
            .request(ref("NewNetwork")).response(201, object("success", bool(), "id", string(), "name", string()))
            .errors(409, 503).handle(this::createNetwork),
        Route.delete("/api/network/{id}", Access.ADMIN, "deleteNetwork", "Remove a network; 409 while in use")
            .errors(404, 409, 503).handle(this::deleteNetwork),
        Route.delete("/api/networks/{id}", Access.ADMIN, "deleteNetworkPlural", "The same as DELETE /api/network/{id}")
            .errors(404, 409, 503).handle(this::deleteNetwork),
        Route.get("/api/host/stats", Access.READ, "hostStats", "Host CPU, memory, disk and container counts")
            .response(ref("HostStats")).errors(503).perNode()
            .handle(ctx -> host.forward(ctx, Bus.Engine.HOST_STATS, new JsonObject(), 120_000)),
        Route.get("/api/appdata/sizes", Access.READ, "appdataSizes", "Disk used by each stack's bind mounts and volumes")
            .query("refresh", bool(), "Start a new measurement (the answer is still immediate)")
            .response(object("updated_at", nullable(string()), "refreshing", bool(), "stacks", mapOf(any())))
            .handle(ctx -> forward(ctx, Bus.Engine.APPDATA, new JsonObject().put("refresh", Api.flag(ctx, "refresh")))));
  }

  @Override
  public Map<String, JsonObject> schemas() {
    return Map.of(
        "Version", object("dockup_version", string(), "docker_version", nullable(string()), "api_version", nullable(string()),
            "engine_os", nullable(string()), "engine_arch", nullable(string()), "compose_version?", nullable(string()),
            "compose_command?", nullable(string()), "scanner", nullable(object("name", string(), "version", string(),
                "mode", string("cli: the scanner's CLI alone; server: Trivy as the client of TRIVY_SERVER"))),
            "java_version", string(), "node", string(), "engine_ok", bool()),
        "Image", object("id", string(), "tags", array(string()), "digests", array(string()), "size", integer(),
            "created", any(), "in_use", bool(), "containers", array(string())),
        "Network", object("id", string(), "name", string(), "driver", nullable(string()), "scope", nullable(string()),
            "internal", bool(), "attachable", bool(), "subnet", nullable(string()), "gateway", nullable(string()),
            "containers", array(string())),
        "NewNetwork", object("name", string(), "driver?", string(), "internal?", bool(), "attachable?", bool(),
            "subnet?", string(), "gateway?", string()),
        "HostStats", object("cpu_percent", number(), "memory", any(), "disk", any(), "containers", any(),
            "load_average?", array(number()), "uptime_seconds?", integer(), "sampled_at?", nullable(string())));
  }

  private void forward(RoutingContext ctx, String action, JsonObject payload) {
    Api.forward(ctx, address, action, payload, 120_000);
  }

  private void createNetwork(RoutingContext ctx) {
    Api.request(ctx, address, Bus.Engine.CREATE_NETWORK, Api.body(ctx), 60_000).onComplete(ar -> {
      if (ar.failed()) Api.fail(ctx, ar.cause());
      else if (ar.result().headers().get(Bus.STATUS) == null) Api.send(ctx, 201, ar.result().body());
      else Api.reply(ctx, ar.result());
    });
  }

  private void deleteNetwork(RoutingContext ctx) {
    forward(ctx, Bus.Engine.DELETE_NETWORK, new JsonObject().put(Bus.ID, ctx.pathParam("id")));
  }

  /** Engine facts when the engine answers; DockUp's own facts always. */
  private void version(RoutingContext ctx) {
    Future<Message<Object>> engine = Api.request(ctx, address, Bus.Engine.VERSION, new JsonObject(), 10_000);
    Future<Message<Object>> stacks = Api.request(ctx, stacksAddress, Bus.Stacks.INFO, new JsonObject(), 10_000);
    Future<Message<Object>> scans = Api.request(ctx, Bus.scans(node), Bus.Scans.INFO, new JsonObject(), 10_000);
    Future.join(engine, stacks, scans).onComplete(ar -> {
      JsonObject out = new JsonObject()
          .put("dockup_version", DockUpVersion.VERSION)
          .put("docker_version", null)
          .put("api_version", null)
          .put("engine_os", null)
          .put("engine_arch", null);
      boolean engineOk = engine.succeeded() && engine.result().headers().get(Bus.STATUS) == null;
      if (engineOk) out.mergeIn((JsonObject) engine.result().body());
      if (stacks.succeeded()) {
        JsonObject info = (JsonObject) stacks.result().body();
        out.put("compose_version", info.getString("compose_version")).put("compose_command", info.getString("compose_command"));
      }
      out.put("scanner", scans.succeeded() && scans.result().body() instanceof JsonObject info ? info.getValue("scanner") : null);
      out.put("java_version", System.getProperty("java.version"))
          .put("node", node)
          .put("engine_ok", engineOk);
      Api.send(ctx, 200, out);
    });
  }
}
