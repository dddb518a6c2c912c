package dev.dockup.it;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A plain HTTP client for DockUp's API on loopback, as a script would use it. */
public final class Http {
  public record Resp(int status, String text, java.net.http.HttpHeaders headers) {
    public JsonObject json() {
      return new JsonObject(text);
    }

    @Override
    public String toString() {
      return status + " " + text;
    }
  }

  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final java.util.Map<String, String> headers;

  public Http(int port) {
    this("http://127.0.0.1:" + port, java.util.Map.of());
  }

  private Http(String base, java.util.Map<String, String> headers) {
    this.base = base;
    this.headers = headers;
  }

  /** The same client, sending one more header on every request (a credential, an Origin). */
  public Http with(String name, String value) {
    var more = new java.util.LinkedHashMap<>(headers);
    more.put(name, value);
    return new Http(base, java.util.Map.copyOf(more));
  }

  /** The same client with no headers at all: no credential. */
  public Http anonymous() {
    return new Http(base, java.util.Map.of());
  }

  public String header(String name) {
    return headers.get(name);
  }

  public String base() {
    return base;
  }

  public Resp get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  public Resp delete(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
  }

  /** POSTs a JSON body with no Content-Type, as the 1.3.0 document's own scripts do. */
  public Resp post(String path, String body) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public Resp post(String path, JsonObject body) {
    return post(path, body.encode());
  }

  public Resp put(String path, JsonObject body) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).PUT(HttpRequest.BodyPublishers.ofString(body.encode())));
  }

  public Resp send(HttpRequest.Builder req) {
    headers.forEach(req::header);
    try {
      HttpResponse<String> r = CLIENT.send(req.timeout(Duration.ofSeconds(300)).build(), HttpResponse.BodyHandlers.ofString());
      return new Resp(r.statusCode(), r.body(), r.headers());
    } catch (Exception e) {
      throw new IllegalStateException("request failed: " + e, e);
    }
  }

  public Resp operation(String stack, String op) {
    return post("/api/stack/" + stack + "/operation", new JsonObject().put("operation", op));
  }
}
