package dev.dockup.stack;

import dev.dockup.bus.Bus;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What this node knows of its stacks: the folders (from scans), the containers per compose
 * project (from the engine), the update state, the scan counts of their images, and the list
 * items built from them, published as {@code stack_status} when they change. Until the engine's first listing has been applied
 * a stack's state has not been seen, and its item says {@code unknown} rather than guess.
 * Confined to the stacks verticle's event loop.
 */
final class StackState {
  static final String UNKNOWN = "unknown";
  private static final List<String> SEVERITIES = List.of("CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN");

  private final String node;
  private final Context context;
  private final StackListCache listCache;

  private Map<String, StackFiles.Folder> folders = new HashMap<>();
  private List<StackFiles.Ignored> ignored = List.of();
  private final Map<String, List<JsonObject>> projects = new HashMap<>();
  /** Stack → {@code update_available, last_check}, as the update verticle last said. */
  private final Map<String, JsonObject> updates = new HashMap<>();
  /** Image id → counts by severity of its last completed scan, as the scan verticle last said. */
  private final Map<String, JsonObject> imageScans = new HashMap<>();
  private boolean engineOk;
  private boolean synced;
  private final Map<String, JsonObject> items = new HashMap<>();
  /** Stacks deleted through DockUp whose item is about to go: their removal says so. */
  private final Set<String> deleting = new HashSet<>();
  private boolean rebuildScheduled;

  StackState(String node, Context context, StackListCache listCache) {
    this.node = node;
    this.context = context;
    this.listCache = listCache;
  }

  // ---- what changes it ----

  /** Either a resync ({@code projects}: every project) or one project's containers. */
  void onProjects(JsonObject msg) {
    Set<String> touched = new HashSet<>();
    JsonObject all = msg.getJsonObject("projects");
    if (all != null) {
      touched.addAll(projects.keySet());
      projects.clear();
      all.forEach(e -> projects.put(e.getKey(), containersOf((JsonArray) e.getValue())));
      touched.addAll(projects.keySet());
      if (!synced) {
        // Every item said unknown until now.
        synced = true;
        touched.addAll(items.keySet());
      }
    } else {
      String project = msg.getString(Bus.PROJECT);
      List<JsonObject> cs = containersOf(msg.getJsonArray(Bus.CONTAINERS));
      if (cs.isEmpty()) projects.remove(project);
      else projects.put(project, cs);
      touched.add(project);
    }
    updateItems(touched);
  }

  private static List<JsonObject> containersOf(JsonArray array) {
    List<JsonObject> out = new ArrayList<>();
    if (array != null) array.forEach(o -> out.add((JsonObject) o));
    out.sort(Comparator.comparing((JsonObject c) -> c.getString("service", "")).thenComparing(c -> c.getString("name", "")));
    return out;
  }

  void onUpdateState(JsonObject msg) {
    String stack = msg.getString("stack");
    updates.put(stack, msg);
    updateItems(Set.of(stack));
  }

  /** All images' counts ({@code images}) or one image's ({@code image_id, vulnerabilities}, null when forgotten). */
  void onScanState(JsonObject msg) {
    Set<String> touched = new HashSet<>();
    JsonObject all = msg.getJsonObject("images");
    if (all != null) {
      imageScans.clear();
      all.forEach(e -> imageScans.put(e.getKey(), (JsonObject) e.getValue()));
      touched.addAll(items.keySet());
    } else {
      String id = msg.getString("image_id");
      JsonObject counts = msg.getJsonObject("vulnerabilities");
      if (counts == null) imageScans.remove(id);
      else imageScans.put(id, counts);
      projects.forEach((project, cs) -> {
        if (cs.stream().anyMatch(c -> id.equals(c.getString("image_id")))) touched.add(project);
      });
    }
    updateItems(touched);
  }

  /** Sums over the stack's distinct images that have been scanned; null when none has. */
  private JsonObject vulnerabilities(List<JsonObject> cs) {
    JsonObject sum = null;
    for (String id : new TreeSet<>(cs.stream().map(c -> c.getString("image_id")).filter(Objects::nonNull).toList())) {
      JsonObject counts = imageScans.get(id);
      if (counts == null) continue;
      if (sum == null) sum = new JsonObject();
      for (String severity : SEVERITIES) sum.put(severity, sum.getInteger(severity, 0) + counts.getInteger(severity, 0));
    }
    return sum;
  }

  /** The engine lost keeps the last state seen; only the flag changes. */
  void onEngineState(JsonObject msg) {
    boolean ok = msg.getBoolean(Bus.ENGINE_OK, false);
    if (ok != engineOk) {
      engineOk = ok;
      listChanged();
    }
  }

  void applyScan(StackFiles.Scan scan) {
    Set<String> names = new HashSet<>(folders.keySet());
    names.addAll(scan.folders().keySet());
    folders = scan.folders();
    if (!scan.ignored().equals(ignored)) {
      ignored = scan.ignored();
      listChanged();
    }
    updateItems(names);
    // A delete the scan has seen is over, whether its item went (or stays, its containers left behind).
    deleting.removeIf(name -> !folders.containsKey(name));
  }

