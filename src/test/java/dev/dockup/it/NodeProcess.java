package dev.dockup.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * DockUp as users run it: {@code target/dockup.jar} in a JVM of its own, configured by its
 * environment only, its output in a log file. It can be crashed and started again with the
 * same environment (same folders, ports and engine), as a restarted host would.
 */
public final class NodeProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on [^:\\s]+:(\\d+)");

  public final String name;
  private final Path workDir;
  private final Map<String, String> env;
  private Process process;
  private Path log;
  private int starts;
  private int port;

  /** {@code env} is all DockUp gets; none of the test JVM's own DockUp or Docker settings leak in. */
  public NodeProcess(String name, Path workDir, Map<String, String> env) {
    this.name = name;
    this.workDir = workDir;
    this.env = new LinkedHashMap<>(env);
  }

  /** Starts the JVM; {@link #awaitListening()} says when it serves. */
  public NodeProcess start() throws IOException {
    Files.createDirectories(workDir);
    starts++;
    log = workDir.resolve(name + "-" + starts + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // A cap, since a default heap is a quarter of the machine for each of several JVMs.
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx256m", "-jar", Path.of("target/dockup.jar").toAbsolutePath().toString()))
        .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("DOCKUP_") || k.startsWith("DOCKER_") || k.startsWith("COMPOSE_")
        || List.of("PORT", "HOST", "STACKS_DIR", "DATA_DIR", "OPERATION_TIMEOUT").contains(k));
    pb.environment().putAll(env);
    process = pb.start();
    return this;
  }

  /** The port from the log's "listening on host:port" line: the node is up and serving. */
  public NodeProcess awaitListening() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(Files.readString(log));
      if (m.find()) {
        port = Integer.parseInt(m.group(1));
        return this;
      }
      if (!process.isAlive()) break;
      Thread.sleep(100);
    }
    throw new AssertionError("node " + name + " did not start (alive: " + process.isAlive() + "):\n" + tail(60));
  }

  /** A client of this node's API with no credential. */
  public Http http() {
    return new Http(port);
  }

  /** A crash: no shutdown hook, no goodbye to the cluster. */
  public void kill() throws InterruptedException {
    if (process == null) return;
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  public Path log() {
    return log;
  }

  /** The last lines of the current run's log, for a failure message. */
  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | RuntimeException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
