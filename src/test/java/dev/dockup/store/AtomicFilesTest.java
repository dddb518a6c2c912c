package dev.dockup.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AtomicFilesTest {
  @TempDir Path dir;

  static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void aNewFileIsOwnerOnlyAndAnExistingOneKeepsItsMode() throws IOException {
    Path fresh = dir.resolve("compose.yaml");
    AtomicFiles.write(fresh, "a", null);
    assertEquals("rw-------", mode(fresh));

    Path shared = Files.writeString(dir.resolve("shared.yaml"), "old");
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--r--"));
    AtomicFiles.write(shared, "new", null);
    assertEquals("rw-r--r--", mode(shared));
    assertEquals("new", Files.readString(shared));

    AtomicFiles.write(shared, "secret", AtomicFiles.OWNER_ONLY);
    assertEquals("rw-------", mode(shared));
  }

  /** Watches the folder while large writes run: every temporary file seen is already owner-only. */
  @Test
  void theTemporaryFileIsOwnerOnlyFromTheMomentItExists() throws Exception {
    Path target = dir.resolve(".env");
    byte[] big = new byte[32 * 1024 * 1024];
    CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
      try {
        for (int i = 0; i < 5; i++) AtomicFiles.write(target, big, AtomicFiles.OWNER_ONLY);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    Set<String> seen = new HashSet<>();
    while (!writes.isDone()) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p : files.toList()) {
          if (!p.getFileName().toString().endsWith(".tmp")) continue;
          try {
            assertEquals("rw-------", mode(p), p.toString());
            seen.add(p.getFileName().toString());
          } catch (java.nio.file.NoSuchFileException gone) {
            // renamed meanwhile
          }
        }
      }
    }
    writes.get(60, TimeUnit.SECONDS);
    assertFalse(seen.isEmpty(), "a temporary file was seen while it was written");
  }

  @Test
  void leftoversAreRemovedAndNothingElse() throws IOException {
    Path sub = Files.createDirectories(dir.resolve("history/app"));
    List<Path> leftovers = List.of(
        Files.writeString(dir.resolve(".settings.json.0b8e5f7a-3c4d-4e5f-8a9b-0c1d2e3f4a5b.tmp"), "x"),
        Files.writeString(sub.resolve(".env-1.1c8e5f7a-3c4d-4e5f-8a9b-0c1d2e3f4a5b.tmp"), "x"));
    List<Path> kept = List.of(
        Files.writeString(dir.resolve("settings.json"), "{}"),
        Files.writeString(dir.resolve("notes.tmp"), "x"),
        Files.writeString(dir.resolve(".x.not-a-uuid.tmp"), "x"));
    Path tooDeep = Files.writeString(Files.createDirectories(sub.resolve("a/b/c"))
        .resolve(".y.0b8e5f7a-3c4d-4e5f-8a9b-0c1d2e3f4a5b.tmp"), "x");

    assertEquals(2, AtomicFiles.removeLeftovers(dir, 3));

    leftovers.forEach(p -> assertFalse(Files.exists(p), p.toString()));
    kept.forEach(p -> assertTrue(Files.exists(p), p.toString()));
    assertTrue(Files.exists(tooDeep));
  }

  @Test
  void aPrivateFolderIsOwnerOnly() throws IOException {
    Path folder = AtomicFiles.createPrivateFolder(dir.resolve("a/tmp"));
    assertEquals("rwx------", mode(folder));
    assertEquals(folder, AtomicFiles.createPrivateFolder(folder));
  }
}
