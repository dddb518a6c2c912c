package dev.dockup.backup;

import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Tells the live feed about every backup, restore and move of this node, whoever started it
 * (the API, the {@code backup_cron} schedule, {@code ctl}, another node moving a stack here),
 * so every open dashboard shows it running and then done: {@code backup_started} and
 * {@code backup_done}. Every feed client reads them whatever its scope, so they carry names,
 * sizes and DockUp's own words only: never a passphrase, a credential or an exception's text.
 * They carry no {@code stack} field: they are about the node, and a client that narrowed the
 * feed to some stacks still sees them.
 */
final class BackupFeed {
  static final String STARTED = "backup_started";
  static final String DONE = "backup_done";

  /**
   * What starts: {@code kind} create, restore or move; {@code trigger} api, schedule or move (a
   * restore on the target of a move); {@code stacks} null for "every stack" (of the node, or of
   * the archive); {@code file} a kept archive's name; {@code target} a move's target node.
   */
  record Start(String kind, String trigger, List<String> stacks, boolean withVolumes, String file, String target) {}

  /** A started job: its id, and when it started. */
  record Job(String id, Start start, Instant started) {}

  private final Vertx vertx;
  private final String node;

  BackupFeed(Vertx vertx, String node) {
    this.vertx = vertx;
    this.node = node;
  }

  Job started(Start s) {
    Job job = new Job(UUID.randomUUID().toString(), s, Instant.now());
    JsonObject msg = message(STARTED, job).put("stacks", s.stacks() == null ? null : new JsonArray(s.stacks()))
        .put("with_volumes", s.withVolumes());
    if (s.file() != null) msg.put("file", s.file());
    publish(msg);
    return job;
  }

  /** The job's outcome from the service's own answer (or failure). */
  void done(Job job, AsyncResult<JsonObject> ar) {
    Start s = job.start();
    JsonObject msg = message(DONE, job).put("duration_ms", Instant.now().toEpochMilli() - job.started().toEpochMilli());
    List<String> stacks = s.stacks();
    if (s.file() != null) msg.put("file", s.file());
    if (ar.failed()) {
      msg.put("success", false).put("error", reason(ar.cause()));
    } else {
      JsonObject r = ar.result();
      boolean ok = r.getBoolean("success", true);
      msg.put("success", ok);
      switch (s.kind()) {
        case "create" -> {
          msg.put("file", r.getString("backup_file")).put("size", r.getLong("size")).put("encrypted", r.getBoolean("encrypted", false));
          stacks = names(r.getJsonArray("stacks"), null);
        }
        case "restore" -> {
          stacks = names(r.getJsonArray("restored"), "stack");
          if (!ok) msg.put("error", notRestored(r.getJsonArray("skipped")));
        }
        default -> { }
      }
    }
    msg.put("stacks", stacks == null ? null : new JsonArray(stacks));
    publish(msg);
  }

  /** DockUp's own words for a failure; anything else stays in the node's log. */
  static String reason(Throwable t) {
    return t instanceof ApiException a ? a.getMessage() : "Internal error";
  }

  private JsonObject message(String type, Job job) {
    JsonObject msg = new JsonObject().put("type", type).put("node", node).put("ts", Instant.now().toString())
        .put("job_id", job.id()).put("kind", job.start().kind()).put("trigger", job.start().trigger());
    if (job.start().target() != null) msg.put("target", job.start().target());
    return msg;
  }

  private void publish(JsonObject msg) {
    vertx.eventBus().publish(Bus.EVENTS, msg);
  }

  private static List<String> names(JsonArray list, String field) {
    if (list == null) return List.of();
    return list.stream().map(o -> field == null ? String.valueOf(o) : ((JsonObject) o).getString(field)).toList();
  }

  /** A restore that went on past a stack's failure: which ones, and why (the restore's own words). */
  private static String notRestored(JsonArray skipped) {
    StringBuilder out = new StringBuilder("Not restored:");
    if (skipped != null) {
      skipped.stream().map(o -> (JsonObject) o).filter(o -> o.getBoolean("failed", false))
          .forEach(o -> out.append(out.length() > 13 ? "; " : " ").append(o.getString("stack")).append(" (").append(o.getString("reason")).append(')'));
    }
    return out.toString();
  }
}
