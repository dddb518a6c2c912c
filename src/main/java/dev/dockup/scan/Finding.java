package dev.dockup.scan;

import io.vertx.core.json.JsonObject;

import java.util.Comparator;

/** One vulnerability found in one package, as every scanner's report is reduced to. */
public record Finding(String id, String pkg, String installed, String fixed, Severity severity, String title, String url) {
  /** Worst first, then by id and package, so a list is the same however the report was ordered. */
  public static final Comparator<Finding> WORST_FIRST = Comparator.comparing(Finding::severity)
      .thenComparing(Finding::id, Comparator.nullsLast(Comparator.naturalOrder()))
      .thenComparing(Finding::pkg, Comparator.nullsLast(Comparator.naturalOrder()));

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("package", pkg).put("installed", installed).put("fixed", fixed)
        .put("severity", severity.name()).put("title", title).put("url", url);
  }

  /** The same package's same vulnerability reported twice (Trivy lists it once per target) counts once. */
  String key() {
    return id + "\u0000" + pkg + "\u0000" + installed;
  }
}
