package dev.dockup.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
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

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The engine service of this node: its live view of the engine ({@link EngineWatch}), and the
 * requests that need the engine (logs, images, networks, host stats, appdata sizes). Blocking
 * work runs on pools kept apart by what waits on them: inspects (the node's state) on the
 * watch's, one-shot log reads on {@link LogReads}', everything else on {@link #CALL_THREADS}.
 */
public final class EngineVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EngineVerticle.class);
  static final int CALL_THREADS = 8;
  static final long HOST_SAMPLE_MS = 5_000;

  private final Config config;
  private final Settings settings;
  private DockerClient docker;
  private WorkerExecutor calls;
  private EngineWatch watch;
  private StatsSampler stats;
  private final HostSampler host = new HostSampler();
  private LogFollower logs;
  private LogReads logReads;
  private long lastDemandMs;
  private long statsTick;

  private JsonObject version;
  private Resources resources;
  private HostStats hostStats;
  private Appdata appdata;
  private JsonObject hostSample;
  private JsonObject appdataSizes = new JsonObject().put("updated_at", null).put("stacks", new JsonObject());
  private boolean appdataRunning;
  private long appdataTimer = -1;

  public EngineVerticle(Config config, Settings settings) {
    this.config = config;
    this.settings = settings;
  }

  @Override
  public Future<?> start() {
    Docker.Clients requests = Docker.requests(config.dockerHost());
    docker = requests.api();
    Docker.Clients streaming = Docker.streams(config.dockerHost());
    calls = vertx.createSharedWorkerExecutor("dockup-engine", CALL_THREADS, 10, TimeUnit.MINUTES);
    stats = new StatsSampler(vertx, streaming.http());
    logs = new LogFollower(vertx, context, streaming.api(), config.nodeName());
    logReads = new LogReads(vertx, docker);
    EngineHttp engineHttp = new EngineHttp(requests.http());
    resources = new Resources(engineHttp);
    hostStats = new HostStats(config.stacksDir());
    appdata = new Appdata(engineHttp);
    watch = new EngineWatch(vertx, context, config.nodeName(), config.dockerHost(), docker, streaming.api(),
        SelfContainer.id(), this::resynced, logs::started);

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
    vertx.eventBus().consumer(Bus.FEED_DEMAND, msg -> lastDemandMs = System.currentTimeMillis());

    watch.start();
    scheduleStats();
    sampleHost();
    vertx.setPeriodic(HOST_SAMPLE_MS, id -> sampleHost());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    logs.closeAll();
    stats.stopAll();
    return Future.join(watch.stop(), logReads.close(), calls.close());
  }

  /** Each time the engine is (again) seen whole. */
  private void resynced() {
    blocking(this::versionJson).onSuccess(v -> version = v);
    if (appdataTimer < 0) refreshAppdata();
  }

  // ---- requests ----

  private Future<JsonObject> version(JsonObject req) {
    requireEngine();
    if (version != null) return Future.succeededFuture(version);
    return blocking(this::versionJson).onSuccess(v -> version = v);
  }

  private JsonObject versionJson() {
    var v = docker.versionCmd().exec();
    return new JsonObject()
        .put("docker_version", v.getVersion())
        .put("api_version", v.getApiVersion())
        .put("engine_os", v.getOperatingSystem())
        .put("engine_arch", v.getArch());
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
        try {
          docker.removeImageCmd(id).withForce(false).exec();
          removed.add(id);
        } catch (NotFoundException e) {
          // already gone
        } catch (ConflictException e) {
          kept.add(id);
        }
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

  // ---- stats ----

  /** A tick every stats_interval (read each time, so a settings change applies at the next tick). */
  private void scheduleStats() {
    long interval = Math.max(1, settings.statsInterval()) * 1000L;
    vertx.setTimer(interval, id -> {
      if (watch.engineOk() && System.currentTimeMillis() - lastDemandMs < Math.max(6_000, 3 * interval)) {
        sampleStats(interval).onComplete(ar -> scheduleStats());
      } else {
        stats.stopAll();
        scheduleStats();
      }
    });
  }

  /** One {@code stats_update} per stack, each with the host's figures and how long the tick took. */
  private Future<Void> sampleStats(long intervalMs) {
    long started = System.nanoTime();
    long tick = ++statsTick;
    List<JsonObject> running = new ArrayList<>();
    watch.containers().forEach(c -> {
      if ("running".equals(c.getString("state"))) running.add(c);
    });
    Future<List<JsonObject>> sampled = stats.sample(running);
    Future<JsonObject> hostNow = blocking(host::sample);
    return Future.join(sampled, hostNow).map(done -> {
      long sampleMs = (System.nanoTime() - started) / 1_000_000;
      JsonObject hostJson = hostNow.succeeded() ? hostNow.result() : new JsonObject();
      String ts = Instant.now().toString();
      StatsSampler.byProject(sampled.succeeded() ? sampled.result() : List.of()).forEach((project, list) -> {
        JsonArray cs = new JsonArray();
        list.forEach(c -> {
          JsonObject copy = c.copy();
          copy.remove("project");
          cs.add(copy);
        });
        vertx.eventBus().publish(Bus.EVENTS, new JsonObject()
            .put("type", "stats_update").put("node", config.nodeName()).put("ts", ts).put("stack", project)
            .put("containers", cs).put("host", hostJson)
            .put("tick", tick).put("sample_ms", sampleMs).put("interval_ms", intervalMs));
      });
      return null;
    });
  }

  // ---- host, appdata ----

  private void sampleHost() {
    blocking(hostStats::sample)
        .onSuccess(s -> hostSample = s)
        .onFailure(t -> LOG.debug("Host sample failed", t));
  }

  /**
   * CPU, memory and disk from the background sample (only the very first request waits for
   * one); the container counts from the live state at the moment of the request.
   */
  private Future<JsonObject> hostStats(JsonObject req) {
    Future<JsonObject> sample = hostSample != null ? Future.succeededFuture(hostSample)
        : blocking(hostStats::sample).onSuccess(s -> hostSample = s);
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
