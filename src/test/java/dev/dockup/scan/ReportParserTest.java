package dev.dockup.scan;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recorded reports written to Trivy's and Grype's documented JSON (src/test/resources/scan). */
class ReportParserTest {
  static InputStream fixture(String name) {
    return ReportParserTest.class.getResourceAsStream("/scan/" + name);
  }

  static JsonObject counts(int critical, int high, int medium, int low, int unknown) {
    return new JsonObject().put("CRITICAL", critical).put("HIGH", high).put("MEDIUM", medium).put("LOW", low).put("UNKNOWN", unknown);
  }

  @Test
  void trivyWithSeveralTargetsCountsEachFindingOnceWorstFirst() throws IOException {
    Report r = TrivyReport.parse(fixture("trivy-several-targets.json"));
    // CVE-2024-0001 in busybox is listed by two targets: one finding.
    assertEquals(counts(1, 1, 1, 1, 1), r.vulnerabilities());
    assertEquals(5, r.total());
    assertFalse(r.truncated());
    assertEquals(List.of("CVE-2024-0001", "GHSA-3h5v-q93c-6h6q", "CVE-2024-2511", "CVE-2023-42363", "CVE-2024-9999"),
        r.findings().stream().map(Finding::id).toList());
    JsonObject first = r.findingsJson().getJsonObject(0);
    assertEquals(new JsonObject().put("id", "CVE-2024-0001").put("package", "busybox").put("installed", "1.36.1-r15")
        .putNull("fixed").put("severity", "CRITICAL").put("title", "busybox: remote code execution in the example applet")
        .put("url", "https://avd.aquasec.com/nvd/cve-2024-0001"), first);
    JsonObject medium = r.findingsJson().getJsonObject(2);
    assertEquals("libssl3", medium.getString("package"));
    assertEquals("3.1.4-r5", medium.getString("installed"));
    assertEquals("3.1.4-r6", medium.getString("fixed"));
    // No Title: the description stands in.
    assertTrue(r.findingsJson().getJsonObject(3).getString("title").startsWith("A use-after-free"));
    assertEquals(Severity.HIGH, r.cves().get("GHSA-3h5v-q93c-6h6q"));
    assertNull(r.scannerVersion());
  }

  @Test
  void trivyWithoutResultsOrWithoutVulnerabilitiesIsClean() throws IOException {
    for (String name : List.of("trivy-no-results.json", "trivy-no-vulnerabilities.json")) {
      Report r = TrivyReport.parse(fixture(name));
      assertEquals(counts(0, 0, 0, 0, 0), r.vulnerabilities(), name);
      assertTrue(r.findings().isEmpty());
      assertTrue(r.cves().isEmpty());
    }
  }

  @Test
  void grypeSeveritiesAreCapitalisedAndNegligibleCountsAsLow() throws IOException {
    Report r = GrypeReport.parse(fixture("grype.json"));
    assertEquals(counts(1, 1, 1, 1, 1), r.vulnerabilities());
    assertEquals("0.74.7", r.scannerVersion());
    JsonArray f = r.findingsJson();
    assertEquals(new JsonObject().put("id", "GHSA-xxxx-yyyy-zzzz").put("package", "example-lib").put("installed", "1.2.0")
        .put("fixed", "2.0.1, 1.9.9").put("severity", "CRITICAL").put("title", "Prototype pollution in example-lib")
        .put("url", "https://github.com/advisories/GHSA-xxxx-yyyy-zzzz"), f.getJsonObject(0));
    JsonObject high = f.getJsonObject(1);
    assertEquals("CVE-2022-48174", high.getString("id"));
    assertNull(high.getString("fixed"), "not fixed");
    assertEquals("https://bugs.busybox.net/show_bug.cgi?id=15216", high.getString("url"), "no dataSource: the first URL");
    assertEquals("LOW", f.getJsonObject(3).getString("severity"));
    assertEquals("libc6", f.getJsonObject(3).getString("package"));
  }

  @Test
  void grypeWithNoMatchesIsClean() throws IOException {
    Report r = GrypeReport.parse(fixture("grype-empty.json"));
    assertEquals(counts(0, 0, 0, 0, 0), r.vulnerabilities());
    assertTrue(r.findings().isEmpty());
  }

  @Test
  void atMost200FindingsAreKeptTheWorstOnes() throws IOException {
    JsonArray vulns = new JsonArray();
    for (int i = 0; i < 300; i++) {
      vulns.add(new JsonObject().put("VulnerabilityID", "CVE-2024-" + (10000 + i)).put("PkgName", "p" + i)
          .put("InstalledVersion", "1").put("Severity", i % 3 == 0 ? "LOW" : i == 299 ? "CRITICAL" : "MEDIUM"));
    }
    String doc = new JsonObject().put("SchemaVersion", 2).put("Results", new JsonArray()
        .add(new JsonObject().put("Target", "t").put("Vulnerabilities", vulns))).encode();
    Report r = TrivyReport.parse(new ByteArrayInputStream(doc.getBytes(StandardCharsets.UTF_8)));
    assertEquals(300, r.total());
    assertTrue(r.truncated());
    assertEquals(Report.MAX_FINDINGS, r.findings().size());
    assertEquals("CVE-2024-10299", r.findings().get(0).id());
    assertEquals(counts(1, 0, 199, 100, 0), r.vulnerabilities());
    assertTrue(r.findings().stream().limit(200).allMatch(x -> x.severity().atLeast(Severity.MEDIUM)), "no LOW kept while MEDIUMs are left out");
    assertEquals(300, r.cves().size(), "every id is kept for comparisons");
  }

  @Test
  void whatIsNotAReportIsRefused() {
    assertThrows(IOException.class, () -> TrivyReport.parse(stream("FATAL unable to initialize a scanner")));
    assertThrows(IOException.class, () -> TrivyReport.parse(stream("{\"matches\":[]}")), "no SchemaVersion");
    assertThrows(IOException.class, () -> TrivyReport.parse(stream("{\"SchemaVersion\":2,\"Results\":[{\"Target\":")));
    assertThrows(IOException.class, () -> GrypeReport.parse(stream("{\"SchemaVersion\":2}")), "no matches");
    assertThrows(IOException.class, () -> GrypeReport.parse(stream("[]")));
  }

  private static InputStream stream(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }
}
