package dev.dockup.web;

import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/**
 * What every route does: read a JSON body, send one event-bus request, and answer with the
 * reply's status and compact JSON body (the certbot hook greps for {@code "success":true}).
 */
public final class Api {
  private Api() {}

  public static final long DEFAULT_TIMEOUT_MS = 60_000;

  /** The body as a JSON object; empty when there is none. Bad JSON → 400. */
  public static JsonObject body(RoutingContext ctx) {
    Buffer raw = ctx.get(RawBody.KEY);
    if (raw == null || raw.length() == 0) return new JsonObject();
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(raw);
      if (parsed instanceof JsonObject o) return o;
    } catch (DecodeException | IllegalStateException e) {
      // fall through
    }
    throw ApiException.badRequest("Request body must be a JSON object");
  }

  /** The body as it came, for a route that checks a signature of its bytes; empty when there is none. */
  public static Buffer rawBody(RoutingContext ctx) {
    Buffer raw = ctx.get(RawBody.KEY);
    return raw == null ? Buffer.buffer() : raw;
  }

  public static boolean flag(RoutingContext ctx, String name) {
    String v = ctx.request().getParam(name);
    return v != null && switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      default -> false;
    };
  }

  public static void forward(RoutingContext ctx, String address, String action, JsonObject payload) {
    forward(ctx, address, action, payload, DEFAULT_TIMEOUT_MS);
  }

  public static void forward(RoutingContext ctx, String address, String action, JsonObject payload, long timeoutMs) {
    request(ctx, address, action, payload, timeoutMs).onComplete(ar -> {
      if (ar.succeeded()) reply(ctx, ar.result());
      else fail(ctx, ar.cause());
    });
  }

  public static Future<Message<Object>> request(RoutingContext ctx, String address, String action, JsonObject payload, long timeoutMs) {
    return ctx.vertx().eventBus().request(address, payload,
        new DeliveryOptions().addHeader(Bus.ACTION, action).setSendTimeout(timeoutMs));
  }

  public static void reply(RoutingContext ctx, Message<Object> msg) {
    String status = msg.headers().get(Bus.STATUS);
    send(ctx, status == null ? 200 : Integer.parseInt(status), msg.body());
  }

  /**
   * Answers a failure: an {@link ApiException} as it says, an event-bus failure by its kind; a
   * service's own refusal (a 4xx it failed the message with) keeps its words. Anything else is
   * unexpected and goes to the router's failure handler (500 with a ref, nothing more).
   */
  public static void fail(RoutingContext ctx, Throwable t) {
    if (t instanceof ApiException api) {
      send(ctx, api.status(), api.body());
    } else if (t instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
      error(ctx, 503, "Service unavailable");
    } else if (t instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      error(ctx, 504, "Operation timed out");
    } else if (t instanceof ReplyException re && re.failureCode() >= 400 && re.failureCode() < 500) {
      error(ctx, re.failureCode(), re.getMessage());
    } else {
      ctx.fail(t);
    }
  }

  public static void error(RoutingContext ctx, int status, String message) {
    send(ctx, status, new JsonObject().put("error", message));
  }

  public static void send(RoutingContext ctx, int status, Object body) {
    var res = ctx.response();
    if (res.ended() || res.closed()) return;
    res.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (status == 503 && !res.headers().contains(HttpHeaders.RETRY_AFTER)) res.putHeader(HttpHeaders.RETRY_AFTER, "5");
    if (body instanceof String s) res.end(s);
    else if (body instanceof JsonObject o) res.end(o.encode());
    else if (body instanceof Buffer b) res.end(b);
    else res.end(String.valueOf(body));
  }
}
