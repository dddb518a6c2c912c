package dev.dockup.dashboard;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dashboard's files, read once from the classpath: {@code webroot/} (our modules, styles and
 * the libraries vendored from npm) and, on first use, files of the webjars the import map names.
 * Every asset URL carries a version made from the content, so a browser may keep it a year.
 *
 * <p>Browsers resolve bare module specifiers ({@code import "lit"}) only through an import map,
 * and an import map must be an inline script, which the CSP forbids. So the import map
 * ({@code webroot/importmap.json}) is applied here instead: when a JavaScript module is served,
 * each specifier it names is rewritten to the versioned URL the map gives. Vendored files stay
 * byte for byte as published, so {@code scripts/vendor-web.sh --check} can compare them.
 */
final class Assets {
  static final String WEBROOT = "webroot";
  private static final String WEBJARS = "META-INF/resources/webjars/";
  /** Webjar files cached after their first request; the set a page loads is a few dozen. */
  private static final int MAX_WEBJAR_FILES = 512;
  /**
   * A module specifier after {@code import}, {@code from} or {@code import(}. A regex and not a
   * parser: only specifiers the import map names are touched, so a match inside a comment or a
   * string changes nothing that runs, and the files served are a fixed, tested set.
   */
  private static final Pattern SPECIFIER = Pattern.compile("(\\bimport\\s*\\(\\s*|\\bfrom\\s*|\\bimport\\s*)([\"'])([^\"'\\s./][^\"'\\s]*)\\2");

  record Asset(Buffer body, String contentType, String etag) {}

  private final Map<String, Asset> files;
  private final Map<String, String> imports;
  private final Map<String, Asset> webjarCache = new ConcurrentHashMap<>();
  /** {@code webjars/<name>/<version>/} of each webjar named in the import map: nothing else of the classpath is served. */
  private final java.util.Set<String> webjarRoots;
  final String version;
  final String base;

  private Assets(Map<String, byte[]> raw, String dockupVersion) {
    this.version = digest(raw, dockupVersion);
    this.base = "/ui/" + version + "/";
    this.imports = importMap(raw.get("importmap.json"));
    this.webjarRoots = imports.values().stream().filter(t -> t.startsWith("webjars/"))
        .map(t -> String.join("/", java.util.Arrays.asList(t.split("/")).subList(0, 3)) + "/")
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
    Map<String, Asset> out = new TreeMap<>();
    raw.forEach((path, bytes) -> out.put(path, asset(path, bytes)));
    this.files = Map.copyOf(out);
  }

  /** Blocking: reads every file under {@code webroot/}. Run it on a worker. */
  static Assets load(String dockupVersion) {
    return new Assets(readWebroot(), dockupVersion);
  }

  Asset file(String path) {
    return files.get(path);
  }

  /** {@code webjars/<name>/<version>/<file>} of a webjar the import map (or the index page) uses. */
  boolean isWebjar(String path) {
    if (path.contains("..") || path.contains("//")) return false;
    return webjarRoots.stream().anyMatch(path::startsWith);
  }

  Asset cachedWebjar(String path) {
    return webjarCache.get(path);
  }

  /** Blocking: reads one webjar file from the classpath (null when absent). Run it on a worker. */
  Asset loadWebjar(String path) throws IOException {
    Asset cached = webjarCache.get(path);
    if (cached != null) return cached;
    try (InputStream in = Assets.class.getClassLoader().getResourceAsStream(WEBJARS + path.substring("webjars/".length()))) {
      if (in == null) return null;
      Asset a = asset(path, in.readAllBytes());
      if (webjarCache.size() < MAX_WEBJAR_FILES) webjarCache.put(path, a);
      return a;
    }
  }

  /** The index page with its asset base filled in. */
  Asset index() {
    return files.get("index.html");
  }

  private Asset asset(String path, byte[] bytes) {
    String type = contentType(path);
    byte[] body = bytes;
    if (type.startsWith("text/javascript") && !imports.isEmpty()) {
      body = rewrite(new String(bytes, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    } else if ("index.html".equals(path)) {
      body = new String(bytes, StandardCharsets.UTF_8).replace("{{base}}", base).getBytes(StandardCharsets.UTF_8);
    }
    return new Asset(Buffer.buffer(body), type, "\"" + version + "-" + Integer.toHexString(java.util.Arrays.hashCode(body)) + "\"");
  }

  String rewrite(String source) {
    Matcher m = SPECIFIER.matcher(source);
    StringBuilder out = new StringBuilder(source.length() + 256);
    while (m.find()) {
      String target = resolve(m.group(3));
      String replacement = target == null ? m.group() : m.group(1) + m.group(2) + base + target + m.group(2);
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Import-map resolution: an exact entry, else the longest entry ending in {@code /} that prefixes it. */
  String resolve(String specifier) {
    String exact = imports.get(specifier);
    if (exact != null) return exact;
    String best = null;
    for (String key : imports.keySet()) {
      if (key.endsWith("/") && specifier.startsWith(key) && (best == null || key.length() > best.length())) best = key;
    }
    return best == null ? null : imports.get(best) + specifier.substring(best.length());
  }

  private static Map<String, String> importMap(byte[] json) {
    if (json == null) return Map.of();
    Map<String, String> out = new TreeMap<>();
    new JsonObject(Buffer.buffer(json)).getJsonObject("imports", new JsonObject())
        .forEach(e -> out.put(e.getKey(), String.valueOf(e.getValue())));
    return Map.copyOf(out);
  }

  static String contentType(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1);
    return switch (ext) {
      case "js", "mjs" -> "text/javascript; charset=utf-8";
      case "css" -> "text/css; charset=utf-8";
      case "html" -> "text/html; charset=utf-8";
      case "json", "map" -> "application/json; charset=utf-8";
      case "svg" -> "image/svg+xml";
      case "png" -> "image/png";
      case "woff2" -> "font/woff2";
      case "md", "txt", "" -> "text/plain; charset=utf-8";
      default -> "application/octet-stream";
    };
  }

  private static String digest(Map<String, byte[]> raw, String dockupVersion) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(dockupVersion.getBytes(StandardCharsets.UTF_8));
      new TreeMap<>(raw).forEach((path, bytes) -> {
        sha.update(path.getBytes(StandardCharsets.UTF_8));
        sha.update(bytes);
      });
      return HexFormat.of().formatHex(sha.digest()).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every file under {@code webroot/}, from a folder (tests, IDE) or from the jar. */
  private static Map<String, byte[]> readWebroot() {
    var url = Assets.class.getClassLoader().getResource(WEBROOT + "/index.html");
    if (url == null) throw new IllegalStateException("The dashboard's files are missing from the classpath");
    try {
      URI uri = url.toURI();
      if ("jar".equals(uri.getScheme())) {
        try {
          return readTree(FileSystems.getFileSystem(uri).getPath("/" + WEBROOT));
        } catch (FileSystemNotFoundException e) {
          // Closed once read: an open zip file system indexes every entry of the jar (about
          // 40,000), some 12 MB of heap kept for the life of the process.
          try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
            return readTree(fs.getPath("/" + WEBROOT));
          }
        }
      }
      return readTree(Path.of(uri).getParent());
    } catch (URISyntaxException | IOException e) {
      throw new IllegalStateException("Cannot read the dashboard's files", e);
    }
  }

  private static Map<String, byte[]> readTree(Path root) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
        out.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
      }
    }
    return out;
  }
}
