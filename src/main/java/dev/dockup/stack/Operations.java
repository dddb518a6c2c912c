package dev.dockup.stack;

import dev.dockup.bus.ApiException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The compose operations of this node's stacks: one at a time per stack, each run by the compose
 * CLI on a worker with a time limit (past it, compose is killed with everything it started), its
 * output published line by line, the last ones kept. Confined to the stacks verticle's event loop.
 */
final class Operations {
  private static final Logger LOG = LoggerFactory.getLogger(Operations.class);
  private static final int RECENT = 100;

  private final Vertx vertx;
  private final Context context;
  private final WorkerExecutor processes;
  private final StackState state;
  private final String node;
  private final long timeoutSeconds;
  private ComposeCli compose;

  private final Map<String, Operation> running = new HashMap<>();
  private final ArrayDeque<Operation> recent = new ArrayDeque<>();
  private final List<Promise<Void>> idleWaiters = new ArrayList<>();

  Operations(Context context, WorkerExecutor processes, StackState state, String node, long timeoutSeconds) {
    this.vertx = context.owner();
    this.context = context;
    this.processes = processes;
    this.state = state;
    this.node = node;
    this.timeoutSeconds = timeoutSeconds;
  }

  void compose(ComposeCli cli) {
    compose = cli;
  }

  /** 409 naming the running operation when the stack has one. */
  void checkIdle(String name) {
    Operation busy = running.get(name);
    if (busy != null) {
      throw new ApiException(409, "An operation is already running on " + name + ": " + busy.operation,
          new JsonObject().put("operation_id", busy.id).put("operation", busy.operation));
    }
  }

  Operation begin(String name, String op, List<String> services) {
    Operation o = new Operation(name, node, op, services);
    running.put(name, o);
    return o;
  }

  Future<Operation> run(Operation o, StackFiles.Folder folder, List<String> args) {
    AtomicReference<Process> process = new AtomicReference<>();
    long timer = vertx.setTimer(TimeUnit.SECONDS.toMillis(timeoutSeconds), id -> {
      o.timedOut = true;
      Process p = process.get();
      if (p != null) ComposeCli.killTree(p);
    });
    List<String> composeFiles = new ArrayList<>(List.of(folder.composeFile()));
    composeFiles.addAll(folder.overrides());
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

  /** An operation that had nothing to do: said so in its output, and successful. */
  Operation finishedWithout(Operation o, String why) {
    o.line(why);
    finish(o, 0);
    return o;
  }

  private void outputLine(Operation o, String line) {
    o.line(line);
    state.publish("operation_output", o.stack, new JsonObject()
        .put("operation_id", o.id).put("operation", o.operation).put("line", line));
  }

  private void finish(Operation o, Integer exitCode) {
    o.finish(exitCode);
    running.remove(o.stack, o);
    recent.addLast(o);
    while (recent.size() > RECENT) recent.removeFirst();
    if (!o.succeeded()) LOG.warn("{} {} {} (exit {})", o.operation, o.stack, o.status, o.exitCode);
    state.publish("operation_done", o.stack, new JsonObject()
        .put("operation_id", o.id).put("operation", o.operation).put("success", o.succeeded()).put("status", o.status)
        .put("exit_code", o.exitCode).put("duration_ms", o.durationMs()));
    if (running.isEmpty()) {
      idleWaiters.forEach(Promise::tryComplete);
      idleWaiters.clear();
    }
  }

  /** Running ones first, then the finished ones, newest first. */
  JsonObject list() {
    JsonArray list = new JsonArray();
    running.values().forEach(o -> list.add(o.toJson()));
    List<Operation> done = new ArrayList<>(recent);
    for (int i = done.size() - 1; i >= 0; i--) list.add(done.get(i).toJson());
    return new JsonObject().put("operations", list);
  }

  JsonObject get(String id) {
    for (Operation o : running.values()) if (o.id.equals(id)) return o.toJson();
    for (Operation o : recent) if (o.id.equals(id)) return o.toJson();
    throw ApiException.notFound("Operation not found");
  }

  int runningCount() {
    return running.size();
  }

  /** Completes once no operation runs. */
  Future<Void> idle() {
    if (running.isEmpty()) return Future.succeededFuture();
    Promise<Void> idle = Promise.promise();
    idleWaiters.add(idle);
    return idle.future();
  }
}
