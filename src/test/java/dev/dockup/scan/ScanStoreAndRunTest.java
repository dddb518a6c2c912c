package dev.dockup.scan;

import dev.dockup.proc.ProcessRunner;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Results on disk (bounded, kept across a restart) and one scanner run, with a stand-in script for the scanner. */
class ScanStoreAndRunTest {
  @TempDir Path tmp;

  ScanQueue.Target target(String id) {
    return new ScanQueue.Target(id, "shop/api:" + id.substring(7, 9), id, false);
  }

  /** A scanner whose program is {@code script} (sh). */
  Scanner standIn(String name, String script, String token) throws Exception {
    Path exe = tmp.resolve(name);
    Files.writeString(exe, "#!/bin/sh\n" + script + "\n");
    Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwx------"));
    Map<String, String> env = new HashMap<>(ProcessRunner.cleanEnvironment(null));
    if (token != null) env.put("TRIVY_TOKEN", token);
    return new Scanner(name, "0.0.1", exe, token == null ? null : "http://127.0.0.1:1", env);
  }

  @Test
  void aRunStoresItsCountsAndAFailureKeepsThem() throws Exception {
    ScanStore store = ScanStore.load(tmp.resolve("scans"), 10);
    ScanRun run = new ScanRun(store, tmp.resolve("work"), tmp.resolve("cache"), 20);
    ScanRun.prepare(tmp.resolve("work"), tmp.resolve("cache"));
    Path report = tmp.resolve("report.json");
    try (var in = getClass().getResourceAsStream("/scan/trivy-several-targets.json")) {
      Files.copy(in, report);
    }
    Scanner ok = standIn("trivy", "echo \"$@\" > " + tmp.resolve("args") + "; cat " + report, null);
    ScanQueue.Target t = target("sha256:" + "1".repeat(64));
    JsonObject done = run.run(ok, t, "shop/api:1.4", p -> {});
    assertEquals("completed", done.getString("status"));
    assertEquals(1, done.getJsonObject("vulnerabilities").getInteger("CRITICAL"));
    assertFalse(done.containsKey("findings"), "the summary in memory holds no findings");
    String args = Files.readString(tmp.resolve("args")).trim();
    assertEquals("image --format json --quiet --scanners vuln --list-all-pkgs=false --timeout 20s --cache-dir "
        + tmp.resolve("cache") + " shop/api:1.4", args);
    assertEquals(5, store.full(t.key()).getJsonArray("findings").size());

    Scanner failing = standIn("trivy", "echo 'INFO starting' >&2; printf '\\033[31mFATAL\\033[0m token s3cret refused\\n' >&2; exit 1", "s3cret");
    JsonObject failed = run.run(failing, t, "shop/api:1.4", p -> {});
    assertEquals("failed", failed.getString("status"));
    assertEquals("trivy failed (exit code 1): INFO starting / FATAL token *** refused", failed.getString("error"));
    assertEquals(done.getJsonObject("vulnerabilities"), failed.getJsonObject("vulnerabilities"), "the last completed scan's counts stay");
    assertEquals(done.getString("scan_time"), failed.getString("scan_time"));
    assertEquals(5, store.full(t.key()).getJsonArray("findings").size());

    JsonObject garbage = run.run(standIn("trivy", "echo not json", null), target("sha256:" + "2".repeat(64)), "x", p -> {});
    assertEquals("failed", garbage.getString("status"));
    assertTrue(garbage.getString("error").startsWith("The trivy report could not be read"), garbage.encode());
    assertNull(garbage.getValue("vulnerabilities"), "never completed: no counts");
    try (var left = Files.list(tmp.resolve("work"))) {
      assertEquals(0, left.count(), "each run's files are gone");
    }
  }

  @Test
  void resultsSurviveARestartAndOnlyTheNewestAreKept() throws Exception {
    ScanStore store = ScanStore.load(tmp.resolve("scans"), 3);
    for (int i = 1; i <= 4; i++) {
      store.save(new JsonObject().put("key", "sha256:" + i).put("image_id", "sha256:" + i).put("status", "completed")
          .put("attempted_at", "2024-05-0" + i + "T10:00:00Z").put("vulnerabilities", new JsonObject().put("HIGH", i))
          .put("findings", List.of()).put("cves", new JsonObject()));
    }
    Files.writeString(tmp.resolve("scans").resolve("broken.json"), "{not json");
    assertNull(store.summary("sha256:1"), "the oldest went");
    ScanStore again = ScanStore.load(tmp.resolve("scans"), 3);
    assertNotNull(again.summary("sha256:4"));
    assertEquals(List.of("sha256:4", "sha256:3", "sha256:2"), again.recent(10).stream().map(s -> s.getString("key")).toList());
    assertEquals(new JsonObject().put("HIGH", 3), again.countsByImage().getJsonObject("sha256:3"));
    assertFalse(Files.exists(tmp.resolve("scans").resolve("broken.json")), "an unreadable file is removed");
    try (var files = Files.list(tmp.resolve("scans"))) {
      assertTrue(files.allMatch(f -> {
        try {
          return Files.getPosixFilePermissions(f).equals(PosixFilePermissions.fromString("rw-------"));
        } catch (Exception e) {
          return false;
        }
      }), "owner-only");
    }
    assertEquals(3, again.clear());
    assertTrue(again.recent(10).isEmpty());
    assertEquals(0, ScanStore.load(tmp.resolve("scans"), 3).recent(10).size());
  }
}
