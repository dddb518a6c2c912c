package dev.dockup.it;

import com.github.dockerjava.api.model.Container;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A stack's whole life through the API against the real engine, run once per compose CLI
 * (v2, what users have, and v1, what Debian 12 packages).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StackLifecycleBase {
  TestNode node;
  Engine engine;
  Http http;
  final String prefix = "lc" + UUID.randomUUID().toString().substring(0, 4);

  /** The value of COMPOSE_COMMAND this run uses. */
  abstract String composeCommand();

  @BeforeAll
  void start() throws Exception {
    engine = Engine.shared();
    node = TestNode.builder().compose(composeCommand()).start();
    http = node.http;
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) node.close();
    engine.removeProjects(prefix);
    engine.close();
  }

  String create(String label, String yaml) {
    String name = Stacks.uniqueName(prefix + "-" + label);
    Http.Resp r = http.post("/api/stack/" + name + "/compose", Stacks.content(yaml));
    assertEquals(201, r.status(), r.toString());
    assertTrue(r.json().getBoolean("created"));
    return name;
  }

  void ok(Http.Resp r) {
    assertEquals(200, r.status(), r.toString());
    assertTrue(r.text().contains("\"success\":true"), r.text());
  }

  @Test
  void upRestartStopDownThroughTheApi() throws Exception {
    String yaml = Stacks.twoServices("hello");
    String name = create("life", yaml);
    assertEquals(yaml, http.get("/api/stack/" + name + "/compose").json().getString("content"));
    assertEquals("inactive", Stacks.find(http.get("/api/stacks").json(), name).getString("status"));

    Http.Resp up = http.operation(name, "up");
    ok(up);
    assertEquals("succeeded", up.json().getString("status"));
    assertFalse(up.json().getJsonArray("output").isEmpty());
    assertEquals(2, engine.running(name).size());
    JsonObject detail = node.awaitStack(name, s -> "running".equals(s.getString("status")), Duration.ofSeconds(5));
    assertEquals("healthy", detail.getString("health_status"));
    assertEquals(2, detail.getJsonArray("container_list").size());
    assertEquals(List.of("web", "worker"), detail.getJsonArray("services").getList());

    String webBefore = engine.startedAt(name, "web");
    String workerBefore = engine.startedAt(name, "worker");
    ok(http.operation(name, "restart"));
    assertNotEquals(webBefore, engine.startedAt(name, "web"));
    assertNotEquals(workerBefore, engine.startedAt(name, "worker"));

    String webMiddle = engine.startedAt(name, "web");
    String workerMiddle = engine.startedAt(name, "worker");
    Http.Resp one = http.post("/api/stack/" + name + "/operation",
        new JsonObject().put("operation", "restart").put("services", new JsonArray().add("worker")));
    ok(one);
    assertEquals(webMiddle, engine.startedAt(name, "web"), "web must not restart");
    assertNotEquals(workerMiddle, engine.startedAt(name, "worker"));

    ok(http.operation(name, "stop"));
    assertEquals(0, engine.running(name).size());
    assertEquals(2, engine.containers(name).size());
    node.awaitStack(name, s -> "stopped".equals(s.getString("status")), Duration.ofSeconds(5));

    ok(http.operation(name, "down"));
    assertEquals(0, engine.containers(name).size());
    node.awaitStack(name, s -> "inactive".equals(s.getString("status")), Duration.ofSeconds(5));
  }

  @Test
  void pullFetchesFromTheLoopbackRegistryAndSkipsBuildOnlyServices() throws Exception {
    String image = "127.0.0.1:" + Engine.REGISTRY_PORT + "/dockup-test/busybox:1";
    String name = create("pull", """
        services:
          app:
            image: %s
            init: true
            command: ["sleep", "3600"]
          built:
            build: .
        """.formatted(image));
    try {
      engine.docker.removeImageCmd(image).exec();
    } catch (Exception e) {
      // not tagged locally yet
    }
    Http.Resp pull = http.operation(name, "pull");
    ok(pull);
    assertEquals(List.of(), pull.json().getJsonArray("services").getList());
    assertNotNull(engine.docker.inspectImageCmd(image).exec().getId(), "the image is local after the pull");
  }

  @Test
  void logsContainWhatTheContainerPrinted() throws Exception {
    String token = "token-" + UUID.randomUUID();
    String name = create("logs", Stacks.twoServices(token));
    ok(http.operation(name, "up"));
    JsonObject logs = node.await("/api/stack/" + name + "/logs?lines=50",
        l -> l.getJsonObject("logs").stream().anyMatch(e -> String.valueOf(e.getValue()).contains(token)),
        Duration.ofSeconds(10));
    assertEquals(2, logs.getJsonObject("logs").size());
    assertEquals(400, http.get("/api/stack/" + name + "/logs?lines=0").status());
    assertEquals(400, http.get("/api/stack/" + name + "/logs?lines=5001").status());
  }

  @Test
  void invalidComposeIsRefusedAndTheFileStaysAsItWas() throws Exception {
    String yaml = Stacks.twoServices("x");
    String name = create("invalid", yaml);
    Path file = node.stacksDir.resolve(name).resolve("compose.yaml");

    Http.Resp syntax = http.post("/api/stack/" + name + "/compose", Stacks.content("services:\n  a: [\n"));
    assertEquals(400, syntax.status(), syntax.toString());
    assertEquals(3, syntax.json().getInteger("line"));

    Http.Resp semantic = http.post("/api/stack/" + name + "/compose",
        Stacks.content("services:\n  a:\n    image: x\n    env_file: missing.env\n"));
    assertEquals(400, semantic.status(), semantic.toString());
    assertTrue(semantic.json().getString("error").contains("missing.env"), semantic.toString());

    assertEquals(yaml, Files.readString(file));
    assertEquals(yaml, http.get("/api/stack/" + name + "/compose").json().getString("content"));

    JsonObject valid = http.post("/api/stacks/validate", Stacks.content(yaml).put("stack", name)).json();
    assertTrue(valid.getBoolean("valid"), valid.encode());
    assertEquals(List.of("web", "worker"), valid.getJsonArray("services").getList());
    JsonObject broken = http.post("/api/stacks/validate", Stacks.content("services: [\n  - a\n  b: c\n")).json();
    assertFalse(broken.getBoolean("valid"));
    assertNotNull(broken.getInteger("line"), broken.encode());
  }

  @Test
  void envCanBeWrittenFirstSoAComposeFileThatNeedsItCanBeCreated() throws Exception {
    String name = Stacks.uniqueName(prefix + "-env");
    String needsEnv = """
        services:
          app:
            image: ${IMAGE:?IMAGE must be set}
            init: true
            command: ["sleep", "3600"]
        """;
    assertEquals(400, http.post("/api/stack/" + name + "/compose", Stacks.content(needsEnv)).status());
    assertEquals(200, http.put("/api/stack/" + name + "/env", Stacks.content("IMAGE=" + Engine.IMAGE + "\n")).status());
    Http.Resp saved = http.post("/api/stack/" + name + "/compose", Stacks.content(needsEnv));
    assertEquals(201, saved.status(), saved.toString());
    assertEquals(needsEnv, http.get("/api/stack/" + name + "/compose").json().getString("content"),
        "the compose file is returned as written, never env-expanded");
    assertEquals("IMAGE=" + Engine.IMAGE + "\n", http.get("/api/stack/" + name + "/env").json().getString("content"));
    ok(http.operation(name, "up"));
    assertEquals(1, engine.running(name).size());
  }

  @Test
  void deleteMovesTheFolderToTrashAndRestoreBringsItBack() throws Exception {
    String yaml = Stacks.twoServices("bye");
    String name = create("trash", yaml);
    ok(http.operation(name, "up"));
    Http.Resp del = http.delete("/api/stack/" + name);
    ok(del);
    String trashId = del.json().getString("trash_id");
    assertEquals(0, engine.containers(name).size());
    assertFalse(Files.exists(node.stacksDir.resolve(name)));
    assertTrue(Files.isDirectory(node.stacksDir.resolve(".trash").resolve(trashId)));
    assertNull(Stacks.find(http.get("/api/stacks").json(), name));
    assertEquals(404, http.get("/api/stack/" + name).status());

    JsonArray trash = http.get("/api/trash").json().getJsonArray("trash");
    JsonObject entry = trash.stream().map(JsonObject.class::cast).filter(e -> trashId.equals(e.getString("id"))).findFirst().orElseThrow();
    assertEquals(name, entry.getString("stack"));
    assertTrue(entry.getLong("bytes") > 0);

    // A new stack under the same name blocks the restore.
    http.post("/api/stack/" + name + "/compose", Stacks.content(yaml));
    assertEquals(409, http.post("/api/trash/" + trashId + "/restore", "").status());
    ok(http.delete("/api/stack/" + name));

    ok(http.post("/api/trash/" + trashId + "/restore", ""));
    assertEquals(yaml, http.get("/api/stack/" + name + "/compose").json().getString("content"));
    assertNotNull(Stacks.find(http.get("/api/stacks").json(), name));
    assertEquals(404, http.post("/api/trash/" + trashId + "/restore", "").status());
  }

  @Test
  void aSecondOperationWhileOneRunsGets409NamingIt() throws Exception {
    String name = create("busy", Stacks.slowToStop(4));
    ok(http.operation(name, "up"));
    CompletableFuture<Http.Resp> stop = CompletableFuture.supplyAsync(() -> http.operation(name, "stop"));
    JsonObject running = node.await("/api/operations",
        o -> o.getJsonArray("operations").stream().map(JsonObject.class::cast)
            .anyMatch(op -> name.equals(op.getString("stack")) && "running".equals(op.getString("status"))),
        Duration.ofSeconds(5));
    String runningId = running.getJsonArray("operations").stream().map(JsonObject.class::cast)
        .filter(op -> name.equals(op.getString("stack")) && "running".equals(op.getString("status")))
        .findFirst().orElseThrow().getString("operation_id");
    Http.Resp second = http.operation(name, "restart");
    assertEquals(409, second.status(), second.toString());
    assertEquals(runningId, second.json().getString("operation_id"));
    ok(stop.get());
    ok(http.operation(name, "down"));
  }

  @Test
  void aContainerStoppedOutsideDockUpShowsWithinASecond() throws Exception {
    String name = create("outside", Stacks.twoServices("x"));
    ok(http.operation(name, "up"));
    node.awaitStack(name, s -> "running".equals(s.getString("status")), Duration.ofSeconds(5));
    Container worker = engine.running(name).stream()
        .filter(c -> "worker".equals(c.getLabels().get("com.docker.compose.service"))).findFirst().orElseThrow();
    engine.docker.stopContainerCmd(worker.getId()).withTimeout(1).exec();
    long stopped = System.nanoTime();
    JsonObject detail = node.awaitStack(name, s -> "partial".equals(s.getString("status")), Duration.ofSeconds(1));
    long ms = (System.nanoTime() - stopped) / 1_000_000;
    assertTrue(ms <= 1000, "seen after " + ms + " ms");
    assertEquals(1, detail.getInteger("running"));
    assertEquals("unhealthy", detail.getString("health_status"), "a service whose container exited non-zero");
  }

  @Test
  void aFolderCreatedByHandAppearsAndABadlyNamedOneIsReportedIgnored() throws Exception {
    String name = Stacks.uniqueName(prefix + "-hand");
    Path dir = node.stacksDir.resolve(name);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("docker-compose.yml"), Stacks.twoServices("x"));
    Files.createDirectories(node.stacksDir.resolve("Not_A_Valid_Name"));
    JsonObject list = node.awaitList(l -> Stacks.find(l, name) != null, Duration.ofSeconds(5));
    assertEquals("inactive", Stacks.find(list, name).getString("status"));
    node.awaitList(l -> l.getJsonArray("ignored").stream().map(JsonObject.class::cast)
        .anyMatch(i -> "Not_A_Valid_Name".equals(i.getString("folder"))), Duration.ofSeconds(5));
    assertEquals("docker-compose.yml", http.get("/api/stack/" + name).json().getString("compose_file"));
  }
}
