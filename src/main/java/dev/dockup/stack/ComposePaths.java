package dev.dockup.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a compose file makes the compose CLI read: every path it names ({@link ComposeFile.Reference}),
 * through the compose files it includes or extends, checked to stay inside the stack's folder or
 * one of the folders {@code ALLOW_OUTSIDE_PATHS} lists. Symbolic links are followed as the
 * operating system would. Blocking (reads included files): call from a worker.
 */
final class ComposePaths {
  /** Included files nested deeper than this, or more of them, are refused: compose itself has no such bound. */
  static final int MAX_NESTING = 8;
  static final int MAX_FILES = 64;
  private static final Pattern ABSOLUTE_PATH = Pattern.compile("(?<=^|[\\s'\"(=\\[,])/[^\\s'\"():,\\]]+");

  /** What a check found: what is refused (empty when all is well) and whether anything allowed lies outside. */
  record Outcome(List<String> refused, boolean readsOutside) {
    boolean ok() { return refused.isEmpty(); }
  }

  private final Path folder;
  private final List<Path> allowed;
  private final String home;
  private final List<String> refused = new ArrayList<>();
  private final Set<Path> visited = new HashSet<>();
  private boolean readsOutside;

  /**
   * @param folder  the stack's folder (it may not exist yet)
   * @param allowed the folders outside it that may be read
   * @param home    what {@code ~} stands for in compose's environment
   */
  ComposePaths(Path folder, List<Path> allowed, String home) {
    this.folder = real(folder.toAbsolutePath());
    this.allowed = allowed.stream().map(p -> real(p.toAbsolutePath())).toList();
    this.home = home;
  }

  /** Checks the stack's own compose file(s): relative paths start from the stack's folder. */
  Outcome check(List<ComposeFile.Reference> references, ComposeVariables variables) {
    check(references, folder, variables, 0);
    return new Outcome(List.copyOf(refused), readsOutside);
  }

  private void check(List<ComposeFile.Reference> references, Path base, ComposeVariables vars, int depth) {
    for (ComposeFile.Reference ref : references) {
      Optional<String> path = vars.interpolate(ref.path());
      Optional<String> dir = ref.dir() == null ? Optional.of("") : vars.interpolate(ref.dir());
      if (path.isEmpty() || dir.isEmpty()) {
        refused.add(ref.field() + ": '" + ref.path() + "' depends on variables DockUp cannot resolve");
        continue;
      }
      if (path.get().isBlank()) continue;
      boolean remote = isRemote(path.get());
      boolean compose = ref.kind() == ComposeFile.Kind.INCLUDE || ref.kind() == ComposeFile.Kind.EXTENDS;
      if (remote && compose) {
        refused.add(ref.field() + ": remote compose files are not allowed ('" + ref.path() + "')");
        continue;
      }
      // A build from a Git URL reads nothing here, nor does its Dockerfile.
      if (remote || (ref.kind() == ComposeFile.Kind.FILE && isRemote(dir.get()))) continue;
      Path start = ref.kind() == ComposeFile.Kind.FILE && ref.dir() != null ? resolve(base, dir.get()) : base;
      Path target = resolve(start, path.get());
      if (target == null || !allowedPath(target, ref)) continue;
      if (compose) follow(ref, target, ref.dir() == null ? null : resolve(base, dir.get()), vars, depth);
    }
  }

  private boolean allowedPath(Path target, ComposeFile.Reference ref) {
    if (target.startsWith(folder)) return true;
    if (allowed.stream().anyMatch(target::startsWith)) {
      readsOutside = true;
      return true;
    }
    refused.add(ref.field() + ": '" + ref.path() + "' is outside the stack's folder");
    return false;
  }

  /** Loads an included or extended file and checks its own paths; {@code projectDir} is an include's, or null. */
  private void follow(ComposeFile.Reference ref, Path file, Path projectDir, ComposeVariables vars, int depth) {
    if (!Files.isRegularFile(file) || !visited.add(file)) return;  // missing: compose says so; seen: a cycle
    if (depth + 1 > MAX_NESTING || visited.size() > MAX_FILES) {
      refused.add(ref.field() + ": compose files nested deeper than " + MAX_NESTING + " or more than " + MAX_FILES);
      return;
    }
    boolean inside = file.startsWith(folder);
    List<ComposeFile.Reference> own;
    try {
      if (Files.size(file) > ComposeFile.MAX_BYTES) throw new ComposeFile.Invalid("larger than 1 MiB", null, true);
      own = ComposeFile.referencesOf(Files.readString(file, StandardCharsets.UTF_8));
    } catch (ComposeFile.Invalid e) {
      // What a file outside the folder holds is not repeated, not even in a YAML error.
      refused.add(ref.field() + ": '" + ref.path() + "' cannot be used: " + (inside ? e.getMessage() : "it is not a readable compose file"));
      return;
    } catch (IOException | RuntimeException e) {
      refused.add(ref.field() + ": '" + ref.path() + "' cannot be read");
      return;
    }
    if (ref.kind() == ComposeFile.Kind.EXTENDS) {
      check(own, file.getParent(), vars, depth + 1);
    } else {
      // An included file takes its variables from its own .env, which DockUp does not follow: none are trusted.
      check(own, projectDir == null ? file.getParent() : projectDir, ComposeVariables.none(), depth + 1);
    }
  }

  /** The path as the system resolves it, symbolic links followed as far as it exists; null when it is no path. */
  private Path resolve(Path base, String raw) {
    try {
      String p = raw.equals("~") || raw.startsWith("~/") ? home + raw.substring(1) : raw;
      Path q = Path.of(p);
      return real(q.isAbsolute() ? q : base.resolve(q));
    } catch (InvalidPathException e) {
      return null;
    }
  }

  /**
   * The real path of the deepest part that exists, with the rest appended. Never normalised
   * before the links are followed: {@code link/..} is the link target's parent to the system.
   */
  static Path real(Path path) {
    Path existing = path;
    while (existing != null && !Files.exists(existing)) existing = existing.getParent();
    if (existing == null) return path.normalize();
    try {
      return existing.toRealPath().resolve(existing.relativize(path)).normalize();
    } catch (IOException e) {
      return path.normalize();
    }
  }

  /** A Git or other URL compose fetches itself, or a build context that names a service or an image. */
  static boolean isRemote(String path) {
    return path.contains("://") || path.startsWith("git@") || path.startsWith("service:");
  }

  /**
   * Whether output of the compose CLI names a file outside {@code folders} (or outside any folder
   * when empty): such output may quote what that file holds.
   */
  static boolean namesFileOutside(String output, List<Path> folders) {
    Matcher m = ABSOLUTE_PATH.matcher(output);
    while (m.find()) {
      Path p;
      try {
        p = Path.of(m.group()).normalize();
      } catch (InvalidPathException e) {
        return true;
      }
      if (folders.stream().noneMatch(p::startsWith)) return true;
    }
    return false;
  }
}
