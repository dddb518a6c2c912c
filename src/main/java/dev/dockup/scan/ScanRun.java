package dev.dockup.scan;

import dev.dockup.proc.ProcessRunner;
import dev.dockup.store.AtomicFiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * One scanner run, blocking (on the scan pool): the report and the scanner's messages go to files
 * in a folder of their own under {@code DATA_DIR/scan-work}, the report is read as a stream, and
 * the result is stored. A failed scan keeps what the image's last completed scan found.
 */
final class ScanRun {
  static final int MAX_ERROR = 500;

  private final ScanStore store;
  private final Path work;
  private final Path trivyCache;
  private final int timeoutSeconds;

  ScanRun(ScanStore store, Path work, Path trivyCache, int timeoutSeconds) {
    this.store = store;
    this.work = work;
    this.trivyCache = trivyCache;
    this.timeoutSeconds = timeoutSeconds;
  }

  /** Blocking, at start: what a crash left in the work folder goes. */
  static void prepare(Path work, Path trivyCache) throws IOException {
    if (Files.isDirectory(work)) deleteTree(work);
    AtomicFiles.createPrivateFolder(work);
    AtomicFiles.createPrivateFolder(trivyCache);
  }

  /** Runs the scanner on {@code ref} (what it is given to read) and stores the outcome; answers its summary. */
  JsonObject run(Scanner scanner, ScanQueue.Target target, String ref, Consumer<Process> started) throws IOException, InterruptedException {
    Path dir = AtomicFiles.createPrivateFolder(work.resolve(UUID.randomUUID().toString()));
    long t0 = System.nanoTime();
    try {
      Path out = dir.resolve("report.json");
      Path err = dir.resolve("stderr.txt");
      ProcessRunner.Outcome o = ProcessRunner.runToFiles(scanner.argv(ref, timeoutSeconds, trivyCache), scanner.environment(),
          out, err, Duration.ofSeconds(timeoutSeconds), started);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      if (o.timedOut()) return failed(scanner, target, "Scan timed out after " + timeoutSeconds + " s", ms);
      if (o.exitCode() != 0) {
        String said = scanner.redact(lastLines(err));
        return failed(scanner, target, scanner.name() + " failed (exit code " + o.exitCode() + ")" + (said.isEmpty() ? "" : ": " + said), ms);
      }
      Report report;
      try (InputStream in = Files.newInputStream(out)) {
        report = scanner.parse(in);
      } catch (IOException e) {
        return failed(scanner, target, "The " + scanner.name() + " report could not be read: " + e.getMessage(), ms);
      }
      return completed(scanner, target, report, ms);
    } finally {
      deleteTree(dir);
    }
  }

  private JsonObject completed(Scanner scanner, ScanQueue.Target target, Report report, long ms) throws IOException {
    String now = Instant.now().toString();
    JsonObject info = scanner.info();
    if (report.scannerVersion() != null) info.put("version", report.scannerVersion());
    JsonObject doc = base(target).put("status", "completed").putNull("error").put("scan_time", now).put("attempted_at", now)
        .put("scanner", info).put("vulnerabilities", report.vulnerabilities()).put("truncated", report.truncated())
        .put("total", report.total()).put("duration_ms", ms)
        .put("findings", report.findingsJson()).put("cves", report.cvesJson());
    store.save(doc);
    return store.summary(target.key());
  }

  /** Stores a failure; the previous completed scan's counts and findings stay, with their own time. */
  JsonObject failed(Scanner scanner, ScanQueue.Target target, String error, long ms) throws IOException {
    JsonObject previous = store.full(target.key());
    JsonObject doc = previous != null && previous.getValue("scan_time") != null ? previous
        : new JsonObject().putNull("scan_time").putNull("vulnerabilities").put("truncated", false).put("total", 0)
            .put("findings", new JsonArray()).put("cves", new JsonObject());
    doc.mergeIn(base(target)).put("status", "failed").put("error", Report.cut(error, MAX_ERROR))
        .put("attempted_at", Instant.now().toString()).put("duration_ms", ms);
    if (scanner != null) doc.put("scanner", scanner.info());
    else if (!doc.containsKey("scanner")) doc.putNull("scanner");
    store.save(doc);
    return store.summary(target.key());
  }

  private static JsonObject base(ScanQueue.Target target) {
    return new JsonObject().put("key", target.key()).put("image", target.image()).put("image_id", target.imageId())
        .put("remote", target.remote());
  }

  /** The scanner's last words: the end of what it printed on stderr, without colours, bounded. */
  static String lastLines(Path err) throws IOException {
    long size = Files.size(err);
    byte[] tail;
    try (RandomAccessFile f = new RandomAccessFile(err.toFile(), "r")) {
      long from = Math.max(0, size - 8192);
      f.seek(from);
      tail = new byte[(int) (size - from)];
      f.readFully(tail);
    }
    List<String> lines = new ArrayList<>();
    new String(tail, StandardCharsets.UTF_8).replaceAll("\u001B\\[[0-9;]*[A-Za-z]", "").lines()
        .map(String::strip).filter(l -> !l.isEmpty()).forEach(lines::add);
    String text = String.join(" / ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    return text.length() <= MAX_ERROR ? text : "…" + text.substring(text.length() - MAX_ERROR + 1);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
