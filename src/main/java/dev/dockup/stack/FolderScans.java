package dev.dockup.stack;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keeps {@link StackState} in step with {@code STACKS_DIR}: a scan on a worker after every change
 * the watcher sees (a burst is one scan), a slow rescan as a safety net, and the daily purge of
 * the trash. Confined to the stacks verticle's event loop.
 */
final class FolderScans {
  private static final Logger LOG = LoggerFactory.getLogger(FolderScans.class);
  private static final long RESCAN_MS = 60_000;

  private final Vertx vertx;
  private final Context context;
  private final WorkerExecutor io;
  private final StackFiles files;
  private final StackTrash trash;
  private final StackState state;
  private FolderWatcher watcher;

  private boolean scanning;
  private final List<Promise<Void>> waiters = new ArrayList<>();
  private long burstTimer = -1;

  FolderScans(Context context, WorkerExecutor io, StackFiles files, StackTrash trash, StackState state) {
    this.vertx = context.owner();
    this.context = context;
    this.io = io;
    this.files = files;
    this.trash = trash;
    this.state = state;
  }

  /** The first scan, then the watcher and the timers. */
  Future<Void> start() {
    return io.executeBlocking(files::scan, false)
        .onSuccess(state::applyScan)
        .compose(scan -> io.executeBlocking(() -> new FolderWatcher(files.root(), () -> context.runOnContext(v -> changed())), false))
        .map(w -> {
          watcher = w;
          vertx.setPeriodic(RESCAN_MS, id -> rescan());
          purgeTrash();
          vertx.setPeriodic(TimeUnit.DAYS.toMillis(1), id -> purgeTrash());
          return null;
        });
  }

  void close() throws IOException {
    if (watcher != null) watcher.close();
  }

  private void changed() {
    if (burstTimer >= 0) return;
    burstTimer = vertx.setTimer(50, id -> {
      burstTimer = -1;
      rescan();
    });
  }

  /**
   * One scan at a time. The future completes after a scan that started after the call, so a
   * caller that just wrote a folder sees it; calls during a scan share exactly one more.
   */
  Future<Void> rescan() {
    Promise<Void> done = Promise.promise();
    waiters.add(done);
    if (!scanning) runScan();
    return done.future();
  }

  private void runScan() {
    scanning = true;
    List<Promise<Void>> served = new ArrayList<>(waiters);
    waiters.clear();
    io.executeBlocking(files::scan, false)
        .onSuccess(state::applyScan)
        .onFailure(t -> LOG.warn("Scanning {} failed: {}", files.root(), t.getMessage()))
        .onComplete(ar -> {
          scanning = false;
          served.forEach(Promise::tryComplete);
          if (!waiters.isEmpty()) runScan();
        });
  }

  private void purgeTrash() {
    io.executeBlocking(() -> trash.purgeTrash(Instant.now()), false)
        .onSuccess(n -> {
          if (n > 0) LOG.info("Purged {} trash entries older than {} days", n, StackTrash.TRASH_RETENTION_DAYS);
        });
  }
}
