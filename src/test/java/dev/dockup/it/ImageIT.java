package dev.dockup.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container image as users run it: the {@code Dockerfile} built on a Debian made locally with
 * debootstrap (no image registry is reachable), started from {@code examples/compose.yaml} against
 * this host's engine with the socket, a stacks folder at the same path and a data volume, set up
 * through the API, made to bring a stack up and down, and reported healthy by the engine.
 */
class ImageIT {
  /** Made by scripts/base-image.sh, which reads the same variable. */
  private static final String BASE = System.getenv().getOrDefault("DOCKUP_TEST_BASE_IMAGE", "dockup-test/debian:bookworm");
  /** Tagged so that removing the test's image keeps the layers under the jar for the next run. */
  private static final String RUNTIME = "dockup-test/dockup-runtime:cache";
  private static final String EXAMPLE = "examples/compose.yaml";
  private static final Pattern SETUP_CODE = Pattern.compile("One-time setup code: (\\S+)");
  private static final String PASSWORD = "image-test-password";

  private static final String id = UUID.randomUUID().toString().substring(0, 6);
  private static final String image = "dockup-test/dockup:it-" + id;
  private static final String project = "dockup-image-" + id;
  private static final String stack = "img-" + id;
  private static Path root;
  private static Path stacks;
  private static Path logs;
  private static boolean built;
  /** Why the test cannot run here: only when Debian's packages are out of reach. */
  private static String skipped;

  @BeforeAll
  static void buildImage() throws Exception {
    assertTrue(Files.isRegularFile(Path.of("target/dockup.jar")), "target/dockup.jar is built by mvn package, before this test");
    root = Files.createTempDirectory("dockup-image-it-");
    logs = Files.createDirectories(Path.of("target/image-it"));
    // The bootstrap needs root, as the README's test command runs; it does nothing when the
    // base image exists, and re-imports the cached root filesystem on a fresh engine.
    Run base = run(List.of("bash", "scripts/base-image.sh"), Map.of(), Duration.ofMinutes(15), "base-image");
    if (base.exit == 3) {
      // Reported on the test itself (an aborted @BeforeAll is counted nowhere).
      skipped = "no base image to build on: " + base.output.strip();
      return;
    }
    assertEquals(0, base.exit, () -> "scripts/base-image.sh failed:\n" + base.tail());
    for (List<String> build : List.of(
        List.of("docker", "build", "--network", "host", "--build-arg", "BASE=" + BASE, "--target", "runtime", "-t", RUNTIME, "."),
        List.of("docker", "build", "--network", "host", "--build-arg", "BASE=" + BASE, "-t", image, "."))) {
      Run r = run(build, Map.of(), Duration.ofMinutes(20), "build");
      assertEquals(0, r.exit, () -> "docker build failed:\n" + r.tail());
    }
    built = true;
  }

