package dev.dockup.scan;

import com.fasterxml.jackson.core.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Grype's JSON report ({@code -o json}): {@code matches[]}, each a {@code vulnerability}
 * ({@code id}, capitalised {@code severity}, {@code fix.versions}, {@code dataSource},
 * {@code urls}, {@code description}) found in an {@code artifact} ({@code name}, {@code version});
 * {@code descriptor.version} is Grype's own version.
 */
final class GrypeReport {
  private GrypeReport() {}

  static Report parse(InputStream in) throws IOException {
    Report.Builder out = new Report.Builder();
    boolean[] matches = {false};
    try (JsonParser p = JsonStream.open(in, "a Grype report")) {
      JsonStream.object(p, Map.of(
          "matches", q -> {
            matches[0] = true;
            JsonStream.array(q, m -> match(m, out));
          },
          "descriptor", q -> JsonStream.object(q, Map.of("version", r -> out.scannerVersion(JsonStream.text(r))))));
    }
    if (!matches[0]) throw new IOException("not a Grype report (no matches)");
    return out.build();
  }

  private static void match(JsonParser p, Report.Builder out) throws IOException {
    Map<String, String> v = new HashMap<>();
    List<String> fixes = new ArrayList<>();
    List<String> urls = new ArrayList<>();
    JsonStream.object(p, Map.of(
        "vulnerability", q -> JsonStream.object(q, Map.of(
            "id", r -> v.put("id", JsonStream.text(r)),
            "severity", r -> v.put("severity", JsonStream.text(r)),
            "dataSource", r -> v.put("url", JsonStream.text(r)),
            "description", r -> v.put("title", JsonStream.text(r)),
            "urls", r -> JsonStream.array(r, u -> add(urls, JsonStream.text(u))),
            "fix", r -> JsonStream.object(r, Map.of("versions", s -> JsonStream.array(s, f -> add(fixes, JsonStream.text(f))))))),
        "artifact", q -> JsonStream.object(q, Map.of(
            "name", r -> v.put("package", JsonStream.text(r)),
            "version", r -> v.put("installed", JsonStream.text(r))))));
    String url = v.get("url") != null ? v.get("url") : urls.isEmpty() ? null : urls.get(0);
    out.add(v.get("id"), v.get("package"), v.get("installed"), fixes.isEmpty() ? null : String.join(", ", fixes),
        v.get("severity"), v.get("title"), url);
  }

  private static void add(List<String> list, String value) {
    if (value != null && list.size() < 20) list.add(value);
  }
}
