package dev.dockup.template;

import dev.dockup.store.AtomicFiles;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The last known state of each remote catalog, one file per catalog in
 * {@code DATA_DIR/templates/<key>.json} (owner-only, written atomically): the templates survive
 * a restart and a catalog that is down. Blocking: call from a worker.
 */
final class SourceCache {
  private static final Logger LOG = LoggerFactory.getLogger(SourceCache.class);
  static final String FOLDER = "templates";
  private static final String SUFFIX = ".json";

  private final Path dir;

  SourceCache(Path dataDir) {
    this.dir = dataDir.resolve(FOLDER);
  }

  /** Every readable file by key; an unreadable one is logged and skipped (the next refresh rewrites it). */
  Map<String, SourceState> loadAll() throws IOException {
    Map<String, SourceState> out = new HashMap<>();
    if (!Files.isDirectory(dir)) return out;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path f : files) {
        try {
          SourceState s = SourceState.fromStored(new JsonObject(Files.readString(f)));
          if (f.getFileName().toString().equals(s.key() + SUFFIX)) out.put(s.key(), s);
        } catch (RuntimeException e) {
          LOG.warn("Ignoring unreadable template cache {}: {}", f.getFileName(), e.getClass().getSimpleName());
        }
      }
    }
    return out;
  }

  void save(SourceState s) throws IOException {
    AtomicFiles.createPrivateFolder(dir);
    AtomicFiles.write(dir.resolve(s.key() + SUFFIX), s.toStored().encode(), AtomicFiles.OWNER_ONLY);
  }

  /** Removes the files of catalogs no longer in the settings. */
  void keepOnly(Set<String> keys) throws IOException {
    if (!Files.isDirectory(dir)) return;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (!keys.contains(name.substring(0, name.length() - SUFFIX.length()))) Files.deleteIfExists(f);
      }
    }
  }
}
