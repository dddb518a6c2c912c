package dev.dockup.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clustered nodes on loopback (here two members in one JVM): each sees the other and its stacks
 * in the fleet view, a taken node name is refused, and a node that leaves is shown unreachable
 * with its last known stacks.
 */
class FleetIT {
  static final String SECRET = "fleet-test-secret-0123456789-abcdef";

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static TestNode.Builder member(String cluster, String name, int port, String members) throws Exception {
    return TestNode.builder()
        .config("node_name", name)
        .config("cluster", true).config("cluster_name", cluster).config("cluster_host", "127.0.0.1")
        .config("cluster_port", port).config("eventbus_port", freePort())
        .config("cluster_members", members).config("cluster_secret", SECRET);
  }

  static JsonObject node(JsonObject view, String name) {
    return view.getJsonArray("nodes").stream().map(JsonObject.class::cast)
        .filter(n -> name.equals(n.getString("name"))).findFirst().orElse(null);
  }

  @Test
  void membersSeeEachOtherAndEachOthersStacksAndALeaverIsShownUnreachable() throws Exception {
    String cluster = "t" + UUID.randomUUID().toString().substring(0, 8);
    int pa = freePort();
    int pb = freePort();
    String members = "127.0.0.1:" + pa + ",127.0.0.1:" + pb;
    String a = "node-a-" + cluster;
    String b = "node-b-" + cluster;
    try (TestNode na = member(cluster, a, pa, members).start()) {
      // B joins without a password of its own: it takes the fleet's auth store, no setup needed.
      TestNode nb = member(cluster, b, pb, members).config("password", null).start();
      try {
        JsonObject nodes = na.await("/api/nodes", v -> node(v, b) != null && node(v, b).getBoolean("reachable"), Duration.ofSeconds(20));
        oneAuthStoreServesTheFleet(na, nb, cluster);
        assertTrue(node(nodes, a).getBoolean("self"));
        assertFalse(node(nodes, b).getBoolean("self"));
        assertFalse(node(nodes, b).containsKey("stacks"));

        String stack = "fleet-" + cluster;
        assertEquals(201, nb.http.post("/api/stack/" + stack + "/compose", Stacks.content(Stacks.twoServices("x"))).status());
        JsonObject fleet = na.await("/api/fleet", v -> node(v, b) != null && node(v, b).getJsonArray("stacks", new JsonArray())
            .stream().map(JsonObject.class::cast).anyMatch(s -> stack.equals(s.getString("name"))), Duration.ofSeconds(10));
        assertEquals(b, node(fleet, b).getJsonArray("stacks").stream().map(JsonObject.class::cast)
            .filter(s -> stack.equals(s.getString("name"))).findFirst().orElseThrow().getString("node"));
        assertTrue(Stacks.find(na.http.get("/api/stacks").json(), stack) == null, "GET /api/stacks stays the local list");
        JsonObject all = na.http.get("/api/stacks/all").json();
        assertEquals(b, all.getJsonArray("stacks").stream().map(JsonObject.class::cast)
            .filter(s -> stack.equals(s.getString("name"))).findFirst().orElseThrow().getString("node"), "the fleet's stacks, tagged with their node");

        // A writes and runs a stack on B: the request travels signed to B, which runs it.
        String remoteStack = "remote-" + cluster;
        Http.Resp written = na.http.post("/api/nodes/" + b + "/stack/" + remoteStack + "/compose", Stacks.content(Stacks.twoServices("x")));
        assertEquals(201, written.status(), written.toString());
        assertTrue(java.nio.file.Files.exists(nb.stacksDir.resolve(remoteStack).resolve("compose.yaml")));
        assertFalse(java.nio.file.Files.exists(na.stacksDir.resolve(remoteStack)));
        Ws feedOnA = Ws.feed(na);
        // The snapshot is fleet-wide: B's node and its stack are in it.
        feedOnA.next(m -> "stack_status".equals(m.getString("type")) && b.equals(m.getString("node"))
            && stack.equals(m.getString("stack")), Duration.ofSeconds(5));
        Http.Resp up = na.http.post("/api/nodes/" + b + "/stack/" + remoteStack + "/operation", new JsonObject().put("operation", "up"));
        assertEquals(200, up.status(), up.toString());
        // B's operation output reaches A's feed; A's client follows logs of B's stack.
        JsonObject line = feedOnA.next(m -> "operation_output".equals(m.getString("type")) && b.equals(m.getString("node"))
            && remoteStack.equals(m.getString("stack")), Duration.ofSeconds(10));
        assertEquals(up.json().getString("operation_id"), line.getString("operation_id"));
        feedOnA.send(new JsonObject().put("follow_logs", new JsonObject().put("stack", remoteStack).put("node", b).put("tail", 0)));
        Thread.sleep(500);
        try (Engine engine = Engine.shared()) {
          engine.printInContainer(remoteStack, "from-b-" + cluster);
        }
        JsonObject logLine = feedOnA.next(m -> "log_line".equals(m.getString("type")) && m.getString("line", "").contains("from-b-" + cluster),
            Duration.ofSeconds(10));
        assertEquals(b, logLine.getString("node"));
        // Nobody listens on B itself: B samples stats because a client on A listens.
        JsonObject stats = feedOnA.next(m -> "stats_update".equals(m.getString("type")) && b.equals(m.getString("node"))
            && remoteStack.equals(m.getString("stack")), Duration.ofSeconds(15));
        assertFalse(stats.getJsonArray("containers").isEmpty(), stats.encode());
        feedOnA.close();
        followingLogsOfAnotherNodeWorksAsServerSentEvents(na, b, remoteStack, cluster);
        assertTrue(up.text().contains("\"success\":true"));
        String opId = up.json().getString("operation_id");
        assertEquals(200, nb.http.get("/api/operations/" + opId).status(), "the operation ran on B");
        assertEquals(404, na.http.get("/api/operations/" + opId).status(), "not on A");
        assertEquals(200, na.http.get("/api/nodes/" + b + "/operations/" + opId).status());
        // Node-wide reads of another node: its operations, its trash, its host, a validation there.
        assertTrue(na.http.get("/api/nodes/" + b + "/operations").json().getJsonArray("operations").stream()
            .anyMatch(o -> opId.equals(((JsonObject) o).getString("operation_id"))));
        assertEquals(200, na.http.get("/api/nodes/" + b + "/trash").status());
        assertTrue(na.http.get("/api/nodes/" + b + "/host/stats").json().getJsonObject("containers").getInteger("running") >= 2);
        assertTrue(na.http.post("/api/nodes/" + b + "/stacks/validate", Stacks.content(Stacks.twoServices("v")))
            .json().getBoolean("valid"));
        assertEquals(b, na.http.get("/api/nodes/" + b + "/stack/" + remoteStack).json().getString("node"));
        assertEquals(503, na.http.get("/api/nodes/no-such-node/stack/" + remoteStack).status());
        Http.Resp schedule = na.http.post("/api/nodes/" + b + "/stack/" + remoteStack + "/schedule", new JsonObject().put("mode", "check"));
        assertEquals(200, schedule.status(), schedule.toString());
        assertEquals("check", nb.http.get("/api/stack/" + remoteStack + "/schedule").json().getString("mode"), "kept on B");
        Http.Resp check = na.http.post("/api/nodes/" + b + "/stack/" + remoteStack + "/check-updates", "");
        assertEquals(200, check.status(), check.toString());
        assertEquals(200, na.http.put("/api/nodes/" + b + "/stack/" + remoteStack + "/env", new JsonObject().put("content", "WHERE=b\n")).status());
        assertEquals("WHERE=b\n", java.nio.file.Files.readString(nb.stacksDir.resolve(remoteStack).resolve(".env")), "the .env is written on B");
        assertEquals("WHERE=b\n", na.http.get("/api/nodes/" + b + "/stack/" + remoteStack + "/env").json().getString("content"));
        Http.Resp logs = na.http.get("/api/nodes/" + b + "/stack/" + remoteStack + "/logs?lines=10");
        assertEquals(200, logs.status(), logs.toString());
        assertTrue(logs.text().contains("from-b-" + cluster), "B's container logs, read through A: " + logs.text());
        Http.Resp async = na.http.post("/api/nodes/" + b + "/stack/" + remoteStack + "/operation?async=true", new JsonObject().put("operation", "restart"));
        assertEquals(202, async.status(), async.toString());
        String asyncId = async.json().getString("operation_id");
        na.await("/api/nodes/" + b + "/operations/" + asyncId, v -> "succeeded".equals(v.getString("status")), Duration.ofSeconds(30));
        assertEquals(200, na.http.post("/api/nodes/" + b + "/stack/" + remoteStack + "/operation", new JsonObject().put("operation", "down")).status());

        // Unsigned, forged and replayed requests to B's gateway are refused.
        var bus = na.app.vertx().eventBus();
        String body = new JsonObject().put("name", remoteStack).put("operation", "up").encode();
        var unsigned = bus.<String>request("dockup." + b + ".remote", body, new io.vertx.core.eventbus.DeliveryOptions()
            .addHeader("target", "stacks").addHeader("action", "operation")).toCompletionStage().toCompletableFuture().get();
        assertEquals("403", unsigned.headers().get("status"));
        var forger = new dev.dockup.fleet.Signer("not-the-secret-not-the-secret-not-the-secret");
        var forged = bus.<String>request("dockup." + b + ".remote", body, forger.sign(a, b, "stacks", "operation", body, 10_000))
            .toCompletionStage().toCompletableFuture().get();
        assertEquals("403", forged.headers().get("status"));
        var signer = new dev.dockup.fleet.Signer(SECRET);
        var options = signer.sign(a, b, "stacks", "get", new JsonObject().put("name", remoteStack).encode(), 10_000);
        String getBody = new JsonObject().put("name", remoteStack).encode();
        assertEquals("200", bus.<String>request("dockup." + b + ".remote", getBody, options).toCompletionStage().toCompletableFuture().get().headers().get("status"));
        assertEquals("403", bus.<String>request("dockup." + b + ".remote", getBody, options).toCompletionStage().toCompletableFuture().get().headers().get("status"),
            "the same signed request again is a replay");

        // Another member cannot call B's services directly: they listen on the local bus only.
        ExecutionException direct = assertThrows(ExecutionException.class, () -> na.app.vertx().eventBus()
            .request("dockup." + b + ".stacks", new JsonObject().put("name", stack).put("operation", "up"),
                new io.vertx.core.eventbus.DeliveryOptions().addHeader("action", "operation").setSendTimeout(3_000))
            .toCompletionStage().toCompletableFuture().get());
        assertTrue(direct.getCause() instanceof io.vertx.core.eventbus.ReplyException, String.valueOf(direct.getCause()));

        try (Intruder intruder = Intruder.join(cluster, members)) {
          aMemberWithoutTheSecretReadsNoPasswordOrTokenHash(na, intruder);
          forgedAuthStoresAndFleetEntriesAreIgnored(na, b, intruder, stack);
        }

        aNodeWithItsOwnPasswordTakesTheFleetsAndKeepsItsOwnAside(cluster, members);

        ExecutionException taken = assertThrows(ExecutionException.class, () -> member(cluster, b, freePort(), members).start());
        assertTrue(String.valueOf(taken.getCause().getMessage()).contains("held by a running member"), String.valueOf(taken.getCause()));

        // A password changed on B ends A's sessions and JWTs; the new one works on A.
        Http.Resp changed = nb.http.post("/api/auth/change-password",
            new JsonObject().put("current", TestNode.PASSWORD).put("new_password", "fleet-password-2"));
        assertEquals(200, changed.status(), changed.toString());
        assertEquals(401, na.http.get("/api/stacks").status(), "A's JWT died with the password changed on B");
        String jwt = na.http.anonymous().post("/api/auth/token", new JsonObject().put("password", "fleet-password-2")).json().getString("token");
        Http aNow = na.http.anonymous().with("Authorization", "Bearer " + jwt);

        long t0 = System.nanoTime();
        nb.close();
        nb = null;
        JsonObject after = TestNode.await(aNow, "/api/fleet", v -> !node(v, b).getBoolean("reachable"), Duration.ofSeconds(10));
        assertTrue((System.nanoTime() - t0) / 1_000_000_000L <= 10);
        assertTrue(node(after, b).getJsonArray("stacks").stream().map(JsonObject.class::cast)
            .anyMatch(s -> stack.equals(s.getString("name"))), "last known stacks kept");
      } finally {
        if (nb != null) nb.close();
      }
    }
  }

