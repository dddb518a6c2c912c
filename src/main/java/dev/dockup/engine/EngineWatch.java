package dev.dockup.engine;

import dev.dockup.bus.Bus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The node's live view of its engine's compose containers: one listing at start, then the
 * engine's event stream. When the engine goes away it is tried again at once, then at
 * intervals that grow to at most {@link #MAX_BACKOFF_MS}, so an engine that answers again is
 * seen again within about a second and a half; each reconnect lists and inspects afresh.
 *
 * <p>Everything runs on the engine verticle's event loop, through {@link EngineClient}: the
 * event stream and the inspects hold no thread while they wait, and nothing else (log reads,
 * image calls, appdata walks) can hold them up. At most {@link #MAX_INSPECTS} inspects are in
 * flight, and at most one per container; events that arrive meanwhile cause one more, so the
 * queue never outgrows the number of containers.
 */
final class EngineWatch {
  private static final Logger LOG = LoggerFactory.getLogger(EngineWatch.class);
  private static final String[] WATCHED_ACTIONS = {
      "create", "start", "restart", "die", "stop", "kill", "destroy", "pause", "unpause",
      "rename", "health_status", "oom", "update"};
  static final int MAX_INSPECTS = 16;
  /** An event is a few hundred bytes; a longer line is not an event. */
  static final int MAX_EVENT_BYTES = 1024 * 1024;
  static final long FIRST_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 1_000;
  static final long OPEN_TIMEOUT_MS = 5_000;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final dev.dockup.metrics.Meters meters;
  private final Context context;
  private final String node;
  private final String dockerHost;
  private final EngineClient engine;
  private final String selfId;
  /** Called on the event loop after each resync, and for each container that starts. */
  private final Runnable onResync;
  private final Consumer<JsonObject> onStart;

  private Map<String, JsonObject> containers = new HashMap<>();
  private final Set<String> inspecting = new HashSet<>();
  private final Map<String, EventClaim> claims = new HashMap<>();
  private final Set<String> dirty = new HashSet<>();
  /** Containers on the host's network, whose network counters are the host's: stats read none for them. */
  private final Set<String> hostNetwork = new HashSet<>();
  private boolean engineOk;
  private EngineClient.Stream eventStream;
  private int inspectsInFlight;
  private boolean stopped;
  private final Queue<Runnable> inspectsWaiting = new ArrayDeque<>();
  private int generation;
  /** The wait before the next attempt: none after a loss, then growing to {@link #MAX_BACKOFF_MS}. */
  private long backoffMs;
  private boolean warnedUnreachable;

  EngineWatch(Vertx vertx, Context context, String node, String dockerHost, EngineClient engine,
              String selfId, Runnable onResync, Consumer<JsonObject> onStart) {
    this.vertx = vertx;
    this.meters = dev.dockup.metrics.Meters.of(vertx);
    this.context = context;
    this.node = node;
    this.dockerHost = dockerHost;
    this.engine = engine;
    this.selfId = selfId;
    this.onResync = onResync;
    this.onStart = onStart;
  }

  void start() {
    connect();
  }

  void stop() {
    generation++;
    stopped = true;
    inspectsWaiting.clear();
    closeEventStream();
  }

  boolean engineOk() {
    return engineOk;
  }

  /** The compose containers as last seen (read-only; on the event loop). */
  Iterable<JsonObject> containers() {
    return containers.values();
  }

  boolean hostNetwork(String id) {
    return hostNetwork.contains(id);
  }

  List<JsonObject> ofProject(String project) {
    return containers.values().stream().filter(c -> project.equals(c.getString("project"))).toList();
  }

  /** {@code {running, stopped, total}} from the live state; nulls while the engine is unreachable. */
  JsonObject counts() {
    if (!engineOk) return new JsonObject().putNull("running").putNull("stopped").putNull("total");
    int running = (int) containers.values().stream().filter(c -> "running".equals(c.getString("state"))).count();
    return new JsonObject().put("running", running).put("stopped", containers.size() - running).put("total", containers.size());
  }

  // ---- connection, resync, reconnect ----

  private void connect() {
    int gen = ++generation;
    closeEventStream();
    openEventStream(gen)
        .compose(v -> listComposeContainers())
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
    long timer = vertx.setTimer(OPEN_TIMEOUT_MS, id -> opened.tryFail("engine event stream did not open within "
        + OPEN_TIMEOUT_MS / 1000 + " s"));
    JsonObject filters = new JsonObject()
        .put("type", new JsonArray().add("container"))
        .put("label", new JsonArray().add(ContainerFacts.PROJECT_LABEL))
        .put("event", new JsonArray(List.of(WATCHED_ACTIONS)));
    // The engine writes one JSON object per line.
    RecordParser lines = RecordParser.newDelimited("\n", line -> onEvent(gen, line)).maxRecordSize(MAX_EVENT_BYTES);
    engine.stream("/events?filters=" + EngineHttp.encode(filters.encode()), chunk -> {
          try {
            lines.handle(chunk);
          } catch (IllegalStateException tooLong) {
            if (gen == generation) engineLost(tooLong);
          }
        }, t -> {
          if (!opened.tryFail(t) && gen == generation) engineLost(t);
        })
        .onSuccess(stream -> {
          if (gen == generation && !opened.future().isComplete()) eventStream = stream;
          else stream.close();
          opened.tryComplete();
        })
        .onFailure(opened::tryFail);
    return opened.future().andThen(ar -> vertx.cancelTimer(timer));
  }

  /** One listing, then the inspects, {@link #MAX_INSPECTS} at a time. */
  private Future<Map<String, JsonObject>> listComposeContainers() {
    JsonObject filters = new JsonObject().put("label", new JsonArray().add(ContainerFacts.PROJECT_LABEL));
    return engine.get("/containers/json?all=1&filters=" + EngineHttp.encode(filters.encode()))
        .compose(answer -> {
          if (!answer.ok()) return Future.failedFuture("engine answered " + answer.status() + " to the container listing");
          List<Future<JsonObject>> each = new ArrayList<>();
          for (JsonObject c : EngineJson.objects(answer.array())) {
            String id = EngineJson.string(c, "Id");
            if (id != null) each.add(limited(() -> inspect(id)));
          }
          return Future.all(each).map(done -> {
            Map<String, JsonObject> found = new HashMap<>();
            for (Future<JsonObject> f : each) {
              if (f.result() != null) found.put(f.result().getString("id"), f.result());
            }
            return found;
          });
        });
  }

  /** The container's facts; null when it is gone or belongs to no compose project. */
  private Future<JsonObject> inspect(String id) {
    return engine.get("/containers/" + EngineHttp.encode(id) + "/json").compose(answer -> {
      if (answer.status() == 404) {
        hostNetwork.remove(id);
        return Future.succeededFuture(null);
      }
      if (!answer.ok()) return Future.failedFuture("engine answered " + answer.status() + " to an inspect");
      JsonObject c = answer.object();
      if ("host".equals(EngineJson.string(EngineJson.object(c, "HostConfig"), "NetworkMode"))) hostNetwork.add(id);
      else hostNetwork.remove(id);
      return Future.succeededFuture(ContainerFacts.project(c) == null ? null : ContainerFacts.from(c, id.equals(selfId)));
    });
  }

  /** Runs the inspect now, or once fewer than {@link #MAX_INSPECTS} are in flight. */
  private <T> Future<T> limited(Supplier<Future<T>> call) {
    Promise<T> result = Promise.promise();
    Runnable run = () -> {
      if (stopped) {
        result.fail("stopped");
        return;
      }
      inspectsInFlight++;
      call.get().onComplete(ar -> {
        inspectsInFlight--;
        Runnable next = inspectsWaiting.poll();
        if (next != null) next.run();
        result.handle(ar);
      });
    };
    if (inspectsInFlight < MAX_INSPECTS) run.run();
    else inspectsWaiting.add(run);
    return result.future();
  }

  private void resynced(Map<String, JsonObject> found) {
    containers = found;
    hostNetwork.retainAll(found.keySet());
    backoffMs = 0;
    warnedUnreachable = false;
    boolean was = engineOk;
    engineOk = true;
    if (!was) LOG.info("Docker engine connected at {} ({} compose containers)", dockerHost, found.size());
    publishAll();
    publishEngineState();
    onResync.run();
  }

  private void engineLost(Throwable cause) {
    generation++;
    closeEventStream();
    if (engineOk) {
      LOG.warn("Docker engine at {} lost: {}; retrying", dockerHost, cause.getMessage());
      engineOk = false;
      backoffMs = 0;
      publishEngineState();
    } else if (!warnedUnreachable) {
      LOG.warn("Docker engine at {} unreachable: {}; retrying every {} ms at most", dockerHost, cause.getMessage(), MAX_BACKOFF_MS);
    }
    warnedUnreachable = true;
    long delay = backoffMs;
    backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(FIRST_BACKOFF_MS, backoffMs * 2));
    int gen = generation;
    if (delay == 0) {
      context.runOnContext(v -> {
        if (gen == generation) connect();
      });
    } else {
      vertx.setTimer(delay, id -> {
        if (gen == generation) connect();
      });
    }
  }

  private void closeEventStream() {
    EngineClient.Stream stream = eventStream;
    eventStream = null;
    if (stream != null) stream.close();
  }

  // ---- events ----

  private void onEvent(int gen, Buffer line) {
    if (gen != generation || line.length() == 0) return;
    JsonObject event;
    try {
      event = new JsonObject(line);
    } catch (RuntimeException notJson) {
      LOG.debug("Engine event that is not JSON ignored");
      return;
    }
    meters.engineEvent(event.getLong("timeNano"));
    String actor = EngineJson.string(EngineJson.object(event, "Actor"), "ID");
    String id = actor != null ? actor : EngineJson.string(event, "id");
    if (id == null) return;
    String action = EventClaim.action(event);
    if ("destroy".equals(action)) {
      JsonObject gone = containers.remove(id);
      claims.remove(id);
      hostNetwork.remove(id);
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
    limited(() -> inspect(id)).onComplete(ar -> {
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

  /** Health changes go to the feed; a container that starts is announced (its stack's logs may be followed). */
  private void noticeChanges(JsonObject before, JsonObject now) {
    String health = now.getString("health");
    if (health != null && (before == null || !health.equals(before.getString("health")))) {
      vertx.eventBus().publish(Bus.EVENTS, new JsonObject()
          .put("type", "health_update").put("node", node).put("ts", java.time.Instant.now().toString())
          .put("stack", now.getString("project")).put("container", now.getString("name"))
          .put("service", now.getString("service")).put("health", health));
    }
    boolean wasRunning = before != null && "running".equals(before.getString("state"));
    if ("running".equals(now.getString("state")) && !wasRunning) onStart.accept(now);
  }

  private void publishProject(String project) {
    JsonArray list = new JsonArray();
    for (JsonObject c : containers.values()) {
      if (project.equals(c.getString("project"))) list.add(c);
    }
    vertx.eventBus().publish(Bus.projectChanged(node), new JsonObject().put(Bus.PROJECT, project).put(Bus.CONTAINERS, list), LOCAL);
  }

  private void publishAll() {
    Map<String, JsonArray> byProject = new LinkedHashMap<>();
    for (JsonObject c : containers.values()) {
      byProject.computeIfAbsent(c.getString("project"), p -> new JsonArray()).add(c);
    }
    JsonObject projects = new JsonObject();
    byProject.forEach(projects::put);
    vertx.eventBus().publish(Bus.projectChanged(node), new JsonObject().put("projects", projects), LOCAL);
  }

  private void publishEngineState() {
    vertx.eventBus().publish(Bus.engineState(node), new JsonObject().put(Bus.ENGINE_OK, engineOk), LOCAL);
  }
}
