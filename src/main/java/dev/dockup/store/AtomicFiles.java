package dev.dockup.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/**
 * Rewrites that never leave a half-written file: write a temporary file beside the target,
 * fsync it, rename it over the target, fsync the folder.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  public static void write(Path target, String content, Set<PosixFilePermission> mode) throws IOException {
    write(target, content.getBytes(StandardCharsets.UTF_8), mode);
  }

  /** Writes {@code bytes}; {@code mode} null keeps the target's mode (or the umask's for a new file). */
  public static void write(Path target, byte[] bytes, Set<PosixFilePermission> mode) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) ch.write(buf);
        ch.force(true);
      }
      Set<PosixFilePermission> perms = mode;
      if (perms == null && Files.exists(target)) perms = Files.getPosixFilePermissions(target);
      if (perms != null) Files.setPosixFilePermissions(tmp, perms);
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

  public static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException ignored) {
      // Some filesystems refuse to open a directory; the rename itself is still atomic.
    }
  }
}
