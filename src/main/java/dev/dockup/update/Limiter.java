package dev.dockup.update;

import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.function.Supplier;

/** At most {@code max} asynchronous tasks in flight; the rest wait their turn. One event loop only. */
final class Limiter {
  private final int max;
  private int running;
  private final Queue<Runnable> waiting = new ArrayDeque<>();

  Limiter(int max) {
    this.max = max;
  }

  <T> Future<T> submit(Supplier<Future<T>> task) {
    Promise<T> done = Promise.promise();
    Runnable start = () -> {
      running++;
      Future<T> f;
      try {
        f = task.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        running--;
        Runnable next = waiting.poll();
        if (next != null) next.run();
        done.handle(ar);
      });
    };
    if (running < max) start.run();
    else waiting.add(start);
    return done.future();
  }
}
