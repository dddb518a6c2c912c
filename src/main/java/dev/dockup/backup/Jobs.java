package dev.dockup.backup;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.Callable;

/**
 * What the backup jobs (create, restore, move) share: the node's folders and engine, a worker
 * pool for their file and engine I/O, and requests to this node's other services, whose
 * answers with a 2xx status (a stack created: 201) count as success.
 */
record Jobs(Vertx vertx, Config config, BackupStore store, EngineArchive engine, WorkerExecutor work) {

  String node() {
    return config.nodeName();
  }

  /** Above OPERATION_TIMEOUT, so the stacks service's own 504 (with the output) arrives first. */
  long operationTimeoutMs() {
    return (config.operationTimeoutSeconds() + 60L) * 1000;
  }

  /** Unordered: a long copy must not hold back a listing, or a chunk of a move arriving here. */
  <T> Future<T> blocking(Callable<T> task) {
    return work.executeBlocking(task, false);
  }

  Future<JsonObject> stacks(String action, JsonObject payload, long timeoutMs) {
    return ask(Bus.stacks(node()), action, payload, timeoutMs);
  }

  Future<JsonObject> ask(String address, String action, JsonObject payload, long timeoutMs) {
    return vertx.eventBus().<Object>request(address, payload, new DeliveryOptions().addHeader(Bus.ACTION, action).setSendTimeout(timeoutMs))
        .recover(t -> Future.failedFuture(t instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT
            ? new ApiException(504, "Operation timed out")
            : t instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS ? ApiException.unavailable("Service unavailable") : t))
        .map(reply -> {
          String status = reply.headers().get(Bus.STATUS);
          int code = status == null ? 200 : Integer.parseInt(status);
          // A list may come as its shared encoded form (a Buffer) rather than an object.
          Object raw = reply.body();
          JsonObject body = raw == null ? new JsonObject() : raw instanceof JsonObject o ? o
              : raw instanceof Buffer b ? b.toJsonObject() : new JsonObject(String.valueOf(raw));
          if (code >= 300) throw new ApiException(code, body.getString("error", "failed"), body);
          return body;
        });
  }
}
