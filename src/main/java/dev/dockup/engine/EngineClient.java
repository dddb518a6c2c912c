package dev.dockup.engine;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * The Engine API without a thread per call or per stream: Vert.x's own HTTP client, over the
 * engine's Unix socket (the JDK's NIO domain sockets, Java 16+, so no native transport is
 * needed) or over TCP ({@code tcp://host:port}, with TLS when {@code DOCKER_TLS_VERIFY} and
 * {@code DOCKER_CERT_PATH} say so, as the docker CLI reads them). Every callback runs on the
 * context that created the client: the engine verticle's event loop.
 *
 * <p>Calls share a small pool of kept-alive connections. A stream (events, a followed log) holds
 * a connection of its own for as long as it is open, and costs no thread while it waits.
 */
final class EngineClient {
  /** The largest answer read whole: a listing of a few thousand containers. */
  static final int MAX_ANSWER_BYTES = 32 * 1024 * 1024;
  /** Calls in flight at once; more wait in the pool's queue. */
  static final int CALL_CONNECTIONS = 32;
  /**
   * One-shot stats in flight at once. Each waits for the engine's collector, which passes once
   * a second over every container asked for: they share the passes, on a pool of their own so
   * that no inspect waits behind them.
   */
  static final int SLOW_CONNECTIONS = 64;
  static final long CONNECT_TIMEOUT_MS = 5_000;
  /** A call whose answer stops arriving for this long fails (a hung engine holds nothing forever). */
  static final long CALL_IDLE_TIMEOUT_MS = 60_000;

  private final HttpClientAgent calls;
  private final HttpClientAgent slow;
  private final HttpClientAgent streams;
  private final SocketAddress server;
  private final String hostHeader;

  private EngineClient(HttpClientAgent calls, HttpClientAgent slow, HttpClientAgent streams, SocketAddress server,
                       String hostHeader) {
    this.calls = calls;
    this.slow = slow;
    this.streams = streams;
    this.server = server;
    this.hostHeader = hostHeader;
  }

  /** {@code unix:///path} or {@code tcp://host:port}, as DOCKER_HOST is written. */
  static EngineClient create(Vertx vertx, String dockerHost, Map<String, String> env) {
    URI uri = URI.create(dockerHost);
    SocketAddress server;
    String host;
    HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(30)
        .setConnectTimeout((int) CONNECT_TIMEOUT_MS).setDecompressionSupported(false);
    if ("unix".equals(uri.getScheme())) {
      server = SocketAddress.domainSocketAddress(uri.getPath());
      host = "docker";
    } else if ("tcp".equals(uri.getScheme()) || "http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) {
      int port = uri.getPort() > 0 ? uri.getPort() : 2375;
      server = SocketAddress.inetSocketAddress(port, uri.getHost());
      host = uri.getHost() + ":" + port;
      if (tls(env) || "https".equals(uri.getScheme())) secure(options, env);
    } else {
      throw new IllegalArgumentException("DOCKER_HOST must be unix:///path or tcp://host:port");
    }
    HttpClientAgent calls = vertx.createHttpClient(new HttpClientOptions(options).setName("dockup-engine"),
        new PoolOptions().setHttp1MaxSize(CALL_CONNECTIONS).setMaxWaitQueueSize(-1));
    HttpClientAgent slow = vertx.createHttpClient(new HttpClientOptions(options).setName("dockup-engine-stats"),
        new PoolOptions().setHttp1MaxSize(SLOW_CONNECTIONS).setMaxWaitQueueSize(-1));
    // Each stream holds its connection; how many there are is bounded by their callers.
    HttpClientAgent streams = vertx.createHttpClient(new HttpClientOptions(options).setKeepAlive(false).setName("dockup-engine-streams"),
        new PoolOptions().setHttp1MaxSize(4096));
    return new EngineClient(calls, slow, streams, server, host);
  }

  private static boolean tls(Map<String, String> env) {
    String verify = env.get("DOCKER_TLS_VERIFY");
    return verify != null && !verify.isBlank() && !"0".equals(verify);
  }

  /** The certificates of {@code DOCKER_CERT_PATH} (default {@code ~/.docker}), as the docker CLI takes them. */
  private static void secure(HttpClientOptions options, Map<String, String> env) {
    Path dir = Path.of(env.getOrDefault("DOCKER_CERT_PATH", Path.of(System.getProperty("user.home"), ".docker").toString()));
    options.setSsl(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(dir.resolve("ca.pem").toString()))
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(dir.resolve("cert.pem").toString())
            .setKeyPath(dir.resolve("key.pem").toString()));
  }

  private RequestOptions request(HttpMethod method, String path) {
    return new RequestOptions().setServer(server).setHost(hostHeader).setMethod(method).setURI(path)
        .setConnectTimeout(CONNECT_TIMEOUT_MS);
  }

  // ---- calls ----

  /** A call whose answer is read whole (bounded) and parsed as JSON when it is JSON. */
  Future<EngineHttp.Answer> call(HttpMethod method, String path) {
    return call(calls, method, path, null, CALL_IDLE_TIMEOUT_MS);
  }

  /** A call with a JSON body (or none) whose answer may take up to {@code idleTimeoutMs} to start (a prune). */
  Future<EngineHttp.Answer> call(HttpMethod method, String path, JsonObject body, long idleTimeoutMs) {
    return call(calls, method, path, body, idleTimeoutMs);
  }

  /** A GET that waits on the engine's side (one-shot stats), on connections of its own. */
  Future<EngineHttp.Answer> slowGet(String path) {
    return call(slow, HttpMethod.GET, path, null, CALL_IDLE_TIMEOUT_MS);
  }

  private Future<EngineHttp.Answer> call(HttpClientAgent agent, HttpMethod method, String path, JsonObject body, long idleTimeoutMs) {
    Future<HttpClientRequest> request;
    try {
      request = agent.request(request(method, path).setIdleTimeout(idleTimeoutMs));
    } catch (IllegalStateException closed) {
      // The verticle is stopping: what was still queued fails like any call to a gone engine.
      return Future.failedFuture(closed);
    }
    return request
        .compose(req -> body == null ? req.send() : req.putHeader("Content-Type", "application/json").send(body.toBuffer()))
        .compose(res -> bounded(res).map(text -> new EngineHttp.Answer(res.statusCode(), EngineHttp.parse(text))));
  }

  Future<EngineHttp.Answer> get(String path) {
    return call(HttpMethod.GET, path);
  }

  /** The body, failing once it passes {@link #MAX_ANSWER_BYTES} (the connection is then closed, not drained). */
  private static Future<String> bounded(HttpClientResponse res) {
    Promise<String> done = Promise.promise();
    Buffer body = Buffer.buffer();
    res.handler(chunk -> {
      if (body.length() + chunk.length() > MAX_ANSWER_BYTES) {
        if (done.tryFail(new IllegalStateException("engine answer larger than " + MAX_ANSWER_BYTES + " bytes"))) {
          res.request().reset();
        }
        return;
      }
      body.appendBuffer(chunk);
    });
    res.exceptionHandler(done::tryFail);
    res.endHandler(v -> done.tryComplete(body.toString().trim()));
    return done.future();
  }

  // ---- streams ----

  /**
   * A streaming GET ({@code /events}, a followed log): answered once the engine has sent its
   * headers with 200 (the engine subscribes before it answers, so nothing that happens later is
   * missed); fails otherwise. {@code data} gets each piece as it arrives; {@code ended} is called
   * once when the engine ends it or the connection breaks, never after {@link Stream#close()}.
   */
  Future<Stream> stream(String path, Handler<Buffer> data, Handler<Throwable> ended) {
    Future<HttpClientRequest> request;
    try {
      request = streams.request(request(HttpMethod.GET, path));
    } catch (IllegalStateException closed) {
      return Future.failedFuture(closed);
    }
    return request
        .compose(req -> req.send())
        .compose(res -> {
          if (res.statusCode() != 200) {
            res.request().reset();
            return Future.failedFuture(new IllegalStateException("engine answered " + res.statusCode() + " to " + path.split("\\?")[0]));
          }
          Stream s = new Stream(res);
          res.handler(buf -> {
            if (!s.closed) data.handle(buf);
          });
          res.exceptionHandler(t -> s.end(t, ended));
          res.endHandler(v -> s.end(new IllegalStateException("engine ended the stream"), ended));
          return Future.succeededFuture(s);
        });
  }

  /** One open stream. Not thread-safe: used on the client's context only. */
  static final class Stream {
    private final HttpClientResponse response;
    private boolean closed;

    private Stream(HttpClientResponse response) {
      this.response = response;
    }

    private void end(Throwable why, Handler<Throwable> ended) {
      if (closed) return;
      closed = true;
      ended.handle(why);
    }

    /** Backpressure: the engine's writes wait in its socket buffer, and then in the engine. */
    void pause() {
      if (!closed) response.pause();
    }

    void resume() {
      if (!closed) response.resume();
    }

    /** Closes the connection; the engine then stops writing. Nothing is reported after it. */
    void close() {
      if (closed) return;
      closed = true;
      response.request().reset();
    }
  }

  Future<Void> close() {
    return Future.join(calls.close(), slow.close(), streams.close()).mapEmpty();
  }
}
