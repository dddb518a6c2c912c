package dev.dockup.dashboard;

import dev.dockup.web.Access;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Serves the dashboard: {@code GET /} (the page, never cached) and {@code GET /ui/<version>/…}
 * (its modules, styles and libraries, cached for a year since the version changes with the
 * content). Both are public: they hold no data, and every call they make needs a credential.
 * Every answer carries a strict Content-Security-Policy and the usual hardening headers.
 */
public final class Dashboard implements RouteGroup {
  private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
  /**
   * Scripts only from this origin, no inline script, no eval. Inline styles are allowed: xterm's
   * renderer and CodeMirror write their themes into style elements they create at run time.
   */
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
      + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  private static final String IMMUTABLE = "public, max-age=31536000, immutable";
  /** The files are the same for every node in this JVM (tests start several): read them once. */
  private static final CompletableFuture<Assets> LOADED = new CompletableFuture<>();
  private static final java.util.concurrent.atomic.AtomicBoolean LOADING = new java.util.concurrent.atomic.AtomicBoolean();

  private final Vertx vertx;
  private final String version;

  public Dashboard(Vertx vertx, String version) {
    this.vertx = vertx;
    this.version = version;
  }

  /**
   * Read on the first request for the dashboard, not at start: a node nobody opens in a browser (a script's target, a
   * fleet member reached through another) does not hold its 2 MB of modules and libraries.
   */
  private void loadOnce() {
    if (!LOADING.compareAndSet(false, true)) return;
    vertx.executeBlocking(() -> Assets.load(version), false).onComplete(ar -> {
      if (ar.succeeded()) LOADED.complete(ar.result());
      else {
        LOG.error("The dashboard's files cannot be read", ar.cause());
        LOADED.completeExceptionally(ar.cause());
      }
    });
  }

  @Override
  public String tag() {
    return "dashboard";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.get("/", Access.PUBLIC, "dashboard", "The dashboard's page (it holds no data: every call it makes needs a credential)")
            .produces("text/html").handle(this::index),
        Route.get("/ui/{path*}", Access.PUBLIC, "dashboardAsset", "The dashboard's modules, styles and libraries, cached by version")
            .produces("text/javascript").errors(404).handle(this::asset));
  }

  /** {@code GET /}: the page. */
  private void index(RoutingContext ctx) {
    assets(ctx).onSuccess(a -> send(ctx, a.index(), "no-cache"));
  }

  /** {@code GET /ui/*}: {@code /ui/<version>/<path>}; an older version's URL still gets today's file, uncached. */
  private void asset(RoutingContext ctx) {
    String rest = ctx.normalizedPath().substring("/ui/".length());
    int slash = rest.indexOf('/');
    if (slash <= 0) {
      notFound(ctx);
      return;
    }
    String asked = rest.substring(0, slash);
    String path = rest.substring(slash + 1);
    assets(ctx).onSuccess(a -> {
      String cache = a.version.equals(asked) ? IMMUTABLE : "no-cache";
      if (a.isWebjar(path)) {
        Assets.Asset cached = a.cachedWebjar(path);
        if (cached != null) {
          send(ctx, cached, cache);
          return;
        }
        vertx.executeBlocking(() -> a.loadWebjar(path), false).onComplete(ar -> {
          if (ar.succeeded() && ar.result() != null) send(ctx, ar.result(), cache);
          else notFound(ctx);
        });
        return;
      }
      Assets.Asset file = path.equals("index.html") || path.equals("importmap.json") ? null : a.file(path);
      if (file == null) notFound(ctx);
      else send(ctx, file, cache);
    });
  }

  private Future<Assets> assets(RoutingContext ctx) {
    loadOnce();
    Future<Assets> f = Future.fromCompletionStage(LOADED, ctx.vertx().getOrCreateContext());
    return f.onFailure(t -> {
      hardening(ctx.response());
      ctx.response().setStatusCode(503).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .end("The dashboard is unavailable; see DockUp's log.");
    });
  }

  private static void send(RoutingContext ctx, Assets.Asset asset, String cacheControl) {
    HttpServerResponse res = ctx.response();
    hardening(res);
    res.putHeader(HttpHeaders.CACHE_CONTROL, cacheControl).putHeader(HttpHeaders.ETAG, asset.etag())
        .putHeader(HttpHeaders.VARY, "Accept-Encoding");
    if (asset.etag().equals(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH))) {
      res.setStatusCode(304).end();
      return;
    }
    res.putHeader(HttpHeaders.CONTENT_TYPE, asset.contentType()).end(asset.body());
  }

  private static void notFound(RoutingContext ctx) {
    hardening(ctx.response());
    ctx.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8").end("Not found");
  }

  static void hardening(HttpServerResponse res) {
    res.putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Cross-Origin-Opener-Policy", "same-origin")
        .putHeader("Cross-Origin-Resource-Policy", "same-origin");
  }
}
