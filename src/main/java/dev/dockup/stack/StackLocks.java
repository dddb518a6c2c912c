package dev.dockup.stack;

import dev.dockup.bus.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One change at a time per stack (save of its compose file or {@code .env}, delete, restore),
 * in the order asked: each waits for the one before it to finish, so a save never writes into a
 * folder a delete is moving. Confined to the stacks verticle's event loop.
 */
final class StackLocks {
  /** Changes waiting for one stack beyond this are refused: the queue is bounded. */
  static final int MAX_WAITING = 16;

  /** A stack's changes: the last one's end, and how many run or wait. */
  private static final class Queue {
    Future<Void> last = Future.succeededFuture();
    int size;
  }

  private final Map<String, Queue> queues = new HashMap<>();

  /** Runs {@code change} once every earlier change of {@code stack} has finished. */
  <T> Future<T> run(String stack, Supplier<Future<T>> change) {
    Queue q = queues.computeIfAbsent(stack, k -> new Queue());
    if (q.size > MAX_WAITING) throw ApiException.conflict("Too many changes of " + stack + " are waiting; try again");
    q.size++;
    Promise<Void> done = Promise.promise();
    Future<Void> turn = q.last;
    q.last = done.future();
    Future<T> result = turn.compose(v -> {
      try {
        return change.get();
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    });
    result.onComplete(ar -> {
      if (--q.size == 0) queues.remove(stack);
      done.complete();
    });
    return result;
  }

  /** Completes once no change of {@code stack} is running or waiting. */
  Future<Void> idle(String stack) {
    Queue q = queues.get(stack);
    return q == null ? Future.succeededFuture() : q.last.compose(v -> idle(stack));
  }
}
