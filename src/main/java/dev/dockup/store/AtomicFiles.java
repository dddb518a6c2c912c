package dev.dockup.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Rewrites that never leave a half-written file: write a temporary file beside the target,
 * fsync it, rename it over the target, fsync the folder. The temporary file is owner-only from
 * the moment it exists (a crash in between must not leave a readable copy of a {@code .env});
 * the target gets its mode just before the rename.
 */
public final class AtomicFiles {
  private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);

  private AtomicFiles() {}

  public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  public static final Set<PosixFilePermission> OWNER_ONLY_FOLDER = PosixFilePermissions.fromString("rwx------");
  /** {@code .<target>.<uuid>.tmp}: what {@link #write} leaves behind only when the process dies mid-write. */
  private static final Pattern LEFTOVER =
      Pattern.compile("^\\..+\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.tmp$");

  public static void write(Path target, String content, Set<PosixFilePermission> mode) throws IOException {
    write(target, content.getBytes(StandardCharsets.UTF_8), mode);
  }

  /** Writes {@code bytes}; {@code mode} null keeps the target's mode, and a new file is owner-only. */
  public static void write(Path target, byte[] bytes, Set<PosixFilePermission> mode) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) ch.write(buf);
        ch.force(true);
      }
      Set<PosixFilePermission> perms = mode;
      if (perms == null && Files.exists(target)) perms = Files.getPosixFilePermissions(target);
      if (perms != null && !perms.equals(OWNER_ONLY)) Files.setPosixFilePermissions(tmp, perms);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A new, empty file that only its owner can read from the moment it exists. */
  public static Path createPrivate(Path file) throws IOException {
    return Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
  }

  /** A folder (and its missing parents) that only its owner can enter; an existing one is left as it is. */
  public static Path createPrivateFolder(Path dir) throws IOException {
    if (Files.isDirectory(dir)) return dir;
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
    try {
      return Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FOLDER));
    } catch (java.nio.file.FileAlreadyExistsException e) {
      return dir;
    }
  }

  /**
   * Deletes the temporary files of writes a crash interrupted, in {@code root} and the folders
   * below it down to {@code depth} levels (links are not followed). Returns how many went.
   */
  public static int removeLeftovers(Path root, int depth) throws IOException {
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) return 0;
    int[] removed = {0};
    Files.walkFileTree(root, Set.of(), depth + 1, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (attrs.isRegularFile() && LEFTOVER.matcher(file.getFileName().toString()).matches()) {
          Files.deleteIfExists(file);
          removed[0]++;
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException exc) {
        LOG.debug("Cannot look for leftovers in {}: {}", file, exc.getMessage());
        return FileVisitResult.CONTINUE;
      }
    });
    return removed[0];
  }

  public static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // Some filesystems refuse to open a directory; the rename itself is still atomic.
    }
  }
}
