package dev.dockup.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import dev.dockup.bus.Bus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The node's live view of its engine's compose containers: one listing at start, then the
 * engine's event stream. When the engine goes away it is tried again at once, then at
 * intervals that grow to at most {@link #MAX_BACKOFF_MS}, so an engine that answers again is
 * seen again within about a second and a half; each reconnect lists and inspects afresh.
 *
 * <p>State is touched on the engine verticle's event loop only. Listing and inspects run on a
 * pool of their own ({@link #INSPECT_THREADS}): nothing else (log reads, image calls, appdata
 * walks) can hold them up. At most one inspect per container is in flight; events that arrive
 * meanwhile cause one more, so the queue never outgrows the number of containers.
 */
final class EngineWatch {
  private static final Logger LOG = LoggerFactory.getLogger(EngineWatch.class);
  private static final String[] WATCHED_ACTIONS = {
      "create", "start", "restart", "die", "stop", "kill", "destroy", "pause", "unpause",
      "rename", "health_status", "oom", "update"};
  static final int INSPECT_THREADS = 4;
  static final long FIRST_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 1_000;
  static final long OPEN_TIMEOUT_MS = 5_000;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private final Vertx vertx;
  private final Context context;
  private final String node;
  private final String dockerHost;
  private final DockerClient docker;
  private final DockerClient streams;
  private final WorkerExecutor inspects;
  private final String selfId;
  /** Called on the event loop after each resync, and for each container that starts. */
  private final Runnable onResync;
  private final Consumer<JsonObject> onStart;

  private Map<String, JsonObject> containers = new HashMap<>();
  private final Set<String> inspecting = new HashSet<>();
  private final Map<String, EventClaim> claims = new HashMap<>();
  private final Set<String> dirty = new HashSet<>();
  private boolean engineOk;
  private Closeable eventStream;
  private int generation;
  /** The wait before the next attempt: none after a loss, then growing to {@link #MAX_BACKOFF_MS}. */
  private long backoffMs;
  private boolean warnedUnreachable;

  EngineWatch(Vertx vertx, Context context, String node, String dockerHost, DockerClient docker, DockerClient streams,
              String selfId, Runnable onResync, Consumer<JsonObject> onStart) {
    this.vertx = vertx;
    this.context = context;
    this.node = node;
    this.dockerHost = dockerHost;
    this.docker = docker;
    this.streams = streams;
    this.selfId = selfId;
    this.onResync = onResync;
    this.onStart = onStart;
    this.inspects = vertx.createSharedWorkerExecutor("dockup-engine-inspect", INSPECT_THREADS, 2, TimeUnit.MINUTES);
  }

  void start() {
    connect();
  }

  /** The stream is closed before the pool: its reader thread then ends while the verticle can still hear it. */
  Future<Void> stop() {
    generation++;
    Closeable stream = eventStream;
    eventStream = null;
    Future<Void> closed = stream == null ? Future.succeededFuture()
        : inspects.executeBlocking(() -> closeQuietly(stream), false).mapEmpty();
    return closed.eventually(inspects::close);
  }

  boolean engineOk() {
    return engineOk;
  }

  /** The compose containers as last seen (read-only; on the event loop). */
  Iterable<JsonObject> containers() {
    return containers.values();
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
    streams.eventsCmd()
        .withEventTypeFilter(EventType.CONTAINER)
        .withLabelFilter(ContainerFacts.PROJECT_LABEL)
        .withEventFilter(WATCHED_ACTIONS)
        .exec(new ResultCallback.Adapter<Event>() {
          @Override
          public void onStart(Closeable stream) {
            context.runOnContext(v -> {
              if (gen == generation) eventStream = stream;
              else inspects.executeBlocking(() -> closeQuietly(stream), false);
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
    return opened.future().andThen(ar -> vertx.cancelTimer(timer));
  }

  /** One listing, then the inspects spread over the pool: a resync of many containers is not one long queue. */
  private Future<Map<String, JsonObject>> listComposeContainers() {
    return inspects.<List<Container>>executeBlocking(() -> docker.listContainersCmd().withShowAll(true)
            .withLabelFilter(List.of(ContainerFacts.PROJECT_LABEL)).exec(), false)
        .compose(list -> {
          List<Future<JsonObject>> each = new ArrayList<>();
          for (Container c : list) each.add(inspects.executeBlocking(() -> inspect(c.getId()), false));
          return Future.all(each).map(done -> {
            Map<String, JsonObject> found = new HashMap<>();
            for (Future<JsonObject> f : each) {
              if (f.result() != null) found.put(f.result().getString("id"), f.result());
            }
            return found;
          });
        });
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
    Closeable stream = eventStream;
    eventStream = null;
    if (stream != null) inspects.executeBlocking(() -> closeQuietly(stream), false);
  }

  private static Void closeQuietly(Closeable stream) {
    try {
      stream.close();
    } catch (Exception alreadyClosed) {
      // the engine went away first
    }
    return null;
  }

  // ---- events ----

  private void onEvent(int gen, Event event) {
    if (gen != generation) return;
    dev.dockup.metrics.Meters.of(vertx).engineEvent(event.getTimeNano());
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
    inspects.executeBlocking(() -> inspect(id), false).onComplete(ar -> {
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