  /** The next removal of this stack's item is a delete through DockUp (schedules then go too). */
  void deleting(String name) {
    deleting.add(name);
  }

  /** The delete failed before its folder moved. */
  void notDeleting(String name) {
    deleting.remove(name);
  }

  // ---- what it answers ----

  boolean engineOk() { return engineOk; }

  StackFiles.Folder folder(String name) { return folders.get(name); }

  boolean hasFolder(String name) { return folders.containsKey(name); }

  boolean onEngine(String name) { return projects.containsKey(name); }

  List<JsonObject> containers(String name) { return projects.getOrDefault(name, List.of()); }

  JsonObject item(String name) { return items.get(name); }

  /** The shared encoded answer, built when a change cleared it. */
  Buffer list() {
    Buffer cached = listCache.get();
    if (cached != null) return cached;
    JsonArray stacks = new JsonArray();
    items.keySet().stream().sorted().forEach(n -> stacks.add(items.get(n)));
    JsonArray ign = new JsonArray();
    ignored.stream().sorted(Comparator.comparing(StackFiles.Ignored::folder))
        .forEach(i -> ign.add(new JsonObject().put("folder", i.folder()).put("reason", i.reason())));
    Buffer encoded = new JsonObject().put("stacks", stacks).put("ignored", ign).put("engine_ok", engineOk).toBuffer();
    listCache.set(encoded);
    return encoded;
  }

  /** The item plus its containers, file and path; null when the stack is unknown. */
  JsonObject detail(String name) {
    JsonObject item = items.get(name);
    if (item == null) return null;
    StackFiles.Folder folder = folders.get(name);
    JsonArray list = new JsonArray();
    containers(name).forEach(c -> {
      JsonObject v = c.copy();
      v.remove("project");
      v.remove("self");
      list.add(v);
    });
    JsonObject out = item.copy()
        .put("container_list", list)
        .put("compose_file", folder == null ? null : folder.composeFile())
        .put("path", folder == null ? null : folder.path().toString())
        .put("engine_ok", engineOk);
    if (folder != null && folder.error() != null) out.put("compose_error", folder.error());
    return out;
  }

  // ---- list items ----

  /** Rebuilds the named items; publishes {@code stack_status} for each that changed. */
  private void updateItems(Set<String> names) {
    for (String name : names) {
      JsonObject next = buildItem(name);
      JsonObject prev = next == null ? items.remove(name) : items.put(name, next);
      if (next != null && next.equals(prev)) continue;
      listChanged();
      if (next != null) {
        publish("stack_status", name, next.copy());
      } else if (prev != null) {
        JsonObject gone = prev.copy().put("removed", true).put("status", "inactive");
        if (deleting.remove(name)) gone.put("deleted", true);
        publish("stack_status", name, gone);
      }
    }
  }

  private JsonObject buildItem(String name) {
    StackFiles.Folder folder = folders.get(name);
    List<JsonObject> cs = containers(name);
    if (folder == null && cs.isEmpty()) return null;
    boolean parsed = folder != null && folder.compose() != null;
    List<String> services = parsed ? folder.compose().services() : serviceLabels(cs);
    StackStatus st = synced ? StackStatus.of(parsed ? folder.compose().expectedServices() : services, cs) : null;
    JsonObject update = updates.getOrDefault(name, new JsonObject());
    return new JsonObject()
        .put("name", name)
        .put("node", node)
        .put("status", st == null ? UNKNOWN : st.status())
        .put("health_status", st == null ? UNKNOWN : st.health())
        .put("containers", st == null ? null : st.containers())
        .put("running", st == null ? null : st.running())
        .put("services", new JsonArray(services))
        .put("update_available", update.getBoolean("update_available", false))
        .put("last_check", update.getString("last_check"))
        .put("vulnerabilities", vulnerabilities(cs))
        .put("external", folder == null)
        .put("self", cs.stream().anyMatch(c -> c.getBoolean("self", false)));
  }

  private static List<String> serviceLabels(List<JsonObject> cs) {
    return List.copyOf(new TreeSet<>(cs.stream().map(c -> c.getString("service", "")).toList()));
  }

  /** Clears the shared answer now; rebuilds it once per burst of changes. */
  private void listChanged() {
    listCache.clear();
    if (rebuildScheduled) return;
    rebuildScheduled = true;
    context.runOnContext(v -> {
      rebuildScheduled = false;
      list();
    });
  }

  void publish(String type, String stack, JsonObject fields) {
    JsonObject msg = new JsonObject().put("type", type).put("node", node)
        .put("ts", Instant.now().toString()).put("stack", stack);
    fields.forEach(e -> {
      if (!msg.containsKey(e.getKey())) msg.put(e.getKey(), e.getValue());
    });
    context.owner().eventBus().publish(Bus.EVENTS, msg);
  }
}
