package dev.dockup.scan;

import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** The answers of the scan routes, built from the stored results and the queue. On the scan verticle's event loop. */
final class ScanViews {
  private static final Pattern HEX_ID = Pattern.compile("^(sha256:)?[0-9a-f]{4,64}$");
  static final String NOT_SCANNED = "not_scanned";

  private final ScanStore store;
  private final ScanQueue queue;
  private final WorkerExecutor io;
  private final int cacheHours;

  ScanViews(ScanStore store, ScanQueue queue, WorkerExecutor io, int cacheHours) {
    this.store = store;
    this.queue = queue;
    this.io = io;
    this.cacheHours = cacheHours;
  }

  /** A completed result younger than {@code SCAN_CACHE_HOURS}: answered without scanning again. */
  boolean fresh(JsonObject summary) {
    if (summary == null || !"completed".equals(summary.getString("status")) || cacheHours == 0) return false;
    try {
      Instant at = Instant.parse(summary.getString("scan_time"));
      return at.plus(Duration.ofHours(cacheHours)).isAfter(Instant.now());
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** {@code POST …/scan}'s 202: the scan waits or runs. */
  JsonObject accepted(ScanQueue.Job job, String container) {
    JsonObject out = new JsonObject().put("status", job.status).put("image", job.target.image())
        .put("image_id", job.target.imageId()).put("container", container);
    int position = queue.position(job);
    if (position > 0) out.put("queue_position", position);
    return out;
  }

  /**
   * The scan status of an image: the job's state while one waits or runs, else the stored result's;
   * counts, findings and time are those of its last completed scan.
   */
  Future<JsonObject> status(ScanQueue.Target target, String container) {
    return io.executeBlocking(() -> store.full(target.key()), false).map(doc -> {
      ScanQueue.Job job = queue.find(target.key());
      String status = job != null ? job.status : doc != null ? doc.getString("status") : NOT_SCANNED;
      JsonObject d = doc == null ? new JsonObject() : doc;
      JsonObject out = new JsonObject().put("status", status).put("container", container).put("image", target.image())
          .put("image_id", target.imageId())
          .put("vulnerabilities", d.getValue("vulnerabilities")).put("scan_time", d.getValue("scan_time"))
          .put("scanner", d.getValue("scanner")).put("findings", d.getJsonArray("findings", new JsonArray()))
          .put("truncated", d.getBoolean("truncated", false)).put("total", d.getInteger("total", 0))
          .put("error", d.getValue("error"));
      if (job != null && queue.position(job) > 0) out.put("queue_position", queue.position(job));
      return out;
    });
  }

  /** {@code GET /api/scans}: the scans waiting and running, then the stored results, most recent first. */
  JsonObject list(Scanner scanner, int limit) {
    JsonArray scans = new JsonArray();
    Set<String> active = new HashSet<>();
    for (ScanQueue.Job j : queue.all()) {
      active.add(j.target.key());
      JsonObject entry = new JsonObject().put("image", j.target.image()).put("image_id", j.target.imageId())
          .put("status", j.status).put("trigger", j.trigger).put("queued_at", j.queuedAt.toString())
          .put("started_at", j.startedAt == null ? null : j.startedAt.toString());
      if (queue.position(j) > 0) entry.put("queue_position", queue.position(j));
      scans.add(entry);
    }
    for (JsonObject s : store.recent(limit)) {
      if (active.contains(s.getString("key"))) continue;
      scans.add(new JsonObject().put("image", s.getString("image")).put("image_id", s.getString("image_id"))
          .put("status", s.getString("status")).put("vulnerabilities", s.getValue("vulnerabilities"))
          .put("scan_time", s.getValue("scan_time")).put("attempted_at", s.getValue("attempted_at"))
          .put("duration_ms", s.getValue("duration_ms")).put("error", s.getValue("error")));
    }
    return new JsonObject().put("scans", scans).put("running", queue.runningCount()).put("queued", queue.waitingCount())
        .put("scanner", scanner.info());
  }

  /** {@code GET /api/stack/<name>/scan-summary}: counts over the stack's distinct images. */
  JsonObject stackSummary(JsonObject detail) {
    Map<Severity, Integer> sums = new EnumMap<>(Severity.class);
    JsonArray images = new JsonArray();
    int scanned = 0;
    String oldest = null;
    for (JsonObject c : imagesOf(detail).values()) {
      String id = c.getString("image_id");
      JsonObject s = store.summary(id);
      ScanQueue.Job job = queue.find(id);
      JsonObject counts = s == null ? null : s.getJsonObject("vulnerabilities");
      if (counts != null) {
        scanned++;
        for (Severity sev : Severity.values()) sums.merge(sev, counts.getInteger(sev.name(), 0), Integer::sum);
        String at = s.getString("scan_time");
        if (at != null && (oldest == null || Instant.parse(at).isBefore(Instant.parse(oldest)))) oldest = at;
      }
      images.add(new JsonObject().put("service", c.getString("service")).put("image", c.getString("image")).put("image_id", id)
          .put("status", job != null ? job.status : s != null ? s.getString("status") : NOT_SCANNED)
          .put("vulnerabilities", counts).put("scan_time", s == null ? null : s.getValue("scan_time")));
    }
    JsonObject total = scanned == 0 ? null : Severity.counts(sums);
    Severity worst = Severity.worst(total);
    return new JsonObject().put("stack", detail.getString("name")).put("worst", worst == null ? null : worst.name())
        .put("vulnerabilities", total).put("scanned", scanned).put("total", images.size()).put("oldest_scan", oldest)
        .put("images", images);
  }

  /** Image id → the first of the stack's containers that runs it. */
  static Map<String, JsonObject> imagesOf(JsonObject detail) {
    Map<String, JsonObject> out = new LinkedHashMap<>();
    for (Object o : detail.getJsonArray("container_list", new JsonArray())) {
      JsonObject c = (JsonObject) o;
      if (c.getString("image_id") != null) out.putIfAbsent(c.getString("image_id"), c);
    }
    return out;
  }

  /** An image of the engine's listing by id (full, short, without {@code sha256:}), tag or repository digest. */
  static JsonObject findImage(JsonArray images, String ref) {
    List<JsonObject> all = images.stream().map(JsonObject.class::cast).toList();
    if (HEX_ID.matcher(ref).matches()) {
      String prefix = ref.startsWith("sha256:") ? ref : "sha256:" + ref;
      List<JsonObject> hits = all.stream().filter(i -> i.getString("id", "").startsWith(prefix)).toList();
      if (hits.size() == 1) return hits.get(0);
    }
    String tagged = ref.contains("@") || ref.lastIndexOf(':') > ref.lastIndexOf('/') ? ref : ref + ":latest";
    for (JsonObject i : all) {
      if (i.getJsonArray("tags", new JsonArray()).contains(tagged) || i.getJsonArray("digests", new JsonArray()).contains(ref)) return i;
    }
    return null;
  }

  /** The reference a scanner reads the image by: {@code wanted} when the image still answers to it, else its first tag or digest, else its id. */
  static String reference(JsonObject image, String wanted) {
    JsonArray tags = image.getJsonArray("tags", new JsonArray());
    JsonArray digests = image.getJsonArray("digests", new JsonArray());
    if (wanted != null) {
      String tagged = wanted.contains("@") || wanted.lastIndexOf(':') > wanted.lastIndexOf('/') ? wanted : wanted + ":latest";
      if (tags.contains(tagged) || digests.contains(wanted)) return wanted;
    }
    if (!tags.isEmpty()) return tags.getString(0);
    if (!digests.isEmpty()) return digests.getString(0);
    return image.getString("id");
  }
}
