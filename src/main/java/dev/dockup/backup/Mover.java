package dev.dockup.backup;

import dev.dockup.Config;
import dev.dockup.auth.Secrets;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.fleet.Remote;
import dev.dockup.stack.StackFiles;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Moves a stack to another node of the fleet: the target is asked first (reachable, no stack
 * of that name), then a backup of the stack (with its volumes when asked) is made here, sent to
 * the target's backup service through its signed gateway in chunks, and restored there (started
 * when asked). Only once the target has it is the stack taken down and trashed here. Any
 * failure before that leaves the stack here as it was (started again if the move stopped it)
 * and the target without it. Each step is an {@code operation_output} line of a {@code move}
 * operation on the feed. The archive travels encrypted with a key derived from
 * {@code DOCKUP_CLUSTER_SECRET}: cluster traffic is not otherwise encrypted, and the archive
 * holds the stack's {@code .env}.
 */
final class Mover {
  private static final Logger LOG = LoggerFactory.getLogger(Mover.class);
  static final int CHUNK = 512 * 1024;
  static final long CHUNK_TIMEOUT_MS = 60_000;
  static final String OPERATION = "move";

  private final Jobs jobs;
  private final Creator creator;
  private final Remote remote;

  Mover(Jobs jobs, Creator creator, Remote remote) {
    this.jobs = jobs;
    this.creator = creator;
    this.remote = remote;
  }

  /** The record of one move, published line by line as it goes. */
  private final class Run {
    final String id = UUID.randomUUID().toString();
    final String stack;
    final String target;
    final Instant started = Instant.now();
    final List<String> output = new ArrayList<>();

    Run(String stack, String target) {
      this.stack = stack;
      this.target = target;
    }

    void line(String text) {
      output.add(text);
      publish("operation_output", new JsonObject().put("operation_id", id).put("operation", OPERATION).put("line", text));
    }

    JsonObject done(boolean success) {
      long ms = Instant.now().toEpochMilli() - started.toEpochMilli();
      publish("operation_done", new JsonObject().put("operation_id", id).put("operation", OPERATION).put("success", success)
          .put("exit_code", success ? 0 : 1).put("duration_ms", ms));
      return new JsonObject().put("success", success).put("operation_id", id).put("operation", OPERATION).put("stack", stack)
          .put("node", jobs.node()).put("target", target).put("started_at", started.toString()).put("duration_ms", ms)
          .put("output", new JsonArray(List.copyOf(output)));
    }

    private void publish(String type, JsonObject fields) {
      JsonObject msg = new JsonObject().put("type", type).put("node", jobs.node()).put("ts", Instant.now().toString()).put("stack", stack);
      fields.forEach(e -> msg.put(e.getKey(), e.getValue()));
      jobs.vertx().eventBus().publish(Bus.EVENTS, msg);
    }
  }

  /** {@code {name, node, volumes, up, stop, by}}. */
  Future<JsonObject> move(JsonObject req) {
    String name = req.getString(Bus.NAME);
    StackFiles.checkName(name);
    String target = req.getString(Bus.NODE);
    if (target == null || !Config.NODE_NAME.matcher(target).matches()) throw ApiException.badRequest("node must name a node of the fleet");
    if (target.equals(jobs.node())) throw ApiException.badRequest("The stack is already on " + target);
    if (remote == null) throw ApiException.unavailable("Node unreachable: this node is not in a fleet");
    boolean volumes = req.getBoolean("volumes", false);
    boolean up = req.getBoolean("up", true);
    boolean stop = req.getBoolean("stop", false);
    return jobs.stacks(Bus.Stacks.GET, new JsonObject().put(Bus.NAME, name), 30_000).compose(detail -> {
      if (detail.getBoolean("external", false)) throw ApiException.conflict("Stack is not managed by DockUp");
      boolean wasRunning = detail.getInteger("running", 0) != null && detail.getInteger("running", 0) > 0;
      Run run = new Run(name, target);
      run.line("Moving " + name + " from " + jobs.node() + " to " + target + (volumes ? " with its volumes" : ""));
      State state = new State();
      return ask(target, Bus.Backups.RECEIVE_BEGIN, new JsonObject().put(Bus.STACK, name), CHUNK_TIMEOUT_MS)
          .compose(begun -> {
            state.upload = begun.getString("upload_id");
            run.line(target + " is ready to receive it");
            if (!stop || !wasRunning) return Future.succeededFuture();
            run.line("Stopping " + name + " here for a consistent copy");
            state.stopped = true;
            return jobs.stacks(Bus.Stacks.OPERATION, new JsonObject().put(Bus.NAME, name).put(Bus.OPERATION, "stop"), jobs.operationTimeoutMs());
          })
          .compose(v -> {
            run.line("Making the archive");
            return creator.create(new Creator.Options(List.of(name), volumes, false, passphrase(jobs.config(), state.upload)));
          })
          .compose(made -> {
            state.archive = made;
            made.skipped().forEach(s -> run.line("Not moved: " + s.destination() + " (" + s.reason() + ")"));
            run.line("Sending " + made.size() + " bytes (" + made.volumes() + " volume(s))");
            return send(run, state, made.file(), made.size(), 0, -1);
          })
          .compose(v -> jobs.blocking(() -> ArchiveWriter.sha256(state.archive.file())))
          .compose(sha -> {
            run.line("Restoring on " + target + (up ? " and starting it" : ""));
            return ask(target, Bus.Backups.RECEIVE_END, new JsonObject().put("upload_id", state.upload).put("size", state.archive.size())
                .put("sha256", sha).put("up", up).put("volumes", volumes)
                .put(Bus.BY, req.getString(Bus.BY)), 24L * 3600_000);
          })
          .compose(restored -> {
            state.upload = null;
            state.restored = restored;
            run.line(name + " runs on " + target + "; taking it down and trashing it here");
            return jobs.stacks(Bus.Stacks.DELETE, new JsonObject().put(Bus.NAME, name).put(Bus.FORCE, true), jobs.operationTimeoutMs())
                .recover(t -> {
                  run.line("The stack runs on " + target + " but could not be removed here: " + t.getMessage());
                  return Future.failedFuture(new ApiException(500, "Moved to " + target + ", but not removed from " + jobs.node() + ": "
                      + t.getMessage(), run.done(false).put("restore", restored)));
                });
          })
          .map(deleted -> {
            run.line("Moved");
            return run.done(true).put("restore", state.restored);
          })
          .recover(t -> state.restored != null ? Future.failedFuture(t) : undo(run, state, name, t))
          .andThen(ar -> {
            if (state.archive != null) jobs.blocking(() -> {
              StackFiles.deleteTree(state.archive.work());
              return null;
            });
          });
    });
  }

