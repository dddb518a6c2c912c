package dev.dockup.engine;

import dev.dockup.Config;
import dev.dockup.bus.Bus;
import dev.dockup.web.Api;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** Images, networks, host stats and appdata sizes: each route one request to the engine verticle. */
public final class EngineRoutes {
  private final String address;

  private EngineRoutes(Config config) {
    this.address = Bus.engine(config.nodeName());
  }

  public static void mount(Router router, Config config) {
    EngineRoutes r = new EngineRoutes(config);
    router.get("/api/images").handler(ctx -> r.forward(ctx, Bus.Engine.IMAGES, new JsonObject()));
    router.post("/api/images/prune").handler(ctx -> r.forward(ctx, Bus.Engine.PRUNE_IMAGES,
        new JsonObject().put("all", Api.flag(ctx, "all"))));
    // An image is named by id (sha256:...) or by a reference that may hold slashes.
    router.deleteWithRegex("/api/images/(?<ref>.+)").handler(ctx -> r.forward(ctx, Bus.Engine.DELETE_IMAGE,
        new JsonObject().put(Bus.ID, ctx.pathParam("ref")).put(Bus.FORCE, Api.flag(ctx, "force"))));
    router.get("/api/networks").handler(ctx -> r.forward(ctx, Bus.Engine.NETWORKS, new JsonObject()));
    router.post("/api/network").handler(r::createNetwork);
    router.post("/api/networks").handler(r::createNetwork);
    router.delete("/api/network/:id").handler(r::deleteNetwork);
    router.delete("/api/networks/:id").handler(r::deleteNetwork);
    router.get("/api/host/stats").handler(ctx -> r.forward(ctx, Bus.Engine.HOST_STATS, new JsonObject()));
    router.get("/api/appdata/sizes").handler(ctx -> r.forward(ctx, Bus.Engine.APPDATA,
        new JsonObject().put("refresh", Api.flag(ctx, "refresh"))));
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
}
