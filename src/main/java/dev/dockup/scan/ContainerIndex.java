package dev.dockup.scan;

import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * This node's compose containers as the engine verticle publishes them (a resync, then one
 * project at a time): how a container id, short id or name becomes an image, and which stacks
 * run an image. Confined to the scan verticle's event loop.
 */
final class ContainerIndex {
  private static final Pattern HEX = Pattern.compile("^[0-9a-f]{1,64}$");

  /** Project → its containers ({@code id, name, project, state, image, image_id, …}). */
  private final Map<String, List<JsonObject>> projects = new HashMap<>();

  void apply(JsonObject msg) {
    JsonObject all = msg.getJsonObject("projects");
    if (all != null) {
      projects.clear();
      all.forEach(e -> projects.put(e.getKey(), list((JsonArray) e.getValue())));
      return;
    }
    String project = msg.getString(Bus.PROJECT);
    List<JsonObject> cs = list(msg.getJsonArray(Bus.CONTAINERS));
    if (cs.isEmpty()) projects.remove(project);
    else projects.put(project, cs);
  }

  private static List<JsonObject> list(JsonArray array) {
    List<JsonObject> out = new ArrayList<>();
    if (array != null) array.forEach(o -> out.add((JsonObject) o));
    return out;
  }

  /**
   * The container with this full id or name, else the one whose id starts with it (as the engine
   * resolves them); null when none; 400 when a short id fits several.
   */
  JsonObject resolve(String ref) {
    List<JsonObject> prefixed = new ArrayList<>();
    boolean hex = HEX.matcher(ref).matches();
    for (List<JsonObject> cs : projects.values()) {
      for (JsonObject c : cs) {
        if (ref.equals(c.getString("id"))) return c;
        if (hex && c.getString("id", "").startsWith(ref)) prefixed.add(c);
      }
    }
    for (List<JsonObject> cs : projects.values()) {
      for (JsonObject c : cs) if (ref.equals(c.getString("name"))) return c;
    }
    if (prefixed.size() > 1) throw ApiException.badRequest("Ambiguous container id: " + prefixed.size() + " containers start with it");
    return prefixed.isEmpty() ? null : prefixed.get(0);
  }

  /** Stack → the name of its first container that runs this image (running ones first). */
  Map<String, String> usersOf(String imageId) {
    Map<String, String> out = new LinkedHashMap<>();
    for (boolean runningOnly : new boolean[] {true, false}) {
      projects.forEach((project, cs) -> cs.stream()
          .filter(c -> imageId.equals(c.getString("image_id")) && (!runningOnly || "running".equals(c.getString("state"))))
          .findFirst().ifPresent(c -> out.putIfAbsent(project, c.getString("name"))));
    }
    return out;
  }

  /** Image id → the reference its first running container was created from: every image that runs now. */
  Map<String, String> runningImages() {
    Map<String, String> out = new LinkedHashMap<>();
    projects.values().forEach(cs -> cs.forEach(c -> {
      if ("running".equals(c.getString("state")) && c.getString("image_id") != null) {
        out.putIfAbsent(c.getString("image_id"), c.getString("image"));
      }
    }));
    return out;
  }
}
