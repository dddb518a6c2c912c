package dev.dockup.backup;

import dev.dockup.bus.ApiException;
import dev.dockup.stack.StackFiles;
import dev.dockup.store.AtomicFiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The archives in {@code DATA_DIR/backups} (owner-only): named
 * {@code backup_YYYYMMDD_HHMMSS.tar.gz} (UTC; {@code _N} added when two share a second,
 * {@code .enc} when encrypted), listed, opened, deleted, and kept to the newest
 * {@code BACKUP_KEEP}. Work in progress lives in {@code .staging}, emptied at every start.
 * Blocking file I/O: call from a worker.
 */
final class BackupStore {
  static final Pattern NAME = Pattern.compile("^backup_(\\d{8}_\\d{6})(?:_(\\d{1,3}))?\\.tar\\.gz(\\.enc)?$");
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss").withZone(ZoneOffset.UTC);

  private final Path dir;
  private final Path staging;

  BackupStore(Path dataDir) throws IOException {
    this.dir = AtomicFiles.createPrivateFolder(dataDir.toRealPath().resolve("backups"));
    this.staging = dir.resolve(".staging");
  }

  Path dir() {
    return dir;
  }

  /** Removes what an interrupted backup, restore or move left; returns how many entries went. */
  int clearStaging() throws IOException {
    int n = 0;
    if (Files.isDirectory(staging, LinkOption.NOFOLLOW_LINKS)) {
      try (var entries = Files.list(staging)) {
        n = (int) entries.count();
      }
      StackFiles.deleteTree(staging);
    }
    AtomicFiles.createPrivateFolder(staging);
    return n;
  }

  /** A new private folder for one job's work files. */
  Path workFolder(String purpose) throws IOException {
    AtomicFiles.createPrivateFolder(staging);
    return AtomicFiles.createPrivateFolder(staging.resolve(purpose + "-" + UUID.randomUUID()));
  }

  /** A name no archive has yet, for an archive made at {@code when}. */
  String newName(Instant when, boolean encrypted) {
    String base = "backup_" + STAMP.format(when);
    String ext = encrypted ? ".tar.gz.enc" : ".tar.gz";
    String name = base + ext;
    for (int i = 2; Files.exists(dir.resolve(name), LinkOption.NOFOLLOW_LINKS) && i < 1000; i++) name = base + "_" + i + ext;
    return name;
  }

  /** Moves a finished archive in under its name (same filesystem: atomic). */
  Path publish(Path file, String name) throws IOException {
    Path target = dir.resolve(name);
    Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
    AtomicFiles.syncDirectory(dir);
    return target;
  }

  /** The archive's path; 400 for a name that is none of ours, 404 when there is no such archive. */
  Path existing(String name) {
    if (name == null || !NAME.matcher(name).matches()) throw ApiException.badRequest("Invalid backup file name");
    Path p = dir.resolve(name);
    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) throw ApiException.notFound("Backup not found");
    return p;
  }

  /** Newest first. */
  List<Path> archives() throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        if (NAME.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) out.add(p);
      }
    }
    out.sort(Comparator.comparing((Path p) -> sortKey(p.getFileName().toString())).reversed());
    return out;
  }

  private static String sortKey(String name) {
    Matcher m = NAME.matcher(name);
    if (!m.matches()) return name;
    return m.group(1) + "_" + String.format("%04d", m.group(2) == null ? 1 : Integer.parseInt(m.group(2)));
  }

  /** {@code {backups:[{file, size, created, encrypted, kind?, stacks?}]}}; what an unencrypted archive holds is read from its manifest. */
  JsonObject list() throws IOException {
    JsonArray out = new JsonArray();
    for (Path p : archives()) {
      String name = p.getFileName().toString();
      Matcher m = NAME.matcher(name);
      m.matches();
      JsonObject item = new JsonObject().put("file", name).put("size", Files.size(p))
          .put("created", LocalDateTime.parse(m.group(1), DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss")).toInstant(ZoneOffset.UTC).toString())
          .put("encrypted", m.group(3) != null);
      if (m.group(3) == null) {
        JsonObject manifest = peekManifest(p);
        if (manifest != null) {
          item.put("kind", manifest.getString("kind")).put("node", manifest.getString("node"))
              .put("stacks", manifest.getValue("stacks") instanceof JsonArray a ? a : new JsonArray());
        }
      }
      out.add(item);
    }
    return new JsonObject().put("backups", out);
  }

  /** The first entry of an unencrypted archive, when it is a manifest of sensible size; null otherwise. */
  private static JsonObject peekManifest(Path p) {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(p));
         TarArchiveInputStream tar = new TarArchiveInputStream(GzipCompressorInputStream.builder().setInputStream(in).get())) {
      TarArchiveEntry e = tar.getNextEntry();
      if (e == null || !Manifest.PATH.equals(e.getName()) || e.getSize() > Manifest.MAX_MANIFEST_BYTES) return null;
      return new JsonObject(new String(tar.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  void delete(String name) throws IOException {
    Files.delete(existing(name));
  }

  /** Deletes all but the newest {@code keep}; returns the names that went. */
  List<String> retain(int keep) throws IOException {
    List<Path> all = archives();
    List<String> removed = new ArrayList<>();
    for (Path old : all.subList(Math.min(keep, all.size()), all.size())) {
      Files.deleteIfExists(old);
      removed.add(old.getFileName().toString());
    }
    return removed;
  }

  /**
   * An archive to read, as many times as needed: {@code open()} gives its gzip stream, decrypted
   * when it is encrypted (the key is derived once). 400 when it is encrypted and no passphrase
   * was given.
   */
  static Source source(Path file, String passphrase) throws IOException {
    byte[] start;
    try (InputStream in = Files.newInputStream(file)) {
      start = in.readNBytes(Encryption.HEADER_LENGTH);
    }
    if (!Encryption.isEncrypted(start)) return new Source(file, null);
    if (passphrase == null) throw ApiException.badRequest("This backup is encrypted: give its passphrase");
    try (InputStream in = Files.newInputStream(file)) {
      return new Source(file, Encryption.readKey(in, passphrase));
    }
  }

  record Source(Path file, Encryption.Key key) {
    InputStream open() throws IOException {
      InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024);
      if (key == null) return in;
      in.skipNBytes(Encryption.HEADER_LENGTH);
      return Encryption.decrypting(in, key);
    }

    String damaged() {
      return key == null ? "the archive is damaged or truncated, or has a header DockUp does not read (such as a large sparse file's)"
          : "wrong passphrase, or the archive is damaged";
    }
  }
}
