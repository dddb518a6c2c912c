package dev.dockup.template;

import dev.dockup.Config;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

import javax.net.ssl.SSLException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * GETs a catalog or a stack file: conditionally (ETag, Last-Modified), within one deadline for
 * the whole exchange (redirects included), reading at most a size, and only from addresses the
 * {@link AddressGuard} allows. The host is resolved here, checked, and the connection made to
 * that very address (the name kept for the Host header and TLS), so a name cannot resolve to a
 * public address for the check and a private one for the request; every redirect is checked
 * again.
 *
 * <p>Vert.x's core HTTP client rather than its web client: the web client buffers a whole body
 * before anything can count it, and offers no way to abort an exchange that trickles past its
 * deadline; here bytes are counted as they arrive and the request is reset at the deadline.
 */
final class Fetcher {
  static final int MAX_REDIRECTS = 5;
  private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

  /** A 200 with its body and validators, or a 304 (no body: the cached copy stands). */
  record Result(int status, byte[] body, String etag, String lastModified) {
    boolean notModified() {
      return status == 304;
    }
  }

  /** A fetch that did not succeed; the message is fit for clients (no internal detail). */
  static final class Failed extends Exception {
    Failed(String message) {
      super(message, null, false, false);
    }
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final boolean allowPrivate;
  private final long timeoutMs;
  private final int maxBytes;

  Fetcher(Vertx vertx, Config.Templates config) {
    this.vertx = vertx;
    this.allowPrivate = config.allowPrivate();
    this.timeoutMs = config.timeoutSeconds() * 1000L;
    this.maxBytes = config.maxBytes();
    this.client = vertx.createHttpClient(new HttpClientOptions().setDecompressionSupported(true).setVerifyHost(true)
        .setConnectTimeout((int) Math.min(timeoutMs, 10_000)));
  }

  void close() {
    client.close();
  }

  /** {@code etag} and {@code lastModified} (either may be null) make the request conditional. */
  Future<Result> get(String url, String etag, String lastModified) {
    return attempt(url, etag, lastModified, 0, System.currentTimeMillis() + timeoutMs);
  }

  private Future<Result> attempt(String url, String etag, String lastModified, int redirects, long deadline) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return Future.failedFuture(new Failed("invalid URL"));
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getRawUserInfo() != null) {
      return Future.failedFuture(new Failed("only http:// and https:// URLs without credentials are fetched"));
    }
    boolean tls = scheme.equals("https");
    String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
    int port = uri.getPort() < 0 ? (tls ? 443 : 80) : uri.getPort();
    String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    return vertx.executeBlocking(() -> resolve(host), false).compose(address -> {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) return Future.failedFuture(timedOut());
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
          .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
          .setHost(host).setPort(port).setSsl(tls).setURI(path).setFollowRedirects(false).setConnectTimeout(left)
          .putHeader(HttpHeaders.USER_AGENT, "DockUp").putHeader(HttpHeaders.ACCEPT, "*/*");
      if (etag != null) options.putHeader(HttpHeaders.IF_NONE_MATCH, etag);
      if (lastModified != null) options.putHeader(HttpHeaders.IF_MODIFIED_SINCE, lastModified);
      Promise<Result> result = Promise.promise();
      client.request(options)
          .onFailure(t -> result.tryFail(describe(t)))
          .onSuccess(req -> exchange(req, left, result, uri, etag, lastModified, redirects, deadline));
      return result.future();
    });
  }

  /** Blocking (a DNS lookup). Every address of the name must be allowed, not only the first. */
  private InetAddress resolve(String host) throws Failed {
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new Failed("unknown host");
    }
    if (!allowPrivate) {
      for (InetAddress a : all) {
        if (!AddressGuard.isPublic(a)) {
          throw new Failed("refused: " + host + " is a private, local or reserved address (TEMPLATE_ALLOW_PRIVATE allows it)");
        }
      }
    }
    return all[0];
  }

  private void exchange(HttpClientRequest req, long left, Promise<Result> result, URI uri, String etag, String lastModified,
                        int redirects, long deadline) {
    long timer = vertx.setTimer(left, id -> {
      if (result.tryFail(timedOut())) req.reset(0, new TimeoutException());
    });
    result.future().onComplete(ar -> vertx.cancelTimer(timer));
    req.send().onFailure(t -> result.tryFail(describe(t))).onSuccess(resp -> {
      int status = resp.statusCode();
      String location = resp.getHeader(HttpHeaders.LOCATION);
      if (REDIRECTS.contains(status) && location != null) {
        discard(req, resp);
        if (redirects >= MAX_REDIRECTS) {
          result.tryFail(new Failed("more than " + MAX_REDIRECTS + " redirects"));
          return;
        }
        String next;
        try {
          next = uri.resolve(location.strip()).toString();
        } catch (IllegalArgumentException e) {
          result.tryFail(new Failed("redirected to an invalid URL"));
          return;
        }
        // The remaining time goes with the redirect; this exchange's timer stops.
        attempt(next, etag, lastModified, redirects + 1, deadline).onComplete(ar -> {
          if (ar.succeeded()) result.tryComplete(ar.result());
          else result.tryFail(ar.cause());
        });
        return;
      }
      if (status == 304) {
        discard(req, resp);
        result.tryComplete(new Result(304, null, resp.getHeader(HttpHeaders.ETAG), resp.getHeader(HttpHeaders.LAST_MODIFIED)));
        return;
      }
      if (status != 200) {
        discard(req, resp);
        result.tryFail(new Failed("HTTP " + status));
        return;
      }
      read(req, resp, result);
    });
  }

  /** The body of an answer that is not read: the exchange is reset, and so is the connection. */
  private static void discard(HttpClientRequest req, HttpClientResponse resp) {
    resp.exceptionHandler(t -> { });
    resp.handler(b -> { });
    req.reset();
  }

  private void read(HttpClientRequest req, HttpClientResponse resp, Promise<Result> result) {
    resp.exceptionHandler(t -> result.tryFail(describe(t)));
    String length = resp.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > maxBytes) {
      result.tryFail(tooLarge());
      req.reset();
      return;
    }
    Buffer body = Buffer.buffer();
    resp.handler(chunk -> {
      if (result.future().isComplete()) return;
      if (body.length() + chunk.length() > maxBytes) {
        result.tryFail(tooLarge());
        req.reset();
        return;
      }
      body.appendBuffer(chunk);
    });
    resp.endHandler(v -> result.tryComplete(new Result(200, body.getBytes(), resp.getHeader(HttpHeaders.ETAG),
        resp.getHeader(HttpHeaders.LAST_MODIFIED))));
  }

  private Failed tooLarge() {
    return new Failed("larger than " + maxBytes + " bytes (TEMPLATE_MAX_BYTES)");
  }

  private Failed timedOut() {
    return new Failed("timed out after " + timeoutMs / 1000 + " s (TEMPLATE_TIMEOUT)");
  }

  /** A fixed description of a failure: exception texts may quote internal addresses. */
  private Failed describe(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof Failed f) return f;
      if (c instanceof TimeoutException || c instanceof ConnectTimeoutException) return timedOut();
      if (c instanceof UnknownHostException) return new Failed("unknown host");
      if (c instanceof ConnectException) return new Failed("connection refused or unreachable");
      if (c instanceof SSLException) return new Failed("TLS handshake failed");
      if (c instanceof HttpClosedException) return new Failed("connection closed before the answer was complete");
      if (c.getCause() == c) break;
    }
    return new Failed("request failed (" + t.getClass().getSimpleName() + ")");
  }
}
