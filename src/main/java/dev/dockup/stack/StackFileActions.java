package dev.dockup.stack;

import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Reply;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The stacks service's actions on file versions (history: list, read, diff against the current
 * file, restore as a new save) and the restore of a stack's files from a backup, which is
 * validated with the files it brings and put in place in the stack's turn. Confined to the
 * stacks verticle's event loop; files are read and written on workers.
 */
final class StackFileActions {
  private final StackFiles files;
  private final StackLocks locks;
  private final StackState state;
  private final WorkerExecutor io;
  private final WorkerExecutor processes;
  private final Supplier<Validation> validation;
  private final Supplier<Future<Void>> rescan;
  private final Function<String, StackFiles.Folder> managed;
  private final Function<JsonObject, Future<Object>> putCompose;
  private final Function<JsonObject, Future<JsonObject>> putEnv;

  StackFileActions(StackFiles files, StackLocks locks, StackState state, WorkerExecutor io, WorkerExecutor processes,
                   Supplier<Validation> validation, Supplier<Future<Void>> rescan, Function<String, StackFiles.Folder> managed,
                   Function<JsonObject, Future<Object>> putCompose, Function<JsonObject, Future<JsonObject>> putEnv) {
    this.files = files;
    this.locks = locks;
    this.state = state;
    this.io = io;
    this.processes = processes;
    this.validation = validation;
    this.rescan = rescan;
    this.managed = managed;
    this.putCompose = putCompose;
    this.putEnv = putEnv;
  }

  void register(Map<String, Function<JsonObject, Future<?>>> actions) {
    actions.put(Bus.Stacks.HISTORY, this::history);
    actions.put(Bus.Stacks.HISTORY_VERSION, this::version);
    actions.put(Bus.Stacks.HISTORY_DIFF, this::diff);
    actions.put(Bus.Stacks.HISTORY_RESTORE, this::restoreVersion);
    actions.put(Bus.Stacks.REPLACE, this::replace);
  }

  // ---- history ----

  private Future<JsonObject> history(JsonObject req) {
    String name = name(req);
    StackFiles.Folder folder = managed.apply(name);
    return io.executeBlocking(() -> files.history().list(name, folder.composeFile()), false);
  }

  private Future<JsonObject> version(JsonObject req) {
    String name = name(req);
    String id = id(req);
    StackFiles.Folder folder = managed.apply(name);
    return io.executeBlocking(() -> new JsonObject().put("id", id).put("kind", StackHistory.kind(id))
        .put("file", fileOf(id, folder)).put("content", files.history().read(name, id)), false);
  }

  private Future<JsonObject> diff(JsonObject req) {
    String name = name(req);
    String id = id(req);
    StackFiles.Folder folder = managed.apply(name);
    return io.executeBlocking(() -> {
      String version = files.history().read(name, id);
      String current = "env".equals(StackHistory.kind(id)) ? files.readEnv(name).orElse(null) : files.readCompose(name).orElse(null);
      String diff = StackHistory.diff(id, fileOf(id, folder), version, current);
      return new JsonObject().put("id", id).put("file", fileOf(id, folder)).put("identical", diff.isEmpty()).put("diff", diff);
    }, false);
  }

  /** The version's text saved again, through the same path as any save (validated, the current text kept). */
  private Future<Object> restoreVersion(JsonObject req) {
    String name = name(req);
    String id = id(req);
    managed.apply(name);
    return io.executeBlocking(() -> files.history().read(name, id), false).compose(text -> {
      JsonObject save = new JsonObject().put(Bus.NAME, name).put(Bus.CONTENT, text).put(Bus.BY, req.getString(Bus.BY));
      Future<Object> saved = "env".equals(StackHistory.kind(id)) ? putEnv.apply(save).map(o -> o) : putCompose.apply(save);
      return saved.map(answer -> answer instanceof JsonObject o ? o.put("restored", id) : answer);
    });
  }

  private static String fileOf(String id, StackFiles.Folder folder) {
    return "env".equals(StackHistory.kind(id)) ? StackFiles.ENV_FILE : folder.composeFile();
  }

  // ---- a restore from a backup ----

  /**
   * Validated with its override and {@code .env} staged beside it, then put in place; a stack
   * only the engine knows, or one that exists when {@code create_only} is asked (a move), is
   * refused. The backup's older versions join the stack's history. Answers {@code created}.
   */
  private Future<Object> replace(JsonObject req) {
    String name = name(req);
    StackFiles.Replacement r = replacement(req.getJsonObject("files"));
    Map<String, String> versions = versions(req.getValue("history"));
    JsonObject versionMeta = req.getValue("history_meta") instanceof JsonObject m ? m : null;
    boolean createOnly = req.getBoolean("create_only", false);
    String by = req.getString(Bus.BY);
    return locks.run(name, () -> {
      if (state.onEngine(name) && !state.hasFolder(name)) throw ApiException.conflict("Stack is not managed by DockUp");
      boolean created = !state.hasFolder(name);
      if (createOnly && !created) throw ApiException.conflict("A stack named " + name + " already exists");
      return processes.executeBlocking(() -> {
            Path staged = files.stage(r);
            try {
              JsonObject result = validation.get().validateStaged(name, staged, r.compose());
              if (!result.getBoolean("valid")) {
                throw new ApiException(400, "Invalid compose file: " + result.getString("error"), result.copy().put("success", false));
              }
              files.replace(name, staged, r, by);
            } finally {
              if (Files.exists(staged, LinkOption.NOFOLLOW_LINKS)) StackFiles.deleteTree(staged);
            }
            return files.history().importVersions(name, versions, versionMeta);
          }, false)
          .compose(imported -> rescan.get().map(v -> {
            JsonObject body = new JsonObject().put("success", true).put("stack", name).put("created", created)
                .put("history_imported", imported);
            return (Object) (created ? new Reply(201, body) : body);
          }));
    });
  }

  private static StackFiles.Replacement replacement(JsonObject f) {
    if (f == null) throw ApiException.badRequest("files are required");
    String composeFile = f.getString("compose_file");
    if (!ComposeFile.FILE_NAMES.contains(composeFile)) throw ApiException.badRequest("Invalid compose file name: " + composeFile);
    String overrideFile = f.getString("override_file");
    if (overrideFile != null && !ComposeFile.OVERRIDE_NAMES.contains(overrideFile)) {
      throw ApiException.badRequest("Invalid override file name: " + overrideFile);
    }
    String compose = text(f.getValue("compose"), "compose");
    String override = overrideFile == null ? null : text(f.getValue("override"), "override");
    String env = f.getValue("env") == null ? null : text(f.getValue("env"), "env");
    return new StackFiles.Replacement(composeFile, compose, overrideFile, override, env);
  }

  private static String text(Object raw, String what) {
    if (!(raw instanceof String s)) throw ApiException.badRequest(what + " must be a string");
    if (s.length() > ComposeFile.MAX_BYTES) throw new ApiException(413, what + " is larger than 1 MiB");
    return s;
  }

  private static Map<String, String> versions(Object raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw instanceof JsonObject o) {
      o.forEach(e -> {
        if (StackHistory.kind(e.getKey()) != null && e.getValue() instanceof String text) out.put(e.getKey(), text);
      });
    }
    return out;
  }

  private static String name(JsonObject req) {
    String name = req.getString(Bus.NAME);
    StackFiles.checkName(name);
    return name;
  }

  private static String id(JsonObject req) {
    String id = req.getString(Bus.ID);
    if (StackHistory.kind(id) == null) throw ApiException.notFound("Version not found");
    return id;
  }
}
