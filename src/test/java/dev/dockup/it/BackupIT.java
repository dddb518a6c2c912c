package dev.dockup.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Configuration backups on one node with the shared engine (no stack is started, so two nodes
 * share the engine without seeing each other's stacks): made, downloaded only with admin,
 * restored into an empty instance byte for byte, by the 1.3.0 document's {@code backup_file}
 * form, dry-run and renamed; bad archives refused whole with nothing written; retention; and a
 * stack's file history.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BackupIT {
  @TempDir static Path tmp;
  TestNode node;
  String a;
  String b;

  static final String ENV = "GREETING=hello\nSECRET=s3cret\n";
  static final String OVERRIDE = "services:\n  web:\n    environment:\n      - MODE=override\n";

  @BeforeAll
  void start() throws Exception {
    node = TestNode.builder().root(tmp.resolve("one")).config("backup_keep", 3).start();
    a = Stacks.uniqueName("bka");
    b = Stacks.uniqueName("bkb");
    assertEquals(201, node.http.post("/api/stack/" + a + "/compose", Stacks.content(Stacks.twoServices("v1"))).status());
    assertEquals(200, node.http.post("/api/stack/" + a + "/compose", Stacks.content(Stacks.twoServices("v2"))).status());
    assertEquals(200, node.http.put("/api/stack/" + a + "/env", Stacks.content(ENV)).status());
    Files.writeString(node.stacksDir.resolve(a).resolve("compose.override.yaml"), OVERRIDE);
    // Written by hand, under the other name compose accepts.
    Path folderB = Files.createDirectories(node.stacksDir.resolve(b));
    Files.writeString(folderB.resolve("docker-compose.yml"), Stacks.twoServices("b"));
    node.awaitList(l -> Stacks.find(l, b) != null, Duration.ofSeconds(10));
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  String backup(String query, JsonObject body) {
    Http.Resp r = node.http.post("/api/backup/create" + query, body);
    assertEquals(200, r.status(), r.toString());
    assertTrue(r.text().contains("\"success\":true"), r.text());
    String file = r.json().getString("backup_file");
    assertTrue(file.matches("backup_\\d{8}_\\d{6}(_\\d+)?\\.tar\\.gz"), file);
    return file;
  }

  static void sameFiles(Path from, Path to, String... names) throws IOException {
    for (String n : names) {
      assertArrayEquals(Files.readAllBytes(from.resolve(n)), Files.readAllBytes(to.resolve(n)), n + " byte for byte");
    }
  }

  Http withToken(String scope) {
    Http.Resp t = node.http.post("/api/tokens", new JsonObject().put("name", "bk-" + scope + "-" + System.nanoTime()).put("scope", scope));
    assertEquals(201, t.status(), t.toString());
    return node.http.anonymous().with("X-API-Token", t.json().getString("token"));
  }

  @Test
  void aConfigurationBackupOfTwoStacksRestoresIntoAnEmptyInstanceByteForByte() throws Exception {
    String file = backup("?stacks=" + a + "," + b, new JsonObject());
    int versions = node.http.get("/api/stack/" + a + "/history").json().getJsonArray("versions").size();
    assertTrue(versions > 0);
    JsonObject listed = node.http.get("/api/backups").json().getJsonArray("backups").stream().map(JsonObject.class::cast)
        .filter(o -> file.equals(o.getString("file"))).findFirst().orElseThrow();
    assertEquals(new JsonArray().add(a).add(b), listed.getJsonArray("stacks"));
    Path kept = node.dataDir.resolve("backups").resolve(file);
    assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(kept)));

    // Downloaded only with authentication, and only by admin.
    Http read = withToken("read");
    for (String path : List.of("/api/backup/download/" + file, "/static/backups/" + file)) {
      assertEquals(401, Backups.download(node.http.anonymous(), path).status(), path);
      assertEquals(403, Backups.download(read, path).status(), path);
    }
    Backups.Download got = Backups.download(node.http, "/static/backups/" + file);
    assertEquals(200, got.status());
    assertArrayEquals(Files.readAllBytes(kept), got.bytes());

    try (TestNode empty = TestNode.builder().root(tmp.resolve("empty")).start()) {
      Http.Resp restored = Backups.upload(empty.http, Backups.download(node.http, "/api/backup/download/" + file).bytes(), null);
      assertEquals(200, restored.status(), restored.toString());
      assertTrue(restored.text().contains("\"success\":true"), restored.text());
      assertEquals(new JsonArray().add(a).add(b), restored.json().getJsonArray("added"));
      sameFiles(node.stacksDir.resolve(a), empty.stacksDir.resolve(a), "compose.yaml", ".env", "compose.override.yaml");
      sameFiles(node.stacksDir.resolve(b), empty.stacksDir.resolve(b), "docker-compose.yml");
      assertFalse(Files.exists(empty.stacksDir.resolve(b).resolve("compose.yaml")));
      assertEquals(versions, empty.http.get("/api/stack/" + a + "/history").json().getJsonArray("versions").size(), "its history came along");
      assertEquals("inactive", empty.awaitStack(a, s -> true, Duration.ofSeconds(5)).getString("status"), "not started without up");
      assertEquals(List.of(), Engine.shared().containers(a), "nothing runs");
    }

    // The 1.3.0 document's form, on the node itself, after the stack was deleted.
    assertEquals(200, node.http.delete("/api/stack/" + b).status());
    assertFalse(Files.exists(node.stacksDir.resolve(b)));
    Http.Resp back = node.http.post("/api/backup/restore", new JsonObject().put("backup_file", file));
    assertEquals(200, back.status(), back.toString());
    assertEquals(new JsonArray().add(b), back.json().getJsonArray("added"));
    assertEquals(new JsonArray().add(a), back.json().getJsonArray("unchanged"));
    assertEquals(Stacks.twoServices("b"), Files.readString(node.stacksDir.resolve(b).resolve("docker-compose.yml")));
  }

  @Test
  void aDryRunChangesNothingAndARenameRestoresUnderAnotherName() throws Exception {
    String file = backup("", new JsonObject().put("stacks", new JsonArray().add(a).add(b)));
    assertEquals(200, node.http.post("/api/stack/" + a + "/compose", Stacks.content(Stacks.twoServices("changed"))).status());
    Map<String, String> before = Backups.tree(node.stacksDir, node.dataDir);

    Http.Resp dry = node.http.post("/api/backup/restore?dry_run=true", new JsonObject().put("backup_file", file));
    assertEquals(200, dry.status(), dry.toString());
    assertEquals(new JsonArray().add(a), dry.json().getJsonArray("replaced"));
    assertEquals(new JsonArray().add(b), dry.json().getJsonArray("unchanged"));
    assertEquals(new JsonArray(), dry.json().getJsonArray("added"));
    assertEquals(before, Backups.tree(node.stacksDir, node.dataDir), "a dry run writes nothing");

    String renamed = Stacks.uniqueName("bkr");
    Http.Resp r = node.http.post("/api/backup/restore", new JsonObject().put("backup_file", file)
        .put("stacks", new JsonArray().add(a)).put("rename", new JsonObject().put(a, renamed)));
    assertEquals(200, r.status(), r.toString());
    assertEquals(new JsonArray().add(renamed), r.json().getJsonArray("added"));
    assertEquals(Stacks.twoServices("changed"), Files.readString(node.stacksDir.resolve(a).resolve("compose.yaml")), "a itself is untouched");
    assertEquals(Stacks.twoServices("v2"), Files.readString(node.stacksDir.resolve(renamed).resolve("compose.yaml")));
    sameFiles(node.stacksDir.resolve(a), node.stacksDir.resolve(renamed), ".env", "compose.override.yaml");

    // Replacing a stack keeps its current text in its history.
    int versions = node.http.get("/api/stack/" + a + "/history").json().getJsonArray("versions").size();
    Http.Resp replaced = node.http.post("/api/backup/restore", new JsonObject().put("backup_file", file).put("stacks", new JsonArray().add(a)));
    assertEquals(new JsonArray().add(a), replaced.json().getJsonArray("replaced"), replaced.toString());
    assertEquals(Stacks.twoServices("v2"), Files.readString(node.stacksDir.resolve(a).resolve("compose.yaml")));
    JsonArray after = node.http.get("/api/stack/" + a + "/history").json().getJsonArray("versions");
    assertEquals(versions + 1, after.size());
    assertEquals(Stacks.twoServices("changed"), node.http.get("/api/stack/" + a + "/history/" + after.getJsonObject(0).getString("id"))
        .json().getString("content"));
  }

  // ---- bad archives ----

  interface Body {
    void write(TarArchiveOutputStream tar) throws IOException;
  }

  static byte[] tgz(Body body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      body.write(tar);
    }
    return out.toByteArray();
  }

  static final byte[] COMPOSE = Stacks.twoServices("evil").getBytes(StandardCharsets.UTF_8);

  static void manifest(TarArchiveOutputStream tar, String stack, long size) throws IOException {
    byte[] m = new JsonObject().put("format", 1).put("kind", "config").put("stacks", new JsonArray().add(stack))
        .put("files", new JsonArray().add(new JsonObject().put("path", "stacks/" + stack + "/compose.yaml").put("size", size)
            .put("sha256", Backups.sha256(COMPOSE)))).encode().getBytes(StandardCharsets.UTF_8);
    file(tar, new TarArchiveEntry("manifest.json"), m);
  }

  static void file(TarArchiveOutputStream tar, TarArchiveEntry e, byte[] bytes) throws IOException {
    e.setSize(bytes.length);
    tar.putArchiveEntry(e);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  static void special(TarArchiveOutputStream tar, String name, byte type, String link) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, type);
    if (link != null) e.setLinkName(link);
    if (type == TarConstants.LF_CHR) {
      e.setDevMajor(1);
      e.setDevMinor(3);
    }
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  @Test
  void badArchivesAreRefusedWholeWithNothingWrittenAnywhere() throws Exception {
    String s = Stacks.uniqueName("evil");
    String in = "stacks/" + s + "/compose.yaml";
    Map<String, byte[]> bad = new java.util.LinkedHashMap<>();
    bad.put("../x", tgz(tar -> {
      manifest(tar, s, COMPOSE.length);
      file(tar, new TarArchiveEntry("stacks/" + s + "/../../../x"), COMPOSE);
    }));
    bad.put("/etc/x", tgz(tar -> {
      manifest(tar, s, COMPOSE.length);
      file(tar, new TarArchiveEntry("/etc/x", true), COMPOSE);
    }));
    bad.put("symlink", tgz(tar -> {
      manifest(tar, s, COMPOSE.length);
      special(tar, in, TarConstants.LF_SYMLINK, "/etc/passwd");
    }));
    bad.put("hard link", tgz(tar -> {
      manifest(tar, s, COMPOSE.length);
      special(tar, in, TarConstants.LF_LINK, "manifest.json");
    }));
    bad.put("device", tgz(tar -> {
      manifest(tar, s, COMPOSE.length);
      special(tar, in, TarConstants.LF_CHR, null);
    }));
    bad.put("larger than the manifest says", tgz(tar -> {
      manifest(tar, s, 10);
      file(tar, new TarArchiveEntry(in), COMPOSE);
    }));
    bad.put("10 GB sparse", sparse(s));

    // The node's folders, the test's folder around them, and where the two escaping names point.
    Path outside = tmp.resolve("one");
    Map<String, String> before = Backups.tree(outside);
    assertFalse(Files.exists(Path.of("/etc/x")));
    for (var e : bad.entrySet()) {
      Http.Resp r = Backups.upload(node.http, e.getValue(), null);
      assertEquals(400, r.status(), e.getKey() + ": " + r);
      assertTrue(r.json().getString("error").startsWith("Archive refused"), e.getKey() + ": " + r);
      assertEquals(before, Backups.tree(outside), e.getKey() + ": nothing written anywhere");
    }
    assertFalse(Files.exists(Path.of("/etc/x")));
    assertFalse(Files.exists(outside.resolve("x")) || Files.exists(tmp.resolve("x")) || Files.exists(Path.of("x")));
    // The document's form too, from an archive put among the kept ones.
    Files.write(node.dataDir.resolve("backups").resolve("backup_20000101_000000.tar.gz"), bad.get("symlink"));
    before = Backups.tree(outside);
    Http.Resp r = node.http.post("/api/backup/restore", new JsonObject().put("backup_file", "backup_20000101_000000.tar.gz"));
    assertEquals(400, r.status(), r.toString());
    assertEquals(before, Backups.tree(outside), "nothing written anywhere");
    assertFalse(Files.exists(node.stacksDir.resolve(s)));
    assertNull(Stacks.find(node.http.get("/api/stacks").json(), s));
    Files.delete(node.dataDir.resolve("backups").resolve("backup_20000101_000000.tar.gz"));
  }

  /** GNU tar's own sparse entry (POSIX format) of a 10 GB file of holes, listed at that size. */
  byte[] sparse(String stack) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("sparse").resolve("stacks").resolve(stack));
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("compose.yaml").toFile(), "rw")) {
      f.setLength(10L << 30);
    }
    ByteArrayOutputStream m = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(m)) {
      manifest(tar, stack, COMPOSE.length);
    }
    Files.write(tmp.resolve("sparse").resolve("head.tar"), m.toByteArray());
    Path out = tmp.resolve("sparse.tar.gz");
    Engine.sh("cd " + tmp.resolve("sparse") + " && tar -xf head.tar && tar --sparse --format=posix -czf " + out
        + " manifest.json stacks/" + stack + "/compose.yaml");
    return Files.readAllBytes(out);
  }

  @Test
  void retentionKeepsTheNewestBackupKeep() {
    List<String> made = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) made.add(backup("?stacks=" + b, new JsonObject()));
    List<String> kept = node.http.get("/api/backups").json().getJsonArray("backups").stream().map(JsonObject.class::cast)
        .map(o -> o.getString("file")).toList();
    assertEquals(3, kept.size(), kept.toString());
    List<String> newest = new java.util.ArrayList<>(made.subList(1, 4));
    java.util.Collections.reverse(newest);
    assertEquals(newest, kept);
    assertEquals(200, node.http.delete("/api/backups/" + made.get(3)).status());
    assertEquals(404, node.http.delete("/api/backups/" + made.get(3)).status());
  }

  @Test
  void historyListsDiffsAndRestoresVersions() throws Exception {
    String s = Stacks.uniqueName("hist");
    for (String v : List.of("one", "two", "three")) {
      assertTrue(node.http.post("/api/stack/" + s + "/compose", Stacks.content(Stacks.twoServices(v))).status() < 300);
    }
    JsonArray versions = node.http.get("/api/stack/" + s + "/history").json().getJsonArray("versions");
    assertEquals(2, versions.size(), versions.encode());
    JsonObject oldest = versions.getJsonObject(1);
    assertEquals("compose.yaml", oldest.getString("file"));
    assertEquals("compose", oldest.getString("kind"));
    assertNotNull(oldest.getString("saved_at"));
    assertTrue(oldest.getString("by").startsWith("jwt:"), oldest.encode());
    assertEquals(Stacks.twoServices("one").length(), oldest.getInteger("size"));

    JsonObject diff = node.http.get("/api/stack/" + s + "/history/" + oldest.getString("id") + "/diff").json();
    assertFalse(diff.getBoolean("identical"));
    assertTrue(diff.getString("diff").contains("-    command: [\"sh\", \"-c\", \"echo one; sleep 3600\"]"), diff.getString("diff"));
    assertTrue(diff.getString("diff").contains("+    command: [\"sh\", \"-c\", \"echo three; sleep 3600\"]"), diff.getString("diff"));

    Http.Resp restored = node.http.post("/api/stack/" + s + "/history/" + oldest.getString("id") + "/restore", new JsonObject());
    assertEquals(200, restored.status(), restored.toString());
    assertEquals(Stacks.twoServices("one"), node.http.get("/api/stack/" + s + "/compose").json().getString("content"));
    assertEquals(3, node.http.get("/api/stack/" + s + "/history").json().getJsonArray("versions").size(), "the restore is a new version");
    assertTrue(node.http.get("/api/stack/" + s + "/history/" + oldest.getString("id") + "/diff").json().getBoolean("identical"));

    // An .env version holds secrets: admin only.
    assertEquals(200, node.http.put("/api/stack/" + s + "/env", Stacks.content("TOKEN=one\n")).status());
    assertEquals(200, node.http.put("/api/stack/" + s + "/env", Stacks.content("TOKEN=two\n")).status());
    String env = node.http.get("/api/stack/" + s + "/history").json().getJsonArray("versions").stream().map(JsonObject.class::cast)
        .filter(v -> "env".equals(v.getString("kind"))).findFirst().orElseThrow().getString("id");
    Http read = withToken("read");
    assertEquals(200, read.get("/api/stack/" + s + "/history").status());
    assertEquals(403, read.get("/api/stack/" + s + "/history/" + env).status());
    assertEquals(403, read.get("/api/stack/" + s + "/history/" + env + "/diff").status());
    assertEquals(403, read.post("/api/stack/" + s + "/history/" + env + "/restore", "{}").status());
    assertEquals("TOKEN=one\n", node.http.get("/api/stack/" + s + "/history/" + env).json().getString("content"));
    assertEquals(404, node.http.get("/api/stack/" + s + "/history/compose-20000101T000000.000Z").status());
    assertTrue(List.of(400, 404).contains(node.http.get("/api/stack/" + s + "/history/..%2Fsecret.key").status()));
  }
}
