package dev.dockup.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.function.Function;

/**
 * Serves an address with one handler per action. Replies carry the HTTP status in a header so
 * the HTTP verticle forwards a service's answer without knowing what it means.
 */
public final class Services {
  private static final Logger LOG = LoggerFactory.getLogger(Services.class);

  private Services() {}

  public static void serve(Message<JsonObject> msg, Map<String, Function<JsonObject, Future<?>>> actions) {
    String action = msg.headers().get(Bus.ACTION);
    var handler = action == null ? null : actions.get(action);
    if (handler == null) {
      msg.fail(400, "Unknown action: " + action);
      return;
    }
    Future<?> result;
    try {
      result = handler.apply(msg.body() == null ? new JsonObject() : msg.body());
    } catch (Exception e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded()) reply(msg, ar.result());
      else failure(msg, action, ar.cause());
    });
  }

  /** Sends an action request; a reply with a status other than 200 fails the future as {@link ApiException}. */
  public static Future<JsonObject> request(io.vertx.core.Vertx vertx, String address, String action, JsonObject body, long timeoutMs) {
    return vertx.eventBus().<JsonObject>request(address, body,
            new DeliveryOptions().addHeader(Bus.ACTION, action).setSendTimeout(timeoutMs))
        .map(Services::okBody);
  }

  /** The reply's body when it is a success; otherwise its status and body as an {@link ApiException}. */
  public static JsonObject okBody(Message<JsonObject> reply) {
    String status = reply.headers().get(Bus.STATUS);
    if (status != null && !"200".equals(status)) {
      JsonObject body = reply.body() == null ? new JsonObject() : reply.body();
      throw new ApiException(Integer.parseInt(status), body.getString("error", "failed"), body);
    }
    return reply.body();
  }

  private static void reply(Message<JsonObject> msg, Object result) {
    if (result instanceof Reply r) {
      msg.reply(r.body(), status(r.status()));
    } else {
      msg.reply(result);
    }
  }

  private static void failure(Message<JsonObject> msg, String action, Throwable t) {
    if (t instanceof ApiException api) {
      msg.reply(api.body(), status(api.status()));
    } else {
      msg.reply(InternalError.answer(LOG, action, t), status(500));
    }
  }

  private static DeliveryOptions status(int status) {
    return new DeliveryOptions().addHeader(Bus.STATUS, Integer.toString(status));
  }
}
