package dev.dockup.stack;

import dev.dockup.proc.ProcessRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The compose CLI, v2 ({@code docker compose}) or v1 ({@code docker-compose}), run by the shared
 * {@link ProcessRunner}: a clean environment (what compose needs to find the engine, never
 * DockUp's own secrets), killed with its children when its time is up.
 */
public final class ComposeCli {
  private static final Logger LOG = LoggerFactory.getLogger(ComposeCli.class);

  private final List<String> command;
  private final String version;
  private final Map<String, String> environment;

  private ComposeCli(List<String> command, String version, Map<String, String> environment) {
    this.command = command;
    this.version = version;
    this.environment = environment;
  }

  public String commandLine() { return String.join(" ", command); }

  public String version() { return version; }

  /** The environment compose runs with: its variables are the first that compose substitutes. */
  Map<String, String> environment() { return environment; }

  /** Blocking: tries the configured command, or {@code docker compose} then {@code docker-compose}. */
  public static ComposeCli detect(String configured, String dockerHost) {
    Map<String, String> env = cleanEnvironment(dockerHost);
    List<List<String>> candidates = configured != null
        ? List.of(Arrays.asList(configured.trim().split("\\s+")))
        : List.of(List.of("docker", "compose"), List.of("docker-compose"));
    for (List<String> candidate : candidates) {
      String v = probeVersion(candidate, env);
      if (v != null) {
        LOG.info("Compose CLI: {} {}", String.join(" ", candidate), v);
        return new ComposeCli(candidate, v, env);
      }
    }
    List<String> fallback = candidates.get(candidates.size() - 1);
    LOG.warn("No working compose CLI found (tried {}); stack operations will fail until one is installed",
        candidates.stream().map(c -> String.join(" ", c)).toList());
    return new ComposeCli(fallback, null, env);
  }

  private static String probeVersion(List<String> cmd, Map<String, String> env) {
    List<String> argv = new ArrayList<>(cmd);
    argv.addAll(List.of("version", "--short"));
    String out = ProcessRunner.probe(argv, env, Duration.ofSeconds(20));
    return out == null ? null : out.lines().findFirst().orElse(out);
  }

  /** The runner's clean environment plus compose's own {@code COMPOSE_*} settings. */
  static Map<String, String> cleanEnvironment(String dockerHost) {
    Map<String, String> out = ProcessRunner.cleanEnvironment(dockerHost);
    System.getenv().forEach((k, v) -> {
      if (k.startsWith("COMPOSE_") && !k.equals("COMPOSE_COMMAND")) out.put(k, v);
    });
    return out;
  }

  /** Starts {@code compose -p <project> -f <file>... <args>} in {@code dir}, stderr merged into stdout. */
  public Process start(Path dir, String project, List<String> files, List<String> args) throws IOException {
    return start(dir, project, files, args, null);
  }

  /**
   * The same, with {@code input} as its standard input: {@code -f -} then reads the compose file
   * from it, and {@code dir} is its project directory, so nothing is written into the stack's folder.
   */
  public Process start(Path dir, String project, List<String> files, List<String> args, Path input) throws IOException {
    List<String> argv = new ArrayList<>(command);
    argv.addAll(List.of("--ansi", "never", "-p", project));
    if (input != null) argv.addAll(List.of("--project-directory", dir.toString()));
    for (String f : files) argv.addAll(List.of("-f", f));
    argv.addAll(args);
    return ProcessRunner.start(argv, dir, environment, input);
  }

  /** Blocking: hands each output line to {@code onLine} as it is printed; returns the exit code. */
  public static int drain(Process process, Consumer<String> onLine) throws IOException, InterruptedException {
    return ProcessRunner.drain(process, onLine);
  }

  /** Kills compose and everything it started (plugins, helpers), children first. */
  public static void killTree(Process process) {
    ProcessRunner.killTree(process);
  }
}