  private static final class State {
    String upload;
    boolean stopped;
    Creator.Result archive;
    JsonObject restored;
  }

  /** Sends the archive from {@code offset}, one chunk after the other, saying every tenth. */
  private Future<Void> send(Run run, State state, Path file, long size, long offset, int lastTenth) {
    if (offset >= size) return Future.succeededFuture();
    return jobs.blocking(() -> {
          try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(offset);
            return in.readNBytes((int) Math.min(CHUNK, size - offset));
          }
        })
        .compose(bytes -> ask(run.target, Bus.Backups.RECEIVE_CHUNK, new JsonObject().put("upload_id", state.upload).put("offset", offset)
            .put("data", Base64.getEncoder().encodeToString(bytes)), CHUNK_TIMEOUT_MS).map(r -> (long) bytes.length))
        .compose(n -> {
          int tenth = (int) ((offset + n) * 10 / Math.max(1, size));
          if (tenth != lastTenth && tenth < 10) run.line("Sent " + tenth * 10 + "%");
          return send(run, state, file, size, offset + n, tenth);
        });
  }

  /** Nothing is left half-done: the target drops what it received, and a stack this move stopped runs again. */
  private Future<JsonObject> undo(Run run, State state, String name, Throwable cause) {
    String why = cause instanceof ApiException a ? a.getMessage() : "Internal error";
    if (!(cause instanceof ApiException)) LOG.error("Move of {} to {} failed", name, run.target, cause);
    run.line("Move failed: " + why);
    Future<?> abort = state.upload == null ? Future.succeededFuture()
        : ask(run.target, Bus.Backups.RECEIVE_ABORT, new JsonObject().put("upload_id", state.upload), CHUNK_TIMEOUT_MS).recover(t -> Future.succeededFuture());
    Future<?> restart = !state.stopped ? Future.succeededFuture()
        : jobs.stacks(Bus.Stacks.OPERATION, new JsonObject().put(Bus.NAME, name).put(Bus.OPERATION, "up"), jobs.operationTimeoutMs())
            .onSuccess(v -> run.line(name + " started again here"))
            .recover(t -> {
              run.line(name + " could not be started again here: " + t.getMessage());
              return Future.succeededFuture();
            });
    int status = cause instanceof ApiException a ? a.status() : 500;
    return Future.join(abort, restart).transform(ar -> Future.failedFuture(
        new ApiException(status, "Move failed: " + why + "; " + name + " stays on " + jobs.node(), run.done(false))));
  }

  /** A request to the target's backup service; an answer other than 2xx fails with its status and words. */
  private Future<JsonObject> ask(String node, String action, JsonObject payload, long timeoutMs) {
    return remote.request(node, "backups", action, payload, timeoutMs).map(a -> {
      if (a.status() >= 300) throw new ApiException(a.status(), node + " answered: " + a.body().getString("error", "HTTP " + a.status()));
      return a.body();
    });
  }

  /** The archive's passphrase for one move: both nodes derive it from the fleet's secret and the upload's id; it never travels. */
  static String passphrase(Config config, String upload) {
    byte[] key = config.cluster().secret().getBytes(StandardCharsets.UTF_8);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(
        Secrets.hmacSha256(key, ("dockup-move-v1\n" + upload).getBytes(StandardCharsets.UTF_8)));
  }
}
