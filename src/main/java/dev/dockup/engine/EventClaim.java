package dev.dockup.engine;

import com.github.dockerjava.api.model.Event;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * What an engine event says about a container's state ({@code die}: exited with this code;
 * {@code start}: running; {@code health_status: x}: health x). The engine announces a container's
 * exit before its own inspect shows it (it first tears down the network), so DockUp applies the
 * event at once and lets inspects confirm it; an inspect that still disagrees after a few
 * seconds wins.
 */
record EventClaim(String state, Long exitCode, String health, long atMs) {
  static final long TRUST_MS = 5_000;

  static EventClaim of(Event event, long nowMs) {
    String action = event.getAction() == null ? "" : event.getAction();
    Map<String, String> attrs = event.getActor() == null || event.getActor().getAttributes() == null
        ? Map.of() : event.getActor().getAttributes();
    if (action.equals("die")) return new EventClaim("exited", parse(attrs.get("exitCode")), null, nowMs);
    if (action.equals("start") || action.equals("restart") || action.equals("unpause")) {
      return new EventClaim("running", null, null, nowMs);
    }
    if (action.startsWith("health_status: ")) {
      return new EventClaim(null, null, action.substring("health_status: ".length()).trim(), nowMs);
    }
    return null;
  }

  JsonObject applyTo(JsonObject facts) {
    JsonObject out = facts.copy();
    if (state != null) {
      out.put("state", state);
      if (exitCode != null) out.put("exit_code", exitCode);
    }
    if (health != null) out.put("health", health);
    String h = out.getString("health");
    String st = out.getString("state");
    out.put("status", ContainerFacts.describe(st, out.getLong("exit_code"), h));
    return out;
  }

  /** The inspect shows what the event said, or the event is too old to overrule it. */
  boolean settledBy(JsonObject inspected, long nowMs) {
    if (nowMs - atMs > TRUST_MS) return true;
    boolean stateAgrees = state == null || state.equals(inspected.getString("state"));
    boolean healthAgrees = health == null || health.equals(inspected.getString("health"));
    return stateAgrees && healthAgrees;
  }

  private static Long parse(String v) {
    try {
      return v == null ? null : Long.valueOf(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
