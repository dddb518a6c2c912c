package dev.dockup.backup;

import dev.dockup.store.AtomicFiles;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an archive: gzip over tar (POSIX headers, so long names and large volumes fit), the
 * manifest first, then every entry as a regular owner-only file; optionally encrypted. The
 * file is created owner-only and synced to disk before it is handed back.
 */
final class ArchiveWriter {
  private static final int BUFFER = 64 * 1024;

  private ArchiveWriter() {}

  /** One entry: its bytes in memory (small texts) or in a file (a volume's data), with their size and checksum. */
  record Entry(String path, byte[] bytes, Path file, long size, String sha256) {
    static Entry text(String path, String text) {
      byte[] b = text.getBytes(StandardCharsets.UTF_8);
      return new Entry(path, b, null, b.length, ArchiveWriter.sha256(b));
    }

    static Entry file(String path, Path file, long size, String sha256) {
      return new Entry(path, null, file, size, sha256);
    }
  }

  /** The manifest of these entries. */
  static Manifest manifest(String version, Instant created, String node, String kind, List<String> stacks, List<Entry> entries,
                           List<Manifest.Volume> volumes) {
    Map<String, Manifest.FileEntry> files = new LinkedHashMap<>();
    entries.forEach(e -> files.put(e.path(), new Manifest.FileEntry(e.path(), e.size(), e.sha256())));
    return new Manifest(version, created.toString(), node, kind, List.copyOf(stacks), files, List.copyOf(volumes));
  }

  /** Writes {@code target} (which must not exist); {@code key} null writes it unencrypted. */
  static void write(Path target, Manifest manifest, List<Entry> entries, Encryption.Key key, Instant created) throws IOException {
    AtomicFiles.createPrivate(target);
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(target, StandardOpenOption.WRITE), BUFFER);
         OutputStream plain = key == null ? file : Encryption.encrypting(file, key);
         GzipCompressorOutputStream gz = new GzipCompressorOutputStream(plain);
         TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      byte[] m = manifest.toJson().encodePrettily().getBytes(StandardCharsets.UTF_8);
      put(tar, Manifest.PATH, m.length, created);
      tar.write(m);
      tar.closeArchiveEntry();
      for (Entry e : entries) {
        put(tar, e.path(), e.size(), created);
        if (e.bytes() != null) {
          tar.write(e.bytes());
        } else {
          try (InputStream in = Files.newInputStream(e.file())) {
            in.transferTo(tar);
          }
        }
        tar.closeArchiveEntry();
      }
      tar.finish();
    }
    try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  private static void put(TarArchiveOutputStream tar, String path, long size, Instant created) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(path);
    e.setSize(size);
    e.setMode(0100600);
    e.setModTime(created.toEpochMilli());
    tar.putArchiveEntry(e);
  }

  /** Copies {@code in} to a new owner-only file, answering its size and checksum. */
  static Entry copy(String path, InputStream in, Path file) throws IOException {
    MessageDigest digest = digest();
    long size;
    AtomicFiles.createPrivate(file);
    try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.WRITE), BUFFER), digest)) {
      size = in.transferTo(out);
    }
    return Entry.file(path, file, size, HexFormat.of().formatHex(digest.digest()));
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest = digest();
    try (InputStream in = new java.security.DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static String sha256(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
