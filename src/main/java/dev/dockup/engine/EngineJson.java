package dev.dockup.engine;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Engine API JSON, read null-safely. The engine sends {@code null} for an empty list or map
 * ({@code ImagesDeleted}, {@code RepoTags}, {@code RepoDigests}, {@code IPAM.Config},
 * {@code Mounts}, {@code Volumes}, {@code Labels}, a network's settings), and Vert.x's
 * {@code getJsonArray(key, default)} answers such a null rather than the default. Every field
 * DockUp reads from an engine answer goes through here: a missing, null or mistyped field reads
 * as empty, never as a NullPointerException.
 */
final class EngineJson {
  private EngineJson() {}

  static JsonObject object(JsonObject o, String key) {
    return o != null && o.getValue(key) instanceof JsonObject v ? v : new JsonObject();
  }

  static JsonArray array(JsonObject o, String key) {
    return o != null && o.getValue(key) instanceof JsonArray v ? v : new JsonArray();
  }

  /** Null when absent or not a string. */
  static String string(JsonObject o, String key) {
    return o != null && o.getValue(key) instanceof String v ? v : null;
  }

  static long number(JsonObject o, String key, long otherwise) {
    return o != null && o.getValue(key) instanceof Number v ? v.longValue() : otherwise;
  }

  static boolean bool(JsonObject o, String key) {
    return o != null && Boolean.TRUE.equals(o.getValue(key));
  }

  /** The elements that are objects; nulls and anything else are skipped. */
  static List<JsonObject> objects(JsonArray a) {
    List<JsonObject> out = new ArrayList<>();
    if (a != null) {
      for (int i = 0; i < a.size(); i++) {
        if (a.getValue(i) instanceof JsonObject o) out.add(o);
      }
    }
    return out;
  }

  /** The elements that are strings. */
  static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    if (a != null) {
      for (int i = 0; i < a.size(); i++) {
        if (a.getValue(i) instanceof String s) out.add(s);
      }
    }
    return out;
  }
}
