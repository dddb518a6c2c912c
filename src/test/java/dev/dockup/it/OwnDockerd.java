package dev.dockup.it;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private Docker engine for a test that must stop one: never the shared engine. Its own
 * socket, data root, exec root and address pool; no bridge and no iptables (DESIGN.md, Tests).
 */
public final class OwnDockerd implements AutoCloseable {
  public final Path dir;
  public final String host;
  private Process process;

  public OwnDockerd(Path dir) {
    this.dir = dir;
    this.host = "unix://" + dir.resolve("docker.sock");
  }

  public OwnDockerd start() throws Exception {
    Files.createDirectories(dir);
    ProcessBuilder pb = new ProcessBuilder(List.of("dockerd",
        "--host", host,
        "--data-root", dir.resolve("root").toString(),
        "--exec-root", dir.resolve("exec").toString(),
        "--pidfile", dir.resolve("docker.pid").toString(),
        "--bridge", "none", "--iptables=false", "--ip6tables=false",
        "--default-address-pool", "base=10.223.0.0/16,size=24"))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(dir.resolve("dockerd.log").toString())));
    process = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      try {
        Engine.sh("docker -H " + host + " info >/dev/null 2>&1");
        return this;
      } catch (IllegalStateException notYet) {
        if (!process.isAlive()) break;
        Thread.sleep(200);
      }
    }
    throw new IllegalStateException("private dockerd did not start; see " + dir.resolve("dockerd.log") + ":\n"
        + (Files.exists(dir.resolve("dockerd.log")) ? Files.readString(dir.resolve("dockerd.log")) : ""));
  }

  /** Copies a test image from the shared engine (no registry needed). */
  public void loadImage(String image) {
    Engine.sh("docker save " + image + " | docker -H " + host + " load -q");
  }

  public void stop() throws InterruptedException {
    if (process == null) return;
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    process = null;
  }

  @Override
  public void close() throws Exception {
    stop();
  }
}
