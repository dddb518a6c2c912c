package dev.dockup.scan;

import dev.dockup.Config;
import dev.dockup.proc.ProcessRunner;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scanner found on this node: the {@code trivy} CLI (alone, or as the client of a Trivy
 * server when {@code TRIVY_SERVER} is set), or {@code grype}. Each is run with the runner's clean
 * environment; a Trivy server's token travels in that environment ({@code TRIVY_TOKEN}), never
 * on the command line, where any local user could read it.
 */
public record Scanner(String name, String version, Path executable, String server, Map<String, String> environment) {
  private static final Logger LOG = LoggerFactory.getLogger(Scanner.class);
  private static final Pattern VERSION = Pattern.compile("(?m)^\\s*Version:\\s*v?(\\S+)");
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);
  public static final String UNAVAILABLE = "Scanner not available: install trivy or grype, or set TRIVY_SERVER";

  /**
   * Blocking: the configured scanner when it answers its version, else null. {@code auto}
   * prefers Trivy; with {@code TRIVY_SERVER} set, Trivy is its client.
   */
  public static Scanner detect(Config.Scan config, String dockerHost) {
    Map<String, String> env = ProcessRunner.cleanEnvironment(dockerHost);
    boolean trivyWanted = !config.scanner().equals("grype");
    boolean grypeWanted = !config.scanner().equals("trivy");
    if (trivyWanted) {
      Scanner trivy = probe("trivy", List.of("--version"), env);
      if (trivy != null) {
        if (config.trivyServer() == null) return trivy;
        Map<String, String> withToken = new HashMap<>(env);
        if (config.trivyToken() != null) withToken.put("TRIVY_TOKEN", config.trivyToken());
        return new Scanner("trivy", trivy.version(), trivy.executable(), config.trivyServer(), Map.copyOf(withToken));
      }
      if (config.trivyServer() != null) LOG.warn("TRIVY_SERVER is set but no trivy CLI was found on PATH to use it with");
    } else if (config.trivyServer() != null) {
      LOG.warn("TRIVY_SERVER is ignored: SCANNER is grype");
    }
    return grypeWanted ? probe("grype", List.of("version"), env) : null;
  }

  private static Scanner probe(String name, List<String> versionArgs, Map<String, String> env) {
    Path exe = onPath(name, env.get("PATH"));
    if (exe == null) return null;
    List<String> argv = new ArrayList<>(List.of(exe.toString()));
    argv.addAll(versionArgs);
    String out = ProcessRunner.probe(argv, env, PROBE_TIMEOUT);
    if (out == null) {
      LOG.warn("{} was found at {} but did not answer its version; not used", name, exe);
      return null;
    }
    Matcher m = VERSION.matcher(out);
    return new Scanner(name, m.find() ? Report.cut(m.group(1), 50) : "unknown", exe, null, Map.copyOf(env));
  }

  /** The executable as the child's own PATH finds it: the PATH DockUp's children get is the one that counts. */
  static Path onPath(String name, String path) {
    if (path == null) return null;
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) continue;
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
    }
    return null;
  }

  /** The command line for one image: Trivy's vulnerability scan in JSON, or Grype's. */
  public List<String> argv(String image, int timeoutSeconds, Path trivyCache) {
    List<String> argv = new ArrayList<>(List.of(executable.toString()));
    if (name.equals("grype")) {
      argv.addAll(List.of(image, "-o", "json"));
      return argv;
    }
    argv.addAll(List.of("image", "--format", "json", "--quiet", "--scanners", "vuln", "--list-all-pkgs=false",
        "--timeout", timeoutSeconds + "s"));
    if (server != null) argv.addAll(List.of("--server", server));
    else argv.addAll(List.of("--cache-dir", trivyCache.toString()));
    argv.add(image);
    return argv;
  }

  public Report parse(InputStream report) throws IOException {
    return name.equals("grype") ? GrypeReport.parse(report) : TrivyReport.parse(report);
  }

  /** What {@code /api/version} and the results say of it: no path, no server address, no token. */
  public JsonObject info() {
    return new JsonObject().put("name", name).put("version", version).put("mode", server == null ? "cli" : "server");
  }

  /** Removes the token from text the scanner printed before it is shown or logged. */
  public String redact(String text) {
    String token = environment.get("TRIVY_TOKEN");
    return token == null || text == null ? text : text.replace(token, "***");
  }

  @Override
  public String toString() {
    return name + " " + version + (server == null ? "" : " (server " + server + ")");
  }
}
