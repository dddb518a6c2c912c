package dev.dockup.backup;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads an archive as a stream and checks every entry as it comes, before its bytes go anywhere:
 * the manifest first; then each entry by its name (relative, no {@code ..}), its type (a regular
 * file: no link, device, FIFO, folder or sparse file), its place in the manifest and the layout,
 * its size (the manifest's exactly, so nothing larger is read) and its checksum. A volume's data
 * (a tar the Engine made) is checked entry by entry too. The first thing wrong refuses the whole
 * archive with a 400 naming it.
 *
 * <p>A restore reads an archive twice: once with no sink at all (nothing is written anywhere
 * until every entry passed), then with the sink that stages what it restores, checking again.
 */
final class ArchiveReader {
  private static final int BUFFER = 64 * 1024;

  /** Where the bytes of a checked entry go: an open stream, or null to check it only. */
  interface Sink {
    OutputStream open(Manifest.FileEntry entry) throws IOException;
  }

  private ArchiveReader() {}

  /**
   * Reads the whole archive from {@code in} (gzip over tar); {@code damaged} is what a stream
   * that fails to read means (a wrong passphrase when it is being decrypted).
   */
  static Manifest read(InputStream in, long maxData, String damaged, Sink sink) throws IOException {
    try {
      return readChecked(in, maxData, damaged, sink);
    } catch (SinkFailure e) {
      throw (IOException) e.getCause();
    } catch (IOException e) {
      // Not gzip, a header that does not parse, a stream cut short, a segment that fails its tag.
      throw Manifest.refused(damaged);
    }
  }

  private static Manifest readChecked(InputStream in, long maxData, String damaged, Sink sink) throws IOException {
    try (TarArchiveInputStream tar = new TarArchiveInputStream(GzipCompressorInputStream.builder().setInputStream(in).get())) {
      TarArchiveEntry first = next(tar, damaged);
      if (first == null || !Manifest.PATH.equals(first.getName())) throw Manifest.refused("its first entry is not " + Manifest.PATH);
      checkType(first);
      if (first.getSize() > Manifest.MAX_MANIFEST_BYTES) throw Manifest.refused(Manifest.PATH + " is too large");
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      tar.transferTo(text);
      Manifest manifest = Manifest.parse(text.toString(StandardCharsets.UTF_8), maxData);
      Set<String> seen = new HashSet<>();
      TarArchiveEntry e;
      while ((e = next(tar, damaged)) != null) {
        String name = checkName(e.getName(), "entry ");
        checkType(e);
        Manifest.FileEntry expected = manifest.files().get(name);
        if (expected == null) throw Manifest.refused("entry " + Manifest.shown(name) + " is not in its manifest");
        if (!seen.add(name)) throw Manifest.refused("entry " + Manifest.shown(name) + " appears twice");
        if (e.getSize() != expected.size() || e.getRealSize() != expected.size()) {
          throw Manifest.refused("entry " + Manifest.shown(name) + " is " + (e.getSize() > expected.size() ? "larger" : "smaller")
              + " than its manifest says");
        }
        Manifest.Volume volume = manifest.volumes().stream().filter(v -> v.path().equals(name)).findFirst().orElse(null);
        try (OutputStream out = open(sink, expected)) {
          Tap tap = new Tap(tar, out);
          if (volume != null) checkVolume(tap, volume, name);
          tap.drain();
          if (tap.count != expected.size()) throw Manifest.refused("entry " + Manifest.shown(name) + " is truncated");
          if (!tap.sha256().equals(expected.sha256())) {
            throw Manifest.refused("entry " + Manifest.shown(name) + " does not match its checksum");
          }
        }
      }
      Set<String> missing = manifest.files().keySet().stream().filter(p -> !seen.contains(p)).collect(Collectors.toSet());
      if (!missing.isEmpty()) throw Manifest.refused("it lacks " + missing.size() + " file(s) its manifest lists");
      return manifest;
    }
  }

  private static OutputStream open(Sink sink, Manifest.FileEntry entry) throws SinkFailure {
    try {
      return sink == null ? null : sink.open(entry);
    } catch (IOException e) {
      throw new SinkFailure(e);
    }
  }

  private static TarArchiveEntry next(TarArchiveInputStream tar, String damaged) throws IOException {
    try {
      return tar.getNextEntry();
    } catch (IllegalArgumentException e) {
      // A header commons-compress cannot parse (a bad number, a bad PAX record) is a damaged archive.
      throw Manifest.refused(damaged);
    }
  }

  /** The name as written, refused unless it is a plain relative path inside the archive's folder. */
  static String checkName(String name, String what) {
    if (name == null || name.isEmpty() || name.indexOf('\0') >= 0 || name.indexOf('\\') >= 0) {
      throw Manifest.refused(what + "with an invalid name");
    }
    if (name.startsWith("/")) throw Manifest.refused(what + Manifest.shown(name) + " has an absolute path");
    for (String segment : name.split("/", -1)) {
      if (segment.equals("..")) throw Manifest.refused(what + Manifest.shown(name) + " leaves the archive's folder");
      if (segment.isEmpty() || segment.equals(".")) throw Manifest.refused(what + Manifest.shown(name) + " has an invalid path");
    }
    return name;
  }

  private static void checkType(TarArchiveEntry e) {
    String name = Manifest.shown(e.getName());
    if (e.isSymbolicLink()) throw Manifest.refused("entry " + name + " is a symbolic link");
    if (e.isLink()) throw Manifest.refused("entry " + name + " is a hard link");
    if (e.isCharacterDevice() || e.isBlockDevice()) throw Manifest.refused("entry " + name + " is a device");
    if (e.isFIFO()) throw Manifest.refused("entry " + name + " is a FIFO");
    if (e.isSparse() || e.isPaxGNU1XSparse() || e.getRealSize() != e.getSize()) throw Manifest.refused("entry " + name + " is a sparse file");
    if (e.isDirectory()) throw Manifest.refused("entry " + name + " is a folder");
    if (e.getLinkFlag() != TarConstants.LF_NORMAL && e.getLinkFlag() != TarConstants.LF_OLDNORM) {
      throw Manifest.refused("entry " + name + " is not a regular file");
    }
  }

  /**
   * A mount's data as the Engine gave it: every entry inside the one folder named after the
   * mount point, and only files, folders and links; no device, FIFO or sparse file, no absolute
   * name, no {@code ..}, and hard links only to other entries of the folder. Symbolic links are
   * data here: the Engine writes them inside the container, whatever they point to.
   */
  private static void checkVolume(InputStream data, Manifest.Volume volume, String path) throws IOException {
    String what = Manifest.shown(path) + ": entry ";
    TarArchiveInputStream inner = new TarArchiveInputStream(data);
    TarArchiveEntry e;
    while ((e = next(inner, "entry " + Manifest.shown(path) + " is damaged")) != null) {
      String name = e.getName();
      String plain = name.endsWith("/") && name.length() > 1 ? name.substring(0, name.length() - 1) : name;
      checkName(plain, what);
      String top = plain.contains("/") ? plain.substring(0, plain.indexOf('/')) : plain;
      if (!top.equals(volume.base())) throw Manifest.refused(what + Manifest.shown(name) + " is outside the mount's folder");
      if (e.isCharacterDevice() || e.isBlockDevice()) throw Manifest.refused(what + Manifest.shown(name) + " is a device");
      if (e.isFIFO()) throw Manifest.refused(what + Manifest.shown(name) + " is a FIFO");
      if (e.isSparse()) throw Manifest.refused(what + Manifest.shown(name) + " is a sparse file");
      if (e.isLink()) {
        String target = checkName(e.getLinkName(), what + Manifest.shown(name) + " links to ");
        if (!target.equals(volume.base()) && !target.startsWith(volume.base() + "/")) {
          throw Manifest.refused(what + Manifest.shown(name) + " links outside the mount's folder");
        }
      } else if (!e.isSymbolicLink() && !e.isDirectory() && e.getLinkFlag() != TarConstants.LF_NORMAL
          && e.getLinkFlag() != TarConstants.LF_OLDNORM) {
        throw Manifest.refused(what + Manifest.shown(name) + " is of a type a volume does not hold");
      }
      inner.transferTo(OutputStream.nullOutputStream());
    }
  }

  /**
   * The bytes of one entry as they are read: counted, hashed, and copied to the sink (if any).
   * The inner checks read through it; {@link #drain} reads what they left (the tar's padding).
   */
  private static final class Tap extends FilterInputStream {
    private final OutputStream out;
    private final MessageDigest digest;
    long count;

    Tap(InputStream in, OutputStream out) {
      super(in);
      this.out = out;
      try {
        this.digest = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        count += n;
        digest.update(b, off, n);
        if (out != null) {
          try {
            out.write(b, off, n);
          } catch (IOException e) {
            throw new SinkFailure(e);
          }
        }
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      // Skipped bytes must still be hashed and copied.
      byte[] buf = new byte[(int) Math.min(n, BUFFER)];
      int read = read(buf, 0, buf.length);
      return Math.max(read, 0);
    }

    @Override
    public void close() {
      // The archive's stream stays open for the next entry.
    }

    void drain() throws IOException {
      byte[] buf = new byte[BUFFER];
      while (read(buf, 0, buf.length) >= 0) {
        // read() does the work
      }
    }

    String sha256() {
      return HexFormat.of().formatHex(digest.digest());
    }
  }

  /** A failure to write what was read: the node's own trouble (a full disk), not the archive's. */
  static final class SinkFailure extends IOException {
    SinkFailure(IOException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
