package dev.dockup.scan;

import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Map;

/** The severities every scanner's findings are counted in, worst first. */
public enum Severity {
  CRITICAL, HIGH, MEDIUM, LOW, UNKNOWN;

  /**
   * Trivy's names as they are, Grype's capitalised ones too; Grype's {@code Negligible} (below
   * low) counts as {@code LOW}, anything unknown as {@code UNKNOWN}.
   */
  public static Severity of(String name) {
    if (name == null) return UNKNOWN;
    String n = name.trim().toUpperCase(Locale.ROOT);
    if (n.equals("NEGLIGIBLE")) return LOW;
    for (Severity s : values()) if (s.name().equals(n)) return s;
    return UNKNOWN;
  }

  /** Whether this is as bad as {@code other} or worse. */
  public boolean atLeast(Severity other) {
    return ordinal() <= other.ordinal();
  }

  /** {@code {"CRITICAL":n,…,"UNKNOWN":n}} with every key present. */
  public static JsonObject counts(Map<Severity, Integer> counts) {
    JsonObject out = new JsonObject();
    for (Severity s : values()) out.put(s.name(), counts.getOrDefault(s, 0));
    return out;
  }

  /** The worst severity with a count above zero in {@code counts}, or null. */
  public static Severity worst(JsonObject counts) {
    if (counts == null) return null;
    for (Severity s : values()) if (counts.getInteger(s.name(), 0) > 0) return s;
    return null;
  }
}
