package dev.dockup.scan;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A scanner's report reduced to what DockUp keeps: counts by severity, the worst findings (at
 * most {@link #MAX_FINDINGS}), and every vulnerability id with its worst severity (what an update
 * would introduce or fix is told from these). Memory while reading stays bounded by the number of
 * distinct findings, never by the report's size.
 */
public record Report(JsonObject vulnerabilities, List<Finding> findings, boolean truncated, int total,
                     Map<String, Severity> cves, String scannerVersion) {
  public static final int MAX_FINDINGS = 200;
  static final int MAX_TEXT = 300;

  public JsonArray findingsJson() {
    JsonArray out = new JsonArray();
    findings.forEach(f -> out.add(f.toJson()));
    return out;
  }

  public JsonObject cvesJson() {
    JsonObject out = new JsonObject();
    cves.forEach((id, s) -> out.put(id, s.name()));
    return out;
  }

  /** Collects findings as a parser reads them. */
  static final class Builder {
    private final Set<String> seen = new HashSet<>();
    private final Map<Severity, Integer> counts = new EnumMap<>(Severity.class);
    private final Map<String, Severity> cves = new HashMap<>();
    /** The best {@link #MAX_FINDINGS} so far, the least bad at the head: the one to drop. */
    private final PriorityQueue<Finding> worst = new PriorityQueue<>(Finding.WORST_FIRST.reversed());
    private String scannerVersion;

    void add(String id, String pkg, String installed, String fixed, String severity, String title, String url) {
      if (id == null || id.isBlank()) return;
      Finding f = new Finding(cut(id, 100), cut(pkg, 200), cut(installed, 100), blankToNull(cut(fixed, 200)),
          Severity.of(severity), blankToNull(cut(title, MAX_TEXT)), blankToNull(cut(url, 500)));
      if (!seen.add(f.key())) return;
      counts.merge(f.severity(), 1, Integer::sum);
      cves.merge(f.id(), f.severity(), (a, b) -> a.atLeast(b) ? a : b);
      worst.add(f);
      if (worst.size() > MAX_FINDINGS) worst.poll();
    }

    void scannerVersion(String version) {
      if (version != null && !version.isBlank()) scannerVersion = cut(version, 50);
    }

    Report build() {
      List<Finding> list = new ArrayList<>(worst);
      list.sort(Finding.WORST_FIRST);
      return new Report(Severity.counts(counts), List.copyOf(list), seen.size() > list.size(), seen.size(),
          Map.copyOf(cves), scannerVersion);
    }
  }

  static String cut(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
