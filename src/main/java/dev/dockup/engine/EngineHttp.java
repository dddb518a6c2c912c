package dev.dockup.engine;

import dev.dockup.bus.ApiException;
import io.vertx.core.Context;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Engine API as JSON, for the resource endpoints (images, networks, disk use), in a blocking
 * style that keeps their many-step code plain: call from a worker. The calls themselves go through
 * {@link EngineClient} on the engine verticle's event loop, not through docker-java, whose client
 * would load about 900 classes (its models, Jackson's databind, TLS) the first time a timer asks
 * for disk use.
 */
final class EngineHttp {
  private static final Logger LOG = LoggerFactory.getLogger(EngineHttp.class);
  /** As docker-java's client had it: an image prune may be silent that long before it answers. */
  static final long TIMEOUT_MS = 120_000;
  private final EngineClient engine;
  private final Context context;

  EngineHttp(EngineClient engine, Context context) {
    this.engine = engine;
    this.context = context;
  }

  record Answer(int status, Object body) {
    JsonObject object() { return body instanceof JsonObject o ? o : new JsonObject(); }
    JsonArray array() { return body instanceof JsonArray a ? a : new JsonArray(); }
    boolean ok() { return status >= 200 && status < 300; }
    String message() { return body instanceof JsonObject o ? Objects.requireNonNullElse(EngineJson.string(o, "message"), "") : String.valueOf(body); }
  }

  Answer get(String path) {
    return call(HttpMethod.GET, path, null);
  }

  Answer post(String path, JsonObject body) {
    return call(HttpMethod.POST, path, body);
  }

  Answer delete(String path) {
    return call(HttpMethod.DELETE, path, null);
  }

  private Answer call(HttpMethod method, String path, JsonObject body) {
    if (Context.isOnEventLoopThread()) throw new IllegalStateException("EngineHttp blocks: call it from a worker");
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    // On the verticle's own context, so that the answer never waits for a worker this thread holds.
    context.runOnContext(v -> engine.call(method, path, body, TIMEOUT_MS).onComplete(ar -> {
      if (ar.succeeded()) answer.complete(ar.result());
      else answer.completeExceptionally(ar.cause());
    }));
    try {
      return answer.get(TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("Docker engine unreachable");
    } catch (ExecutionException | TimeoutException e) {
      // The exception's text names sockets and paths: the log has it, the answer does not.
      LOG.debug("Engine call {} {} failed", method, path, e.getCause() != null ? e.getCause() : e);
      throw ApiException.unavailable("Docker engine unreachable");
    }
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
