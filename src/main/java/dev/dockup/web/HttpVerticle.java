package dev.dockup.web;

import dev.dockup.Config;
import dev.dockup.DockUpVersion;
import dev.dockup.Shared;
import dev.dockup.audit.AuditRoutes;
import dev.dockup.auth.AuthRoutes;
import dev.dockup.auth.AuthStore;
import dev.dockup.auth.Gate;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.InternalError;
import dev.dockup.dashboard.Dashboard;
import dev.dockup.engine.EngineRoutes;
import dev.dockup.feed.FeedRoutes;
import dev.dockup.fleet.FleetRoutes;
import dev.dockup.notify.NotifyRoutes;
import dev.dockup.peer.PeerRoutes;
import dev.dockup.registry.RegistryRoutes;
import dev.dockup.schedule.ScheduleRoutes;
import dev.dockup.settings.SettingsRoutes;
import dev.dockup.stack.StackRoutes;
import dev.dockup.update.UpdateRoutes;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The HTTP front: mounts the route table (every feature's routes, each with its own
 * authorization), and turns each request into an event-bus request. It holds no Docker or file
 * logic.
 */
public final class HttpVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(HttpVerticle.class);
  public static final long MAX_BODY = 1024 * 1024;
  /** At most one line a minute about malformed requests: strangers choose how many they send. */
  private static final long BAD_REQUEST_LOG_MS = 60_000;

  private final Shared shared;
  private final Config config;
  private HttpServer server;
  private RouteTable table;
  private Router router;
  private long lastBadRequestLog;
  private long badRequests;

  public HttpVerticle(Shared shared) {
    this.shared = shared;
    this.config = shared.config();
  }

  @Override
  public Future<?> start() {
    FeedRoutes feed = new FeedRoutes(vertx, config.nodeName(), shared.remote());
    table = RouteTable.of(List.of(
        new AuthRoutes(shared.auth(), shared.settings()::instanceName),
        feed,
        new StackRoutes(config, shared.stackList(), shared.remote(), feed::followLogs),
        new dev.dockup.stack.HistoryRoutes(config, shared.remote()),
        new dev.dockup.backup.BackupRoutes(config, shared.remote()),
        new EngineRoutes(config, shared.remote()),
        new UpdateRoutes(config, shared.remote()),
        new ScheduleRoutes(config, shared.remote()),
        new dev.dockup.scan.ScanRoutes(config, shared.remote()),
        new FleetRoutes(config),
        new PeerRoutes(shared.peers(), config, shared.stackList()),
        new NotifyRoutes(shared.notifier()),
        new RegistryRoutes(shared.registry(), shared.settings()),
        new SettingsRoutes(shared.settings(), () -> shared.auth().store().token(AuthStore.INSTANCE_TOKEN_ID) != null),
        new AuditRoutes(vertx, shared.audit()),
        new dev.dockup.template.TemplateRoutes(config),
        new ApiDocs(() -> table),
        new Dashboard(vertx, DockUpVersion.VERSION)));

    router = Router.router(vertx);
    router.route().handler(this::countInFlight);
    router.route().handler(this::refuseWhileDraining);
    Gate gate = new Gate(shared.auth(), shared.audit());
    table.mount(router, gate, new RawBody(MAX_BODY), this::notFound);
    router.route().failureHandler(ctx -> failure(ctx, gate));
    // A URL the router cannot even decode fails before any route is chosen.
    router.errorHandler(400, ctx -> {
      noteBadRequest();
      Api.error(ctx, 400, "Bad request");
    });

    // Compressed answers: the dashboard's first load is its modules.
    server = vertx.createHttpServer(new HttpServerOptions().setCompressionSupported(true).setIdleTimeout(300).setMaxInitialLineLength(8192));
    return server.requestHandler(router).listen(config.port(), config.host());
  }

  public int actualPort() {
    return server.actualPort();
  }

  /** What this verticle mounted: the table, and the router made from it (tests walk both). */
  public RouteTable table() {
    return table;
  }

  public Router router() {
    return router;
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

  /** A path the router normalised away from {@code /api/stack/...} is still a stack that does not exist. */
  private void notFound(RoutingContext ctx) {
    String raw = ctx.request().path();
    Api.error(ctx, 404, raw != null && raw.startsWith("/api/stack/") ? "Stack not found" : "Not found");
  }

  private void failure(RoutingContext ctx, Gate gate) {
    Throwable t = ctx.failure();
    int code = ctx.statusCode();
    if (t instanceof ApiException api) {
      Api.send(ctx, api.status(), api.body());
    } else if ((code == 401 || code == 403) && (t == null || t instanceof HttpException)) {
      gate.refusal(ctx, code);
    } else if (code >= 400 && code < 500) {
      // The client's mistake (a malformed URL, a bad encoding): a short answer, hardly a log line.
      if (code == 400) noteBadRequest();
      Api.error(ctx, code, code == 413 ? "Request body too large" : code == 404 ? "Not found" : "Bad request");
    } else {
      Api.send(ctx, 500, InternalError.answer(LOG, ctx.request().method() + " " + ctx.request().path(), t));
    }
  }

  private void noteBadRequest() {
    badRequests++;
    long now = System.currentTimeMillis();
    if (now - lastBadRequestLog < BAD_REQUEST_LOG_MS) return;
    LOG.info("{} malformed request(s) refused with 400 since the last note", badRequests);
    lastBadRequestLog = now;
    badRequests = 0;
  }
}
