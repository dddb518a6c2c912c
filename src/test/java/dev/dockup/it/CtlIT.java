package dev.dockup.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code java -jar target/dockup.jar ctl …} as a certbot hook or a CI job runs it: a process of
 * its own against a node, its exit status and what it prints.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CtlIT {
  TestNode node;
  Engine engine;
  String url;
  String token;
  final String prefix = "ctl" + UUID.randomUUID().toString().substring(0, 4);

  record Run(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  @BeforeAll
  void start() throws Exception {
    engine = Engine.shared();
    node = TestNode.builder().start();
    url = node.http.base();
    Http.Resp t = node.http.post("/api/tokens", new JsonObject().put("name", "certbot").put("scope", "operate"));
    assertEquals(201, t.status(), t.toString());
    token = t.json().getString("token");
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) node.close();
    engine.removeProjects(prefix);
    engine.close();
  }

  /** The CLI in a JVM of its own, configured by {@code env} and its arguments only. */
  static Run ctl(Map<String, String> env, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-jar", Path.of("target/dockup.jar").toAbsolutePath().toString(), "ctl"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("DOCKUP_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    // Read both while it runs: a full pipe would block it.
    var out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    var err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("ctl " + String.join(" ", args) + " did not finish");
    }
    return new Run(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
  }

  private static String read(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  String stack(String label, String image) {
    String name = Stacks.uniqueName(prefix + "-" + label);
    Http.Resp r = node.http.post("/api/stack/" + name + "/compose", Stacks.content("""
        services:
          app:
            image: %s
            init: true
            command: ["sleep", "3600"]
        """.formatted(image)));
    assertEquals(201, r.status(), r.toString());
    return name;
  }

  /** One line, DockUp's words, no stack trace. */
  static void oneLineError(Run r, String expected) {
    assertNotEquals(0, r.exit(), r.toString());
    assertEquals(1, r.err().strip().lines().count(), r.toString());
    assertTrue(r.err().startsWith("dockup ctl: "), r.toString());
    assertTrue(r.err().contains(expected), r.toString());
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.toString());
  }

  @Test
  void restartsARealStackPrintingComposesOutput() throws Exception {
    String name = stack("restart", Engine.IMAGE);
    assertEquals(200, node.http.operation(name, "up").status());
    String before = engine.startedAt(name, "app");

    // As a certbot deploy hook has it: the address and token from the environment.
    Run r = ctl(Map.of("DOCKUP_URL", url, "DOCKUP_TOKEN", token), "restart", name);
    assertEquals(0, r.exit(), r.toString());
    assertNotEquals(before, engine.startedAt(name, "app"), "the container was restarted");
    JsonObject op = node.http.get("/api/operations").json().getJsonArray("operations").stream().map(JsonObject.class::cast)
        .filter(o -> name.equals(o.getString("stack")) && "restart".equals(o.getString("operation"))).findFirst().orElseThrow();
    assertFalse(op.getJsonArray("output").isEmpty(), op.encode());
    // Every line compose wrote, in order, once.
    List<String> printed = r.out().lines().toList();
    assertEquals(op.getJsonArray("output").getList(), printed, r.toString());
    assertTrue(r.err().contains("succeeded"), r.toString());

    Run json = ctl(Map.of(), "--url", url, "--token", token, "--json", "status", name);
    assertEquals(0, json.exit(), json.toString());
    assertEquals("running", new JsonObject(json.out()).getString("status"));
  }

  @Test
  void aFailedOperationExitsNonZeroWithItsOutput() throws Exception {
    String name = stack("fail", "127.0.0.1:" + Engine.REGISTRY_PORT + "/dockup-test/no-such-image:1");
    Run r = ctl(Map.of(), "--url", url, "--token", token, "up", name);
    assertEquals(1, r.exit(), r.toString());
    assertFalse(r.out().isBlank(), "compose's own words are printed: " + r);
    assertTrue(r.err().contains("up " + name + " failed"), r.toString());
  }

  @Test
  void aMissingStackABadTokenAndAnUnreachableUrlAreOneLineErrors() throws Exception {
    oneLineError(ctl(Map.of(), "--url", url, "--token", token, "restart", prefix + "-none"), "Stack not found");
    oneLineError(ctl(Map.of(), "--url", url, "--token", token, "status", prefix + "-none"), "Stack not found");
    String name = stack("token", Engine.IMAGE);
    Run bad = ctl(Map.of("DOCKUP_URL", url, "DOCKUP_TOKEN", "dku_" + "x".repeat(40)), "restart", name);
    oneLineError(bad, "token was refused");
    assertEquals(List.of(), node.http.get("/api/operations").json().getJsonArray("operations").stream()
        .map(JsonObject.class::cast).filter(o -> name.equals(o.getString("stack"))).toList(), "nothing ran");
    oneLineError(ctl(Map.of("DOCKUP_URL", url), "stacks"), "no token given");
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Run unreachable = ctl(Map.of(), "--url", "http://127.0.0.1:" + closed, "--token", token, "restart", name);
    oneLineError(unreachable, "cannot reach DockUp at http://127.0.0.1:" + closed);
    assertEquals(3, unreachable.exit());
    Run usage = ctl(Map.of(), "restart");
    assertEquals(2, usage.exit(), usage.toString());
  }

  @Test
  void readsStacksLogsAndUpdates() throws Exception {
    String name = stack("reads", Engine.IMAGE);
    assertEquals(200, node.http.operation(name, "up").status());
    Map<String, String> env = Map.of("DOCKUP_URL", url, "DOCKUP_TOKEN", token);
    Run stacks = ctl(env, "stacks");
    assertEquals(0, stacks.exit(), stacks.toString());
    assertTrue(stacks.out().lines().anyMatch(l -> l.startsWith(name + " ") && l.contains("running")), stacks.toString());
    Run logs = ctl(env, "logs", name, "--lines", "5");
    assertEquals(0, logs.exit(), logs.toString());
    assertTrue(logs.out().contains("==> " + name), logs.toString());
    Run updates = ctl(env, "--json", "check-updates", name);
    assertEquals(0, updates.exit(), updates.toString());
    assertTrue(new JsonObject(updates.out()).containsKey("images"), updates.toString());
  }
}
