package dev.dockup.registry;

import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The registry logins the engine's client keeps in {@code config.json} ({@code docker login}),
 * so DockUp sees private images the way {@code docker pull} does. Credential helpers
 * ({@code credsStore}, {@code credHelpers}) run external programs and are not supported.
 */
public final class DockerCredentials {
  private static final Logger LOG = LoggerFactory.getLogger(DockerCredentials.class);

  /** The key {@code docker login} writes for Docker Hub. */
  static final String HUB_KEY = "https://index.docker.io/v1/";

  public static final DockerCredentials NONE = new DockerCredentials(Map.of());

  /** A user name and password; {@link #toString()} never shows the password. */
  public record Login(String username, String password) {
    public String basicHeader() {
      String pair = username + ":" + password;
      return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      return "Login[" + username + ", ***]";
    }
  }

  private final Map<String, Login> byRegistry;

  private DockerCredentials(Map<String, Login> byRegistry) {
    this.byRegistry = Collections.unmodifiableMap(byRegistry);
  }

  /** {@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}. */
  public static Path configFile(Map<String, String> env, String userHome) {
    String dir = env.get("DOCKER_CONFIG");
    if (dir != null && !dir.isBlank()) return Path.of(dir, "config.json");
    return Path.of(userHome, ".docker", "config.json");
  }

  public static Path defaultConfigFile() {
    return configFile(System.getenv(), System.getProperty("user.home"));
  }

  /** Reads the {@code auths} of a parsed config.json; entries it cannot read are skipped. */
  public static DockerCredentials parse(JsonObject config) {
    if (config == null) return NONE;
    if (config.getValue("credsStore") != null || config.getValue("credHelpers") != null) {
      LOG.debug("config.json names credential helpers; DockUp does not run them, only plain auths are used");
    }
    Map<String, Login> out = new LinkedHashMap<>();
    if (!(config.getValue("auths") instanceof JsonObject auths)) return new DockerCredentials(out);
    for (String key : auths.fieldNames()) {
      if (!(auths.getValue(key) instanceof JsonObject entry)) continue;
      Login login = login(entry);
      if (login == null) continue;
      // The key `docker login` itself writes wins over another spelling of the same registry.
      String registry = normalize(key);
      if (!out.containsKey(registry) || key.equals(registry) || key.equals(HUB_KEY)) out.put(registry, login);
    }
    return new DockerCredentials(out);
  }

  private static Login login(JsonObject entry) {
    String auth = entry.getValue("auth") instanceof String s ? s.trim() : "";
    if (!auth.isEmpty()) {
      try {
        String pair = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        if (colon > 0) return new Login(pair.substring(0, colon), pair.substring(colon + 1));
      } catch (IllegalArgumentException e) {
        // not base64: fall back to the separate fields
      }
    }
    String user = entry.getValue("username") instanceof String u ? u : null;
    String pass = entry.getValue("password") instanceof String p ? p : null;
    return user != null && !user.isEmpty() && pass != null ? new Login(user, pass) : null;
  }

  /**
   * The registry name an {@code auths} key stands for: no scheme, no path, lower case, and
   * Docker Hub's many names ({@code https://index.docker.io/v1/}, {@code registry-1.docker.io})
   * all {@code docker.io}.
   */
  public static String normalize(String key) {
    String s = key.trim().toLowerCase(Locale.ROOT);
    int scheme = s.indexOf("://");
    if (scheme >= 0) s = s.substring(scheme + 3);
    int slash = s.indexOf('/');
    if (slash >= 0) s = s.substring(0, slash);
    return switch (s) {
      case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com", "docker.io" -> ImageRef.DOCKER_HUB;
      default -> s;
    };
  }

  /** The login for a registry as {@link ImageRef#registry()} names it, or null. */
  public Login find(String registry) {
    return registry == null ? null : byRegistry.get(normalize(registry));
  }

  public boolean isEmpty() {
    return byRegistry.isEmpty();
  }

  @Override
  public String toString() {
    return "DockerCredentials" + byRegistry.keySet();
  }
}
