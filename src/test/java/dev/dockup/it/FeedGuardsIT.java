package dev.dockup.it;

import dev.dockup.bus.Bus;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The feed's edges: nothing lost between a client's snapshot and its first change (on /ws and
 * on SockJS), SockJS's fallback transports with a read token, log follows limited to stacks that
 * exist and to 16, and a client dropped for not reading really disconnected.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeedGuardsIT {
  TestNode node;
  String readToken;
  final String prefix = Stacks.uniqueName("guard");

  @BeforeAll
  void start() throws Exception {
    node = TestNode.builder().start();
    readToken = node.http.post("/api/tokens", new JsonObject().put("name", "feed-reader").put("scope", "read")).json().getString("token");
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  /** Holds every stack-list request for {@code ms}: the snapshot is slow to come, and the feed goes on meanwhile. */
  Handler<DeliveryContext<Object>> slowSnapshots(long ms) {
    String stacks = Bus.stacks(node.app.config().nodeName());
    Handler<DeliveryContext<Object>> delay = dc -> {
      if (stacks.equals(dc.message().address()) && Bus.Stacks.LIST.equals(dc.message().headers().get(Bus.ACTION))) {
        node.app.vertx().setTimer(ms, t -> dc.next());
      } else {
        dc.next();
      }
    };
    node.app.vertx().eventBus().addInboundInterceptor(delay);
    return delay;
  }

  JsonObject publishLine(String text) {
    JsonObject msg = new JsonObject().put("type", "operation_output").put("node", node.app.config().nodeName())
        .put("ts", Instant.now().toString()).put("stack", prefix + "-snap").put("operation_id", UUID.randomUUID().toString())
        .put("operation", "up").put("line", text);
    node.app.vertx().eventBus().publish(Bus.EVENTS, msg);
    return msg;
  }

  @Test
  void aChangePublishedWhileTheSnapshotIsMadeReachesAWebSocketClientAfterIt() throws Exception {
    var delay = slowSnapshots(1_500);
    try (Ws ws = Ws.feed(node)) {
      Thread.sleep(300);
      publishLine("during the /ws snapshot");
      JsonObject line = ws.next(m -> "during the /ws snapshot".equals(m.getString("line")), Duration.ofSeconds(10));
      assertEquals("operation_output", line.getString("type"));
      assertEquals("node_status", ws.seen.get(0).getString("type"), "the snapshot came first: " + ws.seen);
    } finally {
      node.app.vertx().eventBus().removeInboundInterceptor(delay);
    }
  }

  @Test
  void aChangePublishedWhileTheSnapshotIsMadeReachesASockJsClientAfterIt() throws Exception {
    var delay = slowSnapshots(1_500);
    try (Ws sock = Ws.connect(node.http, "/eventbus/websocket?token=" + readToken)) {
      sock.send(new JsonObject().put("type", "register").put("address", Bus.EVENTS));
      Thread.sleep(300);
      publishLine("during the SockJS snapshot");
      sock.next(m -> m.getJsonObject("body") != null && "during the SockJS snapshot".equals(m.getJsonObject("body").getString("line")),
          Duration.ofSeconds(10));
      assertEquals("node_status", sock.seen.get(0).getJsonObject("body").getString("type"), "the snapshot came first: " + sock.seen);
    } finally {
      node.app.vertx().eventBus().removeInboundInterceptor(delay);
    }
  }

  /** SockJS's xhr-streaming transport, as the browser client falls back to behind some proxies. */
  @Test
  void aSockJsClientOnXhrStreamingWithAReadTokenReceivesTheFeed() throws Exception {
    String session = "/eventbus/" + 100 + "/" + UUID.randomUUID().toString().replace("-", "") + "/";
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<Stream<String>> stream = client.send(HttpRequest.newBuilder(
            URI.create(node.http.base() + session + "xhr_streaming?token=" + readToken))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, stream.statusCode());
    BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> stream.body().forEach(frames::add), "xhr-streaming-reader");
    reader.setDaemon(true);
    reader.start();
    try {
      awaitFrame(frames, f -> f.equals("o"));
      String register = new JsonArray().add(new JsonObject().put("type", "register").put("address", Bus.EVENTS).encode()).encode();
      HttpResponse<String> sent = client.send(HttpRequest.newBuilder(URI.create(node.http.base() + session + "xhr_send?token=" + readToken))
          .POST(HttpRequest.BodyPublishers.ofString(register)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(204, sent.statusCode(), sent.body());
      String first = awaitFrame(frames, f -> f.startsWith("a["));
      JsonObject rec = new JsonObject(new JsonArray(first.substring(1)).getString(0));
      assertEquals(Bus.EVENTS, rec.getString("address"));
      assertEquals("node_status", rec.getJsonObject("body").getString("type"));
      publishLine("over xhr-streaming");
      awaitFrame(frames, f -> f.contains("over xhr-streaming"));
    } finally {
      stream.body().close();
    }
  }

  static String awaitFrame(BlockingQueue<String> frames, java.util.function.Predicate<String> match) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      String f = frames.poll(200, TimeUnit.MILLISECONDS);
      if (f != null && match.test(f.trim())) return f.trim();
    }
    throw new AssertionError("no matching SockJS frame within 10 s");
  }

  @Test
  void logsAreFollowedOnlyForStacksThatExistAndAtMostSixteenAtATime() throws Exception {
    for (int i = 0; i < 17; i++) {
      Http.Resp r = node.http.post("/api/stack/" + prefix + "-f" + i + "/compose", Stacks.content(Stacks.twoServices("x")));
      assertEquals(201, r.status(), r.toString());
    }
    try (Ws ws = Ws.feed(node)) {
      ws.send(new JsonObject().put("follow_logs", new JsonObject().put("stack", prefix + "-nothing")));
      JsonObject missing = ws.next(m -> "error".equals(m.getString("type")), Duration.ofSeconds(10));
      assertTrue(missing.getString("error").contains("Stack not found"), missing.encode());
      for (int i = 0; i < 16; i++) ws.send(new JsonObject().put("follow_logs", new JsonObject().put("stack", prefix + "-f" + i)));
      Thread.sleep(1_000); // the sixteen follows are set up; none of them is an error
      ws.send(new JsonObject().put("follow_logs", new JsonObject().put("stack", prefix + "-f16")));
      JsonObject refused = ws.next(m -> "error".equals(m.getString("type")), Duration.ofSeconds(10));
      assertTrue(refused.getString("error").startsWith("At most 16"), refused.encode());
      ws.send(new JsonObject().put("unfollow_logs", new JsonObject().put("stack", prefix + "-f0")));
      Thread.sleep(300);
      ws.send(new JsonObject().put("follow_logs", new JsonObject().put("stack", prefix + "-f16")));
      Thread.sleep(1_000);
      drain(ws);
      assertEquals(2, ws.seen.stream().filter(m -> "error".equals(m.getString("type"))).count(),
          "after an unfollow, one more may be followed: " + ws.seen);
    } finally {
      for (int i = 0; i < 17; i++) node.http.delete("/api/stack/" + prefix + "-f" + i);
    }
  }

  /** Takes what has arrived so far into {@code seen}. */
  static void drain(Ws ws) {
    try {
      ws.next(m -> false, Duration.ofMillis(200));
    } catch (AssertionError | InterruptedException nothingMore) {
      // all taken
    }
  }

  @Test
  void aClientDroppedForNotReadingIsDisconnected() throws Exception {
    try (Socket stuck = new Socket()) {
      stuck.setReceiveBufferSize(4096);
      stuck.connect(new java.net.InetSocketAddress("127.0.0.1", node.app.port()));
      FeedIT.handshake(stuck, node.http.header("Authorization"));
      String big = "x".repeat(100_000);
      for (int i = 0; i < 100; i++) publishLine(big);
      Thread.sleep(3_000); // it reads nothing while the server queues for it and gives up
      // Everything it was sent and the server managed to write, then the end: not a connection
      // left open with megabytes queued.
      stuck.setSoTimeout(15_000);
      InputStream in = stuck.getInputStream();
      byte[] buf = new byte[65536];
      long total = 0;
      try {
        for (int n; (n = in.read(buf)) >= 0; ) total += n;
      } catch (SocketException reset) {
        // a reset is an end too
      } catch (SocketTimeoutException e) {
        fail("the dropped client's connection is still open after reading " + total + " bytes");
      }
      assertTrue(total < 100L * 100_000, "it was not sent everything: " + total);
    }
    // The node still serves feed clients that read.
    try (Ws ws = Ws.feed(node)) {
      assertEquals("node_status", ws.next(m -> true, Duration.ofSeconds(5)).getString("type"));
    }
  }
}
