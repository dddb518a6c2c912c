package dev.dockup.it;

import dev.dockup.webhook.Signatures;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Webhooks against the real engine: a hook's URL runs its operations on a real stack when
 * called with its secret or a signature of the body, and nothing otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookIT {
  static final String IMAGE = "127.0.0.1:" + Engine.REGISTRY_PORT + "/dockup-test/busybox:1";
  static final String REFUSED = "{\"error\":\"Invalid webhook secret or signature\"}";

  TestNode node;
  Engine engine;
  Http http;
  Http anon;
  final String prefix = "wh" + UUID.randomUUID().toString().substring(0, 4);

  @BeforeAll
  void start() throws Exception {
    engine = Engine.shared();
    node = TestNode.builder().start();
    http = node.http;
    anon = http.anonymous();
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) node.close();
    engine.removeProjects(prefix);
    engine.close();
  }

  String stack(String label) {
    String name = Stacks.uniqueName(prefix + "-" + label);
    Http.Resp r = http.post("/api/stack/" + name + "/compose", Stacks.content("""
        services:
          app:
            image: %s
            init: true
            command: ["sleep", "3600"]
        """.formatted(IMAGE)));
    assertEquals(201, r.status(), r.toString());
    return name;
  }

  JsonObject hook(String stack, String... operations) {
    Http.Resp r = http.post("/api/webhooks", new JsonObject().put("stack", stack).put("operations", new JsonArray(List.of(operations))));
    assertEquals(201, r.status(), r.toString());
    JsonObject h = r.json();
    assertEquals(64, h.getString("secret").length());
    assertEquals(http.base() + "/hooks/" + h.getString("id"), h.getString("url"));
    return h;
  }

  Http.Resp call(String id, Map<String, String> headers, String body) {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(anon.base() + "/hooks/" + id))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(req::header);
    return anon.send(req);
  }

  List<JsonObject> operationsOn(String stack) {
    return http.get("/api/operations").json().getJsonArray("operations").stream().map(JsonObject.class::cast)
        .filter(o -> stack.equals(o.getString("stack"))).toList();
  }

  @Test
  void theRightSecretRunsPullThenUp() throws Exception {
    String name = stack("secret");
    JsonObject h = hook(name, "pull", "up");
    Http.Resp r = call(h.getString("id"), Map.of("X-Webhook-Secret", h.getString("secret")), "");
    assertEquals(200, r.status(), r.toString());
    JsonObject body = r.json();
    assertTrue(body.getBoolean("success"), r.toString());
    JsonArray results = body.getJsonArray("results");
    assertEquals(List.of("pull", "up"), results.stream().map(o -> ((JsonObject) o).getString("operation")).toList());
    results.forEach(o -> assertEquals("succeeded", ((JsonObject) o).getString("status"), o.toString()));
    assertEquals(1, engine.running(name).size());
    node.awaitStack(name, s -> "running".equals(s.getString("status")), Duration.ofSeconds(10));
    // The API's own operations list has them: the same operations as the API runs.
    assertEquals(java.util.Set.of("pull", "up"), operationsOn(name).stream().map(o -> o.getString("operation"))
        .collect(java.util.stream.Collectors.toSet()));

    // An update as the stack's schedule would run it: its image is the registry's latest, so nothing changes.
    JsonObject update = hook(name, "update");
    Http.Resp u = call(update.getString("id"), Map.of("X-Webhook-Secret", update.getString("secret")), "");
    assertEquals(200, u.status(), u.toString());
    JsonObject result = u.json().getJsonArray("results").getJsonObject(0);
    assertEquals("update", result.getString("operation"));
    assertFalse(result.getBoolean("update_available"), result.encode());
    assertFalse(result.getBoolean("updated"), result.encode());
  }

  @Test
  void aCorrectHubSignatureRunsTheOperations() throws Exception {
    String name = stack("sig");
    JsonObject h = hook(name, "up");
    String payload = "{\"ref\":\"refs/heads/main\",\"after\":\"" + UUID.randomUUID() + "\"}";
    Http.Resp r = call(h.getString("id"), Map.of("X-Hub-Signature-256",
        Signatures.sign(h.getString("secret"), payload.getBytes(StandardCharsets.UTF_8)), "X-GitHub-Event", "push"), payload);
    assertEquals(200, r.status(), r.toString());
    assertTrue(r.json().getBoolean("success"));
    assertEquals(1, engine.running(name).size());
  }

  @Test
  void wrongSecretsSignaturesAndUnknownIdsGet401AndRunNothing() throws Exception {
    String name = stack("refused");
    JsonObject h = hook(name, "up");
    String id = h.getString("id");
    String secret = h.getString("secret");
    String payload = "{\"ref\":\"refs/heads/main\"}";
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    String other = "f".repeat(64);
    List<Http.Resp> answers = List.of(
        call(id, Map.of(), payload),
        call(id, Map.of("X-Webhook-Secret", other), payload),
        call(id, Map.of("X-Webhook-Secret", secret.substring(1)), payload),
        call(id, Map.of("X-Hub-Signature-256", Signatures.sign(other, bytes)), payload),
        call(id, Map.of("X-Hub-Signature-256", Signatures.sign(secret, bytes)), payload + " "),
        call(id, Map.of("X-Hub-Signature-256", "sha256=nothex"), payload),
        call(id, Map.of("X-Webhook-Secret", secret, "X-Hub-Signature-256", Signatures.sign(other, bytes)), payload),
        // Unknown ids, of a hook's shape and not, with the right secret of another hook.
        call("AAAAAAAAAAAAAAAAAAAAAA", Map.of("X-Webhook-Secret", secret), payload),
        call("no-such-hook", Map.of("X-Webhook-Secret", secret), payload));
    for (Http.Resp r : answers) {
      assertEquals(401, r.status(), r.toString());
      assertEquals(REFUSED, r.text());
    }
    assertEquals(0, engine.containers(name).size());
    assertEquals(List.of(), operationsOn(name));
    assertEquals("inactive", Stacks.find(http.get("/api/stacks").json(), name).getString("status"));
  }

  @Test
  void theEleventhCallWithinAMinuteIsThrottledAndRunsNothing() {
    String name = stack("rate");
    JsonObject h = hook(name, "up");
    Map<String, String> ping = Map.of("X-Webhook-Secret", h.getString("secret"), "X-GitHub-Event", "ping");
    for (int i = 0; i < 10; i++) {
      Http.Resp r = call(h.getString("id"), ping, "{}");
      assertEquals(200, r.status(), r.toString());
      assertTrue(r.json().getBoolean("ping"));
    }
    Http.Resp r = call(h.getString("id"), Map.of("X-Webhook-Secret", h.getString("secret")), "{}");
    assertEquals(429, r.status(), r.toString());
    long retry = Long.parseLong(r.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retry >= 1 && retry <= 60, "Retry-After " + retry);
    assertEquals(List.of(), operationsOn(name));
    assertEquals(0, engine.containers(name).size());
  }

  @Test
  void theListHidesSecretsAndADeletedHookIsGone() throws Exception {
    String name = stack("list");
    JsonObject h = hook(name, "pull", "up");
    String id = h.getString("id");
    Http.Resp list = http.get("/api/webhooks");
    assertEquals(200, list.status());
    assertFalse(list.text().contains(h.getString("secret")));
    JsonObject listed = list.json().getJsonArray("webhooks").stream().map(JsonObject.class::cast)
        .filter(o -> id.equals(o.getString("id"))).findFirst().orElseThrow();
    assertEquals(name, listed.getString("stack"));
    assertEquals(node.app.config().nodeName(), listed.getString("node"));
    assertEquals(List.of("pull", "up"), listed.getJsonArray("operations").getList());
    assertFalse(listed.containsKey("secret") || listed.containsKey("secret_sealed"), listed.encode());
    // At rest the secret is sealed, never in plain text.
    String stored = Files.readString(node.dataDir.resolve("webhooks.json"));
    assertTrue(stored.contains(id));
    assertFalse(stored.contains(h.getString("secret")));

    assertEquals(200, http.delete("/api/webhooks/" + id).status());
    assertEquals(404, http.delete("/api/webhooks/" + id).status());
    assertFalse(http.get("/api/webhooks").text().contains(id));
    Http.Resp r = call(id, Map.of("X-Webhook-Secret", h.getString("secret")), "");
    assertEquals(401, r.status());
    assertEquals(REFUSED, r.text());
    assertEquals(List.of(), operationsOn(name));
  }

  @Test
  void creationIsCheckedAndNeedsAdmin() {
    String name = stack("checks");
    assertEquals(400, http.post("/api/webhooks", new JsonObject().put("stack", name).put("operations", new JsonArray())).status());
    assertEquals(400, http.post("/api/webhooks", new JsonObject().put("stack", name)
        .put("operations", new JsonArray().add("up").add("rm -rf"))).status());
    assertEquals(400, http.post("/api/webhooks", new JsonObject().put("stack", "../etc").put("operations", new JsonArray().add("up"))).status());
    assertEquals(400, http.post("/api/webhooks", new JsonObject().put("stack", name).put("operations", new JsonArray().add("up"))
        .put("node", "elsewhere")).status());
    Http.Resp missing = http.post("/api/webhooks", new JsonObject().put("stack", prefix + "-none").put("operations", new JsonArray().add("up")));
    assertEquals(404, missing.status(), missing.toString());
    Http.Resp token = http.post("/api/tokens", new JsonObject().put("name", "ops-" + prefix).put("scope", "operate"));
    Http operate = anon.with("X-API-Token", token.json().getString("token"));
    assertEquals(403, operate.post("/api/webhooks", new JsonObject().put("stack", name).put("operations", new JsonArray().add("up"))).status());
    assertEquals(403, operate.get("/api/webhooks").status());
  }

  @Test
  void everyCallIsInTheAuditLogWithoutTheSecret() throws Exception {
    String name = stack("audit");
    JsonObject h = hook(name, "stop");
    String id = h.getString("id");
    assertEquals(200, call(id, Map.of("X-Webhook-Secret", h.getString("secret")), "").status());
    assertEquals(401, call(id, Map.of("X-Webhook-Secret", "wrong"), "").status());
    JsonObject audit = TestNode.await(http, "/api/audit?limit=200", a -> entries(a, id).size() >= 2, Duration.ofSeconds(10));
    List<JsonObject> mine = entries(audit, id);
    JsonObject accepted = mine.stream().filter(e -> e.getInteger("status") == 200).findFirst().orElseThrow();
    assertEquals("webhook:" + id, accepted.getString("credential"));
    assertEquals(name, accepted.getString("stack"));
    assertEquals("/hooks/" + id, accepted.getString("path"));
    assertNotNull(accepted.getString("client"));
    JsonObject refused = mine.stream().filter(e -> e.getInteger("status") == 401).findFirst().orElseThrow();
    assertEquals("/hooks/" + id, refused.getString("path"));
    assertFalse(audit.encode().contains(h.getString("secret")));
  }

  static List<JsonObject> entries(JsonObject audit, String id) {
    return audit.getJsonArray("entries").stream().map(JsonObject.class::cast)
        .filter(e -> ("/hooks/" + id).equals(e.getString("path"))).toList();
  }
}
