package dev.dockup.feed;

import dev.dockup.bus.Bus;
import dev.dockup.bus.Services;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.UUID;
import java.util.function.Consumer;

/**
 * One client's subscription to a stack's live container output: a private address for the
 * lines, and the engine of the stack's node asked to stream into it until {@link #stop()}.
 */
final class LogStream {
  private final Vertx vertx;
  private final String node;
  private final String id = UUID.randomUUID().toString();
  private MessageConsumer<JsonObject> consumer;

  private LogStream(Vertx vertx, String node) {
    this.vertx = vertx;
    this.node = node;
  }

  static Future<LogStream> start(Vertx vertx, String node, String stack, String service, int tail, Consumer<JsonObject> onLine) {
    LogStream s = new LogStream(vertx, node);
    // Each line is acknowledged once handed on: the engine sends no more than a window ahead.
    s.consumer = vertx.eventBus().consumer(Bus.logs(s.id), m -> {
      onLine.accept(m.body());
      m.reply(null);
    });
    JsonObject req = new JsonObject().put("subscription", s.id).put(Bus.PROJECT, stack).put("service", service)
        .put("tail", tail).put("address", Bus.logs(s.id));
    return s.consumer.completion()
        .compose(v -> Services.request(vertx, Bus.engine(node), Bus.Engine.FOLLOW_LOGS, req, 10_000))
        .onFailure(t -> s.consumer.unregister())
        .map(reply -> s);
  }

  void stop() {
    consumer.unregister();
    vertx.eventBus().request(Bus.engine(node), new JsonObject().put("subscription", id),
        new DeliveryOptions().addHeader(Bus.ACTION, Bus.Engine.UNFOLLOW_LOGS).setSendTimeout(10_000));
  }
}
