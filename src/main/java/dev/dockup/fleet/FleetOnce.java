package dev.dockup.fleet;

import dev.dockup.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * Jobs that must run once per fleet, not once per node: every node looks now and then, and
 * the one that gets the job's clustered lock runs it if nobody has in the last period (the
 * time of the last run is in a clustered map). When that node leaves, another takes over at
 * its next look. Alone, the same code runs the job on this node.
 */
public final class FleetOnce {
  private static final Logger LOG = LoggerFactory.getLogger(FleetOnce.class);
  /** A busy lock means another node is deciding right now: no need to wait for it. */
  static final long LOCK_WAIT_MS = 100;

  /** A job, its name (unique in the fleet) and how often it runs. */
  public record Job(String name, long periodMs, Supplier<Future<?>> run) {}

  private FleetOnce() {}

  /** Starts looking; call from the verticle whose context should run the job. */
  public static long schedule(Vertx vertx, Job job) {
    long look = Math.max(100, Math.min(job.periodMs() / 4, 60_000));
    return vertx.setPeriodic(look, id -> runIfDue(vertx, job));
  }

  /** Completes with whether this node ran the job. */
  static Future<Boolean> runIfDue(Vertx vertx, Job job) {
    return vertx.sharedData().getLockWithTimeout(Bus.onceLock(job.name()), LOCK_WAIT_MS)
        .compose(lock -> claimIfDue(vertx, job)
            .compose(claimed -> claimed ? run(job) : Future.succeededFuture(false))
            .andThen(ar -> lock.release()))
        .otherwise(false);
  }

  private static Future<Boolean> claimIfDue(Vertx vertx, Job job) {
    long now = System.currentTimeMillis();
    // Anything but a time there (any member may write it) counts as never run.
    return vertx.sharedData().<String, Object>getAsyncMap(Bus.ONCE_MAP).compose(map -> map.get(job.name())
        .compose(last -> last instanceof Long at && now - at < job.periodMs() ? Future.succeededFuture(false)
            : map.put(job.name(), now).map(true)));
  }

  private static Future<Boolean> run(Job job) {
    Future<?> ran;
    try {
      ran = job.run().get();
    } catch (RuntimeException e) {
      ran = Future.failedFuture(e);
    }
    return ran.map(true).recover(t -> {
      LOG.warn("Fleet job '{}' failed: {}", job.name(), t.getMessage());
      return Future.succeededFuture(true);
    });
  }
}
