package dev.dockup.stack;

import dev.dockup.bus.ApiException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StackFilesTest {
  private static final String COMPOSE = "services:\n  web:\n    image: nginx\n";
  private static final DateTimeFormatter TRASH_TIME =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);

  @TempDir Path stacks;
  @TempDir Path data;
  @TempDir Path outside;
  StackFiles files;
  StackTrash trash;

  @BeforeEach
  void setUp() throws IOException {
    files = new StackFiles(stacks, data);
    trash = new StackTrash(files);
  }

  private Path stack(String folder, String composeName) throws IOException {
    Path dir = Files.createDirectories(stacks.resolve(folder));
    if (composeName != null) Files.writeString(dir.resolve(composeName), COMPOSE);
    return dir;
  }

  private static int status(ApiException e) {
    return e.status();
  }

  private Set<String> ignoredFolders(StackFiles.Scan scan) {
    return scan.ignored().stream().map(StackFiles.Ignored::folder).collect(Collectors.toSet());
  }

  // ---- scan ----

  @Test
  void scanFindsEveryAcceptedComposeFileName() throws IOException {
    stack("a", "compose.yaml");
    stack("b", "compose.yml");
    stack("c", "docker-compose.yaml");
    stack("d", "docker-compose.yml");

    StackFiles.Scan scan = files.scan();

    assertEquals(Set.of("a", "b", "c", "d"), scan.folders().keySet());
    assertEquals("compose.yaml", scan.folders().get("a").composeFile());
    assertEquals("compose.yml", scan.folders().get("b").composeFile());
    assertEquals("docker-compose.yaml", scan.folders().get("c").composeFile());
    assertEquals("docker-compose.yml", scan.folders().get("d").composeFile());
    assertEquals(List.of("web"), scan.folders().get("a").compose().services());
    assertTrue(scan.ignored().isEmpty());
  }

  @Test
  void scanKeepsAStackWithBrokenYamlWithItsError() throws IOException {
    Files.writeString(stack("broken", null).resolve("compose.yaml"), "services: : x\n");
    StackFiles.Folder f = files.scan().folders().get("broken");
    assertNotNull(f);
    assertNull(f.compose());
    assertNotNull(f.error());
  }

  @Test
  void scanReportsInvalidNamesAndFoldersWithoutComposeFile() throws IOException {
    stack("My App", "compose.yaml");
    stack("UPPER", "compose.yaml");
    stack("empty", null);
    stack("ok", "compose.yaml");

    StackFiles.Scan scan = files.scan();

    assertEquals(Set.of("ok"), scan.folders().keySet());
    assertEquals(Set.of("My App", "UPPER", "empty"), ignoredFolders(scan));
  }

  @Test
  void scanSkipsDotFolders() throws IOException {
    stack(".hidden", "compose.yaml");
    stack(".trash", null);
    StackFiles.Scan scan = files.scan();
    assertTrue(scan.folders().isEmpty());
    assertTrue(scan.ignored().isEmpty());
  }

  @Test
  void aComposeFileThatCannotBeParsedIsListedAsIgnoredAndTheRestIsSeen() throws IOException {
    Files.writeString(stack("bomb", null).resolve("compose.yaml"), "services: " + "[".repeat(3000) + "]".repeat(3000) + "\n");
    stack("ok", "compose.yaml");

    StackFiles.Scan scan = files.scan();

    assertEquals(List.of("web"), scan.folders().get("ok").compose().services());
    assertNull(scan.folders().get("bomb").compose());
    StackFiles.Ignored bomb = scan.ignored().stream().filter(i -> i.folder().equals("bomb")).findFirst().orElseThrow();
    assertTrue(bomb.reason().contains("nested deeper than"), bomb.reason());
  }

  // ---- paths stay inside STACKS_DIR ----

  @Test
  void symlinkedFolderPointingOutsideIsIgnoredAndRefused() throws IOException {
    Files.writeString(outside.resolve("compose.yaml"), COMPOSE);
    Files.createSymbolicLink(stacks.resolve("evil"), outside);

    StackFiles.Scan scan = files.scan();

    assertFalse(scan.folders().containsKey("evil"));
    assertTrue(ignoredFolders(scan).contains("evil"));
    assertEquals(400, status(assertThrows(ApiException.class, () -> files.folder("evil"))));
  }

  @Test
  void composeFileSymlinkedOutsideIsNotRead() throws IOException {
    Path secret = Files.writeString(outside.resolve("secret.yaml"), COMPOSE);
    Files.createSymbolicLink(stack("app", null).resolve("compose.yaml"), secret);

    assertThrows(ApiException.class, () -> files.readCompose("app"));
    assertNull(files.scan().folders().get("app").compose());
  }

  @Test
  void checkNameFollowsComposeProjectRule() {
    for (String bad : new String[] {"..", ".", "a/b", "A", "", "-a", "_a", "a b", "a.b", "a".repeat(64), "app\n"}) {
      assertEquals(400, status(assertThrows(ApiException.class, () -> StackFiles.checkName(bad))), bad);
    }
    assertThrows(ApiException.class, () -> StackFiles.checkName(null));
    for (String good : new String[] {"a", "0", "my-app_2", "a".repeat(63)}) {
      StackFiles.checkName(good);
    }
  }

  // ---- compose and .env ----

  @Test
  void writeComposeKeepsThePreviousVersion() throws IOException {
    assertEquals("compose.yaml", files.writeCompose("app", "v1", null));
    files.writeCompose("app", "v2", null);

    assertEquals("v2", files.readCompose("app").orElseThrow());
    List<Path> history = history("app");
    assertEquals(1, history.size());
    assertEquals("v1", Files.readString(history.get(0)));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(history.get(0))));
  }

  @Test
  void writeComposeKeepsTheExistingFileName() throws IOException {
    stack("app", "docker-compose.yml");
    assertEquals("docker-compose.yml", files.writeCompose("app", "v2", null));
    assertFalse(Files.exists(stacks.resolve("app/compose.yaml")));
  }

  @Test
  void historyKeepsTheLastFiftyVersions() throws Exception {
    for (int i = 0; i <= 60; i++) {
      files.writeCompose("app", "v" + i, null);
      Thread.sleep(2); // history files are named by millisecond
    }
    List<Path> history = history("app");
    assertEquals(50, history.size());
    Set<String> kept = history.stream().map(StackFilesTest::read).collect(Collectors.toSet());
    assertTrue(kept.contains("v59"));
    assertTrue(kept.contains("v10"));
    assertFalse(kept.contains("v9"));
  }

  @Test
  void writeEnvIsOwnerOnly() throws IOException {
    stack("app", "compose.yaml");
    files.writeEnv("app", "SECRET=1\n", null);
    Path env = stacks.resolve("app/.env");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
    assertEquals("SECRET=1\n", files.readEnv("app").orElseThrow());
  }

  @Test
  void aCreateThatFailsLeavesNoFolder() {
    assertThrows(IOException.class, () -> files.inFolder("fresh", dir -> {
      Files.writeString(dir.resolve("half"), "x");
      throw new IOException("disk full");
    }));
    assertFalse(Files.exists(stacks.resolve("fresh")));
  }

  @Test
  void aWriteThatFailsInAnExistingFolderLeavesTheFolder() throws IOException {
    stack("app", "compose.yaml");
    assertThrows(IOException.class, () -> files.inFolder("app", dir -> {
      throw new IOException("disk full");
    }));
    assertTrue(Files.isRegularFile(stacks.resolve("app/compose.yaml")));
  }

  @Test
  void theInputOfAValidationIsOwnerOnlyInDataDir() throws IOException {
    Path input = files.privateInput("services: {}\n");
    assertTrue(input.startsWith(data.toRealPath()));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(input)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(input.getParent())));
  }

  @Test
  void leftoversOfACrashAreRemovedAtStart() throws IOException {
    Path app = stack("app", "compose.yaml");
    Files.writeString(app.resolve(".env"), "KEEP=1\n");
    Path envTmp = Files.writeString(app.resolve(".env.0b8e5f7a-3c4d-4e5f-8a9b-0c1d2e3f4a5b.tmp"), "SECRET=1\n");
    Path oldValidation = Files.writeString(app.resolve(".dockup-validate-0b8e5f7a-3c4d-4e5f-8a9b-0c1d2e3f4a5b.yaml"), "x");
    Path scratch = Files.createDirectories(data.resolve("tmp/validate-123"));
    Files.writeString(scratch.resolve("x"), "x");
    Files.writeString(data.resolve("tmp/input-1.yaml"), "x");
    Path notOurs = Files.writeString(app.resolve(".env.backup.tmp"), "mine");

    assertEquals(4, files.removeLeftovers());

    assertFalse(Files.exists(envTmp));
    assertFalse(Files.exists(oldValidation));
    assertFalse(Files.exists(data.resolve("tmp")));
    assertTrue(Files.exists(notOurs));
    assertEquals("KEEP=1\n", Files.readString(app.resolve(".env")));
  }

  private List<Path> history(String name) throws IOException {
    try (Stream<Path> s = Files.list(data.resolve("history").resolve(name))) {
      // The versions, not the file saying who saved them.
      return s.filter(p -> !p.getFileName().toString().equals("meta.json")).toList();
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  // ---- trash ----

  @Test
  void moveToTrashListAndRestore() throws IOException {
    stack("app", "compose.yaml");

    StackTrash.TrashEntry entry = trash.moveToTrash("app");

    assertFalse(Files.exists(stacks.resolve("app")));
    assertTrue(entry.id().startsWith("app-"));
    assertTrue(Files.isDirectory(stacks.resolve(".trash").resolve(entry.id())));
    assertFalse(files.scan().folders().containsKey("app"));
    List<StackTrash.TrashEntry> entries = trash.listTrash();
    assertEquals(List.of(entry.id()), entries.stream().map(StackTrash.TrashEntry::id).toList());
    assertEquals("app", entries.get(0).stack());
    assertTrue(entries.get(0).bytes() > 0);

    assertEquals("app", trash.restore(entry.id()));
    assertEquals(COMPOSE, files.readCompose("app").orElseThrow());
    assertTrue(trash.listTrash().isEmpty());
  }

  @Test
  void trashingTheSameNameTwiceKeepsBoth() throws IOException {
    stack("app", "compose.yaml");
    String first = trash.moveToTrash("app").id();
    stack("app", "compose.yaml");
    String second = trash.moveToTrash("app").id();
    assertFalse(first.equals(second));
    assertEquals(2, trash.listTrash().size());
  }

  @Test
  void moveToTrashOfUnknownStackIs404() {
    assertEquals(404, status(assertThrows(ApiException.class, () -> trash.moveToTrash("nope"))));
  }

  @Test
  void restoreRefusesWhenTheFolderExists() throws IOException {
    stack("app", "compose.yaml");
    String id = trash.moveToTrash("app").id();
    stack("app", "compose.yaml");

    assertEquals(409, status(assertThrows(ApiException.class, () -> trash.restore(id))));
    assertTrue(Files.isDirectory(stacks.resolve(".trash").resolve(id)));
  }

  @Test
  void restoreRefusesInvalidIds() {
    for (String bad : new String[] {"../x", "..", "app", "app-2024", "app-20240101000000/../../x", ""}) {
      assertEquals(400, status(assertThrows(ApiException.class, () -> trash.restore(bad))), bad);
    }
    assertEquals(400, status(assertThrows(ApiException.class, () -> trash.restore(null))));
    assertEquals(404, status(assertThrows(ApiException.class, () -> trash.restore("app-20240101000000"))));
  }

  @Test
  void purgeTrashDeletesOnlyEntriesOlderThanThirtyDays() throws IOException {
    Instant now = Instant.now();
    Path trashDir = Files.createDirectories(stacks.resolve(".trash"));
    Path old = Files.createDirectories(trashDir.resolve("old-" + TRASH_TIME.format(now.minus(Duration.ofDays(31)))));
    Files.writeString(old.resolve("compose.yaml"), COMPOSE);
    Path recent = Files.createDirectories(trashDir.resolve("recent-" + TRASH_TIME.format(now.minus(Duration.ofDays(29)))));
    stack("app", "compose.yaml");
    String fresh = trash.moveToTrash("app").id();

    assertEquals(1, trash.purgeTrash(now));

    assertFalse(Files.exists(old));
    assertTrue(Files.isDirectory(recent));
    assertTrue(Files.isDirectory(trashDir.resolve(fresh)));
  }

  @Test
  void aMalformedTrashFolderDoesNotBreakListingOrPurge() throws IOException {
    Files.createDirectories(stacks.resolve(".trash/junk-20241399999999"));
    stack("app", "compose.yaml");
    String id = trash.moveToTrash("app").id();

    assertEquals(List.of(id), trash.listTrash().stream().map(StackTrash.TrashEntry::id).toList());
    assertEquals(0, trash.purgeTrash(Instant.now()));
  }
}
