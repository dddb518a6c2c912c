package dev.dockup.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A small JSON document in {@code DATA_DIR} (settings, auth store): read once at start, rewritten
 * atomically and owner-only. Each save writes the state current when its turn comes, under a
 * lock, so saves racing from different event loops can never leave an older state on disk.
 */
public final class JsonFile {
  private final Path path;

  public JsonFile(Path path) {
    this.path = path;
  }

  public Path path() { return path; }

  /** Blocking: the document, or an empty one when the file does not exist yet. */
  public JsonObject read() throws IOException {
    if (!Files.exists(path)) return new JsonObject();
    try {
      return new JsonObject(Files.readString(path));
    } catch (RuntimeException e) {
      throw new IOException(path + " is not valid JSON: " + e.getMessage(), e);
    }
  }

  /** Blocking save. */
  public synchronized void write(JsonObject doc) throws IOException {
    AtomicFiles.write(path, doc.encodePrettily(), AtomicFiles.OWNER_ONLY);
  }

  /** Saves the snapshot on a worker; completes on the caller's context once it is on disk. */
  public Future<Void> save(Vertx vertx, Supplier<JsonObject> snapshot) {
    return vertx.executeBlocking(() -> {
      synchronized (this) {
        write(snapshot.get());
      }
      return null;
    }, false);
  }
}
