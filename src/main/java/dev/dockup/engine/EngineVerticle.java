package dev.dockup.engine;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Services;
import dev.dockup.settings.Settings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The engine service of this node: its live view of the engine ({@link EngineWatch}), stats
 * while a feed client watches ({@link StatsFeed}), followed logs ({@link LogFollower}), and the
 * requests that need the engine (logs, images, networks, host stats, appdata sizes).
 *
 * <p>The event stream, inspects, stats, followed logs and the resource calls go through
 * {@link EngineClient}, on this verticle's event loop, with no thread of their own however many
 * containers there are. What blocks runs on pools kept apart by what waits on them: one-shot log
 * reads (docker-java) on {@link LogReads}', everything else (the resource endpoints' many-step
 * code, cgroup files, oshi, the appdata walk) on {@link #CALL_THREADS}. docker-java, oshi and the
 * appdata walk start when first needed, not with the node.
 */
public final class EngineVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EngineVerticle.class);
  static final int CALL_THREADS = 4;
  /** A host-stats answer younger than this is given again; an older one is taken afresh. */
  static final long HOST_SAMPLE_MS = 5_000;
  /** Without an earlier sample this recent, CPU share is measured over this gap instead. */
  static final long HOST_CPU_GAP_MS = 250;
  /** The first appdata walk waits this long after the engine is first seen: start-up has other work. */
  static final long APPDATA_FIRST_DELAY_MS = 60_000;

  private final Config config;
  private final Settings settings;
  private Docker docker;
  private EngineClient engine;
  private WorkerExecutor calls;
  private EngineWatch watch;
  private StatsFeed stats;
  private LogFollower logs;
  private LogReads logReads;

  private JsonObject version;
  private Resources resources;
  /** Made on a worker at the first request (oshi loads native code). */
  private volatile HostStats hostStats;
  private Appdata appdata;
  private JsonObject hostSample;
  private long hostSampleAtMs;
  private Future<JsonObject> hostSampling;
  private JsonObject appdataSizes = new JsonObject().put("updated_at", null).put("stacks", new JsonObject());
  private boolean appdataRunning;
  private long appdataTimer = -1;

  public EngineVerticle(Config config, Settings settings) {
    this.config = config;
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    docker = new Docker(config.dockerHost());
    engine = EngineClient.create(vertx, config.dockerHost(), System.getenv());
    calls = vertx.createSharedWorkerExecutor("dockup-engine", CALL_THREADS, 10, TimeUnit.MINUTES);
    logs = new LogFollower(vertx, engine, config.nodeName());
    logReads = new LogReads(vertx, docker);
    EngineHttp engineHttp = new EngineHttp(engine, context);
    resources = new Resources(engineHttp);
    appdata = new Appdata(engineHttp);
    watch = new EngineWatch(vertx, context, config.nodeName(), config.dockerHost(), engine,
        SelfContainer.id(), this::resynced, logs::started);
    stats = new StatsFeed(vertx, config.nodeName(), settings, watch, new StatsSampler(vertx, engine, calls, CgroupStats.host()), calls);

    Map<String, Function<JsonObject, Future<?>>> actions = Map.ofEntries(
        Map.entry(Bus.Engine.VERSION, this::version),
        Map.entry(Bus.Engine.LOGS, req -> {
          requireEngine();
          return logReads.read(req.getJsonArray(Bus.CONTAINERS, new JsonArray()), req.getInteger(Bus.LINES, 100));
        }),
        Map.entry(Bus.Engine.FOLLOW_LOGS, this::followLogs),
        Map.entry(Bus.Engine.UNFOLLOW_LOGS, this::unfollowLogs),
        Map.entry(Bus.Engine.REMOVE_UNUSED_IMAGES, this::removeUnusedImages),
        Map.entry(Bus.Engine.IMAGES, req -> engineCall(resources::images)),
        Map.entry(Bus.Engine.DELETE_IMAGE, req -> engineCall(() -> resources.deleteImage(req.getString(Bus.ID), req.getBoolean(Bus.FORCE, false)))),
        Map.entry(Bus.Engine.PRUNE_IMAGES, req -> engineCall(() -> resources.pruneImages(req.getBoolean("all", false)))),
        Map.entry(Bus.Engine.NETWORKS, req -> engineCall(resources::networks)),
        Map.entry(Bus.Engine.CREATE_NETWORK, req -> engineCall(() -> resources.createNetwork(req))),
        Map.entry(Bus.Engine.DELETE_NETWORK, req -> engineCall(() -> resources.deleteNetwork(req.getString(Bus.ID)))),
        Map.entry(Bus.Engine.HOST_STATS, this::hostStats),
        Map.entry(Bus.Engine.APPDATA, this::appdataSizes),
        Map.entry(Bus.Engine.IMAGE_DIGESTS, req -> engineCall(() -> resources.repoDigests(req.getJsonArray(Bus.IDS)))),
        Map.entry(Bus.Engine.TAG_IMAGE, req -> engineCall(() -> resources.tag(req.getString(Bus.ID), req.getString("ref")))));
    vertx.eventBus().<JsonObject>localConsumer(Bus.engine(config.nodeName()), msg -> Services.serve(msg, actions));

    watch.start();
    stats.start();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    logs.closeAll();
    stats.stop();
    watch.stop();
    Future<Void> dockerClosed = calls.<Void>executeBlocking(() -> {
      docker.close();
      return null;
    }, false).otherwiseEmpty();
    return dockerClosed.eventually(() -> Future.join(logReads.close(), calls.close(), engine.close()));
  }

  /** Each time the engine is (again) seen whole. */
  private void resynced() {
    versionJson().onSuccess(v -> version = v);
    if (appdataTimer < 0) {
      appdataTimer = vertx.setTimer(APPDATA_FIRST_DELAY_MS, id -> {
        appdataTimer = -1;
        refreshAppdata();
      });
    }
  }

  // ---- requests ----

  private Future<JsonObject> version(JsonObject req) {
    requireEngine();
    if (version != null) return Future.succeededFuture(version);
    return versionJson().onSuccess(v -> version = v);
  }

  private Future<JsonObject> versionJson() {
    return engine.get("/version").map(answer -> {
      if (!answer.ok()) throw ApiException.unavailable("Docker engine unreachable at " + config.dockerHost());
      JsonObject v = answer.object();
      return new JsonObject()
          .put("docker_version", EngineJson.string(v, "Version"))
          .put("api_version", EngineJson.string(v, "ApiVersion"))
          .put("engine_os", EngineJson.string(v, "Os"))
          .put("engine_arch", EngineJson.string(v, "Arch"));
    });
  }

  /** Removes each image no container (of any project) uses any more; reports what went. */
  private Future<JsonObject> removeUnusedImages(JsonObject req) {
    requireEngine();
    List<String> ids = req.getJsonArray(Bus.IDS, new JsonArray()).stream().map(String::valueOf).toList();
    return blocking(() -> {
      Set<String> used = resources.containersByImage().keySet();
      JsonArray removed = new JsonArray();
      JsonArray kept = new JsonArray();
      for (String id : new LinkedHashSet<>(ids)) {
        if (used.contains(id)) {
          kept.add(id);
          continue;
        }
        int status = resources.removeImage(id);
        if (status / 100 == 2) removed.add(id);
        else if (status != 404) kept.add(id);
      }
      return new JsonObject().put("removed", removed).put("kept", kept);
    });
  }

  // ---- live logs ----

  /** {@code {subscription, project, service?, tail, address}}: lines go to {@code address}. */
  private Future<JsonObject> followLogs(JsonObject req) {
    requireEngine();
    String project = req.getString(Bus.PROJECT);
    List<JsonObject> ofProject = watch.ofProject(project);
    logs.follow(req.getString("subscription"), project, req.getString("service"),
        req.getInteger("tail", 0), req.getString("address"), ofProject);
    return Future.succeededFuture(new JsonObject().put("following", ofProject.size()));
  }

  private Future<JsonObject> unfollowLogs(JsonObject req) {
    logs.unfollow(req.getString("subscription"));
    return Future.succeededFuture(new JsonObject());
  }

  // ---- host, appdata ----

  /**
   * CPU, memory and disk from a sample at most {@link #HOST_SAMPLE_MS} old, taken when asked
   * for (nobody asking costs nothing; concurrent requests share one); CPU share since the
   * previous sample, or over {@link #HOST_CPU_GAP_MS} when there is no recent one. The container
   * counts come from the live state at the moment of the request.
   */
  private Future<JsonObject> hostStats(JsonObject req) {
    long now = System.currentTimeMillis();
    Future<JsonObject> sample;
    if (hostSample != null && now - hostSampleAtMs < HOST_SAMPLE_MS) {
      sample = Future.succeededFuture(hostSample);
    } else if (hostSampling != null) {
      sample = hostSampling;
    } else {
      boolean recent = hostStats != null && now - hostSampleAtMs < 60_000;
      hostSampling = sample = blocking(() -> {
        if (hostStats == null) hostStats = new HostStats(config.stacksDir());
        if (!recent) {
          hostStats.sample();
          Thread.sleep(HOST_CPU_GAP_MS);
        }
        return hostStats.sample();
      }).andThen(ar -> {
        hostSampling = null;
        if (ar.succeeded()) {
          hostSample = ar.result();
          hostSampleAtMs = System.currentTimeMillis();
        }
      });
    }
    return sample.map(s -> s.copy().put("containers", watch.counts()));
  }

  /** Never waits for the walk: answers what the last one found, and starts one when asked to. */
  private Future<JsonObject> appdataSizes(JsonObject req) {
    if (req.getBoolean("refresh", false)) refreshAppdata();
    return Future.succeededFuture(appdataSizes.copy().put("refreshing", appdataRunning));
  }

  private void refreshAppdata() {
    if (appdataTimer >= 0) vertx.cancelTimer(appdataTimer);
    appdataTimer = vertx.setTimer(Math.max(60, settings.appdataInterval()) * 1000L, id -> refreshAppdata());
    if (appdataRunning || !watch.engineOk()) return;
    appdataRunning = true;
    blocking(appdata::compute)
        .onSuccess(sizes -> appdataSizes = sizes)
        .onFailure(t -> LOG.warn("Appdata sizes failed: {}", t.getMessage()))
        .onComplete(ar -> appdataRunning = false);
  }

  // ---- helpers ----

  private <T> Future<T> engineCall(Callable<T> work) {
    requireEngine();
    return blocking(work);
  }

  private void requireEngine() {
    if (!watch.engineOk()) throw ApiException.unavailable("Docker engine unreachable at " + config.dockerHost());
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return calls.executeBlocking(work, false);
  }
}
