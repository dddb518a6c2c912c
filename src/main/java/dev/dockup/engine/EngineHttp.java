package dev.dockup.engine;

import com.github.dockerjava.transport.DockerHttpClient;
import dev.dockup.bus.ApiException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The Engine API as JSON, for the resource endpoints whose answers are JSON anyway and for
 * fields docker-java's models lack. Blocking: call from a worker.
 */
final class EngineHttp {
  private final DockerHttpClient http;

  EngineHttp(DockerHttpClient http) {
    this.http = http;
  }

  record Answer(int status, Object body) {
    JsonObject object() { return body instanceof JsonObject o ? o : new JsonObject(); }
    JsonArray array() { return body instanceof JsonArray a ? a : new JsonArray(); }
    boolean ok() { return status >= 200 && status < 300; }
    String message() { return body instanceof JsonObject o ? o.getString("message", "") : String.valueOf(body); }
  }

  Answer get(String path) {
    return call(DockerHttpClient.Request.Method.GET, path, null);
  }

  Answer post(String path, JsonObject body) {
    return call(DockerHttpClient.Request.Method.POST, path, body);
  }

  Answer delete(String path) {
    return call(DockerHttpClient.Request.Method.DELETE, path, null);
  }

  private Answer call(DockerHttpClient.Request.Method method, String path, JsonObject body) {
    var b = DockerHttpClient.Request.builder().method(method).path(path);
    if (body != null) {
      b.headers(Map.of("Content-Type", "application/json"));
      b.body(new ByteArrayInputStream(body.encode().getBytes(StandardCharsets.UTF_8)));
    }
    try (DockerHttpClient.Response r = http.execute(b.build()); InputStream in = r.getBody()) {
      String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      Object parsed = text.isEmpty() ? null : Json.decodeValue(text);
      return new Answer(r.getStatusCode(), parsed);
    } catch (RuntimeException | java.io.IOException e) {
      throw ApiException.unavailable("Docker engine unreachable: " + e.getMessage());
    }
  }

  static String encode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
