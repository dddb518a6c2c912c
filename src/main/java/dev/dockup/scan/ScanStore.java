package dev.dockup.scan;

import dev.dockup.store.AtomicFiles;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scan results in {@code DATA_DIR/scans}, one file per image id (or, for an image scanned in its
 * registry without being pulled, per reference), written atomically and owner-only. The
 * summaries are in memory, readable from any thread; findings and ids stay on disk until asked
 * for. Only the {@link #KEEP} most recently scanned images are kept.
 *
 * <p>Writes and reads of files block: they run on a worker, one at a time (synchronized).
 */
final class ScanStore {
  private static final Logger LOG = LoggerFactory.getLogger(ScanStore.class);
  static final int KEEP = 500;
  /** What only the file holds: too big to keep for 500 images in memory. */
  static final List<String> FILE_ONLY = List.of("findings", "cves");

  /** Oldest first; times are compared as instants ({@code Instant.toString} drops zero fractions, so text order is not time order). */
  private static final Comparator<JsonObject> BY_ATTEMPT = Comparator.comparing(ScanStore::attemptedAt);

  private final Path dir;
  private final int keep;
  private final Map<String, JsonObject> summaries = new ConcurrentHashMap<>();

  private ScanStore(Path dir, int keep) {
    this.dir = dir;
    this.keep = keep;
  }

  /** Blocking: reads every stored result; a file that cannot be read is removed with a warning. */
  static ScanStore load(Path dir, int keep) throws IOException {
    AtomicFiles.createPrivateFolder(dir);
    ScanStore store = new ScanStore(dir, keep);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
      for (Path f : files) {
        try {
          JsonObject doc = new JsonObject(Files.readString(f));
          String key = doc.getString("key");
          if (key == null || !f.getFileName().toString().equals(fileName(key))) throw new IOException("not a scan result");
          store.summaries.put(key, summary(doc));
        } catch (IOException | RuntimeException e) {
          LOG.warn("Scan result {} is unreadable and removed: {}", f.getFileName(), e.getMessage());
          Files.deleteIfExists(f);
        }
      }
    }
    synchronized (store) {
      store.trim();
    }
    return store;
  }

  /** The summary of a key's result (no findings), or null. Any thread. */
  JsonObject summary(String key) {
    JsonObject s = summaries.get(key);
    return s == null ? null : s.copy();
  }

  /** Every summary, the most recently attempted first. Any thread. */
  List<JsonObject> recent(int limit) {
    List<JsonObject> all = new ArrayList<>(summaries.values());
    all.sort(BY_ATTEMPT.reversed());
    return all.stream().limit(limit).map(JsonObject::copy).toList();
  }

  /** Image id → counts, for every image with a completed scan. Any thread. */
  JsonObject countsByImage() {
    JsonObject out = new JsonObject();
    summaries.values().forEach(s -> {
      if (s.getString("image_id") != null && s.getValue("vulnerabilities") != null) {
        out.put(s.getString("image_id"), s.getJsonObject("vulnerabilities"));
      }
    });
    return out;
  }

  /** Blocking: the whole stored result (findings and ids included), or null. */
  synchronized JsonObject full(String key) throws IOException {
    Path f = dir.resolve(fileName(key));
    if (!Files.exists(f)) return null;
    return new JsonObject(Files.readString(f));
  }

  /** Blocking: stores a result (replacing the key's previous one); the oldest go beyond {@link #KEEP}. */
  synchronized void save(JsonObject result) throws IOException {
    String key = result.getString("key");
    AtomicFiles.write(dir.resolve(fileName(key)), result.encode(), AtomicFiles.OWNER_ONLY);
    summaries.put(key, summary(result));
    trim();
  }

  /** Blocking: removes every stored result; answers how many went. */
  synchronized int clear() throws IOException {
    int removed = 0;
    for (String key : List.copyOf(summaries.keySet())) {
      Files.deleteIfExists(dir.resolve(fileName(key)));
      summaries.remove(key);
      removed++;
    }
    return removed;
  }

  private void trim() throws IOException {
    if (summaries.size() <= keep) return;
    List<JsonObject> all = new ArrayList<>(summaries.values());
    all.sort(BY_ATTEMPT);
    for (JsonObject old : all.subList(0, all.size() - keep)) {
      String key = old.getString("key");
      Files.deleteIfExists(dir.resolve(fileName(key)));
      summaries.remove(key);
    }
  }

  private static Instant attemptedAt(JsonObject s) {
    try {
      return Instant.parse(s.getString("attempted_at"));
    } catch (RuntimeException e) {
      return Instant.EPOCH;
    }
  }

  private static JsonObject summary(JsonObject doc) {
    JsonObject s = doc.copy();
    FILE_ONLY.forEach(s::remove);
    return s;
  }

  /** A key is an image id or a reference: hashed, it is a safe file name whatever it holds. */
  static String fileName(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest) + ".json";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
