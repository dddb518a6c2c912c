package dev.dockup.audit;

import dev.dockup.store.AtomicFiles;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code DATA_DIR/audit.jsonl}: one JSON object per line, append-only, owner-only, rotated by
 * size into {@code .1}, {@code .2}, {@code .3}. Request handlers append from event loops, so the
 * writing happens on one background thread that keeps the lines in order.
 *
 * <p>At most {@link #QUEUE_LIMIT} lines wait for that thread: when the disk stalls or a flood
 * outpaces it, further lines are dropped rather than held in memory. Drops are counted
 * ({@link #dropped()}) and logged as one warning per minute at most, with the running total.
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

  public static final String FILE = "audit.jsonl";
  public static final int KEPT = 3;
  /** About 4 MB of waiting lines at their usual size. */
  public static final int QUEUE_LIMIT = 4_096;
  static final long DROP_WARNING_GAP_MS = 60_000;

  private final Path dir;
  private final Path current;
  private final long maxBytes;
  private final ThreadPoolExecutor writer;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong lastDropWarningMs = new AtomicLong(-DROP_WARNING_GAP_MS);
  /** Held while a line is written or the files rotate, and while {@link #newest} reads them. */
  private final Object files = new Object();
  private FileChannel channel;
  private long size;
  private boolean failing;

  private AuditLog(Path dir, long maxBytes, int queueLimit) {
    this.dir = dir;
    this.current = dir.resolve(FILE);
    this.maxBytes = maxBytes;
    // One thread keeps the lines in order; the bounded queue refuses what does not fit.
    this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queueLimit), r -> {
      Thread t = new Thread(r, "dockup-audit");
      t.setDaemon(true);
      return t;
    });
  }

  /** The file is opened on the first line, by the writer thread. */
  public static AuditLog open(Path dataDir, long maxBytes) {
    return open(dataDir, maxBytes, QUEUE_LIMIT);
  }

  static AuditLog open(Path dataDir, long maxBytes, int queueLimit) {
    if (maxBytes <= 0) throw new IllegalArgumentException("maxBytes must be positive");
    if (queueLimit <= 0) throw new IllegalArgumentException("queueLimit must be positive");
    return new AuditLog(dataDir, maxBytes, queueLimit);
  }

  /** Never blocks and never throws: a request must not fail because its audit line could not be kept. */
  public void append(JsonObject entry) {
    try {
      // Encoded now: the caller may reuse the object once this returns.
      String line = entry.encode() + "\n";
      writer.execute(() -> write(line.getBytes(StandardCharsets.UTF_8)));
    } catch (RejectedExecutionException e) {
      if (writer.isShutdown()) LOG.warn("Audit log is closed; an entry was not recorded");
      else droppedOne();
    } catch (RuntimeException e) {
      LOG.warn("Audit entry could not be encoded: {}", e.toString());
    }
  }

  /** Lines dropped because the queue was full, since start: for a metric. */
  public long dropped() {
    return dropped.get();
  }

  private void droppedOne() {
    long total = dropped.incrementAndGet();
    long now = System.currentTimeMillis();
    long last = lastDropWarningMs.get();
    if (now - last >= DROP_WARNING_GAP_MS && lastDropWarningMs.compareAndSet(last, now)) {
      LOG.warn("Audit log writer is behind: its queue of {} lines is full and entries are dropped ({} so far)",
          writer.getQueue().size() + writer.getQueue().remainingCapacity(), total);
    }
  }

  private void write(byte[] line) {
    synchronized (files) {
      try {
        if (channel == null) openCurrent();
        if (size > 0 && size + line.length > maxBytes) {
          rotate();
          openCurrent();
        }
        ByteBuffer buf = ByteBuffer.wrap(line);
        while (buf.hasRemaining()) size += channel.write(buf);
        if (failing) LOG.info("Audit log {} is writable again", current);
        failing = false;
      } catch (IOException | RuntimeException e) {
        // Logged once per outage, not once per request; the next line tries a fresh channel.
        if (!failing) LOG.error("Cannot write the audit log {}: {}", current, e.toString());
        failing = true;
        closeChannel();
      }
    }
  }

  private void openCurrent() throws IOException {
    Files.createDirectories(dir);
    channel = FileChannel.open(current, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
        PosixFilePermissions.asFileAttribute(AtomicFiles.OWNER_ONLY));
    // Also for a file that was there before with a wider mode.
    Files.setPosixFilePermissions(current, AtomicFiles.OWNER_ONLY);
    size = channel.size();
  }

  private void rotate() throws IOException {
    closeChannel();
    Files.deleteIfExists(rotated(KEPT));
    for (int i = KEPT - 1; i >= 1; i--) {
      if (Files.exists(rotated(i))) Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
    }
    if (Files.exists(current)) Files.move(current, rotated(1), StandardCopyOption.REPLACE_EXISTING);
    AtomicFiles.syncDirectory(dir);
  }

  private Path rotated(int n) {
    return dir.resolve(FILE + "." + n);
  }

  private void closeChannel() {
    if (channel == null) return;
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing buffered in a FileChannel: every write already reached the file
    }
    channel = null;
    size = 0;
  }

  /** Blocking: up to {@code limit} entries, newest first, across the current and rotated files. */
  public List<JsonObject> newest(int limit) {
    List<JsonObject> out = new ArrayList<>();
    if (limit <= 0) return out;
    synchronized (files) {
      for (int i = 0; i <= KEPT && out.size() < limit; i++) {
        readBackwards(i == 0 ? current : rotated(i), limit, out);
      }
    }
    return out;
  }

  private static void readBackwards(Path path, int limit, List<JsonObject> out) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      LOG.warn("Cannot read the audit log {}: {}", path, e.toString());
      return;
    }
    int end = bytes.length;
    while (end > 0 && out.size() < limit) {
      int start = end - 1;
      while (start > 0 && bytes[start - 1] != '\n') start--;
      JsonObject entry = parse(new String(bytes, start, end - start, StandardCharsets.UTF_8).trim());
      if (entry != null) out.add(entry);
      end = start;
    }
  }

  /** A line cut short by a crash, or edited by hand, is skipped. */
  private static JsonObject parse(String line) {
    if (line.isEmpty()) return null;
    try {
      return new JsonObject(line);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Blocking: returns once every line appended before this call is in the file. */
  public void flush() {
    try {
      while (true) {
        try {
          writer.submit(() -> { }).get();
          return;
        } catch (RejectedExecutionException e) {
          // closed: close() already waited for the queue
          if (writer.isShutdown()) return;
          // full: the marker waits for room like a caller that may block
          Thread.sleep(5);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Writes what is queued, then closes the file; later appends are dropped with a warning. */
  @Override
  public void close() {
    writer.shutdown();
    try {
      if (!writer.awaitTermination(10, TimeUnit.SECONDS)) LOG.warn("Audit log writer did not finish within 10 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (files) {
      closeChannel();
    }
  }
}
