package dev.dockup.proc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * How DockUp runs the programs it drives (the compose CLI, vulnerability scanners): with a clean
 * environment that never carries DockUp's own secrets, and killed with everything they started
 * when their time is up. Every method blocks: call it from a worker.
 */
public final class ProcessRunner {
  private ProcessRunner() {}

  /** What {@link #runToFiles} saw: the exit code (null when killed at the time limit). */
  public record Outcome(Integer exitCode, boolean timedOut) {}

  /**
   * The environment a child gets: {@code PATH}, {@code HOME}, {@code LANG}, the engine's address
   * and {@code DOCKER_CONFIG} (registry credentials), nothing else of DockUp's own.
   */
  public static Map<String, String> cleanEnvironment(String dockerHost) {
    Map<String, String> out = new HashMap<>();
    Map<String, String> own = System.getenv();
    out.put("PATH", own.getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    out.put("HOME", own.getOrDefault("HOME", System.getProperty("user.home", "/root")));
    out.put("LANG", "C.UTF-8");
    if (dockerHost != null) out.put("DOCKER_HOST", dockerHost);
    if (own.containsKey("DOCKER_CONFIG")) out.put("DOCKER_CONFIG", own.get("DOCKER_CONFIG"));
    return out;
  }

  /**
   * Starts {@code argv} in {@code dir} (null: the current folder) with exactly {@code env},
   * stderr merged into stdout; {@code input} (may be null) is its standard input.
   */
  public static Process start(List<String> argv, Path dir, Map<String, String> env, Path input) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    if (dir != null) pb.directory(dir.toFile());
    if (input != null) pb.redirectInput(input.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    return pb.start();
  }

  /** Hands each output line to {@code onLine} as it is printed; returns the exit code. */
  public static int drain(Process process, Consumer<String> onLine) throws IOException, InterruptedException {
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) onLine.accept(line);
    }
    return process.waitFor();
  }

  /**
   * Runs {@code argv} to its end with stdout and stderr written to files, so a large report costs
   * no memory and no pipe can hold the wait up; past {@code timeout} it is killed with its
   * children. {@code started} is told the process (so a shutdown can kill it).
   */
  public static Outcome runToFiles(List<String> argv, Map<String, String> env, Path stdout, Path stderr, Duration timeout,
                                   Consumer<Process> started) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(argv)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(stdout.toFile())
        .redirectError(stderr.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    started.accept(p);
    try {
      if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) return new Outcome(p.exitValue(), false);
      killTree(p);
      p.waitFor(10, TimeUnit.SECONDS);
      return new Outcome(null, true);
    } catch (InterruptedException e) {
      killTree(p);
      throw e;
    }
  }

  /**
   * The output of a short command (a version probe), or null when it cannot run, fails or prints
   * nothing; a hung one is killed after {@code timeout}.
   */
  public static String probe(List<String> argv, Map<String, String> env, Duration timeout) {
    try {
      Process p = start(argv, null, env, null);
      // Reading blocks until the process ends: a hung one is killed, which ends the read.
      CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
        if (p.isAlive()) killTree(p);
      });
      String out = new String(p.getInputStream().readNBytes(64 * 1024), StandardCharsets.UTF_8).trim();
      return p.waitFor() == 0 && !out.isEmpty() ? out : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Kills the process and everything it started (plugins, helpers, a shell's children), children first. */
  public static void killTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }
}
