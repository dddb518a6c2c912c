package dev.dockup.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The format version of {@code DATA_DIR}. A folder written by a newer DockUp is refused at
 * start rather than half-understood and overwritten. A new {@code DATA_DIR} is owner-only, and
 * what a crash left half-written in it is removed before anything reads it.
 */
public final class DataDir {
  private static final Logger LOG = LoggerFactory.getLogger(DataDir.class);
  /** DATA_DIR, its stores' folders (history/<stack>) and one more for what comes. */
  private static final int LEFTOVER_DEPTH = 3;

  private DataDir() {}

  public static final int FORMAT = 1;
  public static final String FORMAT_FILE = "format-version";

  public static void prepare(Path dataDir) throws IOException {
    if (!Files.exists(dataDir)) AtomicFiles.createPrivateFolder(dataDir);
    ensureUsableDirectory(dataDir, "DATA_DIR");
    int leftovers = AtomicFiles.removeLeftovers(dataDir, LEFTOVER_DEPTH);
    if (leftovers > 0) LOG.info("Removed {} temporary file(s) an interrupted write left in {}", leftovers, dataDir);
    Path file = dataDir.resolve(FORMAT_FILE);
    if (Files.exists(file)) {
      String text = Files.readString(file).trim();
      int found;
      try {
        found = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        throw new IllegalStateException("DATA_DIR " + dataDir + " has an unreadable " + FORMAT_FILE + ": '" + text + "'");
      }
      if (found > FORMAT) {
        throw new IllegalStateException("DATA_DIR " + dataDir + " is format " + found
            + ", written by a newer DockUp; this version understands format " + FORMAT + " and below");
      }
    } else {
      AtomicFiles.write(file, FORMAT + "\n", AtomicFiles.OWNER_ONLY);
    }
  }

  /** Creates the folder when missing; a path that is a file or not writable is a startup error. */
  public static void ensureUsableDirectory(Path dir, String what) throws IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalStateException(what + " " + dir + " exists and is not a folder");
    }
    Files.createDirectories(dir);
    if (!Files.isWritable(dir) || !Files.isReadable(dir)) {
      throw new IllegalStateException(what + " " + dir + " is not readable and writable by this user");
    }
  }
}
