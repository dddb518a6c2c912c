package dev.dockup.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The system clock moved by an offset the test sets: it keeps ticking from wherever it is put. */
final class MutableClock extends Clock {
  private volatile Duration offset = Duration.ZERO;

  MutableClock(Instant now) {
    set(now);
  }

  void set(Instant now) {
    offset = Duration.between(Instant.now(), now);
  }

  @Override
  public Instant instant() {
    return Instant.now().plus(offset);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }
}
