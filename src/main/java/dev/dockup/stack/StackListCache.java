package dev.dockup.stack;

import io.vertx.core.buffer.Buffer;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The encoded {@code GET /api/stacks} answer, shared in this process: the stacks verticle writes
 * it, the HTTP verticles serve it without an event-bus hop. It is cleared in the same step
 * that changes the state, so an answer never lags behind a change already acknowledged.
 */
public final class StackListCache {
  private final AtomicReference<Buffer> encoded = new AtomicReference<>();

  /** The current answer, or null while it is being rebuilt. */
  public Buffer get() {
    return encoded.get();
  }

  void set(Buffer body) {
    encoded.set(body);
  }

  void clear() {
    encoded.set(null);
  }
}
