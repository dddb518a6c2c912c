package dev.dockup.scan;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Reply;
import dev.dockup.bus.Services;
import dev.dockup.proc.ProcessRunner;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The scan service of this node: vulnerability scans of its images by Trivy or Grype, queued on
 * a pool of {@code SCAN_CONCURRENCY} workers, their results stored per image id
 * ({@link ScanStore}) and announced on the feed ({@code scan_started}, {@code scan_complete}) and
 * to the stack list items (counts per image). Without a scanner every scan request answers 503,
 * and the scanner is looked for again at most once a minute, so one installed later is found.
 */
public final class ScanVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ScanVerticle.class);
  static final int MAX_QUEUED = 500;
  static final long REDETECT_MS = 60_000;
  static final int RECENT = 100;
  static final long ASK_TIMEOUT_MS = 30_000;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Config config;
  private final String node;
  private WorkerExecutor pool;
  private WorkerExecutor io;
  private WebClient web;
  private ScanStore store;
  private ScanRun runner;
  private ScanQueue queue;
  private ScanViews views;
  private final ContainerIndex containers = new ContainerIndex();
  private final Set<Process> processes = ConcurrentHashMap.newKeySet();
  private Scanner scanner;
  private Future<Scanner> detecting;
  private long detectedAtMs;

  public ScanVerticle(Config config) {
    this.config = config;
    this.node = config.nodeName();
  }

  @Override
  public Future<?> start() {
    // Before anything else: the engine's first resync must not pass by unheard.
    vertx.eventBus().<JsonObject>localConsumer(Bus.projectChanged(node), m -> containers.apply(m.body()));
    Config.Scan scan = config.scan();
    pool = vertx.createSharedWorkerExecutor("dockup-scan", scan.concurrency(), scan.timeoutSeconds() + 120L, TimeUnit.SECONDS);
    io = vertx.createSharedWorkerExecutor("dockup-scan-io", 2);
    web = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5_000).setUserAgent("DockUp"));
    queue = new ScanQueue(scan.concurrency(), MAX_QUEUED, this::execute, this::started, this::finished);
    Path work = config.dataDir().resolve("scan-work");
    Path trivyCache = config.dataDir().resolve("trivy-cache");

    Map<String, Function<JsonObject, Future<?>>> actions = Map.ofEntries(
        Map.entry(Bus.Scans.CONTAINER_SCAN, req -> scanner().compose(s -> container(req)).compose(c ->
            submitOrCached(target(c), req.getBoolean(Bus.FORCE, false), c.getString("name")))),
        Map.entry(Bus.Scans.CONTAINER_STATUS, req -> scanner().compose(s -> container(req)).compose(c ->
            views.status(target(c), c.getString("name")))),
        Map.entry(Bus.Scans.STACK_SCAN, this::stackScan),
        Map.entry(Bus.Scans.STACK_SUMMARY, req -> scanner().compose(s -> stack(req)).map(views::stackSummary)),
        Map.entry(Bus.Scans.IMAGE_SCAN, req -> scanner().compose(s -> image(req.getString(Bus.ID))).compose(t ->
            submitOrCached(t, req.getBoolean(Bus.FORCE, false), null))),
        Map.entry(Bus.Scans.IMAGE_STATUS, req -> scanner().compose(s -> image(req.getString(Bus.ID))).compose(t -> views.status(t, null))),
        Map.entry(Bus.Scans.LIST, req -> scanner().map(s -> views.list(s, RECENT))),
        Map.entry(Bus.Scans.CLEAR, this::clear),
        Map.entry(Bus.Scans.INFO, req -> scanner().map(Scanner::info).recover(t -> Future.succeededFuture(null))
            .map(info -> new JsonObject().put("scanner", info))),
        Map.entry(Bus.Scans.IMAGE_CVES, this::imageCves),
        Map.entry(Bus.Scans.SCAN_ALL, this::scanAll));

    return io.executeBlocking(() -> {
          ScanRun.prepare(work, trivyCache);
          return ScanStore.load(config.dataDir().resolve("scans"), ScanStore.KEEP);
        }, false)
        .compose(loaded -> {
          store = loaded;
          runner = new ScanRun(store, work, trivyCache, scan.timeoutSeconds());
          views = new ScanViews(store, queue, io, config.scan().cacheHours());
          vertx.eventBus().publish(Bus.scanState(node), new JsonObject().put("images", store.countsByImage()), LOCAL);
          detect();
          return vertx.eventBus().<JsonObject>localConsumer(Bus.scans(node), m -> Services.serve(m, actions)).completion();
        });
  }

  @Override
  public Future<?> stop() {
    processes.forEach(ProcessRunner::killTree);
    web.close();
    return Future.join(pool.close(), io.close());
  }

  // ---- the scanner ----

  /** The scanner, once detection has said; 503 without one (looked for again at most once a minute). */
  private Future<Scanner> scanner() {
    if (scanner != null) return Future.succeededFuture(scanner);
    Future<Scanner> found = detecting != null ? detecting
        : System.currentTimeMillis() - detectedAtMs >= REDETECT_MS ? detect() : Future.succeededFuture(null);
    return found.compose(s -> s != null ? Future.succeededFuture(s) : Future.failedFuture(ApiException.unavailable(Scanner.UNAVAILABLE)));
  }

  private Future<Scanner> detect() {
    Future<Scanner> found = io.executeBlocking(() -> Scanner.detect(config.scan(), config.dockerHost()), false)
        .recover(t -> {
          LOG.warn("Looking for a scanner failed: {}", t.toString());
          return Future.succeededFuture(null);
        });
    detecting = found;
    return found.onSuccess(s -> {
      detecting = null;
      detectedAtMs = System.currentTimeMillis();
      if (s == null && scanner == null) {
        LOG.info("No vulnerability scanner found (SCANNER={}): scans answer 503 until trivy or grype is installed or TRIVY_SERVER is set",
            config.scan().scanner());
      } else if (s != null && scanner == null) {
        LOG.info("Vulnerability scanner: {}", s);
        if (s.server() != null) healthy(s).onFailure(t -> LOG.warn("Trivy server {}: {}", s.server(), t.getMessage()));
      }
      if (s != null) scanner = s;
    });
  }

  /** A Trivy server's {@code /healthz}, asked before each scan that uses it. */
  private Future<Void> healthy(Scanner s) {
    if (s.server() == null) return Future.succeededFuture();
    return web.getAbs(s.server() + "/healthz").timeout(5_000).send()
        .recover(t -> Future.failedFuture(new ApiException(503, "The Trivy server did not answer its health check")))
        .compose(r -> r.statusCode() / 100 == 2 ? Future.<Void>succeededFuture()
            : Future.failedFuture(new ApiException(503, "The Trivy server's health check answered " + r.statusCode())));
  }

  // ---- a scan ----

  /** Runs on the pool; whatever fails before the scanner runs is stored as the scan's failure too. */
  private Future<JsonObject> execute(ScanQueue.Job job) {
    Scanner s = scanner;
    ScanQueue.Target target = job.target;
    Future<String> ref = target.remote() ? Future.succeededFuture(target.image()) : localReference(target);
    return healthy(s).compose(v -> ref).compose(r -> pool.executeBlocking(() -> {
          Process[] started = new Process[1];
          try {
            return runner.run(s, target, r, p -> processes.add(started[0] = p));
          } finally {
            if (started[0] != null) processes.remove(started[0]);
          }
        }, false))
        .recover(t -> {
          String why = t instanceof ApiException a ? a.getMessage() : "Internal error";
          if (!(t instanceof ApiException)) LOG.error("Scan of {} failed", target.image(), t);
          return io.executeBlocking(() -> runner.failed(s, target, why, 0), false);
        });
  }

  /**
   * What the scanner is given to read: the image's own tag when it still has the one asked for,
   * else another tag, a repository digest, or its id. Scanners read images by reference, so an
   * image whose tag has moved on is still the image scanned.
   */
  private Future<String> localReference(ScanQueue.Target target) {
    return images().map(list -> {
      for (Object o : list) {
        JsonObject img = (JsonObject) o;
        if (target.imageId().equals(img.getString("id"))) return ScanViews.reference(img, target.image());
      }
      throw ApiException.notFound("The image is no longer on this node");
    });
  }

  private void started(ScanQueue.Job job) {
    announce("scan_started", job, new JsonObject());
  }

  private void finished(ScanQueue.Job job, JsonObject summary) {
    JsonObject fields = new JsonObject()
        .put("vulnerabilities", summary == null ? null : summary.getValue("vulnerabilities"))
        .put("status", summary == null ? "failed" : summary.getString("status"));
    if (summary != null && summary.getString("error") != null) fields.put("error", summary.getString("error"));
    announce("scan_complete", job, fields);
    String imageId = job.target.imageId();
    if (imageId != null && summary != null && summary.getValue("vulnerabilities") != null) {
      vertx.eventBus().publish(Bus.scanState(node), new JsonObject().put("image_id", imageId)
          .put("vulnerabilities", summary.getJsonObject("vulnerabilities")), LOCAL);
    }
  }

  /** One message per stack that runs the image (with its container), or one without a stack. */
  private void announce(String type, ScanQueue.Job job, JsonObject fields) {
    Map<String, String> users = job.target.imageId() == null ? Map.of() : containers.usersOf(job.target.imageId());
    if (users.isEmpty()) users = job.container == null ? Map.of("", "") : Map.of("", job.container);
    String ts = Instant.now().toString();
    users.forEach((stack, container) -> {
      JsonObject msg = new JsonObject().put("type", type).put("node", node).put("ts", ts);
      if (!stack.isEmpty()) msg.put("stack", stack);
      msg.put("container", container.isEmpty() ? null : container).put("image", job.target.image())
          .put("image_id", job.target.imageId()).put("trigger", job.trigger).mergeIn(fields);
      vertx.eventBus().publish(Bus.EVENTS, msg);
    });
  }

  // ---- actions ----

  private Future<Object> submitOrCached(ScanQueue.Target target, boolean force, String container) {
    if (!force && queue.find(target.key()) == null && views.fresh(store.summary(target.key()))) {
      return views.status(target, container).map(v -> v);
    }
    ScanQueue.Job job = queue.submit(target, "manual", container);
    return Future.succeededFuture(new Reply(202, views.accepted(job, container)));
  }

  private Future<Object> stackScan(JsonObject req) {
    boolean force = req.getBoolean(Bus.FORCE, false);
    return scanner().compose(s -> stack(req)).map(detail -> {
      JsonArray images = new JsonArray();
      boolean started = false;
      for (Map.Entry<String, JsonObject> e : ScanViews.imagesOf(detail).entrySet()) {
        JsonObject c = e.getValue();
        ScanQueue.Target t = target(c);
        JsonObject entry = new JsonObject().put("service", c.getString("service")).put("image", t.image()).put("image_id", t.imageId());
        if (!force && queue.find(t.key()) == null && views.fresh(store.summary(t.key()))) {
          images.add(entry.put("status", "completed"));
        } else {
          ScanQueue.Job job = queue.submit(t, "manual", c.getString("name"));
          started = true;
          images.add(entry.mergeIn(views.accepted(job, c.getString("name"))));
        }
      }
      JsonObject out = new JsonObject().put("stack", detail.getString("name")).put("images", images);
      return started ? new Reply(202, out) : out;
    });
  }

  private Future<JsonObject> clear(JsonObject req) {
    return io.executeBlocking(store::clear, false).map(removed -> {
      LOG.info("Scan results cleared: {} removed", removed);
      vertx.eventBus().publish(Bus.scanState(node), new JsonObject().put("images", store.countsByImage()), LOCAL);
      return new JsonObject().put("success", true).put("removed", removed);
    });
  }

  /**
   * For the update gate: waits for the image's scan (a fresh result is reused) and answers its
   * counts and every vulnerability id; {@code remote} scans a reference in its registry, unpulled.
   */
  private Future<JsonObject> imageCves(JsonObject req) {
    String image = req.getString("image");
    boolean remote = req.getBoolean("remote", false);
    return scanner()
        .compose(s -> remote ? Future.succeededFuture(new ScanQueue.Target(image, image, null, true)) : image(image))
        .compose(t -> {
          boolean fresh = queue.find(t.key()) == null && views.fresh(store.summary(t.key()));
          Future<JsonObject> done = fresh ? Future.succeededFuture() : queue.submit(t, req.getString("trigger", "update"), null).done();
          return done.compose(v -> io.executeBlocking(() -> store.full(t.key()), false)).map(doc -> {
            JsonObject d = doc == null ? new JsonObject().put("status", "failed").put("error", "No result was stored") : doc;
            return new JsonObject().put("status", d.getString("status")).put("image", t.image()).put("image_id", t.imageId())
                .put("vulnerabilities", d.getValue("vulnerabilities")).put("scan_time", d.getValue("scan_time"))
                .put("cves", d.getJsonObject("cves", new JsonObject())).put("error", d.getValue("error"));
          });
        });
  }

  /** Every image a container runs now, once, whatever the cache says (a scheduled run looks again). */
  private Future<JsonObject> scanAll(JsonObject req) {
    String trigger = req.getString("trigger", "schedule");
    return scanner().map(s -> {
      int queued = 0;
      for (Map.Entry<String, String> e : containers.runningImages().entrySet()) {
        queue.submit(new ScanQueue.Target(e.getKey(), e.getValue(), e.getKey(), false), trigger, null);
        queued++;
      }
      return new JsonObject().put("queued", queued);
    });
  }

  // ---- what a request names ----

  private static ScanQueue.Target target(JsonObject container) {
    String id = container.getString("image_id");
    if (id == null) throw ApiException.conflict("The container's image is unknown");
    return new ScanQueue.Target(id, container.getString("image"), id, false);
  }

  /** A compose container by id, short id or name; any other container by name (from the engine's listing). */
  private Future<JsonObject> container(JsonObject req) {
    String ref = req.getString(Bus.ID);
    JsonObject found = containers.resolve(ref);
    if (found != null) return Future.succeededFuture(found);
    return images().map(list -> {
      for (Object o : list) {
        JsonObject img = (JsonObject) o;
        if (img.getJsonArray("containers", new JsonArray()).contains(ref)) {
          return new JsonObject().put("name", ref).put("image_id", img.getString("id"))
              .put("image", ScanViews.reference(img, null));
        }
      }
      throw ApiException.notFound("Container not found");
    });
  }

  /** An image by id (full, without {@code sha256:}, or a unique prefix), tag or repository digest. */
  private Future<ScanQueue.Target> image(String ref) {
    return images().map(list -> {
      JsonObject img = ScanViews.findImage(list, ref);
      if (img == null) throw ApiException.notFound("Image not found");
      return new ScanQueue.Target(img.getString("id"), ScanViews.reference(img, ref), img.getString("id"), false);
    });
  }

  private Future<JsonArray> images() {
    return Services.request(vertx, Bus.engine(node), Bus.Engine.IMAGES, new JsonObject(), ASK_TIMEOUT_MS)
        .map(body -> body.getJsonArray("images", new JsonArray()));
  }

  private Future<JsonObject> stack(JsonObject req) {
    return Services.request(vertx, Bus.stacks(node), Bus.Stacks.GET, new JsonObject().put(Bus.NAME, req.getString(Bus.NAME)),
        ASK_TIMEOUT_MS);
  }
}
