package dev.dockup.stack;

import dev.dockup.bus.ApiException;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Deleted stacks: a folder renamed into {@code STACKS_DIR/.trash/<name>-<time>} (same
 * filesystem, so nothing is copied; dot-folders are never stacks), listed, restored, and purged
 * after {@value #TRASH_RETENTION_DAYS} days. Blocking file I/O: call from a worker.
 */
public final class StackTrash {
  private static final Pattern TRASH_ID = Pattern.compile("^([a-z0-9][a-z0-9_-]{0,62})-(\\d{14})(?:-(\\d{1,3}))?$");
  private static final DateTimeFormatter TRASH_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
  static final long TRASH_RETENTION_DAYS = 30;
  public static final String TRASH_DIR = ".trash";

  public record TrashEntry(String id, String stack, Instant deletedAt, long bytes) {}

  private final StackFiles files;

  public StackTrash(StackFiles files) {
    this.files = files;
  }


  /** Renames the folder into {@code .trash/<name>-<time>} (same filesystem: nothing is copied). */
  public TrashEntry moveToTrash(String name) throws IOException {
    Path dir = files.folder(name);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) throw ApiException.notFound("Stack not found");
    Path trash = files.root().resolve(TRASH_DIR);
    Files.createDirectories(trash);
    Instant now = Instant.now();
    String id = name + "-" + TRASH_TIME.format(now);
    for (int i = 1; Files.exists(trash.resolve(id), LinkOption.NOFOLLOW_LINKS); i++) {
      id = name + "-" + TRASH_TIME.format(now) + "-" + i;
    }
    Files.move(dir, trash.resolve(id), StandardCopyOption.ATOMIC_MOVE);
    return new TrashEntry(id, name, now, 0);
  }

  public List<TrashEntry> listTrash() throws IOException {
    return trashEntries(true);
  }

  /** The stack a trash id would restore, or null when the id is none. */
  public static String trashStack(String id) {
    Matcher m = id == null ? null : TRASH_ID.matcher(id);
    return m != null && m.matches() ? m.group(1) : null;
  }

  /** Sizing walks every file of every entry: only the listing shown to users needs it. */
  private List<TrashEntry> trashEntries(boolean sized) throws IOException {
    Path trash = files.root().resolve(TRASH_DIR);
    List<TrashEntry> out = new ArrayList<>();
    if (!Files.isDirectory(trash)) return out;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(trash)) {
      for (Path p : entries) {
        Matcher m = TRASH_ID.matcher(p.getFileName().toString());
        if (!m.matches() || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) continue;
        Instant when = deletedAt(m);
        // A folder put there by hand with a name that is no time is not ours to list or purge.
        if (when != null) out.add(new TrashEntry(m.group(0), m.group(1), when, sized ? bytes(p) : -1));
      }
    }
    out.sort(Comparator.comparing(TrashEntry::deletedAt).reversed());
    return out;
  }

  /** Moves a trashed folder back; returns the stack name. */
  public String restore(String id) throws IOException {
    Matcher m = id == null ? null : TRASH_ID.matcher(id);
    if (m == null || !m.matches()) throw ApiException.badRequest("Invalid trash id");
    Path from = files.root().resolve(TRASH_DIR).resolve(id);
    if (!Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) throw ApiException.notFound("Trash entry not found");
    String name = m.group(1);
    Path to = files.root().resolve(name);
    if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) throw ApiException.conflict("A stack named " + name + " already exists");
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    return name;
  }

  /** Deletes trash entries older than the retention; returns how many went. */
  public int purgeTrash(Instant now) throws IOException {
    int purged = 0;
    for (TrashEntry e : trashEntries(false)) {
      if (e.deletedAt().isBefore(now.minusSeconds(TRASH_RETENTION_DAYS * 86_400))) {
        StackFiles.deleteTree(files.root().resolve(TRASH_DIR).resolve(e.id()));
        purged++;
      }
    }
    return purged;
  }

  private static Instant deletedAt(Matcher m) {
    try {
      return TRASH_TIME.parse(m.group(2), Instant::from);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  private static long bytes(Path root) {
    long[] total = {0};
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          total[0] += attrs.size();
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException exc) {
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      return total[0];
    }
    return total[0];
  }
}
