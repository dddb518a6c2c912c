package dev.dockup;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What must be known before start: defaults, then {@code conf/config.json}, then environment
 * variables (the names the README lists), each layer overriding the previous one. Secrets it
 * holds (the initial password, the JWT secret) never appear in {@link #toString()}.
 */
public record Config(
    int port,
    String host,
    Path stacksDir,
    Path dataDir,
    String dockerHost,
    String nodeName,
    String composeCommand,
    int operationTimeoutSeconds,
    String initialPassword,
    String jwtSecret,
    int jwtExpirySeconds,
    int loginMaxFailures,
    int loginWindowSeconds,
    List<String> trustedProxies,
    List<String> allowedOrigins,
    boolean secureCookies,
    int updateGraceSeconds,
    Cluster cluster,
    List<Path> allowOutsidePaths,
    Scan scan,
    Templates templates,
    Backup backup) {

  /** The fleet settings; {@code enabled} false means a single node with a local event bus. */
  public record Cluster(boolean enabled, String name, String host, int port, int eventBusPort,
                        List<String> members, String secret, String configFile) {
    @Override
    public String toString() {
      return "Cluster[enabled=" + enabled + ", name=" + name + ", host=" + host + ", port=" + port
          + ", eventBusPort=" + eventBusPort + ", members=" + members + ", secret=" + (secret == null ? "unset" : "***") + "]";
    }
  }

  /**
   * Vulnerability scans: which scanner ({@code trivy}, {@code grype} or {@code auto}: Trivy when
   * found, else Grype), how many run at once, how long one may take, how long a result is
   * reused, and an optional Trivy server with its token (passed to Trivy in its environment).
   */
  public record Scan(String scanner, int concurrency, int timeoutSeconds, int cacheHours, String trivyServer, String trivyToken) {
    public static final List<String> SCANNERS = List.of("auto", "trivy", "grype");

    @Override
    public String toString() {
      return "Scan[scanner=" + scanner + ", concurrency=" + concurrency + ", timeoutSeconds=" + timeoutSeconds
          + ", cacheHours=" + cacheHours + ", trivyServer=" + (trivyServer == null ? "unset" : trivyServer)
          + ", trivyToken=" + (trivyToken == null ? "unset" : "***") + "]";
    }
  }

  /**
   * Remote template catalogs: private addresses allowed or not (an SSRF guard), the time and
   * size one fetch may take, and how often the catalogs are fetched again (0: only on request).
   */
  public record Templates(boolean allowPrivate, int timeoutSeconds, int maxBytes, int refreshSeconds) {}

  /**
   * Backups: how many archives are kept ({@code BACKUP_KEEP}), the largest upload a restore takes
   * ({@code BACKUP_MAX_UPLOAD}, streamed to disk), and the most an archive may hold once
   * uncompressed ({@code BACKUP_MAX_DATA}: a small archive that would expand past it is refused
   * before anything is written).
   */
  public record Backup(int keep, long maxUploadBytes, long maxDataBytes) {}

  public static final Pattern NODE_NAME = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");

  /** Environment variable → configuration key. */
  private static final Map<String, String> ENV = Map.ofEntries(
      Map.entry("PORT", "port"),
      Map.entry("HOST", "host"),
      Map.entry("STACKS_DIR", "stacks_dir"),
      Map.entry("DATA_DIR", "data_dir"),
      Map.entry("DOCKER_HOST", "docker_host"),
      Map.entry("DOCKUP_NODE_NAME", "node_name"),
      Map.entry("COMPOSE_COMMAND", "compose_command"),
      Map.entry("OPERATION_TIMEOUT", "operation_timeout"),
      Map.entry("DOCKUP_PASSWORD", "password"),
      Map.entry("DOCKUP_JWT_SECRET", "jwt_secret"),
      Map.entry("JWT_EXPIRY", "jwt_expiry"),
      Map.entry("LOGIN_MAX_FAILURES", "login_max_failures"),
      Map.entry("LOGIN_WINDOW", "login_window"),
      Map.entry("TRUSTED_PROXIES", "trusted_proxies"),
      Map.entry("ALLOWED_ORIGINS", "allowed_origins"),
      Map.entry("SECURE_COOKIES", "secure_cookies"),
      Map.entry("UPDATE_GRACE", "update_grace"),
      Map.entry("DOCKUP_CLUSTER", "cluster"),
      Map.entry("DOCKUP_CLUSTER_NAME", "cluster_name"),
      Map.entry("DOCKUP_CLUSTER_HOST", "cluster_host"),
      Map.entry("DOCKUP_CLUSTER_PORT", "cluster_port"),
      Map.entry("DOCKUP_EVENTBUS_PORT", "eventbus_port"),
      Map.entry("DOCKUP_CLUSTER_MEMBERS", "cluster_members"),
      Map.entry("DOCKUP_CLUSTER_SECRET", "cluster_secret"),
      Map.entry("DOCKUP_CLUSTER_CONFIG", "cluster_config"),
      Map.entry("ALLOW_OUTSIDE_PATHS", "allow_outside_paths"),
      Map.entry("SCANNER", "scanner"),
      Map.entry("SCAN_CONCURRENCY", "scan_concurrency"),
      Map.entry("SCAN_TIMEOUT", "scan_timeout"),
      Map.entry("SCAN_CACHE_HOURS", "scan_cache_hours"),
      Map.entry("TRIVY_SERVER", "trivy_server"),
      Map.entry("TRIVY_TOKEN", "trivy_token"),
      Map.entry("TEMPLATE_ALLOW_PRIVATE", "template_allow_private"),
      Map.entry("TEMPLATE_TIMEOUT", "template_timeout"),
      Map.entry("TEMPLATE_MAX_BYTES", "template_max_bytes"),
      Map.entry("TEMPLATE_REFRESH", "template_refresh"),
      Map.entry("BACKUP_KEEP", "backup_keep"),
      Map.entry("BACKUP_MAX_UPLOAD", "backup_max_upload"),
      Map.entry("BACKUP_MAX_DATA", "backup_max_data"));

  public static Config load(Path file, Map<String, String> env) {
    JsonObject json = defaults();
    if (file != null && Files.isRegularFile(file)) {
      try {
        json.mergeIn(new JsonObject(Files.readString(file)));
      } catch (Exception e) {
        throw new IllegalStateException("Cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    ENV.forEach((var, key) -> {
      String v = env.get(var);
      if (v != null && !v.isBlank()) json.put(key, v.trim());
    });
    return fromJson(json);
  }

  public static JsonObject defaults() {
    return new JsonObject()
        .put("port", 5000)
        .put("host", "0.0.0.0")
        .put("stacks_dir", "./stacks")
        .put("data_dir", "./data")
        .put("docker_host", "unix:///var/run/docker.sock")
        .put("operation_timeout", 600)
        .put("jwt_expiry", 3600)
        .put("login_max_failures", 5)
        .put("login_window", 900)
        .put("trusted_proxies", new JsonArray())
        .put("allowed_origins", new JsonArray())
        .put("secure_cookies", false)
        .put("update_grace", 30)
        .put("cluster", false)
        .put("cluster_name", "dockup")
        .put("cluster_host", "127.0.0.1")
        .put("cluster_port", 5701)
        .put("eventbus_port", 5702)
        .put("cluster_members", new JsonArray())
        .put("cluster_config", "cluster.xml")
        .put("allow_outside_paths", new JsonArray())
        .put("scanner", "auto")
        .put("scan_concurrency", 1)
        .put("scan_timeout", 900)
        .put("scan_cache_hours", 24)
        .put("template_allow_private", false)
        .put("template_timeout", 30)
        .put("template_max_bytes", 16 * 1024 * 1024)
        .put("template_refresh", 86_400)
        .put("backup_keep", 10)
        .put("backup_max_upload", 2L * 1024 * 1024 * 1024)
        .put("backup_max_data", 64L * 1024 * 1024 * 1024);
  }

  public static Config fromJson(JsonObject json) {
    String node = json.getString("node_name");
    if (node == null || node.isBlank()) {
      node = defaultNodeName();
    } else if (!NODE_NAME.matcher(node).matches()) {
      throw new IllegalStateException("DOCKUP_NODE_NAME must match " + NODE_NAME.pattern() + ": " + node);
    }
    String compose = json.getString("compose_command");
    String secret = json.getString("jwt_secret");
    if (secret != null && !secret.isBlank() && secret.length() < 32) {
      throw new IllegalStateException("DOCKUP_JWT_SECRET must be at least 32 characters");
    }
    String password = json.getString("password");
    return new Config(
        intValue(json, "port", 0, 65535),
        json.getString("host"),
        Path.of(json.getString("stacks_dir")).toAbsolutePath().normalize(),
        Path.of(json.getString("data_dir")).toAbsolutePath().normalize(),
        json.getString("docker_host"),
        node,
        compose == null || compose.isBlank() ? null : compose.trim(),
        intValue(json, "operation_timeout", 1, 86_400),
        password == null || password.isEmpty() ? null : password,
        secret == null || secret.isBlank() ? null : secret,
        intValue(json, "jwt_expiry", 60, 30 * 86_400),
        intValue(json, "login_max_failures", 1, 1_000),
        intValue(json, "login_window", 1, 86_400),
        list(json, "trusted_proxies"),
        list(json, "allowed_origins"),
        bool(json, "secure_cookies"),
        intValue(json, "update_grace", 1, 3_600),
        cluster(json),
        list(json, "allow_outside_paths").stream().map(p -> Path.of(p).toAbsolutePath().normalize()).toList(),
        scan(json),
        new Templates(bool(json, "template_allow_private"), intValue(json, "template_timeout", 1, 600),
            intValue(json, "template_max_bytes", 64 * 1024, 256 * 1024 * 1024), intValue(json, "template_refresh", 0, 30 * 86_400)),
        new Backup(intValue(json, "backup_keep", 1, 10_000),
            longValue(json, "backup_max_upload", 1024 * 1024, Long.MAX_VALUE / 4),
            longValue(json, "backup_max_data", 1024 * 1024, Long.MAX_VALUE / 4)));
  }

  private static Scan scan(JsonObject json) {
    String scanner = String.valueOf(json.getValue("scanner")).trim().toLowerCase(Locale.ROOT);
    if (!Scan.SCANNERS.contains(scanner)) throw new IllegalStateException("SCANNER must be trivy, grype or auto, got: " + scanner);
    String server = json.getString("trivy_server");
    server = server == null || server.isBlank() ? null : server.trim().replaceAll("/+$", "");
    if (server != null) {
      URI uri;
      try {
        uri = new URI(server);
      } catch (URISyntaxException e) {
        uri = null;
      }
      // The URL is logged and shown: a credential belongs in TRIVY_TOKEN, never in it.
      if (uri == null || uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
          || !List.of("http", "https").contains(String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT))) {
        throw new IllegalStateException("TRIVY_SERVER must be an http:// or https:// URL without user info or query");
      }
    }
    String token = json.getString("trivy_token");
    return new Scan(scanner, intValue(json, "scan_concurrency", 1, 16), intValue(json, "scan_timeout", 1, 86_400),
        intValue(json, "scan_cache_hours", 0, 8_760), server, token == null || token.isBlank() ? null : token.trim());
  }

  private static Cluster cluster(JsonObject json) {
    boolean enabled = bool(json, "cluster");
    String secret = json.getString("cluster_secret");
    if (enabled && (secret == null || secret.length() < 32)) {
      throw new IllegalStateException("DOCKUP_CLUSTER_SECRET must be set, at least 32 characters, when clustered");
    }
    String name = json.getString("cluster_name");
    if (name == null || !name.matches("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")) {
      throw new IllegalStateException("DOCKUP_CLUSTER_NAME must be 1-63 letters, digits, '.', '_' or '-'");
    }
    return new Cluster(enabled, name, json.getString("cluster_host"), intValue(json, "cluster_port", 1, 65535),
        intValue(json, "eventbus_port", 0, 65535), list(json, "cluster_members"),
        secret == null || secret.isBlank() ? null : secret, json.getString("cluster_config"));
  }

  private static int intValue(JsonObject json, String key, int min, int max) {
    Object v = json.getValue(key);
    int n;
    try {
      // Through BigDecimal so 8080.5 or 2^32+5000 are refused, not silently cut to an int.
      n = new BigDecimal(String.valueOf(v).trim()).intValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalStateException(key + " must be a whole number, got: " + v);
    }
    if (n < min || n > max) throw new IllegalStateException(key + " must be in " + min + ".." + max + ", got: " + n);
    return n;
  }

  private static long longValue(JsonObject json, String key, long min, long max) {
    Object v = json.getValue(key);
    long n;
    try {
      n = new BigDecimal(String.valueOf(v).trim()).longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalStateException(key + " must be a whole number of bytes, got: " + v);
    }
    if (n < min || n > max) throw new IllegalStateException(key + " must be in " + min + ".." + max + ", got: " + n);
    return n;
  }

  /** A JSON list, or a comma-separated string (as environment variables give it). */
  private static List<String> list(JsonObject json, String key) {
    Object v = json.getValue(key);
    List<String> out = new ArrayList<>();
    if (v instanceof JsonArray a) a.forEach(o -> out.add(String.valueOf(o).trim()));
    else if (v != null) for (String s : String.valueOf(v).split(",")) out.add(s.trim());
    out.removeIf(String::isEmpty);
    return List.copyOf(out);
  }

  private static boolean bool(JsonObject json, String key) {
    Object v = json.getValue(key);
    if (v instanceof Boolean b) return b;
    String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off", "null" -> false;
      default -> throw new IllegalStateException(key + " must be true or false, got: " + v);
    };
  }

  /** The host name lower-cased, every other character turned into '-', cut to 63 (DESIGN.md). */
  public static String defaultNodeName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      host = System.getenv().getOrDefault("HOSTNAME", "dockup");
    }
    String name = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    name = name.replaceFirst("^-+", "");
    if (name.length() > 63) name = name.substring(0, 63);
    return name.isEmpty() ? "dockup" : name;
  }

  @Override
  public String toString() {
    return "Config[port=" + port + ", host=" + host + ", stacksDir=" + stacksDir + ", dataDir=" + dataDir
        + ", dockerHost=" + dockerHost + ", nodeName=" + nodeName + ", composeCommand=" + composeCommand
        + ", operationTimeoutSeconds=" + operationTimeoutSeconds + ", initialPassword="
        + (initialPassword == null ? "unset" : "***") + ", jwtSecret=" + (jwtSecret == null ? "unset" : "***")
        + ", jwtExpirySeconds=" + jwtExpirySeconds + ", loginMaxFailures=" + loginMaxFailures
        + ", loginWindowSeconds=" + loginWindowSeconds + ", trustedProxies=" + trustedProxies
        + ", allowedOrigins=" + allowedOrigins + ", secureCookies=" + secureCookies
        + ", updateGraceSeconds=" + updateGraceSeconds + ", cluster=" + cluster
        + ", allowOutsidePaths=" + allowOutsidePaths + ", scan=" + scan + ", templates=" + templates + ", backup=" + backup + "]";
  }
}
