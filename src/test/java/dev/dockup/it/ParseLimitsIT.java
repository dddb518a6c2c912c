package dev.dockup.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parsing cannot take the node down: a hostile compose file in STACKS_DIR hides no other folder,
 * and the same file sent to validate or save is refused at once, never left to hang the stacks
 * verticle's event loop.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ParseLimitsIT {
  static final String DEEP = "services:\n  web:\n    image: x\nx-deep: " + "[".repeat(3000) + "]".repeat(3000) + "\n";

  TestNode node;
  Engine engine;
  final String prefix = Stacks.uniqueName("pl");
  String ok;

  /** 50 aliases, each doubling the one before: a few hundred bytes that stand for 2^25 nodes. */
  static String aliases() {
    StringBuilder y = new StringBuilder("a: &a [1,1]\n");
    for (char c = 'b'; c <= 'z'; c++) y.append(c).append(": &").append(c).append(" [*").append((char) (c - 1)).append(",*").append((char) (c - 1)).append("]\n");
    return y.append("services:\n  x:\n    image: y\n").toString();
  }

  /** Merge keys, each merging the one before twice. */
  static String mergeChain() {
    StringBuilder y = new StringBuilder("x-0: &m0 {k0: v}\n");
    for (int i = 1; i <= 24; i++) y.append("x-").append(i).append(": &m").append(i).append(" {<<: [*m").append(i - 1).append(", *m").append(i - 1).append("], k").append(i).append(": v}\n");
    return y.append("services:\n  x:\n    image: y\n").toString();
  }

  @BeforeAll
  void start() throws Exception {
    engine = Engine.shared();
    Path root = Files.createTempDirectory("dockup-parse-");
    ok = prefix + "-ok";
    Files.writeString(Files.createDirectories(root.resolve("stacks/" + ok)).resolve("compose.yaml"), Stacks.twoServices("ok"));
    Files.writeString(Files.createDirectories(root.resolve("stacks/" + prefix + "-bomb")).resolve("compose.yaml"), DEEP);
    node = TestNode.builder().root(root).start();
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) node.close();
    engine.removeProjects(prefix);
    engine.close();
  }

  /** The answer, which must come within {@code limit}. */
  static Http.Resp within(Duration limit, Supplier<Http.Resp> call) throws Exception {
    return CompletableFuture.supplyAsync(call).get(limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  static boolean ignored(JsonObject list, String folder) {
    return list.getJsonArray("ignored").stream().map(JsonObject.class::cast).anyMatch(i -> folder.equals(i.getString("folder")));
  }

  @Test
  void aFileThatCannotBeParsedHidesNoOtherFolder() throws Exception {
    JsonObject list = node.awaitList(l -> Stacks.find(l, ok) != null && ignored(l, prefix + "-bomb"), Duration.ofSeconds(10));
    String reason = list.getJsonArray("ignored").stream().map(JsonObject.class::cast)
        .filter(i -> i.getString("folder").equals(prefix + "-bomb")).findFirst().orElseThrow().getString("reason");
    assertTrue(reason.contains("nested deeper than"), reason);

    Http.Resp up = node.http.operation(ok, "up");
    assertEquals(200, up.status(), up.toString());
    node.awaitStack(ok, s -> "running".equals(s.getString("status")), Duration.ofSeconds(10));
    assertEquals(200, node.http.operation(ok, "down").status());

    // Folders that come later are still noticed, a second bad one included.
    Files.writeString(Files.createDirectories(node.stacksDir.resolve(prefix + "-bomb2")).resolve("compose.yaml"), aliases());
    Files.writeString(Files.createDirectories(node.stacksDir.resolve(prefix + "-new")).resolve("compose.yaml"), Stacks.twoServices("new"));
    node.awaitList(l -> Stacks.find(l, prefix + "-new") != null && ignored(l, prefix + "-bomb2"), Duration.ofSeconds(10));
  }

  @Test
  void hostileBodiesGet400WithinASecond() throws Exception {
    for (String body : List.of(DEEP, aliases(), mergeChain())) {
      Http.Resp validate = within(Duration.ofSeconds(1), () -> node.http.post("/api/stacks/validate", Stacks.content(body)));
      assertEquals(400, validate.status(), validate.toString());
      assertFalse(validate.json().getBoolean("valid"));
      assertTrue(validate.json().getString("error").startsWith("YAML refused"), validate.toString());

      String fresh = Stacks.uniqueName(prefix + "-x");
      Http.Resp create = within(Duration.ofSeconds(1), () -> node.http.post("/api/stack/" + fresh + "/compose", Stacks.content(body)));
      assertEquals(400, create.status(), create.toString());
      assertFalse(Files.exists(node.stacksDir.resolve(fresh)), "a refused create leaves no folder");

      Http.Resp save = within(Duration.ofSeconds(1), () -> node.http.put("/api/stack/" + ok + "/compose", Stacks.content(body)));
      assertEquals(400, save.status(), save.toString());
      assertEquals(Stacks.twoServices("ok"), Files.readString(node.stacksDir.resolve(ok + "/compose.yaml")));
    }
  }

  /** A mebibyte of flow YAML is parsed once, off the loop; the stack is then served from memory. */
  @Test
  void aMebibyteOfFlowYamlIsServedFromMemory() throws Exception {
    StringBuilder y = new StringBuilder("{services: {");
    String label = "x".repeat(150);
    int n = 0;
    while (y.length() < 1_000_000) {
      y.append(n == 0 ? "" : ", ").append("s").append(n).append(": {image: busybox, profiles: [p], labels: {a: ").append(label).append("}}");
      n++;
    }
    y.append("}}\n");
    String name = prefix + "-flow";
    Files.writeString(Files.createDirectories(node.stacksDir.resolve(name)).resolve("compose.yaml"), y.toString());
    int services = n;
    node.awaitStack(name, s -> s.getJsonArray("services").size() == services, Duration.ofSeconds(20));
    for (int i = 0; i < 5; i++) {
      Http.Resp flow = within(Duration.ofSeconds(1), () -> node.http.get("/api/stack/" + name));
      assertEquals(200, flow.status());
      Http.Resp other = within(Duration.ofSeconds(1), () -> node.http.get("/api/stack/" + ok));
      assertEquals(200, other.status());
    }
  }
}
