package dev.dockup.schedule;

import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Services;
import dev.dockup.settings.Settings;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;

/**
 * The {@code scan_cron} setting (off by default): at each run the scan service scans every image
 * a container of this node runs, once. Armed like a stack's schedule (a timer to the next run,
 * never longer than {@link ScheduleVerticle#MAX_TIMER_MS}), again whenever the settings change.
 * Confined to the schedule verticle's event loop.
 */
final class ScanCron {
  private static final Logger LOG = LoggerFactory.getLogger(ScanCron.class);

  private final Vertx vertx;
  private final Context context;
  private final Settings settings;
  private final Clock clock;
  private final String node;
  private long timer = -1;
  private Instant lastDue;
  private boolean closed;

  ScanCron(Context context, Settings settings, Clock clock, String node) {
    this.vertx = context.owner();
    this.context = context;
    this.settings = settings;
    this.clock = clock;
    this.node = node;
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
    String cron = settings.scanCron();
    if (closed || cron == null) return;
    CronSchedule when;
    try {
      when = CronSchedule.parse(cron, settings.timezone());
    } catch (IllegalArgumentException e) {
      LOG.warn("scan_cron is not used: {}", e.getMessage());
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
    Services.request(vertx, Bus.scans(node), Bus.Scans.SCAN_ALL, new JsonObject().put("trigger", "schedule"), 60_000)
        .onSuccess(r -> LOG.info("Scheduled scan: {} image(s) queued", r.getInteger("queued")))
        .onFailure(t -> LOG.warn("Scheduled scan not started{}: {}",
            t instanceof ApiException a ? " (" + a.status() + ")" : "", t.getMessage()));
  }
}