  /** A login, a JWT and a token from A work on B; a token revoked on B is refused on A at once. */
  static void oneAuthStoreServesTheFleet(TestNode na, TestNode nb, String cluster) {
    Http bAnon = nb.http.anonymous();
    assertEquals(200, bAnon.with("Authorization", na.http.header("Authorization")).get("/api/stacks").status(), "A's JWT works on B");
    Http.Resp login = na.http.anonymous().post("/api/auth/login", new JsonObject().put("password", TestNode.PASSWORD));
    assertEquals(200, login.status(), login.toString());
    String cookie = login.headers().firstValue("set-cookie").orElseThrow();
    assertEquals(200, bAnon.with("Cookie", cookie.substring(0, cookie.indexOf(';'))).get("/api/stacks").status(), "A's session works on B");
    assertEquals(200, bAnon.post("/api/auth/login", new JsonObject().put("password", TestNode.PASSWORD)).status(),
        "B needed no setup: the fleet's password works there");

    Http.Resp created = na.http.post("/api/tokens", new JsonObject().put("name", "fleet-" + cluster).put("scope", "read"));
    assertEquals(201, created.status(), created.toString());
    String token = created.json().getString("token");
    // A change completes once every member took it or after FleetAuthStore.ACK_TIMEOUT_MS: on a busy
    // host B may take it a little later (a revocation is checked at once below).
    long until = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    int status;
    while ((status = bAnon.with("X-API-Token", token).get("/api/stacks").status()) != 200 && System.nanoTime() < until) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    assertEquals(200, status, "A's token works on B");
    Http bAdmin = bAnon.with("Authorization", na.http.header("Authorization"));
    String id = bAdmin.get("/api/tokens").json().getJsonArray("tokens").stream().map(JsonObject.class::cast)
        .filter(t -> ("fleet-" + cluster).equals(t.getString("name"))).findFirst().orElseThrow().getString("id");
    assertEquals(200, bAdmin.delete("/api/tokens/" + id).status());
    assertEquals(401, na.http.anonymous().with("X-API-Token", token).get("/api/stacks").status(), "revoked on B, refused on A");
  }

