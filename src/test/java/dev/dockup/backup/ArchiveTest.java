package dev.dockup.backup;

import dev.dockup.bus.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Archives written and read back: their layout, their checks and their encryption, without an engine. */
class ArchiveTest {
  static final long MAX = 1L << 30;
  @TempDir Path tmp;

  static final String COMPOSE = "services:\n  web:\n    image: busybox\n";

  List<ArchiveWriter.Entry> entries() {
    return List.of(ArchiveWriter.Entry.text("stacks/web/compose.yaml", COMPOSE),
        ArchiveWriter.Entry.text("stacks/web/.env", "A=1\n"),
        ArchiveWriter.Entry.text("config/settings.json", "{}"));
  }

  Path write(Encryption.Key key) throws IOException {
    Instant now = Instant.now();
    Manifest m = ArchiveWriter.manifest("test", now, "n1", "config", List.of("web"), entries(), List.of());
    Path file = tmp.resolve("a-" + System.nanoTime());
    ArchiveWriter.write(file, m, entries(), key, now);
    return file;
  }

  Map<String, byte[]> readAll(BackupStore.Source source) throws IOException {
    Map<String, byte[]> out = new HashMap<>();
    try (InputStream in = source.open()) {
      ArchiveReader.read(in, MAX, source.damaged(), e -> new ByteArrayOutputStream() {
        @Override
        public void close() {
          out.put(e.path(), toByteArray());
        }
      });
    }
    return out;
  }

  @Test
  void aWrittenArchiveIsOwnerOnlyAndReadsBackEntryForEntry() throws Exception {
    Path file = write(null);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    Map<String, byte[]> read = readAll(BackupStore.source(file, null));
    assertArrayEquals(COMPOSE.getBytes(StandardCharsets.UTF_8), read.get("stacks/web/compose.yaml"));
    assertArrayEquals("A=1\n".getBytes(StandardCharsets.UTF_8), read.get("stacks/web/.env"));
  }

  @Test
  void anEncryptedArchiveNeedsItsPassphrase() throws Exception {
    Path file = write(Encryption.newKey("correct horse"));
    assertTrue(Encryption.isEncrypted(Files.readAllBytes(file)));
    assertEquals(400, assertThrows(ApiException.class, () -> BackupStore.source(file, null)).status());
    ApiException wrong = assertThrows(ApiException.class, () -> readAll(BackupStore.source(file, "wrong horse")));
    assertEquals(400, wrong.status());
    assertTrue(wrong.getMessage().contains("wrong passphrase"), wrong.getMessage());
    Map<String, byte[]> read = readAll(BackupStore.source(file, "correct horse"));
    assertArrayEquals(COMPOSE.getBytes(StandardCharsets.UTF_8), read.get("stacks/web/compose.yaml"));
  }

  @Test
  void aDamagedArchiveIsRefused() throws Exception {
    Path file = write(null);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertEquals(400, assertThrows(ApiException.class, () -> readAll(BackupStore.source(file, null))).status());

    Path enc = write(Encryption.newKey("pass"));
    byte[] e = Files.readAllBytes(enc);
    e[e.length - 40] ^= 1;
    Files.write(enc, e);
    assertEquals(400, assertThrows(ApiException.class, () -> readAll(BackupStore.source(enc, "pass"))).status());
  }

  // ---- hand-made archives: each refused whole, with the sink never opened ----

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

  static JsonObject manifest(String path, long size, String sha) {
    return new JsonObject().put("format", 1).put("kind", "config").put("stacks", new JsonArray().add("web"))
        .put("files", new JsonArray().add(new JsonObject().put("path", path).put("size", size).put("sha256", sha)));
  }

