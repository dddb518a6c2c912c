package dev.dockup.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP peers: node A manages node B (a second DockUp in this JVM, reached over loopback with
 * an operate token of B's) through {@code /api/peers}, {@code /api/peer/<id>/…} and
 * {@code /api/stacks/all}; a dead peer never holds the combined list up.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PeerIT {
  final String prefix = "peer" + UUID.randomUUID().toString().substring(0, 4);
  TestNode a;
  TestNode b;
  Engine engine;
  String bToken;
  String peerId;
  String remoteStack;
  String localStack;

  @BeforeAll
  void start() throws Exception {
    engine = Engine.shared();
    a = TestNode.builder().start();
    b = TestNode.builder().start();
    Http.Resp t = b.http.post("/api/tokens", new JsonObject().put("name", "peer").put("scope", "operate"));
    assertEquals(201, t.status(), t.toString());
    bToken = t.json().getString("token");

    remoteStack = prefix + "-remote";
    localStack = prefix + "-local";
    assertEquals(201, b.http.post("/api/stack/" + remoteStack + "/compose", Stacks.content(Stacks.twoServices("far"))).status());
    assertEquals(201, a.http.post("/api/stack/" + localStack + "/compose", Stacks.content(Stacks.twoServices("near"))).status());

    Http.Resp add = a.http.post("/api/peers", new JsonObject()
        .put("name", "Node B").put("url", b.http.base()).put("api_token", bToken).put("enabled", true));
    assertEquals(201, add.status(), add.toString());
    assertFalse(add.text().contains(bToken));
    JsonObject peer = add.json().getJsonObject("peer");
    assertEquals(true, add.json().getBoolean("success"));
    peerId = peer.getString("id");
    assertEquals("node-b", peerId);
    assertEquals(true, peer.getBoolean("api_token_set"));
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (a != null) a.close();
      if (b != null) b.close();
    } finally {
      engine.removeProjects(prefix);
      engine.close();
    }
  }

  String token(TestNode node, String scope) {
    Http.Resp r = node.http.post("/api/tokens", new JsonObject().put("name", scope + "-" + UUID.randomUUID()).put("scope", scope));
    assertEquals(201, r.status(), r.toString());
    return r.json().getString("token");
  }

  static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void theTokenIsStoredSealedAndNeverShown() throws Exception {
    String disk = Files.readString(a.dataDir.resolve("peers.json"));
    assertFalse(disk.contains(bToken), disk);
    assertTrue(disk.contains(peerId));
    Http.Resp list = a.http.get("/api/peers");
    assertEquals(200, list.status());
    assertFalse(list.text().contains(bToken));
    JsonObject p = list.json().getJsonArray("peers").getJsonObject(0);
    assertEquals(peerId, p.getString("id"));
    assertEquals(b.http.base(), p.getString("url"));
    assertEquals(true, p.getBoolean("api_token_set"));
    assertNull(p.getValue("api_token"));
    assertEquals(403, a.http.anonymous().with("X-API-Token", token(a, "operate")).get("/api/peers").status(), "peers are admin");
  }

  @Test
  void theConnectionTestReachesThePeerWithItsToken() {
    Http.Resp r = a.http.get("/api/peers/" + peerId + "/test");
    assertEquals(200, r.status(), r.toString());
    JsonObject test = r.json();
    assertEquals(true, test.getBoolean("success"), r.toString());
    assertEquals(true, test.getBoolean("reachable"));
    assertNotNull(test.getLong("latency_ms"));
    assertNotNull(test.getString("instance_name"), "B saw a good credential");
    assertEquals(404, a.http.get("/api/peers/nobody/test").status());
  }

  @Test
  void thePeersStacksAreListedAndTagged() {
    Http.Resp r = a.http.get("/api/peer/" + peerId + "/stacks");
    assertEquals(200, r.status(), r.toString());
    JsonObject s = Stacks.find(r.json(), remoteStack);
    assertNotNull(s, r.toString());
    assertEquals(peerId, s.getString("peer"));
    assertEquals(b.app.config().nodeName(), s.getString("node"));
    assertNull(Stacks.find(r.json(), localStack));

    Http.Resp one = a.http.get("/api/peer/" + peerId + "/stack/" + remoteStack);
    assertEquals(200, one.status(), one.toString());
    assertEquals(remoteStack, one.json().getString("name"));
    assertEquals(peerId, one.json().getString("peer"));
    assertNotNull(one.json().getJsonArray("container_list"));
    assertEquals(404, a.http.get("/api/peer/" + peerId + "/stack/" + prefix + "-none").status(), "B's 404 passed on");
    assertEquals(400, a.http.get("/api/peer/" + peerId + "/stack/Bad..Name").status());
    assertEquals(404, a.http.get("/api/peer/nobody/stacks").status());
  }

  @Test
  void allStacksAreLocalPlusEachPeersTagged() {
    Http.Resp r = a.http.get("/api/stacks/all");
    assertEquals(200, r.status(), r.toString());
    JsonObject local = Stacks.find(r.json(), localStack);
    assertNotNull(local, r.toString());
    assertEquals(a.app.config().nodeName(), local.getString("node"));
    assertNull(local.getValue("peer"));
    JsonObject remote = Stacks.find(r.json(), remoteStack);
    assertNotNull(remote, r.toString());
    assertEquals(peerId, remote.getString("peer"));
    JsonObject status = peerStatus(r.json(), peerId);
    assertEquals(true, status.getBoolean("reachable"));
    assertEquals("Node B", status.getString("name"));
    assertNull(status.getValue("error"));
  }

  @Test
  void anOperationRunsOnThePeersEngine() throws Exception {
    Http operator = a.http.anonymous().with("X-API-Token", token(a, "operate"));
    Http.Resp up = operator.post("/api/peer/" + peerId + "/stack/" + remoteStack + "/operation", new JsonObject().put("operation", "up"));
    assertEquals(200, up.status(), up.toString());
    assertTrue(up.text().contains("\"success\":true"), up.text());
    String opId = up.json().getString("operation_id");
    assertEquals(b.app.config().nodeName(), up.json().getString("node"));
    assertEquals(2, engine.running(remoteStack).size());
    assertEquals(200, b.http.get("/api/operations/" + opId).status(), "B ran it");
    assertEquals(404, a.http.get("/api/operations/" + opId).status(), "A did not");
    b.awaitStack(remoteStack, s -> "running".equals(s.getString("status")), Duration.ofSeconds(10));
    // The cached list is dropped after an operation: A sees the new state at once.
    JsonObject listed = Stacks.find(a.http.get("/api/peer/" + peerId + "/stacks").json(), remoteStack);
    assertEquals("running", listed.getString("status"));

    Http.Resp stop = operator.post("/api/peer/" + peerId + "/stack/" + remoteStack + "/operation?async=true",
        new JsonObject().put("operation", "stop"));
    assertEquals(202, stop.status(), stop.toString());
    String stopId = stop.json().getString("operation_id");
    b.await("/api/operations/" + stopId, o -> "succeeded".equals(o.getString("status")), Duration.ofSeconds(60));
    assertEquals(0, engine.running(remoteStack).size());

    Http.Resp bad = operator.post("/api/peer/" + peerId + "/stack/" + remoteStack + "/operation", new JsonObject().put("operation", "explode"));
    assertEquals(400, bad.status(), "B's refusal passed on: " + bad);
  }

  @Test
  void aReadTokenOnAIsRefusedThePeerOperation() {
    Http reader = a.http.anonymous().with("X-API-Token", token(a, "read"));
    Http.Resp r = reader.post("/api/peer/" + peerId + "/stack/" + remoteStack + "/operation", new JsonObject().put("operation", "up"));
    assertEquals(403, r.status(), r.toString());
    assertEquals("{\"error\":\"Insufficient scope\"}", r.text());
    assertEquals(200, reader.get("/api/peer/" + peerId + "/stacks").status(), "reading is read scope");
  }

  @Test
  void aPeerTokenWithTooNarrowAScopeIsABadGateway() {
    Http.Resp add = a.http.post("/api/peers", new JsonObject().put("name", "B read-only").put("url", b.http.base())
        .put("api_token", token(b, "read")));
    assertEquals(201, add.status(), add.toString());
    String id = add.json().getJsonObject("peer").getString("id");
    try {
      Http.Resp r = a.http.post("/api/peer/" + id + "/stack/" + remoteStack + "/operation", new JsonObject().put("operation", "up"));
      assertEquals(502, r.status(), r.toString());
      assertTrue(r.json().getString("error").contains("refused the API token"), r.toString());
    } finally {
      assertEquals(200, a.http.delete("/api/peers/" + id).status());
    }
  }

  @Test
  void deadPeersDoNotHoldUpTheCombinedList() throws Exception {
    String dead = a.http.post("/api/peers", new JsonObject().put("name", "Dead").put("url", "http://127.0.0.1:" + closedPort())
        .put("api_token", "whatever")).json().getJsonObject("peer").getString("id");
    // Accepts connections (the kernel's backlog) but never answers: only the timeout ends the call.
    try (ServerSocket mute = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      String silent = a.http.post("/api/peers", new JsonObject().put("name", "Mute").put("url", "http://127.0.0.1:" + mute.getLocalPort()))
          .json().getJsonObject("peer").getString("id");
      try {
        long start = System.nanoTime();
        Http.Resp r = a.http.get("/api/stacks/all");
        long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertEquals(200, r.status(), r.toString());
        assertTrue(ms < 4_000, "answered in " + ms + " ms");
        assertNotNull(Stacks.find(r.json(), localStack), r.toString());
        assertNotNull(Stacks.find(r.json(), remoteStack), r.toString());
        JsonObject d = peerStatus(r.json(), dead);
        assertEquals(false, d.getBoolean("reachable"));
        assertTrue(d.getString("error").startsWith("Peer unreachable: "), d.encode());
        JsonObject m = peerStatus(r.json(), silent);
        assertEquals(false, m.getBoolean("reachable"));
        assertEquals("Peer unreachable: no answer within 3 s", m.getString("error"));

        Http.Resp direct = a.http.get("/api/peer/" + dead + "/stacks");
        assertEquals(503, direct.status());
        assertTrue(direct.json().getString("error").startsWith("Peer unreachable: "), direct.toString());
        Http.Resp test = a.http.get("/api/peers/" + dead + "/test");
        assertEquals(200, test.status());
        assertEquals(false, test.json().getBoolean("reachable"));
        assertEquals(false, test.json().getBoolean("success"));
      } finally {
        a.http.delete("/api/peers/" + silent);
      }
    } finally {
      a.http.delete("/api/peers/" + dead);
    }
  }

  /**
   * A peer that answers every request with an error full of its own internals: what reaches a
   * client of A, at read scope above all, is a status and DockUp's own words.
   */
  @Test
  void aPeersErrorTextNeverReachesAClient() throws Exception {
    String leak = "LEAK-" + UUID.randomUUID();
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      int port = vertx.createHttpServer().requestHandler(req -> req.response().setStatusCode(req.path().endsWith("/operation") ? 400 : 500)
              .end(new JsonObject().put("error", leak + " Traceback at /srv/peer/app.py").encode()))
          .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get().actualPort();
      String id = a.http.post("/api/peers", new JsonObject().put("name", "Troubled").put("url", "http://127.0.0.1:" + port)
          .put("api_token", "whatever")).json().getJsonObject("peer").getString("id");
      try {
        Http reader = a.http.anonymous().with("X-API-Token", token(a, "read"));
        Http.Resp all = reader.get("/api/stacks/all");
        assertEquals(200, all.status(), all.toString());
        assertEquals("Peer answered HTTP 500 (Internal Server Error)", peerStatus(all.json(), id).getString("error"));
        Http.Resp list = reader.get("/api/peer/" + id + "/stacks");
        assertEquals(502, list.status());
        Http.Resp one = reader.get("/api/peer/" + id + "/stack/" + remoteStack);
        assertEquals(502, one.status());
        Http.Resp op = a.http.post("/api/peer/" + id + "/stack/" + remoteStack + "/operation", new JsonObject().put("operation", "up"));
        assertEquals(400, op.status(), "the peer's refusal keeps its status");
        assertEquals("{\"error\":\"Peer answered HTTP 400 (Bad Request)\"}", op.text());
        for (Http.Resp r : java.util.List.of(all, list, one, op)) assertFalse(r.text().contains(leak), r.toString());
      } finally {
        a.http.delete("/api/peers/" + id);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  @Test
  void peersAreUpdatedDisabledAndRemoved() {
    Http.Resp add = a.http.post("/api/peers", new JsonObject().put("name", "Node B").put("url", b.http.base() + "/")
        .put("api_token", bToken).put("id", "spare"));
    assertEquals(201, add.status(), add.toString());
    assertEquals(409, a.http.post("/api/peers", new JsonObject().put("name", "Again").put("url", b.http.base()).put("id", "spare")).status());
    assertEquals(400, a.http.post("/api/peers", new JsonObject().put("name", "Bad").put("url", "http://u:p@127.0.0.1:1")).status());
    assertEquals(400, a.http.post("/api/peers", new JsonObject().put("name", "Bad").put("url", b.http.base()).put("id", "No Good")).status());

    Http.Resp put = a.http.put("/api/peers/spare", new JsonObject().put("name", "Spare").put("enabled", false).put("api_token", ""));
    assertEquals(200, put.status(), put.toString());
    JsonObject p = put.json().getJsonObject("peer");
    assertEquals("Spare", p.getString("name"));
    assertEquals(false, p.getBoolean("enabled"));
    assertEquals(true, p.getBoolean("api_token_set"));
    assertEquals(409, a.http.get("/api/peer/spare/stacks").status(), "disabled");
    assertEquals(409, a.http.post("/api/peer/spare/stack/" + remoteStack + "/operation", new JsonObject().put("operation", "up")).status());
    assertNull(peerStatusOrNull(a.http.get("/api/stacks/all").json(), "spare"), "a disabled peer is not called");
    assertEquals(true, a.http.get("/api/peers/spare/test").json().getBoolean("success"), "the kept token still works");

    assertEquals(200, a.http.put("/api/peers/spare", new JsonObject().put("enabled", true)).status());
    assertEquals(200, a.http.get("/api/peer/spare/stacks").status());
    assertEquals(404, a.http.put("/api/peers/nobody", new JsonObject().put("name", "x")).status());
    assertEquals(200, a.http.delete("/api/peers/spare").status());
    assertEquals(404, a.http.delete("/api/peers/spare").status());
    assertEquals(404, a.http.get("/api/peer/spare/stacks").status());
  }

  static JsonObject peerStatus(JsonObject all, String id) {
    JsonObject s = peerStatusOrNull(all, id);
    assertNotNull(s, "no status for peer " + id + " in " + all.encode());
    return s;
  }

  static JsonObject peerStatusOrNull(JsonObject all, String id) {
    JsonArray peers = all.getJsonArray("peers");
    for (int i = 0; i < peers.size(); i++) {
      if (id.equals(peers.getJsonObject(i).getString("id"))) return peers.getJsonObject(i);
    }
    return null;
  }
}
