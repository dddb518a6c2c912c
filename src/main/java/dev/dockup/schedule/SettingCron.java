package dev.dockup.schedule;

import dev.dockup.settings.Settings;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.function.Supplier;

/**
 * A node-wide job timed by a cron of the settings (off while it is null): {@code scan_cron}
 * scans every image a container of this node runs, {@code backup_cron} makes a backup. Armed
 * like a stack's schedule (a timer to the next run, never longer than
 * {@link ScheduleVerticle#MAX_TIMER_MS}), again whenever the settings change, in the
 * instance's time zone. Confined to the schedule verticle's event loop.
 */
final class SettingCron {
  private static final Logger LOG = LoggerFactory.getLogger(SettingCron.class);

  private final Vertx vertx;
  private final Context context;
  private final Settings settings;
  private final Clock clock;
  private final String key;
  private final Supplier<String> cron;
  private final Runnable job;
  private long timer = -1;
  private Instant lastDue;
  private boolean closed;

  SettingCron(Context context, Settings settings, Clock clock, String key, Supplier<String> cron, Runnable job) {
    this.vertx = context.owner();
    this.context = context;
    this.settings = settings;
    this.clock = clock;
    this.key = key;
    this.cron = cron;
    this.job = job;
  }

  void start() {
    settings.onChange(() -> context.runOnContext(v -> arm()));
    arm();
  }

  void close() {
    closed = true;
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  private void arm() {
    if (timer >= 0) vertx.cancelTimer(timer);
    timer = -1;
    String expression = cron.get();
    if (closed || expression == null) return;
    CronSchedule when;
    try {
      when = CronSchedule.parse(expression, settings.timezone());
    } catch (IllegalArgumentException e) {
      LOG.warn("{} is not used: {}", key, e.getMessage());
      return;
    }
    Instant now = clock.instant();
    ZonedDateTime due = when.next(lastDue != null && lastDue.isAfter(now) ? lastDue : now);
    if (due == null) return;
    long delay = Duration.between(now, due.toInstant()).toMillis();
    if (delay > ScheduleVerticle.MAX_TIMER_MS) {
      timer = vertx.setTimer(ScheduleVerticle.MAX_TIMER_MS, id -> arm());
    } else {
      timer = vertx.setTimer(Math.max(1, delay), id -> fire(due.toInstant()));
    }
  }

  private void fire(Instant due) {
    lastDue = due;
    arm();
    job.run();
  }
}
