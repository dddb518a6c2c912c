package dev.dockup.backup;

import dev.dockup.bus.ApiException;
import dev.dockup.stack.ComposeFile;
import dev.dockup.stack.StackFiles;
import dev.dockup.stack.StackHistory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an archive holds, in {@code manifest.json}, its first entry: {@code dockup_version,
 * created, node, kind (config|volumes), stacks, files:[{path, size, sha256}], volumes:[{stack,
 * service, destination, type, name, path}]}. Every other entry must be one of {@code files},
 * at one of the paths of the layout below, with exactly that size and checksum: a reader that
 * has this manifest knows before reading an entry how large it may be and where it may go.
 *
 * <pre>
 * manifest.json
 * stacks/&lt;stack&gt;/&lt;compose, override or .env file&gt;
 * history/&lt;stack&gt;/&lt;version id&gt;  and  history/&lt;stack&gt;/meta.json
 * config/schedules.json, config/settings.json, config/peers.json
 * volumes/&lt;stack&gt;/&lt;n&gt;.tar       (one mount's data, as the Engine's archive API gives it)
 * </pre>
 */
record Manifest(String dockupVersion, String created, String node, String kind, List<String> stacks,
                Map<String, FileEntry> files, List<Volume> volumes) {
  static final String PATH = "manifest.json";
  static final int FORMAT = 1;
  static final long MAX_MANIFEST_BYTES = 16L * 1024 * 1024;
  static final int MAX_FILES = 100_000;
  /** Compose, override, .env, history and config files: the limit every save of them has. */
  static final long MAX_TEXT_BYTES = ComposeFile.MAX_BYTES;
  static final long MAX_META_BYTES = 4L * ComposeFile.MAX_BYTES;
  static final List<String> CONFIG_FILES = List.of("config/schedules.json", "config/settings.json", "config/peers.json");

  private static final Pattern STACK_FILE = Pattern.compile("^stacks/([a-z0-9][a-z0-9_-]{0,62})/([^/]+)$");
  private static final Pattern HISTORY_FILE = Pattern.compile("^history/([a-z0-9][a-z0-9_-]{0,62})/([^/]+)$");
  private static final Pattern VOLUME_FILE = Pattern.compile("^volumes/([a-z0-9][a-z0-9_-]{0,62})/(\\d{1,4})\\.tar$");
  private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");
  private static final Pattern SERVICE = Pattern.compile("^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$");
  private static final Pattern DESTINATION = Pattern.compile("^(/[^/\\x00]+)+$");

  record FileEntry(String path, long size, String sha256) {
    JsonObject toJson() {
      return new JsonObject().put("path", path).put("size", size).put("sha256", sha256);
    }
  }

  /** One mount's data: where it was mounted in which service, and the entry holding it. */
  record Volume(String stack, String service, String destination, String type, String name, String path) {
    JsonObject toJson() {
      return new JsonObject().put("stack", stack).put("service", service).put("destination", destination)
          .put("type", type).put("name", name).put("path", path);
    }

    /** The last segment of the destination: the one folder the Engine's archive of it holds. */
    String base() {
      return destination.substring(destination.lastIndexOf('/') + 1);
    }
  }

  /** The stack an entry path belongs to, or null (manifest, config). */
  static String stackOf(String path) {
    for (Pattern p : List.of(STACK_FILE, HISTORY_FILE, VOLUME_FILE)) {
      Matcher m = p.matcher(path);
      if (m.matches()) return m.group(1);
    }
    return null;
  }

  /**
   * The largest size an entry at this path may have, or -1 when the path is not part of the
   * layout (then the archive is refused).
   */
  static long limitFor(String path, long maxData) {
    if (CONFIG_FILES.contains(path)) return MAX_TEXT_BYTES;
    Matcher m = STACK_FILE.matcher(path);
    if (m.matches()) {
      String f = m.group(2);
      return ComposeFile.FILE_NAMES.contains(f) || ComposeFile.OVERRIDE_NAMES.contains(f) || f.equals(StackFiles.ENV_FILE)
          ? MAX_TEXT_BYTES : -1;
    }
    m = HISTORY_FILE.matcher(path);
    if (m.matches()) {
      if (m.group(2).equals(StackHistory.META)) return MAX_META_BYTES;
      return StackHistory.kind(m.group(2)) != null ? MAX_TEXT_BYTES : -1;
    }
    return VOLUME_FILE.matcher(path).matches() ? maxData : -1;
  }

  JsonObject toJson() {
    JsonArray f = new JsonArray();
    files.values().forEach(e -> f.add(e.toJson()));
    JsonArray v = new JsonArray();
    volumes.forEach(e -> v.add(e.toJson()));
    return new JsonObject().put("format", FORMAT).put("dockup_version", dockupVersion).put("created", created)
        .put("node", node).put("kind", kind).put("stacks", new JsonArray(stacks)).put("files", f).put("volumes", v);
  }

  /**
   * The manifest of an archive being read, checked whole: every path in the layout and within
   * its limit, the total within {@code maxData}, volumes that name entries of their own stack.
   * Anything else refuses the archive (400).
   */
  static Manifest parse(String text, long maxData) {
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (RuntimeException e) {
      throw refused("its manifest is not JSON");
    }
    Object format = json.getValue("format");
    if (!(format instanceof Number n) || n.intValue() != FORMAT) {
      throw refused("its format (" + format + ") is not one this DockUp reads (" + FORMAT + ")");
    }
    List<String> stacks = new ArrayList<>();
    for (Object s : array(json, "stacks")) {
      if (!(s instanceof String name) || !StackFiles.NAME.matcher(name).matches() || stacks.contains(name)) {
        throw refused("its manifest names an invalid stack");
      }
      stacks.add(name);
    }
    JsonArray rawFiles = array(json, "files");
    if (rawFiles.size() > MAX_FILES) throw refused("it lists more than " + MAX_FILES + " files");
    Map<String, FileEntry> files = new LinkedHashMap<>();
    long total = 0;
    for (Object o : rawFiles) {
      if (!(o instanceof JsonObject f) || !(f.getValue("path") instanceof String path) || !(f.getValue("size") instanceof Number size)
          || !(f.getValue("sha256") instanceof String sha) || !SHA256.matcher(sha).matches()) {
        throw refused("its manifest has a malformed file entry");
      }
      long limit = limitFor(path, maxData);
      if (limit < 0) throw refused("its manifest lists an unexpected path: " + shown(path));
      String stack = stackOf(path);
      if (stack != null && !stacks.contains(stack)) throw refused("its manifest lists " + shown(path) + " of a stack it does not name");
      long bytes = size.longValue();
      if (bytes < 0 || bytes > limit) throw refused(shown(path) + " is larger than allowed (" + limit + " bytes)");
      total += bytes;
      if (total > maxData) throw refused("it holds more than BACKUP_MAX_DATA (" + maxData + " bytes) once uncompressed");
      if (files.putIfAbsent(path, new FileEntry(path, bytes, sha)) != null) throw refused("its manifest lists " + shown(path) + " twice");
    }
    List<Volume> volumes = new ArrayList<>();
    Set<String> volumePaths = new HashSet<>();
    for (Object o : array(json, "volumes")) {
      if (!(o instanceof JsonObject v)) throw refused("its manifest has a malformed volume entry");
      Volume vol = new Volume(v.getString("stack"), v.getString("service"), v.getString("destination"), v.getString("type"),
          v.getString("name"), v.getString("path"));
      boolean ok = vol.stack() != null && stacks.contains(vol.stack()) && vol.service() != null && SERVICE.matcher(vol.service()).matches()
          && vol.destination() != null && DESTINATION.matcher(vol.destination()).matches() && !vol.destination().contains("/../")
          && !vol.destination().endsWith("/..") && !vol.destination().contains("/./") && !vol.destination().endsWith("/.")
          && ("volume".equals(vol.type()) || "bind".equals(vol.type())) && vol.path() != null && files.containsKey(vol.path())
          && vol.stack().equals(stackOf(vol.path())) && VOLUME_FILE.matcher(vol.path()).matches() && volumePaths.add(vol.path());
      if (!ok) throw refused("its manifest has an invalid volume entry");
      volumes.add(vol);
    }
    String kind = json.getString("kind");
    if (!"config".equals(kind) && !"volumes".equals(kind)) throw refused("its manifest has an unknown kind");
    return new Manifest(json.getString("dockup_version"), json.getString("created"), json.getString("node"), kind,
        List.copyOf(stacks), files, List.copyOf(volumes));
  }

  private static JsonArray array(JsonObject json, String key) {
    Object v = json.getValue(key);
    if (v == null) return new JsonArray();
    if (!(v instanceof JsonArray a)) throw refused("its manifest's " + key + " is not a list");
    return a;
  }

  static ApiException refused(String why) {
    return ApiException.badRequest("Archive refused: " + why);
  }

  /** An entry name as it may be shown: bounded, without control characters. */
  static String shown(String name) {
    String clean = name.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 200 ? clean.substring(0, 200) + "…" : clean;
  }
}
