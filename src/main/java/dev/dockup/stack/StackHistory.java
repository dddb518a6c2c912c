package dev.dockup.stack;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import dev.dockup.bus.ApiException;
import dev.dockup.store.AtomicFiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The previous versions of a stack's compose and {@code .env} files in
 * {@code DATA_DIR/history/<name>/}: one file per version ({@code compose-<time>}, the text a
 * save replaced, last {@value StackFiles#HISTORY_KEEP} of each kind), and {@code meta.json}
 * saying who saved each text and when. A text changed by hand (git pull) since DockUp saved it
 * has no known author. Blocking file I/O: call from a worker; writes happen in the stack's turn.
 */
public final class StackHistory {
  /** A version's id: its file's name. */
  public static final Pattern ID = Pattern.compile("^(compose|env)-(\\d{8}T\\d{6}\\.\\d{3}Z)(?:-\\d{1,3})?$");
  public static final String META = "meta.json";
  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final int DIFF_CONTEXT = 3;

  private final Path historyDir;

  StackHistory(Path historyDir) {
    this.historyDir = historyDir;
  }

  /** The stack's history folder (it may not exist). */
  public static Path folder(Path historyDir, String name) {
    StackFiles.checkName(name);
    return historyDir.resolve(name);
  }

  /** {@code compose} or {@code env}; null for an id that is none. */
  public static String kind(String id) {
    Matcher m = id == null ? null : ID.matcher(id);
    return m != null && m.matches() ? m.group(1) : null;
  }

  /**
   * Before {@code current} is replaced by {@code next}: keeps its text as a version (with who
   * saved it and when, as far as known), records {@code by} as the author of {@code next}, and
   * drops versions beyond the limit.
   */
  void keep(String name, String kind, String fileName, Path current, String previous, String next, String by) throws IOException {
    Path dir = folder(historyDir, name);
    JsonObject meta = readMeta(dir);
    JsonObject authors = meta.getJsonObject("current");
    if (previous != null && !previous.equals(next)) {
      AtomicFiles.createPrivateFolder(historyDir);
      AtomicFiles.createPrivateFolder(dir);
      Instant now = Instant.now();
      String stamp = TIME.format(now);
      String id = kind + "-" + stamp;
      for (int i = 1; Files.exists(dir.resolve(id), LinkOption.NOFOLLOW_LINKS); i++) id = kind + "-" + stamp + "-" + i;
      AtomicFiles.write(dir.resolve(id), previous, AtomicFiles.OWNER_ONLY);
      JsonObject author = authors.getJsonObject(kind);
      boolean known = author != null && sha256(previous).equals(author.getString("sha256"));
      meta.getJsonObject("versions").put(id, new JsonObject()
          .put("file", fileName)
          .put("saved_at", known ? author.getString("at") : Files.getLastModifiedTime(current).toInstant().toString())
          .put("by", known ? author.getString("by") : null)
          .put("replaced_at", now.toString())
          .put("replaced_by", by));
      prune(dir, kind, meta);
    }
    if (previous == null || !previous.equals(next)) {
      authors.put(kind, new JsonObject().put("by", by).put("at", Instant.now().toString()).put("sha256", sha256(next)));
      AtomicFiles.createPrivateFolder(historyDir);
      AtomicFiles.createPrivateFolder(dir);
      AtomicFiles.write(dir.resolve(META), meta.encodePrettily(), AtomicFiles.OWNER_ONLY);
    }
  }

  private void prune(Path dir, String kind, JsonObject meta) throws IOException {
    List<String> versions = ids(dir).stream().filter(id -> id.startsWith(kind + "-")).toList();
    for (String old : versions.subList(Math.min(StackFiles.HISTORY_KEEP, versions.size()), versions.size())) {
      Files.deleteIfExists(dir.resolve(old));
    }
    JsonObject kept = meta.getJsonObject("versions");
    List<String> present = ids(dir);
    kept.fieldNames().removeIf(id -> !present.contains(id));
  }

  /** Every version id in the folder, newest first. */
  private static List<String> ids(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return List.of();
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .map(p -> p.getFileName().toString()).filter(n -> ID.matcher(n).matches())
          .sorted(Comparator.comparing(StackHistory::stamp).thenComparing(Comparator.naturalOrder()).reversed()).toList();
    }
  }

  private static String stamp(String id) {
    Matcher m = ID.matcher(id);
    return m.matches() ? m.group(2) : "";
  }

  /** {@code {stack, versions:[{id, kind, file, saved_at, by, replaced_at, replaced_by, size}]}}, newest first. */
  JsonObject list(String name, String composeFile) throws IOException {
    Path dir = folder(historyDir, name);
    JsonObject versions = readMeta(dir).getJsonObject("versions");
    JsonArray out = new JsonArray();
    for (String id : ids(dir)) {
      JsonObject m = versions.getJsonObject(id, new JsonObject());
      String kind = kind(id);
      out.add(new JsonObject()
          .put("id", id)
          .put("kind", kind)
          .put("file", m.getString("file", kind.equals("env") ? StackFiles.ENV_FILE : composeFile))
          .put("saved_at", m.getString("saved_at"))
          .put("by", m.getString("by"))
          .put("replaced_at", m.getString("replaced_at", replacedAt(id)))
          .put("replaced_by", m.getString("replaced_by"))
          .put("size", Files.size(dir.resolve(id))));
    }
    return new JsonObject().put("stack", name).put("versions", out);
  }

  private static String replacedAt(String id) {
    try {
      return TIME.parse(stamp(id), Instant::from).toString();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The text of one version; 404 when there is none. */
  String read(String name, String id) throws IOException {
    if (kind(id) == null) throw ApiException.notFound("Version not found");
    Path file = folder(historyDir, name).resolve(id);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) throw ApiException.notFound("Version not found");
    if (Files.size(file) > ComposeFile.MAX_BYTES) throw new ApiException(413, "Version is larger than 1 MiB");
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  /** A unified diff from the version to {@code current} (empty text when they are the same). */
  static String diff(String id, String fileName, String version, String current) {
    List<String> from = version.lines().toList();
    List<String> to = current == null ? List.of() : current.lines().toList();
    var patch = DiffUtils.diff(from, to);
    if (patch.getDeltas().isEmpty()) return "";
    List<String> lines = UnifiedDiffUtils.generateUnifiedDiff("a/" + fileName + " (" + id + ")", "b/" + fileName + " (current)",
        from, patch, DIFF_CONTEXT);
    return String.join("\n", lines) + "\n";
  }

  /**
   * Versions from elsewhere (a restored backup), added under their own ids when the stack has
   * none of that id; {@code meta} holds what is known of each. Returns how many were added.
   */
  int importVersions(String name, Map<String, String> texts, JsonObject meta) throws IOException {
    Path dir = folder(historyDir, name);
    JsonObject own = readMeta(dir);
    JsonObject versions = own.getJsonObject("versions");
    int added = 0;
    for (var e : texts.entrySet()) {
      if (kind(e.getKey()) == null || Files.exists(dir.resolve(e.getKey()), LinkOption.NOFOLLOW_LINKS)) continue;
      AtomicFiles.createPrivateFolder(historyDir);
      AtomicFiles.createPrivateFolder(dir);
      AtomicFiles.write(dir.resolve(e.getKey()), e.getValue(), AtomicFiles.OWNER_ONLY);
      if (meta != null && meta.getValue(e.getKey()) instanceof JsonObject m) versions.put(e.getKey(), m.copy());
      added++;
    }
    if (added == 0) return 0;
    for (String kind : List.of("compose", "env")) prune(dir, kind, own);
    AtomicFiles.write(dir.resolve(META), own.encodePrettily(), AtomicFiles.OWNER_ONLY);
    return added;
  }

  /** The folder's meta file; an unreadable one is as good as none (authors unknown). */
  private static JsonObject readMeta(Path dir) {
    Path file = dir.resolve(META);
    JsonObject meta;
    try {
      meta = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && Files.size(file) <= 4L * ComposeFile.MAX_BYTES
          ? new JsonObject(Files.readString(file)) : new JsonObject();
    } catch (IOException | RuntimeException e) {
      meta = new JsonObject();
    }
    if (!(meta.getValue("versions") instanceof JsonObject)) meta.put("versions", new JsonObject());
    if (!(meta.getValue("current") instanceof JsonObject)) meta.put("current", new JsonObject());
    return meta;
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
