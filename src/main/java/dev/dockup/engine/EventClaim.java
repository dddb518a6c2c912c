package dev.dockup.engine;

import io.vertx.core.json.JsonObject;

/**
 * What an engine event says about a container's state ({@code die}: exited with this code;
 * {@code start}: running; {@code health_status: x}: health x). The engine announces a container's
 * exit before its own inspect shows it (it first tears down the network), so DockUp applies the
 * event at once and lets inspects confirm it; an inspect that still disagrees after a few
 * seconds wins.
 */
record EventClaim(String state, Long exitCode, String health, long atMs) {
  static final long TRUST_MS = 5_000;

  /** An event of {@code GET /events}: {@code Action}, and {@code Actor.Attributes} (labels and, for die, {@code exitCode}). */
  static EventClaim of(JsonObject event, long nowMs) {
    String action = action(event);
    JsonObject attrs = EngineJson.object(EngineJson.object(event, "Actor"), "Attributes");
    if (action.equals("die")) return new EventClaim("exited", parse(EngineJson.string(attrs, "exitCode")), null, nowMs);
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

  /** {@code Action}, or the older {@code status}; never null. */
  static String action(JsonObject event) {
    String action = EngineJson.string(event, "Action");
    if (action == null) action = EngineJson.string(event, "status");
    return action == null ? "" : action;
  }

  private static Long parse(String v) {
    try {
      return v == null ? null : Long.valueOf(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
