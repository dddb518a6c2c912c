package dev.dockup.scan;

import com.fasterxml.jackson.core.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;

/**
 * Trivy's JSON report ({@code --format json}, SchemaVersion 2): {@code Results[]}, one per target
 * (the OS packages, each language's lock files), each with its {@code Vulnerabilities[]}
 * ({@code VulnerabilityID, PkgName, InstalledVersion, FixedVersion, Severity, Title, PrimaryURL}).
 * A clean image may have no {@code Results}, or results without {@code Vulnerabilities}.
 */
final class TrivyReport {
  private TrivyReport() {}

  static Report parse(InputStream in) throws IOException {
    Report.Builder out = new Report.Builder();
    boolean[] schema = {false};
    try (JsonParser p = JsonStream.open(in, "a Trivy report")) {
      JsonStream.object(p, Map.of(
          "SchemaVersion", q -> schema[0] = JsonStream.text(q) != null,
          "Trivy", q -> JsonStream.object(q, Map.of("Version", r -> out.scannerVersion(JsonStream.text(r)))),
          "Results", q -> JsonStream.array(q, result -> JsonStream.object(result, Map.of(
              "Vulnerabilities", v -> JsonStream.array(v, one -> vulnerability(one, out)))))));
    }
    if (!schema[0]) throw new IOException("not a Trivy report (no SchemaVersion)");
    return out.build();
  }

  private static void vulnerability(JsonParser p, Report.Builder out) throws IOException {
    Map<String, String> v = new HashMap<>();
    Map<String, JsonStream.Reader> fields = new HashMap<>();
    for (String name : new String[] {"VulnerabilityID", "PkgName", "InstalledVersion", "FixedVersion", "Severity",
        "Title", "Description", "PrimaryURL"}) {
      fields.put(name, q -> v.put(name, JsonStream.text(q)));
    }
    JsonStream.object(p, fields);
    String title = v.get("Title") != null ? v.get("Title") : v.get("Description");
    out.add(v.get("VulnerabilityID"), v.get("PkgName"), v.get("InstalledVersion"), v.get("FixedVersion"),
        v.get("Severity"), title, v.get("PrimaryURL"));
  }
}
