package dev.dockup.update;

import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Services;
import dev.dockup.registry.ImageRef;
import dev.dockup.scan.Severity;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What a new image would bring compared with the one running, from the scan service: the
 * vulnerabilities it introduces and those it fixes, and whether a stack's {@code scan_gate}
 * lets it through ({@code no_new_critical}: no CRITICAL the running image lacks;
 * {@code no_new_high}: no HIGH or CRITICAL). A gate that cannot scan lets nothing through.
 */
final class ScanGate {
  static final String OFF = "off";
  static final int MAX_LISTED = 200;

  private final Vertx vertx;
  private final String node;
  private final long waitMs;

  /** {@code scanTimeoutSeconds}: one scan's limit; a request may also wait for a scan ahead of it. */
  ScanGate(Vertx vertx, String node, int scanTimeoutSeconds) {
    this.vertx = vertx;
    this.node = node;
    this.waitMs = (2L * scanTimeoutSeconds + 60) * 1000;
  }

  /** The worst severity a gate refuses when it is new; null for {@code off}. */
  static Severity threshold(String gate) {
    return switch (gate == null ? OFF : gate) {
      case "no_new_critical" -> Severity.CRITICAL;
      case "no_new_high" -> Severity.HIGH;
      default -> null;
    };
  }

  /** {@code introduced} and {@code fixed}: {@code [{id, severity}]}, worst first, at most {@link #MAX_LISTED} each. */
  static JsonObject diff(JsonObject running, JsonObject candidate) {
    return new JsonObject()
        .put("introduced", onlyIn(candidate, running))
        .put("fixed", onlyIn(running, candidate));
  }

  /** The introduced vulnerabilities the gate refuses. */
  static JsonArray refused(JsonArray introduced, String gate) {
    Severity limit = threshold(gate);
    JsonArray out = new JsonArray();
    if (limit == null) return out;
    introduced.forEach(o -> {
      JsonObject v = (JsonObject) o;
      if (Severity.of(v.getString("severity")).atLeast(limit)) out.add(v);
    });
    return out;
  }

  private static JsonArray onlyIn(JsonObject in, JsonObject notIn) {
    List<Map.Entry<String, Severity>> found = new ArrayList<>();
    in.forEach(e -> {
      if (!notIn.containsKey(e.getKey())) found.add(Map.entry(e.getKey(), Severity.of(String.valueOf(e.getValue()))));
    });
    found.sort(Map.Entry.<String, Severity>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.naturalOrder())));
    JsonArray out = new JsonArray();
    found.stream().limit(MAX_LISTED).forEach(e -> out.add(new JsonObject().put("id", e.getKey()).put("severity", e.getValue().name())));
    return out;
  }

  /** The vulnerability ids of a local image (by id or tag): its scan, waited for (a recent one is reused). */
  Future<JsonObject> local(String image) {
    return cves(image, false);
  }

  /** The same for a digest in its registry, read by the scanner without pulling it. */
  Future<JsonObject> remote(String image, String digest) {
    ImageRef ref = ImageRef.parse(image);
    return cves(new ImageRef(ref.registry(), ref.repository(), null, digest).canonical(), true);
  }

  private Future<JsonObject> cves(String image, boolean remote) {
    return Services.request(vertx, Bus.scans(node), Bus.Scans.IMAGE_CVES,
            new JsonObject().put("image", image).put("remote", remote).put("trigger", "update"), waitMs)
        .recover(t -> Future.failedFuture(t instanceof ApiException ? t
            : t instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT
                ? new ApiException(504, "the scan did not finish in time")
                : new ApiException(503, "the scan service is not available")))
        .compose(r -> "completed".equals(r.getString("status")) ? Future.succeededFuture(r.getJsonObject("cves", new JsonObject()))
            : Future.failedFuture(new ApiException(502, "the scan of " + image + " failed: " + r.getString("error"))));
  }

  /** {@code ?scan=true} of a check: for each image with a new digest, what that digest would change. */
  Future<Void> annotate(List<JsonObject> images) {
    List<Future<Void>> each = new ArrayList<>();
    for (JsonObject i : images) {
      if (!i.getBoolean("update_available", false) || i.getString("latest_digest") == null) continue;
      Future<JsonObject> running = local(i.getString("image_id"));
      Future<JsonObject> candidate = remote(i.getString("image"), i.getString("latest_digest"));
      each.add(Future.all(running, candidate).transform(ar -> {
        i.put("scan", ar.succeeded() ? diff(running.result(), candidate.result()).put("status", "completed")
            : new JsonObject().put("status", "failed").put("error", reason(ar.cause())));
        return Future.succeededFuture();
      }));
    }
    return Future.join(each).mapEmpty();
  }

  /** Why the record's images were refused: each service's new vulnerabilities (ten at most named). */
  static String explain(JsonArray images) {
    List<String> parts = new ArrayList<>();
    for (Object o : images) {
      JsonObject i = (JsonObject) o;
      JsonArray cves = i.getJsonArray("blocked_cves", new JsonArray());
      if (cves.isEmpty()) continue;
      List<String> named = cves.stream().map(JsonObject.class::cast).limit(10)
          .map(v -> v.getString("id") + " (" + v.getString("severity") + ")").toList();
      parts.add(i.getString("service") + ": the new image brings " + String.join(", ", named)
          + (cves.size() > named.size() ? " and " + (cves.size() - named.size()) + " more" : "") + ", not in the running image");
    }
    return String.join("; ", parts);
  }

  static String reason(Throwable t) {
    return t instanceof ApiException a ? a.getMessage() : "scan failed";
  }
}