  @Test
  void theImageRunsDockUpBesideTheHostsEngine() throws Exception {
    Assumptions.assumeTrue(skipped == null, () -> skipped);
    // Owned by the image's user (uid 1000), as the example asks, so DockUp drops root.
    stacks = Files.createDirectories(root.resolve("stacks"));
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
    run(List.of("chown", "1000:1000", stacks.toString()), Map.of(), Duration.ofSeconds(10), "chown").check();
    int port = freePort();
    Map<String, String> env = Map.of("DOCKUP_IMAGE", image, "STACKS_DIR", stacks.toString(),
        "DOCKUP_PORT", "127.0.0.1:" + port, "DOCKUP_NODE_NAME", "image-it");

    // The example passes compose's own check, with the same path on both sides of the stacks mount.
    JsonObject config = new JsonObject(compose(env, "config", "--format", "json").check().output);
    JsonObject service = config.getJsonObject("services").getJsonObject("dockup");
    assertEquals(image, service.getString("image"));
    List<String> mounts = new ArrayList<>();
    for (Object v : service.getJsonArray("volumes")) {
      JsonObject m = (JsonObject) v;
      mounts.add(m.getString("type") + " " + m.getString("source") + " " + m.getString("target"));
    }
    assertTrue(mounts.contains("bind /var/run/docker.sock /var/run/docker.sock"), mounts.toString());
    assertTrue(mounts.contains("bind " + stacks + " " + stacks), mounts.toString());
    assertTrue(mounts.contains("volume dockup-data /app/data"), mounts.toString());
    JsonObject published = service.getJsonArray("ports").getJsonObject(0);
    assertEquals("127.0.0.1", published.getString("host_ip"));
    assertEquals(String.valueOf(port), published.getString("published"));

    compose(env, "up", "-d").check();
    String container = compose(env, "ps", "-q", "dockup").check().output.strip();
    Http anonymous = new Http(port);
    awaitSetupRequired(anonymous, container);

    // First start, as the README describes it: the one-time setup code from the log, then a password.
    String code = setupCode(container);
    Http.Resp setup = anonymous.post("/api/auth/setup", new JsonObject().put("password", PASSWORD).put("setup_code", code));
    assertEquals(200, setup.status(), setup::toString);
    String jwt = anonymous.post("/api/auth/token", new JsonObject().put("password", PASSWORD)).json().getString("token");
    Http http = anonymous.with("Authorization", "Bearer " + jwt);

    String yaml = """
        services:
          app:
            image: %s
            init: true
            command: ["sleep", "3600"]
        """.formatted(Engine.IMAGE);
    Http.Resp created = http.post("/api/stack/" + stack + "/compose", Stacks.content(yaml));
    assertEquals(201, created.status(), created::toString);
    Http.Resp up = http.operation(stack, "up");
    assertEquals(200, up.status(), up::toString);
    assertTrue(up.json().getBoolean("success"), up::toString);
    try (Engine engine = Engine.shared()) {
      assertEquals(1, engine.running(stack).size(), "the stack's container runs on the host's engine");
      TestNode.await(http, "/api/stack/" + stack, s -> "running".equals(s.getString("status")), Duration.ofSeconds(30));
      Http.Resp down = http.operation(stack, "down");
      assertTrue(down.status() == 200 && down.json().getBoolean("success"), down::toString);
      assertEquals(0, engine.containers(stack).size(), "down removed the stack's container");
    }
    TestNode.await(http, "/api/stack/" + stack, s -> "inactive".equals(s.getString("status")), Duration.ofSeconds(30));

    // Not root: the image's user, with the socket's group added, and the files it wrote are its own.
    String ids = run(List.of("docker", "exec", container, "bash", "-c",
        "for s in /proc/[0-9]*/status; do grep -q '^Name:\\s*java' $s && grep -E '^(Uid|Groups):' $s; done"),
        Map.of(), Duration.ofSeconds(30), "exec").check().output;
    assertTrue(ids.matches("(?s).*Uid:\\s+1000\\s+1000\\s+1000\\s+1000.*"), ids);
    String socketGid = run(List.of("stat", "-c", "%g", "/var/run/docker.sock"), Map.of(), Duration.ofSeconds(10), "stat").check().output.strip();
    Matcher groups = Pattern.compile("Groups:([\\d \\t]*)").matcher(ids);
    assertTrue(groups.find() && List.of(groups.group(1).trim().split("\\s+")).contains(socketGid), ids + " lacks the socket's group " + socketGid);
    Path composeFile = stacks.resolve(stack).resolve("compose.yaml");
    assertEquals(1000, (int) Files.getAttribute(composeFile, "unix:uid"));

    // The engine runs the image's HEALTHCHECK (GET /api/ping) and reports the container healthy.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    String health = "";
    while (System.nanoTime() < deadline && !"healthy".equals(health)) {
      health = run(List.of("docker", "inspect", "-f", "{{.State.Health.Status}}", container), Map.of(), Duration.ofSeconds(30), "inspect")
          .check().output.strip();
      if (!"healthy".equals(health)) Thread.sleep(1000);
    }
    assertEquals("healthy", health, () -> "health: " + inspectHealth(container));
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (stacks != null) {
      compose(Map.of("DOCKUP_IMAGE", image, "STACKS_DIR", stacks.toString(), "DOCKUP_PORT", "127.0.0.1:1"),
          "down", "-v", "--timeout", "10");
      try (Engine engine = Engine.shared()) {
        engine.removeProjects(stack);
      }
    }
    if (built) run(List.of("docker", "rmi", image), Map.of(), Duration.ofMinutes(2), "rmi");
    if (root != null) run(List.of("rm", "-rf", root.toString()), Map.of(), Duration.ofMinutes(1), "rm");
  }

  private static Run compose(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("docker", "compose", "-f", EXAMPLE, "-p", project));
    command.addAll(List.of(args));
    return run(command, env, Duration.ofMinutes(3), "compose-" + args[0]);
  }

  /** Polls /api/ping until DockUp serves; the published port accepts connections before that. */
  private static void awaitSetupRequired(Http anonymous, String container) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    Object last = null;
    while (System.nanoTime() < deadline) {
      try {
        Http.Resp ping = anonymous.get("/api/ping");
        if (ping.status() == 200 && ping.json().getBoolean("setup_required", false)) return;
        last = ping;
      } catch (IllegalStateException notYet) {
        last = notYet.getMessage();
      }
      Thread.sleep(250);
    }
    throw new AssertionError("DockUp did not answer on the published port; last: " + last + "\n"
        + run(List.of("docker", "logs", container), Map.of(), Duration.ofSeconds(30), "logs").tail());
  }

  /** The setup code DockUp prints once to its log on a first start without a password. */
  private static String setupCode(String container) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String out = "";
    while (System.nanoTime() < deadline) {
      out = run(List.of("docker", "logs", container), Map.of(), Duration.ofSeconds(30), "logs").output;
      Matcher m = SETUP_CODE.matcher(out);
      if (m.find()) return m.group(1);
      Thread.sleep(500);
    }
    throw new AssertionError("no setup code in the container's log:\n" + out);
  }

  private static String inspectHealth(String container) {
    try {
      return run(List.of("docker", "inspect", "-f", "{{json .State.Health}}", container), Map.of(), Duration.ofSeconds(30), "inspect").output;
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private record Run(String command, int exit, String output) {
    Run check() {
      if (exit != 0) throw new AssertionError("exit " + exit + ": " + command + "\n" + tail());
      return this;
    }

    String tail() {
      List<String> lines = output.lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }
  }

  /**
   * Runs a command from the project's folder with the test JVM's environment plus {@code env},
   * its output kept in target/image-it/ (a first build prints thousands of lines); killed past
   * the timeout.
   */
  private static Run run(List<String> command, Map<String, String> env, Duration timeout, String name) throws Exception {
    Path log = Files.createDirectories(logs != null ? logs : Path.of("target/image-it")).resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("timed out after " + timeout + ": " + command + "\n" + Files.readString(log));
    }
    return new Run(String.join(" ", command), p.exitValue(), Files.readString(log));
  }
}
