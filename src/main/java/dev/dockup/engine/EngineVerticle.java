package dev.dockup.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.Frame;
import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Services;
import dev.dockup.settings.Settings;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.time.Instant;

/**
 * Owns the node's view of the Docker engine: one listing at start, then the engine's event
 * stream; reconnects with backoff and resyncs when the engine goes away and comes back.
 * State lives on this verticle's event loop; docker-java's blocking calls run on a worker pool.
 */
public final class EngineVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EngineVerticle.class);
  private static final String[] WATCHED_ACTIONS = {
      "create", "start", "restart", "die", "stop", "kill", "destroy", "pause", "unpause",
      "rename", "health_status", "oom", "update"};
  private static final long MAX_BACKOFF_MS = 5_000;

  private final Config config;
  private final Settings settings;
  private DockerClient docker;
  private DockerClient streams;
  private WorkerExecutor workers;
  private String selfId;
  private StatsSampler stats;
  private final HostSampler host = new HostSampler();
  private LogFollower logs;
  private long lastDemandMs;
  private long statsTick;

  private Map<String, JsonObject> containers = new HashMap<>();
  private final Set<String> inspecting = new HashSet<>();
  private final Map<String, EventClaim> claims = new HashMap<>();
  private final Set<String> dirty = new HashSet<>();
  private boolean engineOk;
  private JsonObject version;
  private Closeable eventStream;
  private int generation;
  private long backoffMs = 250;

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
    streams = streaming.api();
    workers = vertx.createSharedWorkerExecutor("dockup-engine", 16, 10, TimeUnit.MINUTES);
    selfId = SelfContainer.id();
    stats = new StatsSampler(vertx, streaming.http());
    logs = new LogFollower(vertx, context, streams, config.nodeName());
    EngineHttp engineHttp = new EngineHttp(requests.http());
    resources = new Resources(engineHttp);
    hostStats = new HostStats(config.stacksDir(), engineHttp);
    appdata = new Appdata(engineHttp);

    Map<String, Function<JsonObject, Future<?>>> actions = Map.ofEntries(
        Map.entry(Bus.Engine.VERSION, this::version),
        Map.entry(Bus.Engine.LOGS, this::logs),
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

    connect();
    scheduleStats();
    sampleHost();
    vertx.setPeriodic(HOST_SAMPLE_MS, id -> sampleHost());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    generation++;
    closeEventStream();
    logs.closeAll();
    stats.stopAll();
    return workers.close();
  }

  // ---- connection, resync, reconnect ----

  private void connect() {
    int gen = ++generation;
    closeEventStream();
    openEventStream(gen)
        .compose(v -> blocking(this::listComposeContainers))
        .onSuccess(found -> {
          if (gen == generation) resynced(found);
        })
        .onFailure(t -> {
          if (gen == generation) engineLost(t);
        });
  }

  /** Opens the stream first, then lists, so nothing that happens in between is missed. */
  private Future<Void> openEventStream(int gen) {
    Promise<Void> opened = Promise.promise();
    vertx.setTimer(10_000, id -> opened.tryFail("engine event stream did not open within 10 s"));
    streams.eventsCmd()
        .withEventTypeFilter(EventType.CONTAINER)
        .withLabelFilter(ContainerFacts.PROJECT_LABEL)
        .withEventFilter(WATCHED_ACTIONS)
        .exec(new ResultCallback.Adapter<Event>() {
          @Override
          public void onStart(Closeable stream) {
            context.runOnContext(v -> {
              if (gen == generation) eventStream = stream;
              opened.tryComplete();
            });
          }

          @Override
          public void onNext(Event event) {
            context.runOnContext(v -> onEvent(gen, event));
          }

          @Override
          public void onError(Throwable t) {
            context.runOnContext(v -> {
              if (!opened.tryFail(t) && gen == generation) engineLost(t);
            });
          }

          @Override
          public void onComplete() {
            context.runOnContext(v -> {
              if (!opened.tryFail("engine event stream closed") && gen == generation) {
                engineLost(new IllegalStateException("engine event stream closed"));
              }
            });
          }
        });
    return opened.future();
  }

  private Map<String, JsonObject> listComposeContainers() {
    Map<String, JsonObject> found = new HashMap<>();
    List<Container> list = docker.listContainersCmd().withShowAll(true)
        .withLabelFilter(List.of(ContainerFacts.PROJECT_LABEL)).exec();
    for (Container c : list) {
      JsonObject facts = inspect(c.getId());
      if (facts != null) found.put(c.getId(), facts);
    }
    return found;
  }

  private JsonObject inspect(String id) {
    try {
      InspectContainerResponse r = docker.inspectContainerCmd(id).exec();
      return ContainerFacts.project(r) == null ? null : ContainerFacts.from(r, id.equals(selfId));
    } catch (NotFoundException e) {
      return null;
    }
  }

  private void resynced(Map<String, JsonObject> found) {
    containers = found;
    backoffMs = 250;
    boolean was = engineOk;
    engineOk = true;
    if (!was) LOG.info("Docker engine connected at {} ({} compose containers)", config.dockerHost(), found.size());
    publishAll();
    publishEngineState();
    blocking(() -> versionJson()).onSuccess(v -> version = v);
    if (appdataTimer < 0) refreshAppdata();
    sampleHost();
  }

  private void engineLost(Throwable cause) {
    generation++;
    closeEventStream();
    if (engineOk) {
      LOG.warn("Docker engine at {} lost: {}; retrying", config.dockerHost(), cause.getMessage());
      engineOk = false;
      publishEngineState();
    } else if (backoffMs == 250) {
      LOG.warn("Docker engine at {} unreachable: {}; retrying", config.dockerHost(), cause.getMessage());
    }
    long delay = backoffMs;
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    int gen = generation;
    vertx.setTimer(delay, id -> {
      if (gen == generation) connect();
    });
  }

  private void closeEventStream() {
    Closeable stream = eventStream;
    eventStream = null;
    if (stream != null) {
      workers.executeBlocking(() -> {
        stream.close();
        return null;
      }, false);
    }
  }

  // ---- events ----

  private void onEvent(int gen, Event event) {
    if (gen != generation) return;
    String id = event.getId() != null ? event.getId() : event.getActor() == null ? null : event.getActor().getId();
    if (id == null) return;
    String action = event.getAction() == null ? "" : event.getAction();
    if ("destroy".equals(action)) {
      JsonObject gone = containers.remove(id);
      claims.remove(id);
      if (inspecting.contains(id)) dirty.add(id);
      if (gone != null) publishProject(gone.getString("project"));
      return;
    }
    EventClaim claim = EventClaim.of(event, System.currentTimeMillis());
    if (claim != null) {
      claims.put(id, claim);
      JsonObject known = containers.get(id);
      if (known != null) apply(id, claim.applyTo(known));
      // The engine's own view lags its events by its cleanup: look again once it has settled.
      vertx.setTimer(300, t -> refresh(id));
      vertx.setTimer(1_500, t -> refresh(id));
    }
    refresh(id);
  }

  /** One inspect in flight per container; events that arrive meanwhile cause one more. */
  private void refresh(String id) {
    if (!inspecting.add(id)) {
      dirty.add(id);
      return;
    }
    int gen = generation;
    blocking(() -> inspect(id)).onComplete(ar -> {
      inspecting.remove(id);
      if (gen != generation) return;
      if (ar.succeeded()) apply(id, reconcile(id, ar.result()));
      if (dirty.remove(id)) refresh(id);
    });
  }

  /** An inspect that still shows what an event already changed keeps the event's word, for a while. */
  private JsonObject reconcile(String id, JsonObject inspected) {
    EventClaim claim = claims.get(id);
    if (inspected == null || claim == null) return inspected;
    if (claim.settledBy(inspected, System.currentTimeMillis())) {
      claims.remove(id);
      return inspected;
    }
    return claim.applyTo(inspected);
  }

  private void apply(String id, JsonObject facts) {
    JsonObject before = facts == null ? containers.remove(id) : containers.put(id, facts);
    if (facts != null) noticeChanges(before, facts);
    String oldProject = before == null ? null : before.getString("project");
    String newProject = facts == null ? null : facts.getString("project");
    if (oldProject != null && !oldProject.equals(newProject)) publishProject(oldProject);
    if (newProject != null) publishProject(newProject);
  }

  /** Health changes go to the feed; a container that starts is followed if its stack is. */
  private void noticeChanges(JsonObject before, JsonObject now) {
    String health = now.getString("health");
    if (health != null && (before == null || !health.equals(before.getString("health")))) {
      vertx.eventBus().publish(Bus.EVENTS, new JsonObject()
          .put("type", "health_update").put("node", config.nodeName()).put("ts", Instant.now().toString())
          .put("stack", now.getString("project")).put("container", now.getString("name"))
          .put("service", now.getString("service")).put("health", health));
    }
    boolean wasRunning = before != null && "running".equals(before.getString("state"));
    if ("running".equals(now.getString("state")) && !wasRunning) logs.started(now);
  }

  private void publishProject(String project) {
    JsonArray list = new JsonArray();
    for (JsonObject c : containers.values()) {
      if (project.equals(c.getString("project"))) list.add(c);
    }
    vertx.eventBus().publish(Bus.projectChanged(config.nodeName()),
        new JsonObject().put(Bus.PROJECT, project).put(Bus.CONTAINERS, list), LOCAL);
  }

  private void publishAll() {
    Map<String, JsonArray> byProject = new LinkedHashMap<>();
    for (JsonObject c : containers.values()) {
      byProject.computeIfAbsent(c.getString("project"), p -> new JsonArray()).add(c);
    }
    JsonObject projects = new JsonObject();
    byProject.forEach(projects::put);
    vertx.eventBus().publish(Bus.projectChanged(config.nodeName()), new JsonObject().put("projects", projects), LOCAL);
  }

  private void publishEngineState() {
    vertx.eventBus().publish(Bus.engineState(config.nodeName()), new JsonObject().put(Bus.ENGINE_OK, engineOk), LOCAL);
  }

  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

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

  /** {@code {containers:[{id,name}], lines}} → {@code {logs:{name:text}}}. */
  private Future<JsonObject> logs(JsonObject req) {
    requireEngine();
    JsonArray wanted = req.getJsonArray(Bus.CONTAINERS, new JsonArray());
    int lines = req.getInteger(Bus.LINES, 100);
    List<Future<String>> parts = new ArrayList<>();
    for (int i = 0; i < wanted.size(); i++) {
      String id = wanted.getJsonObject(i).getString("id");
      parts.add(workers.executeBlocking(() -> logsOf(id, lines), false));
    }
    return Future.join(parts).transform(ignored -> {
      JsonObject logs = new JsonObject();
      for (int i = 0; i < parts.size(); i++) {
        Future<String> f = parts.get(i);
        logs.put(wanted.getJsonObject(i).getString("name"),
            f.succeeded() ? f.result() : "(logs unavailable: " + f.cause().getMessage() + ")");
      }
      return Future.succeededFuture(new JsonObject().put("logs", logs));
    });
  }

  private String logsOf(String id, int lines) throws InterruptedException {
    StringBuilder text = new StringBuilder();
    docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withTail(lines)
        .exec(new ResultCallback.Adapter<Frame>() {
          @Override
          public void onNext(Frame frame) {
            synchronized (text) {
              text.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
            }
          }
        })
        .awaitCompletion(60, TimeUnit.SECONDS);
    synchronized (text) {
      return text.toString();
    }
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
    List<JsonObject> ofProject = containers.values().stream().filter(c -> project.equals(c.getString("project"))).toList();
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
      if (engineOk && System.currentTimeMillis() - lastDemandMs < Math.max(6_000, 3 * interval)) {
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
    List<JsonObject> running = containers.values().stream().filter(c -> "running".equals(c.getString("state"))).toList();
    Future<List<JsonObject>> sampled = stats.sample(running);
    Future<JsonObject> hostStats = workers.executeBlocking(host::sample, false);
    return Future.join(sampled, hostStats).map(done -> {
      long sampleMs = (System.nanoTime() - started) / 1_000_000;
      JsonObject hostJson = hostStats.succeeded() ? hostStats.result() : new JsonObject();
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

  // ---- images, networks, host, appdata ----

  private <T> Future<T> engineCall(java.util.concurrent.Callable<T> work) {
    requireEngine();
    return blocking(work);
  }

  static final long HOST_SAMPLE_MS = 5_000;

  private void sampleHost() {
    boolean ok = engineOk;
    blocking(() -> hostStats.sample(ok)).onSuccess(s -> hostSample = s);
  }

  /** From the background sample; only the very first request waits for one. */
  private Future<JsonObject> hostStats(JsonObject req) {
    boolean stale = hostSample != null && engineOk && hostSample.getJsonObject("containers").getValue("total") == null;
    if (hostSample != null && !stale) return Future.succeededFuture(hostSample);
    boolean ok = engineOk;
    return blocking(() -> hostStats.sample(ok)).onSuccess(s -> hostSample = s);
  }

  /** Never waits for the walk: answers what the last one found, and starts one when asked to. */
  private Future<JsonObject> appdataSizes(JsonObject req) {
    if (req.getBoolean("refresh", false)) refreshAppdata();
    return Future.succeededFuture(appdataSizes.copy().put("refreshing", appdataRunning));
  }

  private void refreshAppdata() {
    if (appdataTimer >= 0) vertx.cancelTimer(appdataTimer);
    appdataTimer = vertx.setTimer(Math.max(60, settings.appdataInterval()) * 1000L, id -> refreshAppdata());
    if (appdataRunning || !engineOk) return;
    appdataRunning = true;
    blocking(appdata::compute)
        .onSuccess(sizes -> appdataSizes = sizes)
        .onFailure(t -> LOG.warn("Appdata sizes failed: {}", t.getMessage()))
        .onComplete(ar -> appdataRunning = false);
  }

  private void requireEngine() {
    if (!engineOk) throw ApiException.unavailable("Docker engine unreachable at " + config.dockerHost());
  }

  private <T> Future<T> blocking(java.util.concurrent.Callable<T> work) {
    return workers.executeBlocking(work, false);
  }
}