  static void file(TarArchiveOutputStream tar, TarArchiveEntry e, byte[] bytes) throws IOException {
    e.setSize(bytes.length);
    tar.putArchiveEntry(e);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  static void manifestEntry(TarArchiveOutputStream tar, JsonObject m) throws IOException {
    file(tar, new TarArchiveEntry(Manifest.PATH), m.encode().getBytes(StandardCharsets.UTF_8));
  }

  String refusal(byte[] archive) {
    boolean[] opened = {false};
    ApiException e = assertThrows(ApiException.class, () -> ArchiveReader.read(new java.io.ByteArrayInputStream(archive), MAX, "damaged",
        entry -> {
          opened[0] = true;
          return OutputStream.nullOutputStream();
        }));
    assertEquals(400, e.status());
    return e.getMessage();
  }

  static final byte[] X = "x".getBytes(StandardCharsets.UTF_8);
  static final String X_SHA = ArchiveWriter.sha256(X);

  @Test
  void entriesThatCouldWriteElsewhereAreRefused() throws Exception {
    assertTrue(refusal(tgz(tar -> {
      manifestEntry(tar, manifest("stacks/web/compose.yaml", 1, X_SHA));
      file(tar, new TarArchiveEntry("../x"), X);
    })).contains("leaves the archive's folder"));
    assertTrue(refusal(tgz(tar -> {
      manifestEntry(tar, manifest("stacks/web/compose.yaml", 1, X_SHA));
      file(tar, new TarArchiveEntry("/etc/x", true), X);
    })).contains("absolute path"));
    assertTrue(refusal(tgz(tar -> {
      manifestEntry(tar, manifest("stacks/web/compose.yaml", 1, X_SHA));
      TarArchiveEntry link = new TarArchiveEntry("stacks/web/compose.yaml", TarConstants.LF_SYMLINK);
      link.setLinkName("/etc/passwd");
      tar.putArchiveEntry(link);
      tar.closeArchiveEntry();
    })).contains("symbolic link"));
    assertTrue(refusal(tgz(tar -> {
      manifestEntry(tar, manifest("stacks/web/compose.yaml", 1, X_SHA));
      TarArchiveEntry link = new TarArchiveEntry("stacks/web/compose.yaml", TarConstants.LF_LINK);
      link.setLinkName("manifest.json");
      tar.putArchiveEntry(link);
      tar.closeArchiveEntry();
    })).contains("hard link"));
    assertTrue(refusal(tgz(tar -> {
      manifestEntry(tar, manifest("stacks/web/compose.yaml", 1, X_SHA));
      TarArchiveEntry dev = new TarArchiveEntry("stacks/web/compose.yaml", TarConstants.LF_CHR);
      dev.setDevMajor(1);
      dev.setDevMinor(3);
      tar.putArchiveEntry(dev);
      tar.closeArchiveEntry();
    })).contains("device"));
  }

  @Test
  void sizesChecksumsAndTheLayoutAreHeldToTheManifest() throws Exception {
    byte[] big = new byte[4096];
    assertTrue(refusal(tgz(tar -> {
      manifestEntry(tar, manifest("stacks/web/compose.yaml", 1, X_SHA));
      file(tar, new TarArchiveEntry("stacks/web/compose.yaml"), big);
    })).contains("larger than its manifest says"));
    assertTrue(refusal(tgz(tar -> {
      manifestEntry(tar, manifest("stacks/web/compose.yaml", 1, X_SHA));
      file(tar, new TarArchiveEntry("stacks/web/compose.yaml"), "y".getBytes(StandardCharsets.UTF_8));
    })).contains("checksum"));
    assertTrue(refusal(tgz(tar -> {
      manifestEntry(tar, manifest("stacks/web/run.sh", 1, X_SHA));
      file(tar, new TarArchiveEntry("stacks/web/run.sh"), X);
    })).contains("unexpected path"));
    assertTrue(refusal(tgz(tar -> {
      manifestEntry(tar, manifest("stacks/web/compose.yaml", 1, X_SHA));
      file(tar, new TarArchiveEntry("stacks/web/compose.yaml"), X);
      file(tar, new TarArchiveEntry("stacks/web/.env"), X);
    })).contains("not in its manifest"));
    assertTrue(refusal(tgz(tar -> {
      manifestEntry(tar, manifest("stacks/web/compose.yaml", 1L << 40, X_SHA));
    })).contains("larger than allowed"));
    assertTrue(refusal(tgz(tar -> {
      manifestEntry(tar, manifest("stacks/web/compose.yaml", 1, X_SHA));
    })).contains("lacks"));
    assertTrue(refusal(tgz(tar -> file(tar, new TarArchiveEntry("stacks/web/compose.yaml"), X))).contains("first entry"));
  }

  /** GNU tar's own sparse entries, in both its formats: a 10 GB file of holes, never expanded. */
  @Test
  void aSparseEntryIsRefusedBeforeItsHolesAreRead() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("sparse"));
    Files.writeString(dir.resolve(Manifest.PATH), manifest("stacks/web/compose.yaml", 1, X_SHA).encode());
    Files.createDirectories(dir.resolve("stacks/web"));
    try (var f = new java.io.RandomAccessFile(dir.resolve("stacks/web/compose.yaml").toFile(), "rw")) {
      f.setLength(10L << 30);
    }
    for (String format : List.of("gnu", "posix")) {
      Path out = tmp.resolve("sparse-" + format + ".tar.gz");
      Process p = new ProcessBuilder("tar", "--sparse", "--format=" + format, "-czf", out.toString(), "-C", dir.toString(),
          Manifest.PATH, "stacks/web/compose.yaml").redirectErrorStream(true).start();
      assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
      String why = refusal(Files.readAllBytes(out));
      // commons-compress does not even parse a sparse header with a real size this large: refused as damaged, just as whole.
      assertTrue(why.contains("damaged"), format + ": " + why);
    }
  }

  @Test
  void aVolumesDataMayHoldLinksButNothingOutsideItsFolder() throws Exception {
    byte[] good = tgzPlain(tar -> {
      file(tar, new TarArchiveEntry("data/a.txt"), X);
      TarArchiveEntry link = new TarArchiveEntry("data/l", TarConstants.LF_SYMLINK);
      link.setLinkName("/etc/hostname");
      tar.putArchiveEntry(link);
      tar.closeArchiveEntry();
    });
    byte[] escaping = tgzPlain(tar -> file(tar, new TarArchiveEntry("other/a.txt"), X));
    for (byte[] data : List.of(good, escaping)) {
      JsonObject m = manifest("volumes/web/0.tar", data.length, ArchiveWriter.sha256(data)).put("kind", "volumes")
          .put("volumes", new JsonArray().add(new JsonObject().put("stack", "web").put("service", "db").put("destination", "/data")
              .put("type", "volume").put("name", "web_data").put("path", "volumes/web/0.tar")));
      byte[] archive = tgz(tar -> {
        manifestEntry(tar, m);
        file(tar, new TarArchiveEntry("volumes/web/0.tar"), data);
      });
      if (data == good) {
        ArchiveReader.read(new java.io.ByteArrayInputStream(archive), MAX, "damaged", null);
      } else {
        assertTrue(refusal(archive).contains("outside the mount's folder"));
      }
    }
  }

  static byte[] tgzPlain(Body body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      body.write(tar);
    }
    return out.toByteArray();
  }

  @Test
  void retentionKeepsTheNewestAndNamesNeverCollide() throws Exception {
    BackupStore store = new BackupStore(tmp);
    Instant t = Instant.parse("2024-05-01T10:00:00Z");
    for (int i = 0; i < 4; i++) {
      String name = store.newName(t.plusSeconds(i / 2), false);
      Files.writeString(store.dir().resolve(name), "x");
    }
    assertEquals(List.of("backup_20240501_100001_2.tar.gz", "backup_20240501_100001.tar.gz", "backup_20240501_100000_2.tar.gz",
        "backup_20240501_100000.tar.gz"), store.archives().stream().map(p -> p.getFileName().toString()).toList());
    assertEquals(List.of("backup_20240501_100000_2.tar.gz", "backup_20240501_100000.tar.gz"), store.retain(2));
    assertEquals(2, store.archives().size());
    assertEquals(400, assertThrows(ApiException.class, () -> store.existing("../secret.key")).status());
    assertEquals(404, assertThrows(ApiException.class, () -> store.existing("backup_20200101_000000.tar.gz")).status());
  }
}
