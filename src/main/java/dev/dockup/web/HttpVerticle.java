package dev.dockup.web;

import dev.dockup.Config;
import dev.dockup.DockUpVersion;
import dev.dockup.Shared;
import dev.dockup.audit.AuditRoutes;
import dev.dockup.auth.AuthHandler;
import dev.dockup.auth.AuthRoutes;
import dev.dockup.auth.AuthStore;
import dev.dockup.engine.EngineRoutes;
import dev.dockup.feed.FeedRoutes;
import dev.dockup.fleet.FleetRoutes;
import dev.dockup.registry.RegistryRoutes;
import dev.dockup.notify.NotifyRoutes;
import dev.dockup.peer.PeerRoutes;
import dev.dockup.schedule.ScheduleRoutes;
import dev.dockup.update.UpdateRoutes;
import dev.dockup.settings.SettingsRoutes;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.stack.StackRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * The HTTP front: authenticates, validates, and turns each request into an event-bus request.
 * It holds no Docker or file logic.
 */
public final class HttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);
  public static final long MAX_BODY = 1024 * 1024;

  private final Shared shared;
  private final Config config;
  private HttpServer server;

  public HttpVerticle(Shared shared) {
    this.shared = shared;
    this.config = shared.config();
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.route().handler(this::countInFlight);
    router.route().handler(this::refuseWhileDraining);
    // Credentials first: an unauthenticated client is refused before its body is read.
    AuthHandler gate = new AuthHandler(shared.auth(), shared.audit(), false);
    router.route("/api/*").handler(gate);
    router.route("/api/*").handler(new RawBody(MAX_BODY));
    AuthHandler feedGate = new AuthHandler(shared.auth(), shared.audit(), true);
    router.route("/ws").handler(feedGate);
    router.route("/eventbus/*").handler(feedGate);
    AuthRoutes.mount(router, shared.auth(), gate, shared.settings()::instanceName);
    FeedRoutes.mount(router, vertx, config.nodeName(), shared.remote());
    router.get("/api/version").handler(this::version);
    StackRoutes.mount(router, config, shared.stackList(), shared.remote());
    EngineRoutes.mount(router, config);
    UpdateRoutes.mount(router, config, shared.remote());
    FleetRoutes.mount(router, config);
    ScheduleRoutes.mount(router, config, shared.remote());
    NotifyRoutes.mount(router, shared.notifier());
    RegistryRoutes.mount(router, shared.registry(), shared.settings());
    SettingsRoutes.mount(router, shared.settings(),
        () -> shared.auth().store().token(AuthStore.INSTANCE_TOKEN_ID) != null);
    AuditRoutes.mount(router, vertx, shared.audit());
    PeerRoutes.mount(router, shared.peers(), config, shared.stackList());
    // >>> dashboard (issue 13): the page and its versioned assets, public; move into the route table.
    dev.dockup.dashboard.Dashboard dashboard = new dev.dockup.dashboard.Dashboard(vertx, DockUpVersion.VERSION);
    router.get("/").handler(dashboard::index);
    router.get("/ui/*").handler(dashboard::asset);
    // <<< dashboard
    router.route().last().handler(this::notFound);
    router.route().failureHandler(this::failure);
    router.errorHandler(405, ctx -> Api.error(ctx, 405, "Method not allowed"));

    server = vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(true).setIdleTimeout(300).setMaxInitialLineLength(8192));
    return server.requestHandler(router).listen(config.port(), config.host());
  }

  public int actualPort() {
    return server.actualPort();
  }

  /** Shutdown waits for answers still being written. */
  private void countInFlight(RoutingContext ctx) {
    // A WebSocket lives as long as its client: it is no answer to wait for.
    if ("websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
      ctx.next();
      return;
    }
    shared.inFlight().incrementAndGet();
    ctx.addEndHandler(v -> shared.inFlight().decrementAndGet());
    ctx.next();
  }

  private void refuseWhileDraining(RoutingContext ctx) {
    if (shared.draining().get()) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
      Api.error(ctx, 503, "DockUp is shutting down");
    } else {
      ctx.next();
    }
  }

  /** Engine facts when the engine answers; DockUp's own facts always. */
  private void version(RoutingContext ctx) {
    Future<Message<Object>> engine = Api.request(ctx, Bus.engine(config.nodeName()), Bus.Engine.VERSION, new JsonObject(), 10_000);
    Future<Message<Object>> stacks = Api.request(ctx, Bus.stacks(config.nodeName()), Bus.Stacks.INFO, new JsonObject(), 10_000);
    Future.join(engine, stacks).onComplete(ar -> {
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
      out.put("java_version", System.getProperty("java.version"))
          .put("node", config.nodeName())
          .put("engine_ok", engineOk);
      Api.send(ctx, 200, out);
    });
  }

  /** A path the router normalised away from {@code /api/stack/...} is still a stack that does not exist. */
  private void notFound(RoutingContext ctx) {
    String raw = ctx.request().path();
    Api.error(ctx, 404, raw != null && raw.startsWith("/api/stack/") ? "Stack not found" : "Not found");
  }

  private void failure(RoutingContext ctx) {
    Throwable t = ctx.failure();
    if (t instanceof ApiException api) {
      Api.send(ctx, api.status(), api.body());
    } else if (t == null) {
      int code = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      Api.error(ctx, code, code == 413 ? "Request body too large" : code == 404 ? "Not found" : "Request failed");
    } else {
      LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), t);
      Api.error(ctx, 500, "Internal error: " + t.getClass().getSimpleName());
    }
  }
}
