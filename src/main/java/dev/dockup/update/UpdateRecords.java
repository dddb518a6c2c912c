package dev.dockup.update;

import dev.dockup.registry.ImageRef;
import dev.dockup.store.JsonFile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * What the update service remembers, in {@code DATA_DIR/updates.json}: per stack its update
 * state and records (last {@link #HISTORY_KEEP}), the digests rolled back from (never tried
 * again), the digests announced and those the scan gate refused (each said once). Confined to the
 * update verticle's event loop; every change is saved atomically in the background.
 */
final class UpdateRecords {
  private static final Logger LOG = LoggerFactory.getLogger(UpdateRecords.class);
  static final int HISTORY_KEEP = 50;

  private final Vertx vertx;
  private final JsonFile file;
  /**
   * {stacks: {name: {update_available, last_check, history}}, bad: {ref: [digests]}, notified: {stack|image: digest},
   * blocked: {stack|image: digest}}
   */
  private final JsonObject state;

  private UpdateRecords(Vertx vertx, JsonFile file, JsonObject state) {
    this.vertx = vertx;
    this.file = file;
    this.state = state;
    for (String k : List.of("stacks", "bad", "notified", "blocked")) if (!state.containsKey(k)) state.put(k, new JsonObject());
  }

  static Future<UpdateRecords> load(Vertx vertx, Path path) {
    JsonFile file = new JsonFile(path);
    return vertx.executeBlocking(file::read, false).map(doc -> new UpdateRecords(vertx, file, doc));
  }

  /** Every stack with an entry. */
  JsonObject stacks() {
    return state.getJsonObject("stacks");
  }

  /** The stack's entry, made when it has none. */
  JsonObject stack(String name) {
    JsonObject s = stacks().getJsonObject(name);
    if (s == null) {
      s = new JsonObject().put("update_available", false).put("last_check", null).put("history", new JsonArray());
      stacks().put(name, s);
    }
    if (!s.containsKey("history")) s.put("history", new JsonArray());
    return s;
  }

  /** Reads only: a stack without a record gets an empty history and no entry. */
  JsonArray history(String name) {
    JsonObject entry = stacks().getValue(name) instanceof JsonObject e ? e : null;
    return entry != null && entry.getValue("history") instanceof JsonArray h ? h.copy() : new JsonArray();
  }

  void add(String name, JsonObject record) {
    JsonArray history = stack(name).getJsonArray("history");
    history.add(0, record);
    while (history.size() > HISTORY_KEEP) history.remove(history.size() - 1);
    save();
  }

  /** A digest an update was rolled back from: never retried or announced again. */
  boolean isBad(ImageRef ref, String digest) {
    JsonArray bad = state.getJsonObject("bad").getJsonArray(ref.canonical());
    return bad != null && bad.contains(digest);
  }

  void markBad(ImageRef ref, String digest) {
    JsonObject all = state.getJsonObject("bad");
    JsonArray bad = all.getJsonArray(ref.canonical());
    if (bad == null) all.put(ref.canonical(), bad = new JsonArray());
    if (!bad.contains(digest)) bad.add(digest);
  }

  /** {@code stack|image} → the last digest announced. */
  JsonObject notified() {
    return state.getJsonObject("notified");
  }

  /** {@code stack|image} → the last digest the scan gate refused. */
  JsonObject blocked() {
    return state.getJsonObject("blocked");
  }

  void save() {
    JsonObject snapshot = state.copy();
    file.save(vertx, () -> snapshot).onFailure(t -> LOG.warn("Could not save update state: {}", t.getMessage()));
  }
}
