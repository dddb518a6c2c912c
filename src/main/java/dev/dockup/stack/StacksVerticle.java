package dev.dockup.stack;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Reply;
import dev.dockup.bus.Services;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Owns the stacks of this node: the folders in {@code STACKS_DIR} ({@link FolderScans}), what
 * the engine reports ({@link StackState}), the compose operations ({@link Operations}) and the
 * changes of files (one at a time per stack, {@link StackLocks}). Compose files are parsed and
 * validated on workers, never on this verticle's event loop; answers are built from memory.
 */
public final class StacksVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StacksVerticle.class);
  static final Set<String> OPERATIONS = Set.of("up", "down", "stop", "restart", "pull");

  private final Config config;
  private final StackListCache listCache;
  private StackFiles files;
  private StackTrash trash;
  private ComposeCli compose;
  private Validation validation;
  private WorkerExecutor io;
  private WorkerExecutor processes;
  private FolderScans scans;
  private StackState state;
  private Operations operations;
  private final StackLocks locks = new StackLocks();

  public StacksVerticle(Config config, StackListCache listCache) {
    this.config = config;
    this.listCache = listCache;
  }

  @Override
  public Future<?> start() throws Exception {
    files = new StackFiles(config.stacksDir(), config.dataDir());
    trash = new StackTrash(files);
    io = vertx.createSharedWorkerExecutor("dockup-files", 4);
    processes = vertx.createSharedWorkerExecutor("dockup-compose", 32,
        config.operationTimeoutSeconds() + 120L, TimeUnit.SECONDS);
    state = new StackState(config.nodeName(), context, listCache);
    operations = new Operations(context, processes, state, config.nodeName(), config.operationTimeoutSeconds());
    scans = new FolderScans(context, io, files, trash, state);

    vertx.eventBus().<JsonObject>localConsumer(Bus.projectChanged(config.nodeName()), m -> state.onProjects(m.body()));
    vertx.eventBus().<JsonObject>localConsumer(Bus.engineState(config.nodeName()), m -> state.onEngineState(m.body()));
    vertx.eventBus().<JsonObject>localConsumer(Bus.updateState(config.nodeName()), m -> state.onUpdateState(m.body()));
    vertx.eventBus().<JsonObject>localConsumer(Bus.scanState(config.nodeName()), m -> state.onScanState(m.body()));
    Map<String, Function<JsonObject, Future<?>>> actions = new HashMap<>();
    actions.put(Bus.Stacks.LIST, req -> Future.succeededFuture(state.list()));
    actions.put(Bus.Stacks.GET, this::detail);
    actions.put(Bus.Stacks.OPERATION, this::operation);
    actions.put(Bus.Stacks.DELETE, this::delete);
    actions.put(Bus.Stacks.GET_COMPOSE, this::getCompose);
    actions.put(Bus.Stacks.PUT_COMPOSE, this::putCompose);
    actions.put(Bus.Stacks.GET_ENV, this::getEnv);
    actions.put(Bus.Stacks.PUT_ENV, this::putEnv);
    actions.put(Bus.Stacks.VALIDATE, this::validate);
    actions.put(Bus.Stacks.LOGS, this::logs);
    actions.put(Bus.Stacks.TRASH, this::listTrash);
    actions.put(Bus.Stacks.RESTORE, this::restore);
    actions.put(Bus.Stacks.OPERATIONS, req -> Future.succeededFuture(operations.list()));
    actions.put(Bus.Stacks.GET_OPERATION, req -> Future.succeededFuture(operations.get(req.getString(Bus.ID))));
    actions.put(Bus.Stacks.INFO, this::info);
    actions.put(Bus.Stacks.CREATE, req -> {
      String name = name(req);
      return locks.idle(name).compose(v -> startOperation(req, name, "create"));
    });
    new StackFileActions(files, locks, state, io, processes, () -> validation, scans::rescan, this::managed,
        this::putCompose, this::putEnv).register(actions);
    vertx.eventBus().<JsonObject>localConsumer(Bus.stacks(config.nodeName()), m -> Services.serve(m, actions));

    return io.executeBlocking(() -> {
          int leftovers = files.removeLeftovers();
          if (leftovers > 0) LOG.info("Removed {} file(s) an interrupted write or validation left behind", leftovers);
          return ComposeCli.detect(config.composeCommand(), config.dockerHost());
        }, false)
        .onSuccess(cli -> {
          compose = cli;
          operations.compose(cli);
          validation = new Validation(files, cli, config.allowOutsidePaths(), config.operationTimeoutSeconds());
        })
        .compose(cli -> scans.start());
  }

  @Override
  public Future<?> stop() throws Exception {
    scans.close();
    return Future.join(io.close(), processes.close());
  }

  private Future<JsonObject> detail(JsonObject req) {
    JsonObject out = state.detail(name(req));
    if (out == null) throw ApiException.notFound("Stack not found");
    return Future.succeededFuture(out);
  }

  // ---- operations ----

  /** Waits for a change of the stack's files (save, delete) to finish, then starts. */
  private Future<Object> operation(JsonObject req) {
    String name = name(req);
    String op = req.getString(Bus.OPERATION);
    if (op == null || !OPERATIONS.contains(op)) throw ApiException.badRequest("Invalid operation: " + op);
    return locks.idle(name).compose(v -> startOperation(req, name, op));
  }

  private Future<Object> startOperation(JsonObject req, String name, String op) {
    StackFiles.Folder folder = managed(name);
    ComposeFile cf = usableCompose(folder);
    List<String> services = requestedServices(req, cf);
    if (("down".equals(op) || "stop".equals(op)) && !req.getBoolean(Bus.FORCE, false)) refuseIfSelf(name, op);
    requireEngine();
    operations.checkIdle(name);

    List<String> args = switch (op) {
      case "up" -> concat(req.getBoolean(Bus.FORCE_RECREATE, false)
          ? List.of("up", "-d", "--remove-orphans", "--force-recreate")
          : List.of("up", "-d", "--remove-orphans"), services);
      case "down" -> services.isEmpty() ? List.of("down", "--remove-orphans") : concat(List.of("rm", "-s", "-f"), services);
      case "pull" -> concat(List.of("pull"), pullable(services, cf));
      case "create" -> List.of("up", "--no-start", "--remove-orphans");
      default -> concat(List.of(op), services);
    };
    Operation o = operations.begin(name, op, services);
    Future<Operation> done = "pull".equals(op) && args.size() == 1
        ? Future.succeededFuture(operations.finishedWithout(o, "No service with an image to pull"))
        : operations.run(o, folder, args);
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

  private static List<String> requestedServices(JsonObject req, ComposeFile cf) {
    Object raw = req.getValue(Bus.SERVICES);
    if (raw == null) return List.of();
    if (!(raw instanceof JsonArray arr)) throw ApiException.badRequest("services must be a list of service names");
    List<String> out = new ArrayList<>();
    for (Object s : arr) {
      if (!(s instanceof String svc) || !cf.hasService(svc)) throw ApiException.badRequest("Unknown service: " + s);
      if (!out.contains(svc)) out.add(svc);
    }
    return out;
  }

  /** Services that only {@code build:} have nothing to pull. */
  private static List<String> pullable(List<String> requested, ComposeFile cf) {
    List<String> base = requested.isEmpty() ? cf.services() : requested;
    return base.stream().filter(cf::hasImage).toList();
  }

  private void refuseIfSelf(String name, String what) {
    JsonObject item = state.item(name);
    if (item != null && item.getBoolean("self", false)) {
      throw ApiException.conflict("Refusing to " + what + " the stack DockUp runs in; add ?force=true to do it anyway");
    }
  }

  /** Compose version for /api/version; with {@code wait_idle}, answers once no operation runs. */
  private Future<JsonObject> info(JsonObject req) {
    JsonObject info = new JsonObject()
        .put("compose_command", compose.commandLine())
        .put("compose_version", compose.version())
        .put("running_operations", operations.runningCount());
    if (!req.getBoolean("wait_idle", false)) return Future.succeededFuture(info);
    return operations.idle().map(v -> info.put("running_operations", 0));
  }

  // ---- delete, trash ----

  /** The stack stays taken (by its changes' lock) until its folder is in the trash and the scan knows it. */
  private Future<Object> delete(JsonObject req) {
    String name = name(req);
    return locks.run(name, () -> deleteNow(req, name));
  }

  private Future<Object> deleteNow(JsonObject req, String name) {
    StackFiles.Folder folder = managed(name);
    boolean force = req.getBoolean(Bus.FORCE, false);
    if (!force) refuseIfSelf(name, "delete");
    requireEngine();
    operations.checkIdle(name);
    List<JsonObject> cs = state.containers(name);
    List<String> images = cs.stream().map(c -> c.getString("image_id")).filter(i -> i != null).distinct().toList();
    Operation o = operations.begin(name, "down", List.of());
    Future<Operation> down = cs.isEmpty()
        ? Future.succeededFuture(operations.finishedWithout(o, "No containers to remove"))
        : operations.run(o, folder, List.of("down", "--remove-orphans"));
    return down
        .compose(op -> {
          if (!op.succeeded() && !force) {
            throw new ApiException(op.timedOut ? 504 : 500,
                "compose down failed; the stack was not deleted (add ?force=true to delete anyway)",
                op.toJson().put("success", false));
          }
          return req.getBoolean(Bus.DELETE_IMAGES, false) && !images.isEmpty()
              ? Services.request(vertx, Bus.engine(config.nodeName()), Bus.Engine.REMOVE_UNUSED_IMAGES,
                  new JsonObject().put(Bus.IDS, new JsonArray(images)), 180_000)
              : Future.succeededFuture(new JsonObject().put("removed", new JsonArray()));
        })
        .compose(imgs -> {
          state.deleting(name);
          return io.executeBlocking(() -> trash.moveToTrash(name), false)
              .onFailure(t -> state.notDeleting(name))
              .compose(entry -> scans.rescan().map(v -> (Object) new JsonObject()
                  .put("success", true)
                  .put("stack", name)
                  .put("trash_id", entry.id())
                  .put("images_removed", imgs.getJsonArray("removed", new JsonArray()))
                  .put("output", o.toJson().getJsonArray("output"))));
        });
  }

  private Future<JsonObject> listTrash(JsonObject req) {
    return io.executeBlocking(trash::listTrash, false).map(entries -> {
      JsonArray list = new JsonArray();
      entries.forEach(e -> list.add(new JsonObject()
          .put("id", e.id()).put("stack", e.stack())
          .put("deleted_at", e.deletedAt().toString()).put("bytes", e.bytes())));
      return new JsonObject().put("trash", list);
    });
  }

  private Future<JsonObject> restore(JsonObject req) {
    String id = req.getString(Bus.ID);
    String name = StackTrash.trashStack(id);
    if (name == null) throw ApiException.badRequest("Invalid trash id");
    return locks.run(name, () -> {
      // Checked here, on the loop that owns what the engine runs; the files are moved on a worker.
      if (state.onEngine(name) && !state.hasFolder(name)) {
        throw ApiException.conflict("A stack named " + name + " already runs on the engine");
      }
      return io.executeBlocking(() -> trash.restore(id), false)
          .compose(restored -> scans.rescan().map(v -> new JsonObject().put("success", true).put("stack", restored)));
    });
  }

  // ---- compose and .env files ----

  private Future<JsonObject> getCompose(JsonObject req) {
    String name = name(req);
    managed(name);
    return io.executeBlocking(() -> files.readCompose(name), false)
        .map(c -> new JsonObject().put("content", c.orElseThrow(() -> ApiException.notFound("Compose file not found")))
            .put("file", state.hasFolder(name) ? state.folder(name).composeFile() : null));
  }

  /**
   * Validated, then written, in the stack's turn. A save asked of a stack that existed and was
   * deleted while the save waited is refused: it must not bring the stack back.
   */
  private Future<Object> putCompose(JsonObject req) {
    String name = name(req);
    refuseExternal(name);
    String content = content(req);
    boolean existed = state.hasFolder(name);
    return locks.run(name, () -> {
      refuseIfGone(name, existed);
      refuseExternal(name);
      boolean created = !state.hasFolder(name);
      return processes.executeBlocking(() -> validation.validate(name, content), false)
          .compose(result -> {
            if (!result.getBoolean("valid")) {
              throw new ApiException(400, result.getString("error"), result.copy().put("success", false));
            }
            return io.executeBlocking(() -> files.writeCompose(name, content, req.getString(Bus.BY)), false);
          })
          .compose(file -> scans.rescan().map(v -> {
            JsonObject body = new JsonObject().put("success", true).put("stack", name).put("file", file).put("created", created);
            return (Object) (created ? new Reply(201, body) : body);
          }));
    });
  }

  private Future<JsonObject> getEnv(JsonObject req) {
    String name = name(req);
    managed(name);
    return io.executeBlocking(() -> files.readEnv(name), false)
        .map(c -> new JsonObject().put("content", c.orElse("")).put("exists", c.isPresent()));
  }

  /** The stack's paths are checked again with the variables the new {@code .env} gives them. */
  private Future<JsonObject> putEnv(JsonObject req) {
    String name = name(req);
    refuseExternal(name);
    String content = content(req);
    boolean existed = state.hasFolder(name);
    return locks.run(name, () -> {
      refuseIfGone(name, existed);
      refuseExternal(name);
      StackFiles.Folder folder = state.folder(name);
      ComposeFile cf = folder == null ? null : folder.compose();
      return io.executeBlocking(() -> {
            if (cf != null) validation.checkEnv(name, cf, content);
            files.writeEnv(name, content, req.getString(Bus.BY));
            return null;
          }, false)
          .compose(v -> scans.rescan())
          .map(v -> new JsonObject().put("success", true).put("stack", name));
    });
  }

  private void refuseIfGone(String name, boolean existed) {
    if (existed && !state.hasFolder(name)) {
      throw ApiException.conflict("Stack " + name + " was deleted while this change waited; nothing was saved");
    }
  }

  private Future<JsonObject> validate(JsonObject req) {
    String content = content(req);
    String stack = req.getString(Bus.STACK);
    if (stack != null) StackFiles.checkName(stack);
    return processes.executeBlocking(() -> validation.validate(stack, content), false);
  }

  // ---- logs ----

  private Future<JsonObject> logs(JsonObject req) {
    String name = name(req);
    if (state.item(name) == null) throw ApiException.notFound("Stack not found");
    requireEngine();
    JsonArray wanted = new JsonArray();
    state.containers(name).forEach(c -> wanted.add(new JsonObject().put("id", c.getString("id")).put("name", c.getString("name"))));
    if (wanted.isEmpty()) return Future.succeededFuture(new JsonObject().put("logs", new JsonObject()));
    return Services.request(vertx, Bus.engine(config.nodeName()), Bus.Engine.LOGS,
        new JsonObject().put(Bus.CONTAINERS, wanted).put(Bus.LINES, req.getInteger(Bus.LINES, 100)), 180_000);
  }

  // ---- helpers ----

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
    StackFiles.Folder folder = state.folder(name);
    if (folder != null) return folder;
    if (state.onEngine(name)) throw ApiException.conflict("Stack is not managed by DockUp");
    throw ApiException.notFound("Stack not found");
  }

  private void requireEngine() {
    if (!state.engineOk()) throw ApiException.unavailable("Docker engine unreachable at " + config.dockerHost());
  }

  private void refuseExternal(String name) {
    if (!state.hasFolder(name) && state.onEngine(name)) throw ApiException.conflict("Stack is not managed by DockUp");
  }

  private static ComposeFile usableCompose(StackFiles.Folder folder) {
    if (folder.compose() == null) throw ApiException.badRequest("The stack's compose file is invalid: " + folder.error());
    return folder.compose();
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
