package dev.dockup.auth;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed attempts per client address in a sliding window. After {@code max} failures the
 * address is refused until its oldest failure leaves the window. Thread-safe.
 */
public final class Throttle {
  private static final int MAX_TRACKED = 100_000;
  private final int max;
  private final long windowMs;
  private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

  public Throttle(int max, long windowSeconds) {
    this.max = max;
    this.windowMs = windowSeconds * 1000;
  }

  /** Seconds until {@code address} may try again; 0 when it may now. */
  public long retryAfterSeconds(String address, long nowMs) {
    Deque<Long> list = failures.get(address);
    if (list == null) return 0;
    synchronized (list) {
      prune(list, nowMs);
      if (list.size() < max) return 0;
      return Math.max(1, (list.peekFirst() + windowMs - nowMs + 999) / 1000);
    }
  }

  public void failed(String address, long nowMs) {
    if (failures.size() > MAX_TRACKED) sweep(nowMs);
    Deque<Long> list = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
    synchronized (list) {
      prune(list, nowMs);
      list.addLast(nowMs);
      while (list.size() > max) list.removeFirst();
    }
  }

  public void succeeded(String address) {
    failures.remove(address);
  }

  /** Drops addresses with no failure left in the window, so the map stays bounded. */
  public void sweep(long nowMs) {
    failures.entrySet().removeIf(e -> {
      synchronized (e.getValue()) {
        prune(e.getValue(), nowMs);
        return e.getValue().isEmpty();
      }
    });
  }

  private void prune(Deque<Long> list, long nowMs) {
    while (!list.isEmpty() && list.peekFirst() <= nowMs - windowMs) list.removeFirst();
  }
}
