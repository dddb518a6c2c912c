package dev.dockup.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.time.Duration;

/**
 * Failed guesses per client address in a sliding window. After {@code max} failures within the
 * window the address is throttled until its oldest one leaves it. Strangers choose the keys, so
 * the memory is a size-bounded cache whose entries expire with the window, and every call costs
 * the same however many addresses are tracked. Thread-safe.
 */
public final class Throttle {
  static final long MAX_TRACKED = 100_000;
  private final int max;
  private final long windowMs;
  private final Cache<String, Failures> failures;

  /** The last {@code max} failure times of one address, oldest first once full. */
  private static final class Failures {
    final long[] at;
    int next;
    int count;

    Failures(int max) {
      at = new long[max];
    }
  }

  public Throttle(int max, long windowSeconds) {
    this.max = max;
    this.windowMs = windowSeconds * 1000;
    // Maintenance on the calling thread: no pool of its own on a small host.
    this.failures = Caffeine.newBuilder().maximumSize(MAX_TRACKED).expireAfterWrite(Duration.ofMillis(windowMs))
        .executor(Runnable::run).build();
  }

  /** Seconds until {@code address} may try again; 0 when it may now. */
  public long retryAfterSeconds(String address, long nowMs) {
    Failures f = failures.getIfPresent(address);
    if (f == null) return 0;
    synchronized (f) {
      if (f.count < max) return 0;
      long oldest = f.at[f.next];
      long until = oldest + windowMs - nowMs;
      return until <= 0 ? 0 : Math.max(1, (until + 999) / 1000);
    }
  }

  public void failed(String address, long nowMs) {
    Failures f = failures.get(address, a -> new Failures(max));
    synchronized (f) {
      f.at[f.next] = nowMs;
      f.next = (f.next + 1) % max;
      f.count = Math.min(max, f.count + 1);
    }
    failures.put(address, f);
  }

  /** How many addresses are tracked now (bounded by {@link #MAX_TRACKED}). */
  public long size() {
    failures.cleanUp();
    return failures.estimatedSize();
  }
}
