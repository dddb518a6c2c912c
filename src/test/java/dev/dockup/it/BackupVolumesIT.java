package dev.dockup.it;

import com.github.dockerjava.api.model.Container;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stack whose named volume and bind-mounted folder hold files: backed up with its volumes
 * (stopped around the copy, then running again), its data removed, and restored: every file
 * comes back byte for byte; the same encrypted, where a wrong passphrase writes nothing.
 */
class BackupVolumesIT {
  @TempDir Path tmp;

  static String compose() {
    return """
        services:
          db:
            image: %s
            init: true
            command: ["sleep", "3600"]
            volumes:
              - data:/data
              - ./files:/files
        volumes:
          data:
        """.formatted(Engine.IMAGE);
  }

  @Test
  void aStacksVolumeAndBindFolderComeBackByteForByteWithOrWithoutAPassphrase() throws Exception {
    String s = Stacks.uniqueName("bkvol");
    try (TestNode node = TestNode.builder().root(tmp).start(); Engine engine = Engine.shared()) {
      try {
        Path files = Files.createDirectories(node.stacksDir.resolve(s).resolve("files"));
        assertEquals(201, node.http.post("/api/stack/" + s + "/compose", Stacks.content(compose())).status());
        Http.Resp up = node.http.operation(s, "up");
        assertEquals(200, up.status(), up.toString());
        engine.docker.copyArchiveToContainerCmd(db(engine, s)).withRemotePath("/")
            .withTarInputStream(new ByteArrayInputStream(volumeData())).exec();
        Files.createDirectories(files.resolve("deep"));
        Files.writeString(files.resolve("x.txt"), "bind mounted\n");
        Files.write(files.resolve("deep").resolve("y.bin"), random(50_000, 2));
        Map<String, String> volume = contents(engine, s, "/data");
        Map<String, String> bind = Backups.tree(files);
        assertEquals(3, volume.size(), volume.toString());

        Http.Resp made = node.http.post("/api/backup/create", new JsonObject().put("stacks", new JsonArray().add(s))
            .put("volumes", true).put("stop", true));
        assertEquals(200, made.status(), made.toString());
        assertEquals(2, made.json().getInteger("volumes"), made.toString());
        node.awaitStack(s, st -> "running".equals(st.getString("status")), Duration.ofSeconds(30));

        empty(engine, s, files);
        Http.Resp restored = node.http.post("/api/backup/restore", new JsonObject().put("backup_file", made.json().getString("backup_file"))
            .put("up", true));
        assertEquals(200, restored.status(), restored.toString());
        assertTrue(restored.text().contains("\"success\":true"), restored.text());
        JsonObject one = restored.json().getJsonArray("restored").getJsonObject(0);
        assertEquals(2, one.getInteger("volumes"), one.encode());
        assertTrue(one.getBoolean("started"));
        node.awaitStack(s, st -> "running".equals(st.getString("status")), Duration.ofSeconds(30));
        assertEquals(volume, contents(engine, s, "/data"), "the named volume, byte for byte");
        assertEquals(bind, Backups.tree(files), "the bind folder, byte for byte");

        // Encrypted: a wrong passphrase is refused with nothing written; the right one restores.
        Http.Resp sealed = node.http.post("/api/backup/create", new JsonObject().put("stacks", new JsonArray().add(s))
            .put("volumes", true).put("passphrase", "correct horse battery staple"));
        assertEquals(200, sealed.status(), sealed.toString());
        String file = sealed.json().getString("backup_file");
        assertTrue(file.endsWith(".tar.gz.enc"), file);
        assertTrue(sealed.json().getBoolean("encrypted"));
        empty(engine, s, files);
        Map<String, String> before = Backups.tree(node.stacksDir, node.dataDir);
        Http.Resp wrong = node.http.post("/api/backup/restore", new JsonObject().put("backup_file", file).put("passphrase", "wrong horse")
            .put("up", true));
        assertEquals(400, wrong.status(), wrong.toString());
        assertEquals(before, Backups.tree(node.stacksDir, node.dataDir), "nothing written");
        assertEquals(0, engine.containers(s).size(), "nothing created");
        Http.Resp none = node.http.post("/api/backup/restore", new JsonObject().put("backup_file", file));
        assertEquals(400, none.status(), "an encrypted archive without its passphrase: " + none);

        Http.Resp right = node.http.post("/api/backup/restore", new JsonObject().put("backup_file", file)
            .put("passphrase", "correct horse battery staple").put("up", true));
        assertEquals(200, right.status(), right.toString());
        node.awaitStack(s, st -> "running".equals(st.getString("status")), Duration.ofSeconds(30));
        assertEquals(volume, contents(engine, s, "/data"));
        assertEquals(bind, Backups.tree(files));
      } finally {
        engine.removeProjects(s);
        Engine.sh("docker volume rm -f " + s + "_data >/dev/null 2>&1 || true");
      }
    }
  }

  static String db(Engine engine, String project) {
    return engine.containers(project).stream().map(Container::getId).findFirst().orElseThrow();
  }

  /** Its containers and its volume removed, its bind folder emptied: the data is gone. */
  static void empty(Engine engine, String s, Path files) throws IOException {
    engine.removeProjects(s);
    Engine.sh("docker volume rm " + s + "_data");
    try (var all = Files.walk(files)) {
      all.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(files)).forEach(p -> p.toFile().delete());
    }
    assertFalse(Files.exists(files.resolve("x.txt")));
  }

  /** A folder {@code data/} with a text, a binary and a file in a subfolder, as the Engine takes it. */
  static byte[] volumeData() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      for (String dir : new String[] {"data/", "data/sub/"}) {
        tar.putArchiveEntry(new TarArchiveEntry(dir));
        tar.closeArchiveEntry();
      }
      put(tar, "data/a.txt", "hello\n".getBytes());
      put(tar, "data/blob", random(300_000, 1));
      put(tar, "data/sub/c.txt", "deep\n".getBytes());
    }
    return out.toByteArray();
  }

  static void put(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(bytes.length);
    tar.putArchiveEntry(e);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** The files under a path of the stack's container, each with its size and checksum, as the Engine gives them. */
  static Map<String, String> contents(Engine engine, String project, String path) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (InputStream in = engine.docker.copyArchiveFromContainerCmd(db(engine, project), path).exec();
         TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (e.isFile()) {
          byte[] bytes = tar.readAllBytes();
          out.put(e.getName(), bytes.length + " " + Backups.sha256(bytes));
        }
      }
    }
    return out;
  }
}
