package dev.dockup;

import io.vertx.core.json.JsonObject;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What must be known before start: defaults, then {@code conf/config.json}, then environment
 * variables (the names the README lists), each layer overriding the previous one.
 */
public record Config(
    int port,
    String host,
    Path stacksDir,
    Path dataDir,
    String dockerHost,
    String nodeName,
    String composeCommand,
    int operationTimeoutSeconds) {

  public static final Pattern NODE_NAME = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");

  public static Config load(Path file, Map<String, String> env) {
    JsonObject json = defaults();
    if (file != null && Files.isRegularFile(file)) {
      try {
        json.mergeIn(new JsonObject(Files.readString(file)));
      } catch (Exception e) {
        throw new IllegalStateException("Cannot read " + file + ": " + e.getMessage(), e);
      }
    }
    overrideFromEnv(json, env);
    return fromJson(json);
  }

  public static JsonObject defaults() {
    return new JsonObject()
        .put("port", 5000)
        .put("host", "0.0.0.0")
        .put("stacks_dir", "./stacks")
        .put("data_dir", "./data")
        .put("docker_host", "unix:///var/run/docker.sock")
        .put("operation_timeout", 600);
  }

  private static void overrideFromEnv(JsonObject json, Map<String, String> env) {
    Map.of(
            "PORT", "port",
            "HOST", "host",
            "STACKS_DIR", "stacks_dir",
            "DATA_DIR", "data_dir",
            "DOCKER_HOST", "docker_host",
            "DOCKUP_NODE_NAME", "node_name",
            "COMPOSE_COMMAND", "compose_command",
            "OPERATION_TIMEOUT", "operation_timeout")
        .forEach((var, key) -> {
          String v = env.get(var);
          if (v != null && !v.isBlank()) json.put(key, v.trim());
        });
  }

  public static Config fromJson(JsonObject json) {
    int port = intValue(json, "port", 1, 65535);
    int timeout = intValue(json, "operation_timeout", 1, 86_400);
    String node = json.getString("node_name");
    if (node == null || node.isBlank()) {
      node = defaultNodeName();
    } else if (!NODE_NAME.matcher(node).matches()) {
      throw new IllegalStateException("DOCKUP_NODE_NAME must match " + NODE_NAME.pattern() + ": " + node);
    }
    String compose = json.getString("compose_command");
    return new Config(
        port,
        json.getString("host"),
        Path.of(json.getString("stacks_dir")).toAbsolutePath().normalize(),
        Path.of(json.getString("data_dir")).toAbsolutePath().normalize(),
        json.getString("docker_host"),
        node,
        compose == null || compose.isBlank() ? null : compose.trim(),
        timeout);
  }

  private static int intValue(JsonObject json, String key, int min, int max) {
    Object v = json.getValue(key);
    int n;
    try {
      // Through BigDecimal so 8080.5 or 2^32+5000 are refused, not silently cut to an int.
      n = new java.math.BigDecimal(String.valueOf(v).trim()).intValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalStateException(key + " must be a whole number, got: " + v);
    }
    if (n < min || n > max) throw new IllegalStateException(key + " must be in " + min + ".." + max + ", got: " + n);
    return n;
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

  public JsonObject toJson() {
    return new JsonObject()
        .put("port", port).put("host", host)
        .put("stacks_dir", stacksDir.toString()).put("data_dir", dataDir.toString())
        .put("docker_host", dockerHost).put("node_name", nodeName)
        .put("compose_command", composeCommand).put("operation_timeout", operationTimeoutSeconds);
  }

  public Config withPort(int newPort) {
    return new Config(newPort, host, stacksDir, dataDir, dockerHost, nodeName, composeCommand, operationTimeoutSeconds);
  }
}
