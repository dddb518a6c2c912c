package dev.dockup.stack;

import dev.dockup.bus.ApiException;
import dev.dockup.store.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The stack folders in {@code STACKS_DIR}, their compose and {@code .env} files, their history in
 * {@code DATA_DIR} ({@link StackTrash} keeps the trash). Blocking file I/O: call from a worker. Every path it touches
 * is resolved and checked to stay inside {@code STACKS_DIR} or {@code DATA_DIR}.
 */
public final class StackFiles {
  public static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,62}$");
  static final int HISTORY_KEEP = 50;
  public static final String ENV_FILE = ".env";
  /** Where a restore stages a stack's files in {@code STACKS_DIR} (a dot-folder: never a stack). */
  private static final Pattern STAGING = Pattern.compile("^\\.restore-[0-9a-f-]{36}$");

  private final Path stacksDir;
  private final Path historyDir;
  private final StackHistory history;
  private final Path tmpDir;
  private final Map<Path, Parsed> parseCache = new HashMap<>();

  /** One stack folder as found on disk. */
  public record Folder(String name, Path path, String composeFile, List<String> overrides, ComposeFile compose, String error) {}

  public record Ignored(String folder, String reason) {}

  public record Scan(Map<String, Folder> folders, List<Ignored> ignored) {}

  private record Parsed(long mtime, long size, ComposeFile compose, String error) {}

  public StackFiles(Path stacksDir, Path dataDir) throws IOException {
    this.stacksDir = stacksDir.toRealPath();
    this.historyDir = dataDir.toRealPath().resolve("history");
    this.history = new StackHistory(historyDir);
    this.tmpDir = dataDir.toRealPath().resolve("tmp");
  }

  public Path root() { return stacksDir; }

  StackHistory history() { return history; }

  public static void checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) throw ApiException.badRequest("Invalid stack name");
  }

  /** The stack's folder path (it may not exist yet); a folder that resolves outside is refused. */
  public Path folder(String name) throws IOException {
    checkName(name);
    Path p = stacksDir.resolve(name);
    if (Files.exists(p)) ensureInside(p);
    return p;
  }

  private void ensureInside(Path p) throws IOException {
    Path real = p.toRealPath();
    if (!real.startsWith(stacksDir) || real.equals(stacksDir)) {
      throw new ApiException(400, "Path resolves outside STACKS_DIR: " + stacksDir.relativize(p));
    }
  }

  // ---- scanning ----

  public Scan scan() throws IOException {
    Map<String, Folder> folders = new HashMap<>();
    List<Ignored> ignored = new ArrayList<>();
    Map<Path, Parsed> seen = new HashMap<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(stacksDir)) {
      for (Path entry : entries) {
        String folder = entry.getFileName().toString();
        if (folder.startsWith(".") || !Files.isDirectory(entry)) continue;
        if (!NAME.matcher(folder).matches()) {
          ignored.add(new Ignored(folder, "Invalid stack name: must match " + NAME.pattern()));
          continue;
        }
        try {
          ensureInside(entry);
        } catch (ApiException e) {
          ignored.add(new Ignored(folder, "Links outside STACKS_DIR"));
          continue;
        }
        Optional<String> compose = composeFileName(entry);
        if (compose.isEmpty()) {
          ignored.add(new Ignored(folder, "No compose file (" + String.join(", ", ComposeFile.FILE_NAMES) + ")"));
          continue;
        }
        Path file = entry.resolve(compose.get());
        Parsed parsed = parse(file);
        seen.put(file, parsed);
        // Still a stack (its containers stay its own, its file can be fixed through the API), and said to be unusable.
        folders.put(folder, new Folder(folder, entry, compose.get(), overrides(entry), parsed.compose(), parsed.error()));
        if (parsed.error() != null) ignored.add(new Ignored(folder, "Compose file cannot be used: " + parsed.error()));
      }
    }
    parseCache.keySet().retainAll(seen.keySet());
    parseCache.putAll(seen);
    return new Scan(folders, ignored);
  }

  /** Re-reads one compose file only when its modification time or size changed. */
  private Parsed parse(Path file) {
    try {
      BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
      long mtime = attrs.lastModifiedTime().toMillis();
      Parsed cached = parseCache.get(file);
      if (cached != null && cached.mtime() == mtime && cached.size() == attrs.size()) return cached;
      try {
        ensureInside(file);
        if (attrs.size() > ComposeFile.MAX_BYTES) return new Parsed(mtime, attrs.size(), null, "Compose file is larger than 1 MiB");
        return new Parsed(mtime, attrs.size(), ComposeFile.parse(Files.readString(file)), null);
      } catch (ComposeFile.Invalid e) {
        return new Parsed(mtime, attrs.size(), null, e.getMessage());
      } catch (RuntimeException e) {
        // One file the parser chokes on must not hide every other folder.
        return new Parsed(mtime, attrs.size(), null, "Compose file cannot be parsed");
      }
    } catch (ApiException | IOException e) {
      return new Parsed(0, -1, null, "Unreadable compose file: " + e.getMessage());
    }
  }

  public Optional<String> composeFileName(Path folder) {
    return ComposeFile.FILE_NAMES.stream().filter(n -> Files.isRegularFile(folder.resolve(n))).findFirst();
  }

  public List<String> overrides(Path folder) {
    return ComposeFile.OVERRIDE_NAMES.stream().filter(n -> Files.isRegularFile(folder.resolve(n))).findFirst()
        .map(List::of).orElse(List.of());
  }

  // ---- compose and .env ----

  /** The compose file's text exactly as on disk; empty when the stack has none. */
  public Optional<String> readCompose(String name) throws IOException {
    Path dir = folder(name);
    if (!Files.isDirectory(dir)) return Optional.empty();
    Optional<String> file = composeFileName(dir);
    if (file.isEmpty()) return Optional.empty();
    return Optional.of(readInside(dir.resolve(file.get())));
  }

  /** Saves atomically under the stack's existing compose file name (else compose.yaml), keeping the old text. */
  public String writeCompose(String name, String content, String by) throws IOException {
    return inFolder(name, dir -> {
      String fileName = composeFileName(dir).orElse(ComposeFile.FILE_NAMES.get(0));
      Path file = dir.resolve(fileName);
      keepHistory(name, "compose", file, content, by);
      AtomicFiles.write(file, content, null);
      return fileName;
    });
  }

  interface FolderWrite<T> {
    T apply(Path dir) throws IOException;
  }

  /** Runs a write in the stack's folder; a folder this call created is removed again when the write fails. */
  <T> T inFolder(String name, FolderWrite<T> write) throws IOException {
    Path dir = folder(name);
    boolean created = !Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
    try {
      Files.createDirectories(dir);
      ensureInside(dir);
      return write.apply(dir);
    } catch (IOException | RuntimeException e) {
      if (created) deleteTree(dir);
      throw e;
    }
  }

  public Optional<String> readEnv(String name) throws IOException {
    Path dir = folder(name);
    Path file = dir.resolve(ENV_FILE);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
    return Optional.of(readInside(file));
  }

  /** {@code .env} holds secrets: it is written owner-only. */
  public void writeEnv(String name, String content, String by) throws IOException {
    inFolder(name, dir -> {
      Path file = dir.resolve(ENV_FILE);
      keepHistory(name, "env", file, content, by);
      AtomicFiles.write(file, content, AtomicFiles.OWNER_ONLY);
      return null;
    });
  }

  private String readInside(Path file) throws IOException {
    ensureInside(file);
    if (Files.size(file) > ComposeFile.MAX_BYTES) throw new ApiException(413, "File is larger than 1 MiB");
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  /** The current text goes to the history, and {@code by} is noted as the author of {@code next}. */
  private void keepHistory(String name, String kind, Path current, String next, String by) throws IOException {
    String previous = Files.isRegularFile(current) ? readInside(current) : null;
    history.keep(name, kind, current.getFileName().toString(), current, previous, next, by);
  }

  // ---- restores ----

  /** A stack's files as a restore brings them: the compose file (its name and text), an optional override and {@code .env}. */
  public record Replacement(String composeFile, String compose, String overrideFile, String override, String env) {}

  /** A private folder in {@code STACKS_DIR} (same filesystem) holding the files, to validate them together. */
  Path stage(Replacement r) throws IOException {
    // Made as any stack folder is (its .env alone is owner-only): the rename makes it the stack's.
    Path dir = Files.createDirectory(stacksDir.resolve(".restore-" + UUID.randomUUID()));
    try {
      AtomicFiles.write(dir.resolve(r.composeFile()), r.compose(), null);
      if (r.overrideFile() != null) AtomicFiles.write(dir.resolve(r.overrideFile()), r.override(), null);
      if (r.env() != null) AtomicFiles.write(dir.resolve(ENV_FILE), r.env(), AtomicFiles.OWNER_ONLY);
      return dir;
    } catch (IOException | RuntimeException e) {
      deleteTree(dir);
      throw e;
    }
  }

  /**
   * Puts staged files in place: a new stack's folder is the staged one, renamed (it appears
   * whole or not at all); an existing stack's files are each replaced atomically, the previous
   * texts kept in its history, and compose, override or {@code .env} files the restore does not
   * bring are removed (other files of the folder, such as bind-mounted data, stay).
   */
  void replace(String name, Path staged, Replacement r, String by) throws IOException {
    Path dir = folder(name);
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
      history.keep(name, "compose", r.composeFile(), dir.resolve(r.composeFile()), null, r.compose(), by);
      if (r.env() != null) history.keep(name, "env", ENV_FILE, dir.resolve(ENV_FILE), null, r.env(), by);
      return;
    }
    ensureInside(dir);
    Path current = dir.resolve(composeFileName(dir).orElse(r.composeFile()));
    String previous = Files.isRegularFile(current) ? readInside(current) : null;
    history.keep(name, "compose", current.getFileName().toString(), current, previous, r.compose(), by);
    AtomicFiles.write(dir.resolve(r.composeFile()), r.compose(), null);
    for (String other : ComposeFile.FILE_NAMES) {
      if (!other.equals(r.composeFile())) Files.deleteIfExists(dir.resolve(other));
    }
    for (String other : ComposeFile.OVERRIDE_NAMES) {
      if (other.equals(r.overrideFile())) AtomicFiles.write(dir.resolve(other), r.override(), null);
      else Files.deleteIfExists(dir.resolve(other));
    }
    Path env = dir.resolve(ENV_FILE);
    if (r.env() != null) {
      keepHistory(name, "env", env, r.env(), by);
      AtomicFiles.write(env, r.env(), AtomicFiles.OWNER_ONLY);
    } else if (Files.isRegularFile(env, LinkOption.NOFOLLOW_LINKS)) {
      keepHistory(name, "env", env, "", by);
      Files.delete(env);
    }
    deleteTree(staged);
  }

  // ---- validation scratch space ----

  /** A private folder in {@code DATA_DIR} to validate a stack that has no folder yet. */
  public Path scratchFolder() throws IOException {
    AtomicFiles.createPrivateFolder(tmpDir);
    return Files.createTempDirectory(tmpDir, "validate-");
  }

  /** A private file in {@code DATA_DIR} holding {@code content}: what compose reads a file to validate from. */
  public Path privateInput(String content) throws IOException {
    AtomicFiles.createPrivateFolder(tmpDir);
    Path file = AtomicFiles.createPrivate(tmpDir.resolve("input-" + UUID.randomUUID() + ".yaml"));
    try {
      Files.writeString(file, content, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      Files.deleteIfExists(file);
      throw e;
    }
  }

  /**
   * At start: removes what a crash left behind, the validation scratch space and the temporary
   * files of interrupted writes in the stack folders (and those older versions put there).
   * Returns how many went.
   */
  public int removeLeftovers() throws IOException {
    int removed = 0;
    if (Files.isDirectory(tmpDir, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> entries = Files.list(tmpDir)) {
        removed += (int) entries.count();
      }
      deleteTree(tmpDir);
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(stacksDir)) {
      for (Path entry : entries) {
        if (STAGING.matcher(entry.getFileName().toString()).matches() && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          deleteTree(entry);
          removed++;
          continue;
        }
        if (entry.getFileName().toString().startsWith(".") || !Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) continue;
        removed += AtomicFiles.removeLeftovers(entry, 0);
        try (DirectoryStream<Path> old = Files.newDirectoryStream(entry, ".dockup-validate-*.yaml")) {
          for (Path p : old) {
            if (Files.deleteIfExists(p)) removed++;
          }
        }
      }
    }
    return removed;
  }

  /** The text of the stack's {@code .env} when it is a file inside its folder; null when it has none. */
  public String envText(Path dir) throws IOException {
    Path file = dir.resolve(ENV_FILE);
    if (!Files.isRegularFile(file)) return null;
    return readInside(file);
  }

  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
        Files.deleteIfExists(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
