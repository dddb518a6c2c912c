package dev.dockup.update;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Services;
import dev.dockup.registry.ImageRef;
import dev.dockup.registry.RegistryClient;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Update detection and automatic updates for this node's stacks. A check compares, for each
 * service, the registry's digest of the tag it runs with the digests of the image its container
 * actually runs; nothing is pulled. An automatic update pulls, brings the services up, waits for
 * them to be healthy, and when they are not, points the tags back at the images that ran before,
 * brings them up again and remembers the bad digest so it is not tried again.
 *
 * <p>Only the health gate's verdict marks a digest bad. A pull that fails (the registry, a
 * running operation, the engine) changed no container: the tags are pointed back and the update
 * is tried again next time. An {@code up} that fails is rolled back, but the digest is not
 * blamed for what may have been the engine or a lock.
 *
 * <p>A schedule's {@code scan_gate} adds a step: the running image is scanned, the new digest is
 * pulled and scanned, and an update that would bring vulnerabilities at or above the gate that
 * the running image does not have is not applied (the tags point back, the record names them,
 * {@code update_blocked} is sent once per digest). A gate that cannot scan blocks too.
 */
public final class UpdateVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(UpdateVerticle.class);
  static final int CHECK_CONCURRENCY = 8;
  static final long DIGEST_CACHE_MS = 30_000;
  static final long HEALTH_TIMEOUT_MS = 180_000;

  /** Where notifications go: (event, stack, title, message). */
  public interface Notify {
    void send(String event, String stack, String title, String message);
  }

  /** A digest asked of the registry, shared by every check that wants it while it is fresh or on its way. */
  private record Cached(Future<String> digest, long atMs) {}

  private final Config config;
  private final RegistryClient registry;
  private final Notify notify;
  private final Limiter limiter = new Limiter(CHECK_CONCURRENCY);
  private final Map<String, Cached> digestCache = new HashMap<>();
  private final Set<String> busy = new HashSet<>();
  private ScanGate gate;
  private UpdateRecords records;

  public UpdateVerticle(Config config, RegistryClient registry, Notify notify) {
    this.config = config;
    this.registry = registry;
    this.notify = notify;
  }

  @Override
  public Future<?> start() {
    gate = new ScanGate(vertx, config.nodeName(), config.scan().timeoutSeconds());
    Map<String, Function<JsonObject, Future<?>>> actions = Map.of(
        Bus.Updates.CHECK, this::checkAsked,
        Bus.Updates.RUN, this::run,
        Bus.Updates.HISTORY, this::history);
    return UpdateRecords.load(vertx, config.dataDir().resolve("updates.json")).compose(loaded -> {
      records = loaded;
      records.stacks().forEach(e -> publishState(e.getKey(), (JsonObject) e.getValue()));
      // Served once the state is read: a request before would find none.
      return vertx.eventBus().<JsonObject>localConsumer(Bus.updates(config.nodeName()), m -> Services.serve(m, actions)).completion();
    });
  }

  // ---- check ----

  /** A check someone asked for; with {@code scan}, each new digest also says what it would introduce and fix. */
  private Future<JsonObject> checkAsked(JsonObject req) {
    Future<JsonObject> checked = check(stack(req), true);
    if (!req.getBoolean("scan", false)) return checked;
    return checked.compose(result -> gate.annotate(result.getJsonArray("images").stream().map(JsonObject.class::cast).toList())
        .map(result));
  }

  /**
   * One check of one stack: per service, the digest it runs and the digest its tag has now.
   * {@code fresh} (someone asked) skips the short cache that keeps scheduled checks of stacks
   * sharing an image from asking the registry again and again.
   */
  Future<JsonObject> check(String name, boolean fresh) {
    return stackDetail(name).compose(detail -> {
      Map<String, JsonObject> byService = new LinkedHashMap<>();
      for (Object o : detail.getJsonArray("container_list", new JsonArray())) {
        JsonObject c = (JsonObject) o;
        byService.putIfAbsent(c.getString("service"), c);
      }
      JsonArray ids = new JsonArray(byService.values().stream().map(c -> c.getString("image_id")).distinct().toList());
      return engine(Bus.Engine.IMAGE_DIGESTS, new JsonObject().put(Bus.IDS, ids))
          .compose(digests -> compareAll(byService, digests.getJsonObject("digests", new JsonObject()), fresh));
    }).map(images -> recordCheck(name, images));
  }

  private Future<List<JsonObject>> compareAll(Map<String, JsonObject> byService, JsonObject repoDigests, boolean fresh) {
    List<Future<JsonObject>> each = new ArrayList<>();
    byService.forEach((service, c) -> each.add(compare(service, c, repoDigests.getJsonArray(c.getString("image_id"), new JsonArray()), fresh)));
    return Future.join(each).map(v -> each.stream().map(Future::result).toList());
  }

  private Future<JsonObject> compare(String service, JsonObject container, JsonArray repoDigests, boolean fresh) {
    String image = container.getString("image");
    JsonObject out = new JsonObject().put("service", service).put("image", image).put("image_id", container.getString("image_id"));
    ImageRef ref;
    try {
      ref = ImageRef.parse(image);
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(out.put("update_available", false).put("error", "Not an image reference"));
    }
    String current = currentDigest(ref, repoDigests);
    out.put("current_digest", current);
    if (ref.pinned()) {
      return Future.succeededFuture(out.put("latest_digest", ref.digest()).put("update_available", false));
    }
    return remoteDigest(ref, fresh).map(latest -> {
      boolean newer = current != null && latest != null && !latest.equals(current);
      out.put("latest_digest", latest).put("update_available", newer);
      if (current == null) out.put("error", "The running image has no registry digest (built or imported locally)");
      if (newer && records.isBad(ref, latest)) out.put("rolled_back_before", true);
      return out;
    }).recover(t -> Future.succeededFuture(out.put("latest_digest", null).put("update_available", false)
        .put("error", "Registry: " + t.getMessage())));
  }

  /** The digest the image was pulled as from the same repository (RepoDigests may list several). */
  static String currentDigest(ImageRef ref, JsonArray repoDigests) {
    for (Object o : repoDigests) {
      try {
        ImageRef d = ImageRef.parse(String.valueOf(o));
        if (d.registry().equals(ref.registry()) && d.repository().equals(ref.repository())) return d.digest();
      } catch (IllegalArgumentException ignored) {
        // not a reference
      }
    }
    return null;
  }

  private Future<String> remoteDigest(ImageRef ref, boolean fresh) {
    String key = ref.canonical();
    Cached hit = digestCache.get(key);
    long now = System.currentTimeMillis();
    if (!fresh && hit != null && now - hit.atMs() < DIGEST_CACHE_MS) return hit.digest();
    // Kept before it is answered: stacks checked by the same cron minute share one request per image.
    Future<String> digest = limiter.submit(() -> registry.digest(ref));
    Cached asked = new Cached(digest, now);
    digestCache.put(key, asked);
    return digest.onFailure(t -> digestCache.remove(key, asked));
  }

  private JsonObject recordCheck(String name, List<JsonObject> images) {
    boolean available = images.stream().anyMatch(i -> i.getBoolean("update_available") && !i.getBoolean("rolled_back_before", false));
    String now = Instant.now().toString();
    JsonObject entry = records.stack(name);
    boolean was = entry.getBoolean("update_available", false);
    entry.put("update_available", available).put("last_check", now);
    announceNewDigests(name, images);
    if (available && !was) {
      vertx.eventBus().publish(Bus.EVENTS, new JsonObject().put("type", "update_available").put("node", config.nodeName())
          .put("ts", now).put("stack", name).put("images", new JsonArray(images.stream().filter(i -> i.getBoolean("update_available")).toList())));
    }
    publishState(name, entry);
    records.save();
    return new JsonObject().put("success", true).put("stack", name).put("update_available", available)
        .put("last_check", now).put("images", new JsonArray(images));
  }

  /** Notifies once per new digest of a tag, and never for one that was rolled back. */
  private void announceNewDigests(String name, List<JsonObject> images) {
    JsonObject notified = records.notified();
    for (JsonObject i : images) {
      if (!i.getBoolean("update_available") || i.getBoolean("rolled_back_before", false)) continue;
      String key = name + "|" + i.getString("image");
      if (i.getString("latest_digest").equals(notified.getString(key))) continue;
      notified.put(key, i.getString("latest_digest"));
      notify.send("update_available", name, "Update available for " + name,
          i.getString("service") + ": " + i.getString("image") + " has a new image (" + shortDigest(i.getString("latest_digest")) + ")");
    }
  }

  // ---- run: a schedule's or a person's ----

  private Future<JsonObject> run(JsonObject req) {
    String name = stack(req);
    String mode = req.getString("mode", "check");
    String trigger = req.getString("trigger", "manual");
    String scanGate = req.getString("scan_gate", ScanGate.OFF);
    if (!busy.add(name)) throw ApiException.conflict("An update check or update is already running on " + name);
    return check(name, false)
        .compose(result -> "auto".equals(mode) ? autoUpdate(name, result, trigger, scanGate) : Future.succeededFuture(result))
        .onComplete(ar -> busy.remove(name));
  }

  private Future<JsonObject> autoUpdate(String name, JsonObject check, String trigger, String scanGate) {
    List<JsonObject> todo = check.getJsonArray("images").stream().map(JsonObject.class::cast)
        .filter(i -> i.getBoolean("update_available") && !i.getBoolean("rolled_back_before", false)).toList();
    if (todo.isEmpty()) return Future.succeededFuture(check.put("updated", false));
    List<String> services = todo.stream().map(i -> i.getString("service")).toList();
    JsonObject record = new JsonObject().put("time", Instant.now().toString()).put("trigger", trigger)
        .put("images", new JsonArray(todo.stream().map(i -> new JsonObject().put("service", i.getString("service"))
            .put("image", i.getString("image")).put("old_digest", i.getString("current_digest"))
            .put("new_digest", i.getString("latest_digest"))).toList()));
    JsonArray output = new JsonArray();
    if (ScanGate.threshold(scanGate) == null) return pullThen(name, todo, services, record, output,
        () -> upAndCheck(name, check, todo, services, record, output));
    // The running images are scanned first: when that cannot be done, nothing is pulled.
    return scanAll(todo, i -> gate.local(i.getString("image_id"))).transform(before -> before.failed()
        ? blocked(name, check, record, scanGate, "the running image could not be scanned: " + ScanGate.reason(before.cause()), List.of())
        : pullThen(name, todo, services, record, output,
            () -> gated(name, check, todo, services, record, output, scanGate, before.result())));
  }

  private Future<JsonObject> pullThen(String name, List<JsonObject> todo, List<String> services, JsonObject record,
                                      JsonArray output, Supplier<Future<JsonObject>> next) {
    return operation(name, "pull", services, output).transform(pulled -> {
      if (pulled.succeeded()) return next.get();
      // No container runs a new image yet; a pull that got part way may have moved some tags.
      return retagged(todo).transform(ar -> failed(name, record, output, pulled.cause(), "failed", "; nothing was changed"));
    });
  }

  /** The pulled images scanned and compared with the running ones' scans: brought up only when the gate lets them through. */
  private Future<JsonObject> gated(String name, JsonObject check, List<JsonObject> todo, List<String> services, JsonObject record,
                                   JsonArray output, String scanGate, List<JsonObject> before) {
    return scanAll(todo, i -> gate.local(i.getString("image"))).transform(after -> {
      if (after.failed()) {
        return retagged(todo).transform(ar -> blocked(name, check, record, scanGate,
            "the new image could not be scanned: " + ScanGate.reason(after.cause()), List.of()));
      }
      List<JsonArray> refused = new ArrayList<>();
      for (int n = 0; n < todo.size(); n++) {
        refused.add(ScanGate.refused(ScanGate.diff(before.get(n), after.result().get(n)).getJsonArray("introduced"), scanGate));
      }
      if (refused.stream().allMatch(JsonArray::isEmpty)) return upAndCheck(name, check, todo, services, record, output);
      return retagged(todo).transform(ar -> blocked(name, check, record, scanGate, null, refused));
    });
  }

  /** Each image's vulnerability ids, in the order of {@code todo}. */
  private static Future<List<JsonObject>> scanAll(List<JsonObject> todo, Function<JsonObject, Future<JsonObject>> scan) {
    List<Future<JsonObject>> each = todo.stream().map(scan).toList();
    return Future.all(each).map(v -> each.stream().map(Future::result).toList());
  }

  private Future<JsonObject> upAndCheck(String name, JsonObject check, List<JsonObject> todo, List<String> services,
                                        JsonObject record, JsonArray output) {
    return operation(name, "up", services, output)
        .compose(up -> UpdateHealth.await(vertx, () -> stackDetail(name), services, config.updateGraceSeconds() * 1000L, HEALTH_TIMEOUT_MS))
        .transform(health -> health.succeeded()
            ? applied(name, check, record, output, services)
            : rolledBack(name, todo, services, record, output, health.cause()));
  }

  /**
   * The gate said no (or could not scan): no container changed. Recorded and announced once per
   * new digest; a run that meets the same digest again says so without a new record.
   */
  private Future<JsonObject> blocked(String name, JsonObject check, JsonObject record, String scanGate, String failure,
                                     List<JsonArray> refused) {
    JsonArray images = record.getJsonArray("images");
    for (int n = 0; n < refused.size(); n++) images.getJsonObject(n).put("blocked_cves", refused.get(n));
    String why = failure != null ? "Scan gate " + scanGate + ": " + failure : ScanGate.explain(images);
    record.put("result", "blocked").put("scan_gate", scanGate).put("error", why);
    JsonObject seen = records.blocked();
    boolean news = false;
    for (Object o : images) {
      JsonObject i = (JsonObject) o;
      news |= !i.getString("new_digest", "").equals(seen.getString(name + "|" + i.getString("image")));
      seen.put(name + "|" + i.getString("image"), i.getString("new_digest"));
    }
    if (news) {
      finishRecord(name, record, new JsonArray());
      notify.send("update_blocked", name, "Update of " + name + " blocked", why);
    }
    return Future.succeededFuture(check.put("updated", false).put("update", record));
  }

  private Future<JsonObject> applied(String name, JsonObject check, JsonObject record, JsonArray output, List<String> services) {
    finishRecord(name, record.put("result", "applied"), output);
    record.getJsonArray("images").forEach(o -> records.blocked().remove(name + "|" + ((JsonObject) o).getString("image")));
    notify.send("update_applied", name, name + " updated", String.join(", ", services) + " now run the new image");
    return Future.succeededFuture(check.put("updated", true).put("update", record));
  }

  /** The previous images run again; the new digest is blamed only when the health gate said so. */
  private Future<JsonObject> rolledBack(String name, List<JsonObject> todo, List<String> services, JsonObject record,
                                        JsonArray output, Throwable failure) {
    if (failure instanceof UpdateHealth.Unhealthy) {
      todo.forEach(i -> records.markBad(ImageRef.parse(i.getString("image")), i.getString("latest_digest")));
    }
    return retagged(todo).compose(v -> operation(name, "up", services, output)).transform(ar -> ar.succeeded()
        ? failed(name, record, output, failure, "rolled_back", "; rolled back to the previous images")
        : failed(name, record, output, failure, "rollback_failed", "; rolling back failed too"));
  }

  /** Records and announces a failed update; answers with the stack checked again. */
  private Future<JsonObject> failed(String name, JsonObject record, JsonArray output, Throwable failure, String result, String outcome) {
    finishRecord(name, record.put("result", result).put("error", failure.getMessage()), output);
    notify.send("update_failed", name, "Update of " + name + " failed", failure.getMessage() + outcome);
    return check(name, false).map(after -> after.put("updated", false).put("update", record));
  }

  /** The tags point at the images that ran before again (nothing is brought up). */
  private Future<Void> retagged(List<JsonObject> todo) {
    List<Future<JsonObject>> tags = new ArrayList<>();
    for (JsonObject i : todo) {
      tags.add(engine(Bus.Engine.TAG_IMAGE, new JsonObject().put(Bus.ID, i.getString("image_id")).put("ref", i.getString("image"))));
    }
    return Future.all(tags).mapEmpty();
  }

  private void finishRecord(String name, JsonObject record, JsonArray output) {
    records.add(name, record.put("output", output));
  }

  private Future<JsonObject> history(JsonObject req) {
    String name = stack(req);
    return Future.succeededFuture(new JsonObject().put("stack", name).put("updates", records.history(name)));
  }

  // ---- helpers ----

  private Future<Void> operation(String name, String op, List<String> services, JsonArray output) {
    return request(Bus.stacks(config.nodeName()), Bus.Stacks.OPERATION,
            new JsonObject().put(Bus.NAME, name).put(Bus.OPERATION, op).put(Bus.SERVICES, new JsonArray(services)),
            (config.operationTimeoutSeconds() + 60L) * 1000)
        .map(body -> {
          body.getJsonArray("output", new JsonArray()).forEach(output::add);
          return (Void) null;
        });
  }

  private Future<JsonObject> stackDetail(String name) {
    return request(Bus.stacks(config.nodeName()), Bus.Stacks.GET, new JsonObject().put(Bus.NAME, name), 10_000);
  }

  private Future<JsonObject> engine(String action, JsonObject body) {
    return request(Bus.engine(config.nodeName()), action, body, 60_000);
  }

  private Future<JsonObject> request(String address, String action, JsonObject body, long timeoutMs) {
    return Services.request(vertx, address, action, body, timeoutMs);
  }

  private void publishState(String name, JsonObject entry) {
    vertx.eventBus().publish(Bus.updateState(config.nodeName()), new JsonObject().put("stack", name)
        .put("update_available", entry.getBoolean("update_available", false)).put("last_check", entry.getString("last_check")),
        new DeliveryOptions().setLocalOnly(true));
  }

  private static String stack(JsonObject req) {
    String name = req.getString("stack");
    dev.dockup.stack.StackFiles.checkName(name);
    return name;
  }

  private static String shortDigest(String d) {
    return d == null ? "?" : d.length() > 19 ? d.substring(0, 19) : d;
  }
}
