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
      TestNode nb = member(cluster, b, pb, members).start();
      try {
        JsonObject nodes = na.await("/api/nodes", v -> node(v, b) != null && node(v, b).getBoolean("reachable"), Duration.ofSeconds(20));
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
          var c = engine.running(remoteStack).get(0);
          String exec = engine.docker.execCreateCmd(c.getId()).withCmd("sh", "-c", "echo from-b-" + cluster + " > /proc/1/fd/1").exec().getId();
          engine.docker.execStartCmd(exec).exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>())
              .awaitCompletion(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        JsonObject logLine = feedOnA.next(m -> "log_line".equals(m.getString("type")) && m.getString("line", "").contains("from-b-" + cluster),
            Duration.ofSeconds(10));
        assertEquals(b, logLine.getString("node"));
        feedOnA.close();
        assertTrue(up.text().contains("\"success\":true"));
        String opId = up.json().getString("operation_id");
        assertEquals(200, nb.http.get("/api/operations/" + opId).status(), "the operation ran on B");
        assertEquals(404, na.http.get("/api/operations/" + opId).status(), "not on A");
        assertEquals(200, na.http.get("/api/nodes/" + b + "/operations/" + opId).status());
        assertEquals(b, na.http.get("/api/nodes/" + b + "/stack/" + remoteStack).json().getString("node"));
        assertEquals(503, na.http.get("/api/nodes/no-such-node/stack/" + remoteStack).status());
        Http.Resp schedule = na.http.post("/api/nodes/" + b + "/stack/" + remoteStack + "/schedule", new JsonObject().put("mode", "check"));
        assertEquals(200, schedule.status(), schedule.toString());
        assertEquals("check", nb.http.get("/api/stack/" + remoteStack + "/schedule").json().getString("mode"), "kept on B");
        Http.Resp check = na.http.post("/api/nodes/" + b + "/stack/" + remoteStack + "/check-updates", "");
        assertEquals(200, check.status(), check.toString());
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

        ExecutionException taken = assertThrows(ExecutionException.class, () -> member(cluster, b, freePort(), members).start());
        assertTrue(String.valueOf(taken.getCause().getMessage()).contains("held by a running member"), String.valueOf(taken.getCause()));

        long t0 = System.nanoTime();
        nb.close();
        nb = null;
        JsonObject after = na.await("/api/fleet", v -> !node(v, b).getBoolean("reachable"), Duration.ofSeconds(10));
        assertTrue((System.nanoTime() - t0) / 1_000_000_000L <= 10);
        assertTrue(node(after, b).getJsonArray("stacks").stream().map(JsonObject.class::cast)
            .anyMatch(s -> stack.equals(s.getString("name"))), "last known stacks kept");
      } finally {
        if (nb != null) nb.close();
      }
    }
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
