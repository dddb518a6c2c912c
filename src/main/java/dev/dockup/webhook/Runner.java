package dev.dockup.webhook;

import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.InternalError;
import dev.dockup.fleet.NodeTarget;
import dev.dockup.fleet.Remote;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;

/**
 * Runs a hook's operations one after the other on the stack's node, through the same services
 * (and, for another node, the same signed gateway) as the API's own routes, and stops at the
 * first that fails. The answer lists each result: the operation record for compose operations,
 * the check and the update record for {@code update}.
 */
final class Runner {
  private static final Logger LOG = LoggerFactory.getLogger(Runner.class);
  /** Compose operations, as {@code POST /api/stack/<name>/operation} takes them. */
  static final Set<String> COMPOSE = Set.of("pull", "up", "down", "stop", "restart");
  /** An update as a schedule in {@code auto} mode runs it (with the stack's scan gate). */
  static final String UPDATE = "update";

  /** What the hook's call answers: an HTTP status and a body. */
  record Outcome(int status, JsonObject body) {}

  private final Vertx vertx;
  private final NodeTarget stacks;
  private final NodeTarget schedules;
  private final NodeTarget updates;
  private final long operationTimeoutMs;
  private final long updateTimeoutMs;

  Runner(Vertx vertx, String self, Remote remote, long operationTimeoutMs, long updateTimeoutMs) {
    this.vertx = vertx;
    this.stacks = new NodeTarget(self, remote, "stacks", Bus.stacks(self));
    this.schedules = new NodeTarget(self, remote, "schedules", Bus.schedules(self));
    this.updates = new NodeTarget(self, remote, "updates", Bus.updates(self));
    this.operationTimeoutMs = operationTimeoutMs;
    this.updateTimeoutMs = updateTimeoutMs;
  }

  static boolean allowed(String operation) {
    return COMPOSE.contains(operation) || UPDATE.equals(operation);
  }

  /** Whether the stack is there (200), and if not, the service's answer (404, 503…). */
  Future<Remote.Answer> stack(String node, String stack) {
    return stacks.ask(vertx, node, Bus.Stacks.GET, new JsonObject().put(Bus.NAME, stack), 30_000)
        .recover(t -> Future.succeededFuture(failure(t, "stack lookup")));
  }

  Future<Outcome> run(Webhook h) {
    JsonArray results = new JsonArray();
    return next(h, h.operations(), 0, results);
  }

  private Future<Outcome> next(Webhook h, List<String> ops, int i, JsonArray results) {
    if (i == ops.size()) {
      return Future.succeededFuture(new Outcome(200, answer(h, results).put("success", true)));
    }
    String op = ops.get(i);
    Future<Remote.Answer> done = UPDATE.equals(op) ? update(h) : compose(h, op);
    return done.recover(t -> Future.succeededFuture(failure(t, op))).compose(a -> {
      JsonObject result = new JsonObject().put("operation", op).mergeIn(a.body()).put("http_status", a.status());
      boolean ok = a.status() == 200 && succeeded(op, a.body());
      result.put("success", ok);
      results.add(result);
      if (ok) return next(h, ops, i + 1, results);
      String error = a.body().getString("error", op + " failed");
      return Future.succeededFuture(new Outcome(a.status() == 200 ? 500 : a.status(),
          answer(h, results).put("success", false).put("error", error)));
    });
  }

  private Future<Remote.Answer> compose(Webhook h, String op) {
    JsonObject req = new JsonObject().put(Bus.NAME, h.stack()).put(Bus.OPERATION, op)
        .put(Bus.FORCE, false).put(Bus.FORCE_RECREATE, false).put(Bus.ASYNC, false);
    return stacks.ask(vertx, h.node(), Bus.Stacks.OPERATION, req, operationTimeoutMs);
  }

  /** With the stack's own scan gate, as its schedule would: a hook is no way around it. */
  private Future<Remote.Answer> update(Webhook h) {
    JsonObject named = new JsonObject().put(Bus.NAME, h.stack());
    return schedules.ask(vertx, h.node(), Bus.Schedules.GET, named, 30_000).compose(s -> {
      if (s.status() != 200) return Future.succeededFuture(s);
      JsonObject req = new JsonObject().put(Bus.STACK, h.stack()).put("mode", "auto").put("trigger", "webhook")
          .put("scan_gate", s.body().getString("scan_gate", "off"));
      return updates.ask(vertx, h.node(), Bus.Updates.RUN, req, updateTimeoutMs);
    });
  }

  /** An operation record says so; an update run says so in its record when it changed something. */
  private static boolean succeeded(String op, JsonObject body) {
    if (!UPDATE.equals(op)) return body.getBoolean("success", false);
    JsonObject record = body.getJsonObject("update");
    return record == null || "applied".equals(record.getString("result"));
  }

  private static JsonObject answer(Webhook h, JsonArray results) {
    return new JsonObject().put("hook", h.id()).put("stack", h.stack()).put("node", h.node()).put("results", results);
  }

  /** A request that got no answer, said as the API says it; anything unexpected is logged under a ref. */
  private static Remote.Answer failure(Throwable t, String what) {
    if (t instanceof ApiException api) return new Remote.Answer(api.status(), api.body());
    if (t instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
      return new Remote.Answer(503, new JsonObject().put("error", "Service unavailable"));
    }
    if (t instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      return new Remote.Answer(504, new JsonObject().put("error", "Operation timed out"));
    }
    return new Remote.Answer(500, InternalError.answer(LOG, "webhook " + what, t));
  }
}
