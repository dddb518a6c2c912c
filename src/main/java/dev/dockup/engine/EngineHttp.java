package dev.dockup.engine;

import com.github.dockerjava.transport.DockerHttpClient;
import dev.dockup.bus.ApiException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * The Engine API as JSON, for the resource endpoints whose answers are JSON anyway and for
 * fields docker-java's models lack. Blocking, through docker-java's transport: call from a worker.
 */
final class EngineHttp {
  private static final Logger LOG = LoggerFactory.getLogger(EngineHttp.class);
  private final Docker docker;

  EngineHttp(Docker docker) {
    this.docker = docker;
  }

  record Answer(int status, Object body) {
    JsonObject object() { return body instanceof JsonObject o ? o : new JsonObject(); }
    JsonArray array() { return body instanceof JsonArray a ? a : new JsonArray(); }
    boolean ok() { return status >= 200 && status < 300; }
    String message() { return body instanceof JsonObject o ? Objects.requireNonNullElse(EngineJson.string(o, "message"), "") : String.valueOf(body); }
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
    int status;
    String text;
    try (DockerHttpClient.Response r = docker.http().execute(b.build()); InputStream in = r.getBody()) {
      status = r.getStatusCode();
      text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (RuntimeException | java.io.IOException e) {
      // The exception's text names sockets and paths: the log has it, the answer does not.
      LOG.debug("Engine call {} {} failed", method, path, e);
      throw ApiException.unavailable("Docker engine unreachable");
    }
    return new Answer(status, parse(text));
  }

  /** The body as JSON; a body that is not JSON (a proxy's error page) is kept as its text. */
  static Object parse(String text) {
    if (text.isEmpty()) return null;
    try {
      return Json.decodeValue(text);
    } catch (DecodeException notJson) {
      return text;
    }
  }

  static String encode(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
