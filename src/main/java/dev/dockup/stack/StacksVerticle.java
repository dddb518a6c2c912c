package dev.dockup.stack;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Reply;
import dev.dockup.bus.Services;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Owns the stacks of this node: the folders in {@code STACKS_DIR} (watched), the containers the
 * engine reports per compose project, the list items built from both, and the compose
 * operations (one at a time per stack). Answers are built from memory; the encoded list is
 * cached until something changes.
 */
public final class StacksVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StacksVerticle.class);
  static final Set<String> OPERATIONS = Set.of("up", "down", "stop", "restart", "pull");
  private static final int RECENT_OPERATIONS = 100;
  private static final long RESCAN_MS = 60_000;
  private static final long VALIDATE_TIMEOUT_S = 60;

  private final Config config;
  private final StackListCache listCache;
  private StackFiles files;
  private ComposeCli compose;
  private WorkerExecutor io;
  private WorkerExecutor processes;
  private FolderWatcher watcher;

  private Map<String, StackFiles.Folder> folders = new HashMap<>();
  private List<StackFiles.Ignored> ignored = List.of();
  private final Map<String, List<JsonObject>> projects = new HashMap<>();
  /** Stack → {@code update_available, last_check}, as the update verticle last said. */
  private final Map<String, JsonObject> updates = new HashMap<>();
  private boolean engineOk;

  private final Map<String, JsonObject> items = new HashMap<>();
  private boolean rebuildScheduled;

  private final Map<String, Operation> running = new HashMap<>();
  private final ArrayDeque<Operation> recent = new ArrayDeque<>();
  private final List<Promise<Void>> idleWaiters = new ArrayList<>();

  private boolean scanning;
  private final List<Promise<Void>> scanWaiters = new ArrayList<>();
  private long rescanTimer = -1;

  public StacksVerticle(Config config, StackListCache listCache) {
    this.config = config;
    this.listCache = listCache;
  }

  @Override
  public Future<?> start() throws Exception {
    files = new StackFiles(config.stacksDir(), config.dataDir());
    io = vertx.createSharedWorkerExecutor("dockup-files", 4);
    processes = vertx.createSharedWorkerExecutor("dockup-compose", 32,
        config.operationTimeoutSeconds() + 120L, TimeUnit.SECONDS);

    vertx.eventBus().<JsonObject>localConsumer(Bus.projectChanged(config.nodeName()), m -> onProjects(m.body()));
    vertx.eventBus().<JsonObject>localConsumer(Bus.engineState(config.nodeName()), m -> onEngineState(m.body()));
    vertx.eventBus().<JsonObject>localConsumer(Bus.updateState(config.nodeName()), m -> onUpdateState(m.body()));
    Map<String, Function<JsonObject, Future<?>>> actions = new HashMap<>();
    actions.put(Bus.Stacks.LIST, req -> Future.succeededFuture(list()));
    actions.put(Bus.Stacks.GET, this::detail);
    actions.put(Bus.Stacks.OPERATION, this::operation);
    actions.put(Bus.Stacks.DELETE, this::delete);
    actions.put(Bus.Stacks.GET_COMPOSE, this::getCompose);
    actions.put(Bus.Stacks.PUT_COMPOSE, this::putCompose);
    actions.put(Bus.Stacks.GET_ENV, this::getEnv);
    actions.put(Bus.Stacks.PUT_ENV, this::putEnv);
    actions.put(Bus.Stacks.VALIDATE, this::validate);
    actions.put(Bus.Stacks.LOGS, this::logs);
    actions.put(Bus.Stacks.TRASH, this::trash);
    actions.put(Bus.Stacks.RESTORE, this::restore);
    actions.put(Bus.Stacks.OPERATIONS, this::operations);
    actions.put(Bus.Stacks.GET_OPERATION, this::getOperation);
    actions.put(Bus.Stacks.INFO, this::info);
    vertx.eventBus().<JsonObject>localConsumer(Bus.stacks(config.nodeName()), m -> Services.serve(m, actions));

    return io.executeBlocking(() -> ComposeCli.detect(config.composeCommand(), config.dockerHost()), false)
        .onSuccess(cli -> compose = cli)
        .compose(cli -> io.executeBlocking(files::scan, false))
        .onSuccess(this::applyScan)
        .compose(scan -> io.executeBlocking(() -> new FolderWatcher(files.root(), () -> context.runOnContext(v -> scheduleRescan())), false))
        .onSuccess(w -> {
          watcher = w;
          vertx.setPeriodic(RESCAN_MS, id -> rescan());
          purgeTrash();
          vertx.setPeriodic(TimeUnit.DAYS.toMillis(1), id -> purgeTrash());
        });
  }

  @Override
  public Future<?> stop() throws Exception {
    if (watcher != null) watcher.close();
    return Future.join(io.close(), processes.close());
  }

  // ---- state from the engine and the folder ----

  /** Either a resync ({@code projects}: every project) or one project's containers. */
  private void onProjects(JsonObject msg) {
    Set<String> touched = new HashSet<>();
    JsonObject all = msg.getJsonObject("projects");
    if (all != null) {
      touched.addAll(projects.keySet());
      projects.clear();
      all.forEach(e -> projects.put(e.getKey(), containersOf((JsonArray) e.getValue())));
      touched.addAll(projects.keySet());
    } else {
      String project = msg.getString(Bus.PROJECT);
      List<JsonObject> cs = containersOf(msg.getJsonArray(Bus.CONTAINERS));
      if (cs.isEmpty()) projects.remove(project);
      else projects.put(project, cs);
      touched.add(project);
    }
    updateItems(touched);
  }

  private static List<JsonObject> containersOf(JsonArray array) {
    List<JsonObject> out = new ArrayList<>();
    if (array != null) array.forEach(o -> out.add((JsonObject) o));
    out.sort(Comparator.comparing((JsonObject c) -> c.getString("service", "")).thenComparing(c -> c.getString("name", "")));
    return out;
  }

  private void onUpdateState(JsonObject msg) {
    String stack = msg.getString("stack");
    updates.put(stack, msg);
    updateItems(Set.of(stack));
  }

  private void onEngineState(JsonObject msg) {
    boolean ok = msg.getBoolean(Bus.ENGINE_OK, false);
    if (ok != engineOk) {
      engineOk = ok;
      listChanged();
    }
  }

  private void scheduleRescan() {
    if (rescanTimer >= 0) return;
    rescanTimer = vertx.setTimer(50, id -> {
      rescanTimer = -1;
      rescan();
    });
  }

  /**
   * One scan at a time. The future completes after a scan that started after the call, so a
   * caller that just wrote a folder sees it; calls during a scan share exactly one more.
   */
  private Future<Void> rescan() {
    Promise<Void> done = Promise.promise();
    scanWaiters.add(done);
    if (!scanning) runScan();
    return done.future();
  }

  private void runScan() {
    scanning = true;
    List<Promise<Void>> waiters = new ArrayList<>(scanWaiters);
    scanWaiters.clear();
    io.executeBlocking(files::scan, false)
        .onSuccess(this::applyScan)
        .onFailure(t -> LOG.warn("Scanning {} failed: {}", files.root(), t.getMessage()))
        .onComplete(ar -> {
          scanning = false;
          waiters.forEach(Promise::tryComplete);
          if (!scanWaiters.isEmpty()) runScan();
        });
  }

  private void applyScan(StackFiles.Scan scan) {
    Set<String> names = new HashSet<>(folders.keySet());
    names.addAll(scan.folders().keySet());
    folders = scan.folders();
    if (!scan.ignored().equals(ignored)) {
      ignored = scan.ignored();
      listChanged();
    }
    updateItems(names);
  }

  private void purgeTrash() {
    io.executeBlocking(() -> files.purgeTrash(Instant.now()), false)
        .onSuccess(n -> {
          if (n > 0) LOG.info("Purged {} trash entries older than {} days", n, StackFiles.TRASH_RETENTION_DAYS);
        });
  }

  // ---- list items ----

  /** Rebuilds the named items; publishes {@code stack_status} for each that changed. */
  private void updateItems(Set<String> names) {
    for (String name : names) {
      JsonObject next = buildItem(name);
      JsonObject prev = next == null ? items.remove(name) : items.put(name, next);
      if (next != null && next.equals(prev)) continue;
      listChanged();
      if (next != null) publish("stack_status", name, next.copy());
      else if (prev != null) publish("stack_status", name, prev.copy().put("removed", true).put("status", "inactive"));
    }
  }

  private JsonObject buildItem(String name) {
    StackFiles.Folder folder = folders.get(name);
    List<JsonObject> cs = projects.getOrDefault(name, List.of());
    if (folder == null && cs.isEmpty()) return null;
    List<String> services = folder != null && folder.compose() != null ? folder.compose().services() : serviceLabels(cs);
    List<String> expected = folder != null && folder.compose() != null
        ? services.stream().filter(s -> !folder.compose().profiledServices().contains(s)).toList()
        : services;
    StackStatus st = StackStatus.of(expected, cs);
    return new JsonObject()
        .put("name", name)
        .put("node", config.nodeName())
        .put("status", st.status())
        .put("health_status", st.health())
        .put("containers", st.containers())
        .put("running", st.running())
        .put("services", new JsonArray(services))
        .put("update_available", updates.getOrDefault(name, new JsonObject()).getBoolean("update_available", false))
        .put("last_check", updates.getOrDefault(name, new JsonObject()).getString("last_check"))
        .put("external", folder == null)
        .put("self", cs.stream().anyMatch(c -> c.getBoolean("self", false)));
  }

  private static List<String> serviceLabels(List<JsonObject> cs) {
    return List.copyOf(new TreeSet<>(cs.stream().map(c -> c.getString("service", "")).toList()));
  }

  /** Clears the shared answer now; rebuilds it once per burst of changes. */
  private void listChanged() {
    listCache.clear();
    if (rebuildScheduled) return;
    rebuildScheduled = true;
    context.runOnContext(v -> {
      rebuildScheduled = false;
      list();
    });
  }

  /** The shared encoded answer, built when a change cleared it. */
  private Buffer list() {
    Buffer cached = listCache.get();
    if (cached != null) return cached;
    JsonArray stacks = new JsonArray();
    items.keySet().stream().sorted().forEach(n -> stacks.add(items.get(n)));
    JsonArray ign = new JsonArray();
    ignored.stream().sorted(Comparator.comparing(StackFiles.Ignored::folder))
        .forEach(i -> ign.add(new JsonObject().put("folder", i.folder()).put("reason", i.reason())));
    Buffer encoded = new JsonObject().put("stacks", stacks).put("ignored", ign).put("engine_ok", engineOk).toBuffer();
    listCache.set(encoded);
    return encoded;
  }

  private Future<JsonObject> detail(JsonObject req) {
    String name = name(req);
    JsonObject item = items.get(name);
    if (item == null) throw ApiException.notFound("Stack not found");
    StackFiles.Folder folder = folders.get(name);
    JsonArray list = new JsonArray();
    projects.getOrDefault(name, List.of()).forEach(c -> list.add(containerView(c)));
    JsonObject out = item.copy()
        .put("container_list", list)
        .put("compose_file", folder == null ? null : folder.composeFile())
        .put("path", folder == null ? null : folder.path().toString())
        .put("engine_ok", engineOk);
    if (folder != null && folder.error() != null) out.put("compose_error", folder.error());
    return Future.succeededFuture(out);
  }

  private static JsonObject containerView(JsonObject c) {
    JsonObject v = c.copy();
    v.remove("project");
    v.remove("self");
    return v;
  }

  // ---- operations ----

  private Future<Object> operation(JsonObject req) {
    String name = name(req);
    String op = req.getString(Bus.OPERATION);
    if (op == null || !OPERATIONS.contains(op)) throw ApiException.badRequest("Invalid operation: " + op);
    StackFiles.Folder folder = managed(name);
    ComposeFile cf = usableCompose(folder);
    List<String> services = requestedServices(req, cf);
    if (("down".equals(op) || "stop".equals(op)) && !req.getBoolean(Bus.FORCE, false)) refuseIfSelf(name, op);
    requireEngine();
    checkIdle(name);

    List<String> args = switch (op) {
      case "up" -> concat(req.getBoolean(Bus.FORCE_RECREATE, false)
          ? List.of("up", "-d", "--remove-orphans", "--force-recreate")
          : List.of("up", "-d", "--remove-orphans"), services);
      case "down" -> services.isEmpty() ? List.of("down", "--remove-orphans") : concat(List.of("rm", "-s", "-f"), services);
      case "pull" -> concat(List.of("pull"), pullable(services, cf));
      default -> concat(List.of(op), services);
    };
    Operation o = begin(name, op, services);
    Future<Operation> done = "pull".equals(op) && args.size() == 1
        ? Future.succeededFuture(finishedWithout(o, "No service with an image to pull"))
        : runCompose(o, folder, args);
    if (req.getBoolean(Bus.ASYNC, false)) {
      return Future.succeededFuture(new Reply(202, new JsonObject().put("operation_id", o.id).put("status", o.status)));
    }
    return done.map(this::outcome);
  }

  private Object outcome(Operation o) {
    JsonObject record = o.toJson().put("success", o.succeeded());
    if (o.succeeded()) return record;
    if (o.timedOut) {
      throw new ApiException(504, "Operation timed out after " + config.operationTimeoutSeconds() + " s", record);
    }
    throw new ApiException(500, "Failed to execute operation: compose exited with code " + o.exitCode, record);
  }

  private List<String> requestedServices(JsonObject req, ComposeFile cf) {
    Object raw = req.getValue(Bus.SERVICES);
    if (raw == null) return List.of();
    if (!(raw instanceof JsonArray arr)) throw ApiException.badRequest("services must be a list of service names");
    List<String> out = new ArrayList<>();
    for (Object s : arr) {
      if (!(s instanceof String svc) || !cf.services().contains(svc)) throw ApiException.badRequest("Unknown service: " + s);
      if (!out.contains(svc)) out.add(svc);
    }
    return out;
  }

  /** Services that only {@code build:} have nothing to pull. */
  private static List<String> pullable(List<String> requested, ComposeFile cf) {
    List<String> base = requested.isEmpty() ? cf.services() : requested;
    return base.stream().filter(cf.imageServices()::contains).toList();
  }

  /** An operation that had nothing to do: said so in its output, and successful. */
  private Operation finishedWithout(Operation o, String why) {
    o.line(why);
    finish(o, 0);
    return o;
  }

  private void refuseIfSelf(String name, String what) {
    JsonObject item = items.get(name);
    if (item != null && item.getBoolean("self", false)) {
      throw ApiException.conflict("Refusing to " + what + " the stack DockUp runs in; add ?force=true to do it anyway");
    }
  }

  private void checkIdle(String name) {
    Operation busy = running.get(name);
    if (busy != null) {
      throw new ApiException(409, "An operation is already running on " + name + ": " + busy.operation,
          new JsonObject().put("operation_id", busy.id).put("operation", busy.operation));
    }
  }

  private Operation begin(String name, String op, List<String> services) {
    Operation o = new Operation(name, config.nodeName(), op, services);
    running.put(name, o);
    return o;
  }

  private Future<Operation> runCompose(Operation o, StackFiles.Folder folder, List<String> args) {
    AtomicReference<Process> process = new AtomicReference<>();
    long timer = vertx.setTimer(TimeUnit.SECONDS.toMillis(config.operationTimeoutSeconds()), id -> {
      o.timedOut = true;
      Process p = process.get();
      if (p != null) ComposeCli.killTree(p);
    });
    List<String> composeFiles = concat(List.of(folder.composeFile()), folder.overrides());
    return processes.executeBlocking(() -> {
          Process p = compose.start(folder.path(), o.stack, composeFiles, args);
          process.set(p);
          if (o.timedOut) ComposeCli.killTree(p);
          return ComposeCli.drain(p, line -> context.runOnContext(v -> outputLine(o, line)));
        }, false)
        .transform(ar -> {
          vertx.cancelTimer(timer);
          if (ar.failed()) outputLine(o, "Could not run compose (" + compose.commandLine() + "): " + ar.cause().getMessage());
          finish(o, ar.succeeded() ? ar.result() : null);
          return Future.succeededFuture(o);
        });
  }

  private void outputLine(Operation o, String line) {
    o.line(line);
    publish("operation_output", o.stack, new JsonObject()
        .put("operation_id", o.id).put("operation", o.operation).put("line", line));
  }

  private void finish(Operation o, Integer exitCode) {
    o.finish(exitCode);
    running.remove(o.stack, o);
    recent.addLast(o);
    while (recent.size() > RECENT_OPERATIONS) recent.removeFirst();
    if (!o.succeeded()) LOG.warn("{} {} {} (exit {})", o.operation, o.stack, o.status, o.exitCode);
    publish("operation_done", o.stack, new JsonObject()
        .put("operation_id", o.id).put("operation", o.operation).put("success", o.succeeded())
        .put("exit_code", o.exitCode).put("duration_ms", o.durationMs()));
    if (running.isEmpty()) {
      idleWaiters.forEach(Promise::tryComplete);
      idleWaiters.clear();
    }
  }

  private Future<JsonObject> operations(JsonObject req) {
    JsonArray list = new JsonArray();
    running.values().forEach(o -> list.add(o.toJson()));
    List<Operation> done = new ArrayList<>(recent);
    for (int i = done.size() - 1; i >= 0; i--) list.add(done.get(i).toJson());
    return Future.succeededFuture(new JsonObject().put("operations", list));
  }

  private Future<JsonObject> getOperation(JsonObject req) {
    String id = req.getString(Bus.ID);
    for (Operation o : running.values()) if (o.id.equals(id)) return Future.succeededFuture(o.toJson());
    for (Operation o : recent) if (o.id.equals(id)) return Future.succeededFuture(o.toJson());
    throw ApiException.notFound("Operation not found");
  }

  /** Compose version for /api/version; with {@code wait_idle}, answers once no operation runs. */
  private Future<JsonObject> info(JsonObject req) {
    JsonObject info = new JsonObject()
        .put("compose_command", compose.commandLine())
        .put("compose_version", compose.version())
        .put("running_operations", running.size());
    if (!req.getBoolean("wait_idle", false) || running.isEmpty()) return Future.succeededFuture(info);
    Promise<Void> idle = Promise.promise();
    idleWaiters.add(idle);
    return idle.future().map(v -> info.put("running_operations", 0));
  }

  // ---- delete, trash ----

  private Future<Object> delete(JsonObject req) {
    String name = name(req);
    StackFiles.Folder folder = managed(name);
    boolean force = req.getBoolean(Bus.FORCE, false);
    if (!force) refuseIfSelf(name, "delete");
    requireEngine();
    checkIdle(name);
    List<JsonObject> cs = projects.getOrDefault(name, List.of());
    List<String> images = cs.stream().map(c -> c.getString("image_id")).filter(i -> i != null).distinct().toList();
    Operation o = begin(name, "down", List.of());
    Future<Operation> down = cs.isEmpty()
        ? Future.succeededFuture(finishedWithout(o, "No containers to remove"))
        : runCompose(o, folder, List.of("down", "--remove-orphans"));
    return down
        .compose(op -> {
          if (!op.succeeded() && !force) {
            throw new ApiException(op.timedOut ? 504 : 500,
                "compose down failed; the stack was not deleted (add ?force=true to delete anyway)",
                op.toJson().put("success", false));
          }
          return req.getBoolean(Bus.DELETE_IMAGES, false) && !images.isEmpty()
              ? engineRequest(Bus.Engine.REMOVE_UNUSED_IMAGES, new JsonObject().put(Bus.IDS, new JsonArray(images)))
              : Future.succeededFuture(new JsonObject().put("removed", new JsonArray()));
        })
        .compose(imgs -> io.executeBlocking(() -> files.moveToTrash(name), false)
            .compose(entry -> rescan().map(v -> (Object) new JsonObject()
                .put("success", true)
                .put("stack", name)
                .put("trash_id", entry.id())
                .put("images_removed", imgs.getJsonArray("removed", new JsonArray()))
                .put("output", o.toJson().getJsonArray("output")))));
  }

  private Future<JsonObject> trash(JsonObject req) {
    return io.executeBlocking(files::listTrash, false).map(entries -> {
      JsonArray list = new JsonArray();
      entries.forEach(e -> list.add(new JsonObject()
          .put("id", e.id()).put("stack", e.stack())
          .put("deleted_at", e.deletedAt().toString()).put("bytes", e.bytes())));
      return new JsonObject().put("trash", list);
    });
  }

  private Future<JsonObject> restore(JsonObject req) {
    String id = req.getString(Bus.ID);
    // Checked here, on the loop that owns what the engine runs; the files are moved on a worker.
    String name = StackFiles.trashStack(id);
    if (name != null && projects.containsKey(name) && !folders.containsKey(name)) {
      throw ApiException.conflict("A stack named " + name + " already runs on the engine");
    }
    return io.executeBlocking(() -> files.restore(id), false)
        .compose(restored -> rescan().map(v -> new JsonObject().put("success", true).put("stack", restored)));
  }

  // ---- compose and .env files ----

  private Future<JsonObject> getCompose(JsonObject req) {
    String name = name(req);
    managed(name);
    return io.executeBlocking(() -> files.readCompose(name), false)
        .map(c -> new JsonObject().put("content", c.orElseThrow(() -> ApiException.notFound("Compose file not found")))
            .put("file", folders.get(name) == null ? null : folders.get(name).composeFile()));
  }

  private Future<Object> putCompose(JsonObject req) {
    String name = name(req);
    refuseExternal(name);
    String content = content(req);
    boolean created = !folders.containsKey(name);
    return validateContent(name, content)
        .compose(result -> {
          if (!result.getBoolean("valid")) {
            throw new ApiException(400, result.getString("error"), result.copy().put("success", false));
          }
          return io.executeBlocking(() -> files.writeCompose(name, content), false);
        })
        .compose(file -> rescan().map(v -> {
          JsonObject body = new JsonObject().put("success", true).put("stack", name).put("file", file).put("created", created);
          return (Object) (created ? new Reply(201, body) : body);
        }));
  }

  private Future<JsonObject> getEnv(JsonObject req) {
    String name = name(req);
    managed(name);
    return io.executeBlocking(() -> files.readEnv(name), false)
        .map(c -> new JsonObject().put("content", c.orElse("")).put("exists", c.isPresent()));
  }

  private Future<JsonObject> putEnv(JsonObject req) {
    String name = name(req);
    refuseExternal(name);
    String content = content(req);
    return io.executeBlocking(() -> {
          files.writeEnv(name, content);
          return null;
        }, false)
        .compose(v -> rescan())
        .map(v -> new JsonObject().put("success", true).put("stack", name));
  }

  private Future<JsonObject> validate(JsonObject req) {
    String content = content(req);
    String stack = req.getString(Bus.STACK);
    if (stack != null) StackFiles.checkName(stack);
    return validateContent(stack, content);
  }

  /** YAML first (always with a line), then the compose CLI's {@code config}, in the stack's folder with its .env. */
  private Future<JsonObject> validateContent(String stack, String content) {
    ComposeFile cf;
    try {
      cf = ComposeFile.parse(content);
    } catch (ComposeFile.Invalid e) {
      JsonObject out = new JsonObject().put("valid", false).put("error", e.getMessage());
      if (e.line() != null) out.put("line", e.line());
      return Future.succeededFuture(out);
    }
    return processes.executeBlocking(() -> runConfig(stack, content), false)
        .map(error -> error == null
            ? new JsonObject().put("valid", true).put("services", new JsonArray(cf.services()))
            : new JsonObject().put("valid", false).put("error", error));
  }

  /** Blocking. Returns null when compose accepts the file, else its complaint. */
  private String runConfig(String stack, String content) throws IOException, InterruptedException {
    Path existing = stack == null ? null : files.folder(stack);
    boolean inStackFolder = existing != null && Files.isDirectory(existing);
    Path dir = inStackFolder ? existing : files.scratchFolder();
    String tmpName = ".dockup-validate-" + UUID.randomUUID() + ".yaml";
    Path tmp = dir.resolve(tmpName);
    try {
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      List<String> fileArgs = concat(List.of(tmpName), inStackFolder ? files.overrides(dir) : List.of());
      Process p = compose.start(dir, stack == null ? "dockup-validate" : stack, fileArgs, List.of("config", "-q"));
      // A hung compose is killed; draining then ends at end of output.
      CompletableFuture.delayedExecutor(VALIDATE_TIMEOUT_S, TimeUnit.SECONDS).execute(() -> {
        if (p.isAlive()) ComposeCli.killTree(p);
      });
      StringBuilder out = new StringBuilder();
      int exit = ComposeCli.drain(p, l -> out.append(l).append('\n'));
      if (exit == 0) return null;
      String text = out.toString().trim()
          .replace(dir.resolve(tmpName).toString(), "compose.yaml").replace(tmpName, "compose.yaml");
      return text.isEmpty() ? "compose config failed with exit code " + exit : text;
    } finally {
      Files.deleteIfExists(tmp);
      if (!inStackFolder) StackFiles.deleteTree(dir);
    }
  }

  // ---- logs ----

  private Future<JsonObject> logs(JsonObject req) {
    String name = name(req);
    if (!items.containsKey(name)) throw ApiException.notFound("Stack not found");
    requireEngine();
    JsonArray wanted = new JsonArray();
    projects.getOrDefault(name, List.of()).forEach(c -> wanted.add(new JsonObject().put("id", c.getString("id")).put("name", c.getString("name"))));
    if (wanted.isEmpty()) return Future.succeededFuture(new JsonObject().put("logs", new JsonObject()));
    return engineRequest(Bus.Engine.LOGS, new JsonObject().put(Bus.CONTAINERS, wanted).put(Bus.LINES, req.getInteger(Bus.LINES, 100)));
  }

  // ---- helpers ----

  private Future<JsonObject> engineRequest(String action, JsonObject body) {
    return Services.request(vertx, Bus.engine(config.nodeName()), action, body, 180_000);
  }

  private static String name(JsonObject req) {
    String name = req.getString(Bus.NAME);
    StackFiles.checkName(name);
    return name;
  }

  private static String content(JsonObject req) {
    Object c = req.getValue(Bus.CONTENT);
    if (!(c instanceof String s)) throw ApiException.badRequest("Body must be JSON with a string field 'content'");
    return s;
  }

  /** The stack's folder: 404 when unknown, 409 when only the engine knows it. */
  private StackFiles.Folder managed(String name) {
    StackFiles.Folder folder = folders.get(name);
    if (folder != null) return folder;
    if (projects.containsKey(name)) throw ApiException.conflict("Stack is not managed by DockUp");
    throw ApiException.notFound("Stack not found");
  }

  private void requireEngine() {
    if (!engineOk) throw ApiException.unavailable("Docker engine unreachable at " + config.dockerHost());
  }

  private void refuseExternal(String name) {
    if (!folders.containsKey(name) && projects.containsKey(name)) throw ApiException.conflict("Stack is not managed by DockUp");
  }

  private static ComposeFile usableCompose(StackFiles.Folder folder) {
    if (folder.compose() == null) throw ApiException.badRequest("The stack's compose file is invalid: " + folder.error());
    return folder.compose();
  }

  private void publish(String type, String stack, JsonObject fields) {
    JsonObject msg = new JsonObject().put("type", type).put("node", config.nodeName())
        .put("ts", Instant.now().toString()).put("stack", stack);
    fields.forEach(e -> {
      if (!msg.containsKey(e.getKey())) msg.put(e.getKey(), e.getValue());
    });
    vertx.eventBus().publish(Bus.EVENTS, msg);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
