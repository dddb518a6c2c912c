package dev.dockup.feed;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.fleet.Remote;
import dev.dockup.bus.Services;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.UUID;
import java.util.function.Consumer;

/**
 * One client's subscription to a stack's live container output: a private address for the
 * lines (clustered, so another node's engine can stream into it), and the engine of the
 * stack's node asked to stream into it until {@link #stop()}.
 */
final class LogStream {
  private final EngineCall engine;
  private final String id = UUID.randomUUID().toString();
  private MessageConsumer<JsonObject> consumer;
  private volatile boolean stopped;

  /** How the engine that runs the stack is asked: on this node, or through another node's gateway. */
  interface EngineCall {
    Future<JsonObject> call(String action, JsonObject body);

    /** The engine of {@code node}, seen from {@code self}; null when that node cannot be reached. */
    static EngineCall of(Vertx vertx, String self, Remote remote, String node) {
      if (node.equals(self)) return local(vertx, self);
      return remote != null && Config.NODE_NAME.matcher(node).matches() ? remote(remote, node) : null;
    }

    static EngineCall local(Vertx vertx, String node) {
      return (action, body) -> Services.request(vertx, Bus.engine(node), action, body, 10_000);
    }

    static EngineCall remote(Remote remote, String node) {
      return (action, body) -> remote.request(node, "engine", action, body, 10_000).map(answer -> {
        if (answer.status() != 200) throw new ApiException(answer.status(), answer.body().getString("error", "failed"));
        return answer.body();
      });
    }
  }

  private LogStream(EngineCall engine) {
    this.engine = engine;
  }

  static Future<LogStream> start(Vertx vertx, EngineCall engine, String stack, String service, int tail, Consumer<JsonObject> onLine) {
    LogStream s = new LogStream(engine);
    // Each line is acknowledged once handed on: the engine sends no more than a window ahead.
    s.consumer = vertx.eventBus().consumer(Bus.logs(s.id), m -> {
      if (!s.stopped) onLine.accept(m.body());
      m.reply(null);
    });
    JsonObject req = new JsonObject().put("subscription", s.id).put(Bus.PROJECT, stack).put("service", service)
        .put("tail", tail).put("address", Bus.logs(s.id));
    return s.consumer.completion()
        .compose(v -> engine.call(Bus.Engine.FOLLOW_LOGS, req))
        .onFailure(t -> s.consumer.unregister())
        .map(reply -> s);
  }

  /**
   * The address stays until the engine has stopped: lines already on their way are taken and
   * dropped rather than left to a consumer that is gone.
   */
  void stop() {
    stopped = true;
    engine.call(Bus.Engine.UNFOLLOW_LOGS, new JsonObject().put("subscription", id))
        .onComplete(ar -> consumer.unregister());
  }
}
