package dev.dockup.it;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Update detection by digest against the loopback registry, automatic updates, and the
 * rollback of an update that does not come up; notifications arrive at a loopback receiver.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UpdateIT {
  static final String REGISTRY = "127.0.0.1:" + Engine.REGISTRY_PORT;
  TestNode node;
  Engine engine;
  Http http;
  Vertx vertx;
  HttpServer receiver;
  final BlockingQueue<JsonObject> notifications = new LinkedBlockingQueue<>();
  final String prefix = Stacks.uniqueName("upd");

  @BeforeAll
  void start() throws Exception {
    engine = Engine.shared();
    vertx = Vertx.vertx();
    receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      notifications.add(b.toJsonObject());
      req.response().end();
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    node = TestNode.builder().config("update_grace", 3).start();
    http = node.http;
    Http.Resp settings = http.post("/api/config", new JsonObject().put("notification_enabled", true)
        .put("notification_urls", new JsonArray().add("generic+http://127.0.0.1:" + receiver.actualPort() + "/hook")));
    assertEquals(200, settings.status(), settings.toString());
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
    engine.removeProjects(prefix);
    engine.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A small image of its own; {@code sleep} may be replaced by a script, a {@code check} script added. */
  static String makeImage(String sleepScript, String checkScript) {
    String tag = "dockup-test/upd-src:" + UUID.randomUUID().toString().substring(0, 8);
    StringBuilder sh = new StringBuilder("d=$(mktemp -d) && mkdir -p $d/bin && cp /bin/busybox $d/bin/"
        + " && for a in sh echo true false cat; do ln -s busybox $d/bin/$a; done && echo " + UUID.randomUUID() + " > $d/id");
    sh.append(sleepScript == null ? " && ln -s busybox $d/bin/sleep"
        : " && printf '#!/bin/sh\\n" + sleepScript + "\\n' > $d/bin/sleep && chmod +x $d/bin/sleep");
    sh.append(" && printf '#!/bin/sh\\n" + (checkScript == null ? "exit 0" : checkScript) + "\\n' > $d/bin/check && chmod +x $d/bin/check");
    sh.append(" && tar -C $d -c . | docker import -c 'ENV PATH=/bin' - " + tag + " >/dev/null && rm -rf $d");
    Engine.sh(sh.toString());
    return tag;
  }

  /** Pushes {@code source} as {@code ref}, then points the local {@code ref} back where it was (nothing new locally). */
  void publish(String source, String ref) {
    String before = null;
    try {
      before = engine.docker.inspectImageCmd(ref).exec().getId();
    } catch (Exception notLocal) {
      // first push
    }
    Engine.sh("docker tag " + source + " " + ref + " && docker push -q " + ref + " >/dev/null");
    if (before != null) Engine.sh("docker tag " + before + " " + ref);
  }

  String imageIdOf(String stack) {
    return engine.containers(stack).get(0).getImageId();
  }

  List<String> localImages() {
    return engine.docker.listImagesCmd().exec().stream().map(i -> i.getId() + " " + String.join(",", i.getRepoTags() == null ? new String[0] : i.getRepoTags())).sorted().toList();
  }

  String createStack(String label, String ref, String healthcheck) {
    String name = prefix + "-" + label;
    String yaml = """
        services:
          app:
            image: %s
            init: true
            command: ["sleep", "3600"]
        %s""".formatted(ref, healthcheck == null ? "" : healthcheck);
    assertEquals(201, http.post("/api/stack/" + name + "/compose", Stacks.content(yaml)).status());
    assertEquals(200, http.operation(name, "up").status());
    return name;
  }

  JsonObject notification(String event, String stack) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      JsonObject n = notifications.poll(1, TimeUnit.SECONDS);
      if (n != null && event.equals(n.getString("event")) && stack.equals(n.getString("stack"))) return n;
    }
    throw new AssertionError("no " + event + " notification for " + stack);
  }

  @Test
  void aNewDigestIsFoundWithoutPullingAndAutoMovesTheStackToIt() throws Exception {
    String ref = REGISTRY + "/dockup-test/" + prefix + "-good:stable";
    String v1 = makeImage(null, null);
    publish(v1, ref);
    Engine.sh("docker tag " + v1 + " " + ref);
    String name = createStack("good", ref, null);
    String oldId = imageIdOf(name);

    JsonObject fresh = http.post("/api/stack/" + name + "/check-updates", "").json();
    assertTrue(fresh.getBoolean("success"));
    assertFalse(fresh.getBoolean("update_available"), fresh.encode());

    String v2 = makeImage(null, null);
    publish(v2, ref);
    List<String> before = localImages();
    Ws feed = Ws.feed(node);
    JsonObject check = http.post("/api/stack/" + name + "/check-updates", "").json();
    JsonObject announced = feed.next(m -> "update_available".equals(m.getString("type")) && name.equals(m.getString("stack")),
        Duration.ofSeconds(5));
    assertEquals("app", announced.getJsonArray("images").getJsonObject(0).getString("service"));
    feed.close();
    assertTrue(check.getBoolean("update_available"), check.encode());
    JsonObject image = check.getJsonArray("images").getJsonObject(0);
    assertEquals("app", image.getString("service"));
    assertNotEquals(image.getString("current_digest"), image.getString("latest_digest"));
    assertEquals(before, localImages(), "nothing was pulled");
    assertTrue(Stacks.find(http.get("/api/stacks").json(), name).getBoolean("update_available"));
    assertNotNull(http.get("/api/stack/" + name).json().getString("last_check"));
    notification("update_available", name);

    assertEquals(200, http.post("/api/stack/" + name + "/schedule", new JsonObject().put("mode", "auto").put("cron", "0 3 * * *")).status());
    Http.Resp run = http.post("/api/stack/" + name + "/schedule/run", "");
    assertEquals(200, run.status(), run.toString());
    assertTrue(run.json().getBoolean("updated"), run.toString());
    assertNotEquals(oldId, imageIdOf(name));
    assertEquals(engine.docker.inspectImageCmd(v2).exec().getId(), imageIdOf(name), "runs the new image");
    notification("update_applied", name);
    JsonArray history = http.get("/api/stack/" + name + "/updates").json().getJsonArray("updates");
    assertEquals("applied", history.getJsonObject(0).getString("result"));
    assertEquals("manual", history.getJsonObject(0).getString("trigger"));
    assertFalse(http.post("/api/stack/" + name + "/check-updates", "").json().getBoolean("update_available"));
  }

  @Test
  void anImageThatExitsAtOnceIsRolledBackAndNotRetried() throws Exception {
    String ref = REGISTRY + "/dockup-test/" + prefix + "-bad:stable";
    String v1 = makeImage(null, null);
    publish(v1, ref);
    Engine.sh("docker tag " + v1 + " " + ref);
    String name = createStack("bad", ref, null);
    String oldId = imageIdOf(name);
    publish(makeImage("exit 3", null), ref);

    assertEquals(200, http.post("/api/stack/" + name + "/schedule", new JsonObject().put("mode", "auto")).status());
    JsonObject run = http.post("/api/stack/" + name + "/schedule/run", "").json();
    assertFalse(run.getBoolean("updated"), run.encode());
    assertEquals("rolled_back", run.getJsonObject("update").getString("result"), run.encode());
    assertEquals(oldId, imageIdOf(name), "runs the old image again");
    assertEquals("running", engine.containers(name).get(0).getState());
    notification("update_failed", name);

    JsonObject again = http.post("/api/stack/" + name + "/schedule/run", "").json();
    assertFalse(again.getBoolean("updated"));
    assertEquals(oldId, imageIdOf(name));
    assertEquals(1, http.get("/api/stack/" + name + "/updates").json().getJsonArray("updates").size(), "not retried");
  }

  @Test
  void anImageThatFailsItsHealthcheckIsRolledBack() throws Exception {
    String ref = REGISTRY + "/dockup-test/" + prefix + "-sick:stable";
    String v1 = makeImage(null, null);
    publish(v1, ref);
    Engine.sh("docker tag " + v1 + " " + ref);
    String health = """
            healthcheck:
              test: ["CMD", "/bin/check"]
              interval: 1s
              timeout: 1s
              retries: 1
        """;
    String name = createStack("sick", ref, health);
    node.awaitStack(name, s -> "healthy".equals(s.getString("health_status")), Duration.ofSeconds(15));
    String oldId = imageIdOf(name);
    publish(makeImage(null, "exit 1"), ref);

    assertEquals(200, http.post("/api/stack/" + name + "/schedule", new JsonObject().put("enabled", true)).status());
    JsonObject run = http.post("/api/stack/" + name + "/schedule/run", "").json();
    assertEquals("rolled_back", run.getJsonObject("update").getString("result"), run.encode());
    assertEquals(oldId, imageIdOf(name));
    node.awaitStack(name, s -> "healthy".equals(s.getString("health_status")), Duration.ofSeconds(15));
  }

  @Test
  void aDigestPinnedImageIsNeverOutdated() {
    String ref = REGISTRY + "/dockup-test/" + prefix + "-pin:stable";
    String v1 = makeImage(null, null);
    publish(v1, ref);
    String digest = engine.docker.inspectImageCmd(v1).exec().getRepoDigests().stream()
        .filter(d -> d.startsWith(REGISTRY)).findFirst().orElseThrow();
    String name = createStack("pin", digest, null);
    publish(makeImage(null, null), ref);
    JsonObject check = http.post("/api/stack/" + name + "/check-updates", "").json();
    assertFalse(check.getBoolean("update_available"), check.encode());
  }
}
