package dev.dockup.notify;

import dev.dockup.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Turns this node's feed messages into notifications: a failed operation, and a stack whose
 * health turns {@code unhealthy}. Every node publishes to {@link Bus#EVENTS} and every node runs
 * one of these, so each one notifies for its own stacks only, and a fleet sends one message per
 * event.
 */
public final class NotifyVerticle extends VerticleBase {
  /**
   * A crash-looping container flips its stack between unhealthy and healthy at every restart:
   * after a notification, the same stack's next one waits this long.
   */
  static final long UNHEALTHY_REPEAT_MS = TimeUnit.MINUTES.toMillis(5);

  /** Where notifications go: {@link Notifier#notify}, or a recorder in tests. */
  @FunctionalInterface
  interface Sink {
    void notify(String event, String stack, String title, String message);
  }

  private final String nodeName;
  private final Sink sink;
  private final long repeatMs;
  /** The last {@code health_status} seen per stack. */
  private final Map<String, String> health = new HashMap<>();
  /** When each stack's last unhealthy notification went out. */
  private final Map<String, Long> notifiedAt = new HashMap<>();

  public NotifyVerticle(String nodeName, Notifier notifier) {
    this(nodeName, notifier::notify, UNHEALTHY_REPEAT_MS);
  }

  NotifyVerticle(String nodeName, Sink sink, long repeatMs) {
    this.nodeName = nodeName;
    this.sink = sink;
    this.repeatMs = repeatMs;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>consumer(Bus.EVENTS, m -> {
      if (m.body() != null) onEvent(m.body());
    }).completion();
  }

  /** Runs on this verticle's context only: the maps need no lock. */
  void onEvent(JsonObject msg) {
    if (!nodeName.equals(msg.getValue(Bus.NODE))) return;
    String stack = msg.getValue(Bus.STACK) instanceof String s ? s : null;
    if (stack == null) return;
    switch (String.valueOf(msg.getValue("type"))) {
      case "operation_done" -> onOperationDone(stack, msg);
      case "stack_status" -> onStackStatus(stack, msg);
      default -> { }
    }
  }

  private void onOperationDone(String stack, JsonObject msg) {
    if (!Boolean.FALSE.equals(msg.getValue("success"))) return;
    Object operation = msg.getValue(Bus.OPERATION);
    Object exit = msg.getValue("exit_code");
    sink.notify("operation_failed", stack, (operation == null ? "operation" : operation) + " failed on " + stack,
        exit == null ? "no exit code (timed out or killed)" : "exit code " + exit);
  }

  /** Only the turn to unhealthy counts; a stack first seen unhealthy has turned so too. */
  private void onStackStatus(String stack, JsonObject msg) {
    if (Boolean.TRUE.equals(msg.getValue("removed"))) {
      health.remove(stack);
      return;
    }
    String now = msg.getValue("health_status") instanceof String s ? s : null;
    String before = health.put(stack, now);
    if (!"unhealthy".equals(now) || "unhealthy".equals(before)) return;
    long at = System.currentTimeMillis();
    Long last = notifiedAt.get(stack);
    if (last != null && at - last < repeatMs) return;
    notifiedAt.put(stack, at);
    sink.notify("stack_unhealthy", stack, stack + " is unhealthy", describe(stack, msg));
  }

  private String describe(String stack, JsonObject msg) {
    Object running = msg.getValue("running");
    Object containers = msg.getValue("containers");
    String counts = running != null && containers != null ? running + " of " + containers + " containers running, " : "";
    return "Stack " + stack + " on " + nodeName + " is unhealthy (" + counts + "status " + msg.getValue("status") + ").";
  }
}