  /** A node that ran alone, with its own password, joins the fleet: the fleet's password rules there. */
  static void aNodeWithItsOwnPasswordTakesTheFleetsAndKeepsItsOwnAside(String cluster, String members) throws Exception {
    java.nio.file.Path root = java.nio.file.Files.createTempDirectory("dockup-it-own-");
    String own = "own-password-of-c";
    TestNode.builder().root(root).config("password", own).waitForEngine(false).start().close();
    try (TestNode nc = member(cluster, "node-c-" + cluster, freePort(), members).root(root).config("password", own).waitForEngine(false).start()) {
      assertEquals(200, nc.http.get("/api/stacks").status(), "the fleet's password gave the test its JWT on C");
      assertEquals(401, nc.http.anonymous().post("/api/auth/login", new JsonObject().put("password", own)).status());
      try (var files = java.nio.file.Files.list(nc.dataDir)) {
        java.nio.file.Path aside = files.filter(f -> f.getFileName().toString().startsWith("auth.json.own-")).findFirst().orElseThrow();
        assertTrue(java.nio.file.Files.readString(aside).contains("password_hash"), "C's own store is kept");
      }
    }
  }

  static void followingLogsOfAnotherNodeWorksAsServerSentEvents(TestNode na, String b, String stack, String cluster) throws Exception {
    java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
            na.http.base() + "/api/nodes/" + b + "/stack/" + stack + "/logs?follow=true&lines=0"))
        .header("Authorization", na.http.header("Authorization")).build();
    var sse = java.net.http.HttpClient.newHttpClient().send(req, java.net.http.HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, sse.statusCode());
    String marker = "sse-from-b-" + cluster;
    Thread printer = new Thread(() -> {
      try {
        Thread.sleep(500);
        try (Engine engine = Engine.shared()) {
          engine.printInContainer(stack, marker);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    printer.start();
    String data = sse.body().filter(l -> l.startsWith("data: ") && l.contains(marker)).findFirst().orElseThrow();
    assertEquals(b, new JsonObject(data.substring(6)).getString("node"));
    sse.body().close();
    assertEquals(404, na.http.get("/api/nodes/" + b + "/stack/no-such-stack/logs?follow=true").status());
  }

  /**
   * A member without the secret reads every map of the cluster and hears the auth store's
   * changes go by: the store is there, but encrypted, so neither the password's bcrypt hash nor
   * a token's hash is in anything it can read.
   */
  static void aMemberWithoutTheSecretReadsNoPasswordOrTokenHash(TestNode na, Intruder intruder) throws Exception {
    java.util.List<String> heard = intruder.listen("dockup.auth.sync");
    java.util.List<String> hashes = new java.util.ArrayList<>();
    // The intruder's registration reaches the nodes a moment after it is made: change until it hears one.
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (heard.isEmpty() && System.nanoTime() < deadline) {
      Http.Resp created = na.http.post("/api/tokens", new JsonObject().put("name", "seen-" + UUID.randomUUID()).put("scope", "read"));
      assertEquals(201, created.status(), created.toString());
      hashes.add(dev.dockup.auth.Secrets.sha256Hex(created.json().getString("token")));
      Thread.sleep(1_000);
    }
    assertFalse(heard.isEmpty(), "the intruder hears the store's changes");
    String readable = intruder.everythingInMaps() + String.join("\n", heard);
    assertTrue(readable.contains("dockup.auth store = {\"box\""), "the store is in the map, encrypted:\n" + readable);
    assertFalse(readable.contains("$2"), "a bcrypt hash in what the intruder reads:\n" + readable);
    for (String hash : hashes) assertFalse(readable.contains(hash), "a token hash in what the intruder reads");
  }

  /**
   * A member without the secret puts its own password in the cluster's auth store and speaks
   * for B in the fleet view: nobody believes it.
   */
  static void forgedAuthStoresAndFleetEntriesAreIgnored(TestNode na, String b, Intruder intruder, String stack) throws Exception {
    String intruderPassword = "intruder-password-1";
    JsonObject forgedStore = new JsonObject().put("password_hash", dev.dockup.auth.Passwords.hash(intruderPassword))
        .put("epoch", 1_000).put("revision", 1_000_000).put("tokens", new JsonObject()).put("revoked", new JsonObject());
    var wrongKey = new dev.dockup.fleet.Signer(Intruder.WRONG_SECRET);
    JsonObject forged = dev.dockup.fleet.Sealed.seal(wrongKey, "auth-store", forgedStore);
    intruder.vertx.sharedData().<String, String>getAsyncMap("dockup.auth")
        .compose(m -> m.put("store", forged.encode())).toCompletionStage().toCompletableFuture().get();
    intruder.vertx.eventBus().publish("dockup.auth.sync", forged);
    intruder.vertx.eventBus().publish("dockup.auth.sync", new JsonObject().put("text", forgedStore.encode()));
    JsonObject ghost = new JsonObject().put("name", b).put("leaving", true).put("ts", System.currentTimeMillis() + 60_000);
    intruder.vertx.eventBus().publish("dockup.fleet.nodes", dev.dockup.fleet.Sealed.seal(wrongKey, "fleet-entry", ghost));
    intruder.vertx.eventBus().publish("dockup.fleet.nodes", ghost);
    Thread.sleep(1_000);

    assertEquals(401, na.http.anonymous().post("/api/auth/login", new JsonObject().put("password", intruderPassword)).status());
    assertEquals(200, na.http.anonymous().post("/api/auth/login", new JsonObject().put("password", TestNode.PASSWORD)).status());
    assertEquals(200, na.http.get("/api/stacks").status(), "sessions and JWTs of the real store live on (same epoch)");
    JsonObject fleet = na.http.get("/api/fleet").json();
    assertTrue(node(fleet, b).getBoolean("reachable"), "a forged 'leaving' is not believed");
    assertTrue(node(fleet, b).getJsonArray("stacks").stream().map(JsonObject.class::cast).anyMatch(s -> stack.equals(s.getString("name"))));
  }

  @Test
  void aSingleNodeIsAFleetOfOne() throws Exception {
    try (TestNode node = TestNode.builder().start()) {
      JsonObject fleet = node.await("/api/fleet", v -> !v.getJsonArray("nodes").isEmpty(), Duration.ofSeconds(10));
      assertEquals(1, fleet.getJsonArray("nodes").size());
      JsonObject self = fleet.getJsonArray("nodes").getJsonObject(0);
      assertTrue(self.getBoolean("self") && self.getBoolean("reachable"));
    }
  }
}
