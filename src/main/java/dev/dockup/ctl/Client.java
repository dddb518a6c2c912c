package dev.dockup.ctl;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.net.http.WebSocket;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;

/**
 * DockUp's API through the JDK's own client: no Vert.x to start, so the command answers at
 * once. Every failure becomes a {@link Failure} with one line to print and the exit status.
 */
final class Client {
  static final int REFUSED = 1;
  static final int UNREACHABLE = 3;
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** What the command prints on standard error, and the exit status. */
  static final class Failure extends Exception {
    final int status;

    Failure(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  record Answer(int status, String text) {
    JsonObject json() throws Failure {
      try {
        return new JsonObject(text);
      } catch (RuntimeException e) {
        throw new Failure(REFUSED, "DockUp answered " + status + " with something other than JSON");
      }
    }
  }

  private final String base;
  private final String token;
  private final HttpClient http;

  Client(String base, String token) {
    this.base = base;
    this.token = token == null || token.isBlank() ? null : token.trim();
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  Answer get(String path) throws Failure {
    return send(request(path).GET());
  }

  Answer post(String path, JsonObject body) throws Failure {
    return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body.encode())).header("Content-Type", "application/json"));
  }

  /** The answer's JSON when it is a success (2xx); otherwise the refusal, said in DockUp's words. */
  JsonObject ok(Answer a) throws Failure {
    if (a.status() >= 200 && a.status() < 300) return a.json();
    throw refusal(a);
  }

  Failure refusal(Answer a) {
    String error;
    try {
      error = new JsonObject(a.text()).getString("error", "HTTP " + a.status());
    } catch (RuntimeException e) {
      error = "HTTP " + a.status();
    }
    if (a.status() == 401) {
      return new Failure(REFUSED, (token == null ? "no token given (--token or DOCKUP_TOKEN): " : "the token was refused: ") + error);
    }
    if (a.status() == 403) return new Failure(REFUSED, error + " (the token's scope does not allow this)");
    return new Failure(REFUSED, error + " (" + a.status() + ")");
  }

  /** A streamed answer (Server-Sent Events), its body read as it arrives. */
  HttpResponse<InputStream> stream(String path) throws Failure {
    try {
      return http.send(request(path).GET().header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException | InterruptedException e) {
      throw unreachable(e);
    }
  }

  /** The feed's WebSocket, with the same credential as every request. */
  WebSocket feed(WebSocket.Listener listener) throws Failure {
    WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT);
    authorize(b::header);
    try {
      return b.buildAsync(URI.create(base.replaceFirst("^http", "ws") + "/ws"), listener).join();
    } catch (RuntimeException e) {
      throw unreachable(e.getCause() != null ? e.getCause() : e);
    }
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofHours(2)).header("Accept", "application/json");
    authorize(b::header);
    return b;
  }

  private interface Header {
    void put(String name, String value);
  }

  /** An API token by its prefix; anything else is taken for a JWT. */
  private void authorize(Header h) {
    if (token == null) return;
    if (token.startsWith("dku_")) h.put("X-API-Token", token);
    else h.put("Authorization", "Bearer " + token);
  }

  private Answer send(HttpRequest.Builder req) throws Failure {
    try {
      HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (IOException | InterruptedException e) {
      throw unreachable(e);
    }
  }

  private Failure unreachable(Throwable e) {
    if (e instanceof InterruptedException) Thread.currentThread().interrupt();
    String why;
    if (e instanceof HttpConnectTimeoutException) why = "no answer within " + CONNECT_TIMEOUT.toSeconds() + " s";
    else if (e instanceof HttpTimeoutException) why = "timed out";
    else if (e instanceof ConnectException || e.getCause() instanceof ConnectException) why = "connection refused";
    else if (e.getCause() instanceof UnresolvedAddressException || e instanceof UnresolvedAddressException) why = "unknown host";
    else why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    return new Failure(UNREACHABLE, "cannot reach DockUp at " + base + ": " + why);
  }
}
