package dev.dockup.it;

import dev.dockup.template.Recorded;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Remote catalogs on loopback, in their real formats (the recorded ones), with ETags: a
 * Portainer v2 and v3 list, LinuxServer.io's images API, a CasaOS store archive and a single
 * CasaOS file, and a Gitea-like host for Portainer stack files (its legacy raw path redirects to
 * the default branch). Any path can be switched to fail: bad JSON, a 500, too large, or slow.
 */
public final class CatalogServer implements AutoCloseable {
  public enum Fault { NONE, BAD_JSON, ERROR_500, TOO_LARGE, SLOW }

  public static final String V2 = "/portainer/templates-2.0.json";
  public static final String V3 = "/portainer/v3/templates.json";
  public static final String LSIO = "/lsio/api/v1/images";
  public static final String CASAOS_ZIP = "/casaos/store.zip";
  public static final String CASAOS_FILE = "/casaos/whoami/docker-compose.yml";
  static final String STACKFILE = "/git/acme/stacks/raw/branch/main/hello/docker-compose.yml";

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  public final String base;
  public final Map<String, Fault> faults = new ConcurrentHashMap<>();
  /** Requests per path, and how many of them were answered 304. */
  public final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
  public final Map<String, AtomicInteger> notModified = new ConcurrentHashMap<>();
  /** Bytes beyond which a TOO_LARGE answer is: the node's TEMPLATE_MAX_BYTES. */
  private final int tooLarge;

  public CatalogServer(int tooLarge) throws Exception {
    this.tooLarge = tooLarge;
    server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + server.actualPort();
  }

  public String url(String path) {
    return base + path;
  }

  private Buffer body(String path) {
    return switch (path) {
      case V2 -> Buffer.buffer(Recorded.portainerV2(base));
      case V3 -> Buffer.buffer(Recorded.text("portainer-v3.json"));
      case LSIO -> Buffer.buffer(Recorded.text("linuxserver.json"));
      case CASAOS_ZIP -> Buffer.buffer(Recorded.casaosStoreZip());
      case CASAOS_FILE -> Buffer.buffer(Recorded.text("casaos-single.yml"));
      case STACKFILE -> Buffer.buffer(Recorded.text("hello-stack.yml"));
      default -> null;
    };
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    if (path.equals("/git/acme/stacks/raw/hello/docker-compose.yml")) {
      req.response().setStatusCode(303).putHeader("Location", "/git/acme/stacks/raw/branch/main/hello/docker-compose.yml").end();
      return;
    }
    Fault fault = faults.getOrDefault(path, Fault.NONE);
    switch (fault) {
      case BAD_JSON -> req.response().end("{\"templates\": [ this is not json");
      case ERROR_500 -> req.response().setStatusCode(500).end("oops");
      case TOO_LARGE -> req.response().putHeader("Content-Type", "application/json").end(Buffer.buffer(new byte[tooLarge + 1]));
      case SLOW -> trickle(req);
      case NONE -> serve(req, path);
    }
  }

  private void serve(HttpServerRequest req, String path) {
    Buffer body = body(path);
    if (body == null) {
      req.response().setStatusCode(404).end("not found");
      return;
    }
    String etag = "\"" + Integer.toHexString(java.util.Arrays.hashCode(body.getBytes())) + "\"";
    if (etag.equals(req.getHeader("If-None-Match"))) {
      notModified.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
      req.response().setStatusCode(304).putHeader("ETag", etag).end();
      return;
    }
    req.response().putHeader("ETag", etag).end(body);
  }

  /** A byte every 100 ms, forever: only a deadline for the whole exchange ends it. */
  private void trickle(HttpServerRequest req) {
    req.response().setChunked(true).putHeader("Content-Type", "application/json");
    req.response().write("{\"templates\": [");
    long timer = vertx.setPeriodic(100, id -> req.response().write(" "));
    req.connection().closeHandler(v -> vertx.cancelTimer(timer));
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
