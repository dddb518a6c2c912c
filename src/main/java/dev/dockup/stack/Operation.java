package dev.dockup.stack;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.UUID;

/** One compose operation, sync or async: the record DESIGN.md ("Operations") describes. */
final class Operation {
  static final int MAX_LINES = 5_000;

  final String id = UUID.randomUUID().toString();
  final String stack;
  final String node;
  final String operation;
  final List<String> services;
  final Instant startedAt = Instant.now();
  private final ArrayDeque<String> output = new ArrayDeque<>();
  private boolean truncated;
  String status = "running";
  Integer exitCode;
  Instant finishedAt;
  boolean timedOut;

  Operation(String stack, String node, String operation, List<String> services) {
    this.stack = stack;
    this.node = node;
    this.operation = operation;
    this.services = List.copyOf(services);
  }

  /** Keeps the last {@link #MAX_LINES} lines. */
  void line(String line) {
    if (output.size() == MAX_LINES) {
      output.removeFirst();
      truncated = true;
    }
    output.addLast(line);
  }

  void finish(Integer exit) {
    exitCode = exit;
    finishedAt = Instant.now();
    status = timedOut ? "timed_out" : exit != null && exit == 0 ? "succeeded" : "failed";
  }

  boolean succeeded() { return "succeeded".equals(status); }

  long durationMs() {
    return (finishedAt == null ? Instant.now() : finishedAt).toEpochMilli() - startedAt.toEpochMilli();
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("operation_id", id)
        .put("stack", stack)
        .put("node", node)
        .put("operation", operation)
        .put("services", new JsonArray(services))
        .put("status", status)
        .put("exit_code", exitCode)
        .put("started_at", startedAt.toString())
        .put("finished_at", finishedAt == null ? null : finishedAt.toString())
        .put("duration_ms", durationMs())
        .put("output", new JsonArray(List.copyOf(output)))
        .put("truncated", truncated);
  }
}
