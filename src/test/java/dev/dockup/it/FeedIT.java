package dev.dockup.it;

import com.github.dockerjava.api.model.Container;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live feed with a real engine and real WebSocket, SockJS and SSE clients. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FeedIT {
  TestNode node;
  Engine engine;
  final String prefix = Stacks.uniqueName("feed");

  @BeforeAll
  void start() throws Exception {
    engine = Engine.shared();
    node = TestNode.builder().start();
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
    engine.removeProjects(prefix);
    engine.close();
  }

  String create(String label, String yaml) {
    String name = prefix + "-" + label;
    Http.Resp r = node.http.post("/api/stack/" + name + "/compose", Stacks.content(yaml));
    assertEquals(201, r.status(), r.toString());
    return name;
  }

  static boolean is(JsonObject m, String type, String stack) {
    return type.equals(m.getString("type")) && stack.equals(m.getString("stack"));
  }

  @Test
  void aSnapshotComesFirstThenAnUpStreamsItsLinesBeforeOperationDone() throws Exception {
    String name = create("up", Stacks.twoServices("x"));
    try (Ws ws = Ws.feed(node)) {
      JsonObject first = ws.next(m -> true, Duration.ofSeconds(5));
      assertEquals("node_status", first.getString("type"));
      assertTrue(first.getBoolean("engine_ok"));
      ws.next(m -> is(m, "stack_status", name), Duration.ofSeconds(5));
      ws.send(new JsonObject().put("subscribe", new JsonArray().add(name)));

      Http.Resp accepted = node.http.post("/api/stack/" + name + "/operation?async=true", new JsonObject().put("operation", "up"));
      assertEquals(202, accepted.status(), accepted.toString());
      String id = accepted.json().getString("operation_id");
      JsonObject done = ws.next(m -> is(m, "operation_done", name) && id.equals(m.getString("operation_id")), Duration.ofSeconds(60));
      assertTrue(done.getBoolean("success"));
      List<JsonObject> lines = ws.seen.stream().filter(m -> is(m, "operation_output", name) && id.equals(m.getString("operation_id"))).toList();
      assertFalse(lines.isEmpty(), "output lines came before operation_done");
      JsonObject record = node.http.get("/api/operations/" + id).json();
      assertEquals("succeeded", record.getString("status"));
      assertEquals(record.getJsonArray("output").getList(), lines.stream().map(l -> l.getString("line")).toList(),
          "every line, in order");
      int firstLine = ws.seen.indexOf(lines.get(0));
      assertTrue(ws.seen.subList(firstLine, ws.seen.size()).stream()
              .allMatch(m -> m.getString("stack") == null || name.equals(m.getString("stack"))),
          "subscribed: only this stack's messages");
    }
  }

  @Test
  void aContainerStoppedOutsideDockUpYieldsStackStatusWithinASecond() throws Exception {
    String name = create("stop", Stacks.twoServices("x"));
    assertEquals(200, node.http.operation(name, "up").status());
    try (Ws ws = Ws.feed(node)) {
      ws.next(m -> is(m, "stack_status", name) && m.getInteger("running") == 2, Duration.ofSeconds(5));
      Container c = engine.running(name).get(0);
      long t0 = System.nanoTime();
      engine.docker.stopContainerCmd(c.getId()).withTimeout(1).exec();
      JsonObject status = ws.next(m -> is(m, "stack_status", name) && m.getInteger("running") == 1, Duration.ofSeconds(5));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms < 1000, "stack_status after " + ms + " ms");
      assertEquals("partial", status.getString("status"));
    }
  }

  @Test
  void aFailingHealthcheckYieldsHealthUpdateUnhealthy() throws Exception {
    String name = create("health", """
        services:
          sick:
            image: %s
            init: true
            command: ["sleep", "3600"]
            healthcheck:
              test: ["CMD-SHELL", "exit 1"]
              interval: 1s
              timeout: 1s
              retries: 1
        """.formatted(Engine.IMAGE));
    try (Ws ws = Ws.feed(node)) {
      assertEquals(200, node.http.operation(name, "up").status());
      JsonObject h = ws.next(m -> is(m, "health_update", name) && "unhealthy".equals(m.getString("health")), Duration.ofSeconds(20));
      assertEquals("sick", h.getString("service"));
      ws.next(m -> is(m, "stack_status", name) && "unhealthy".equals(m.getString("health_status")), Duration.ofSeconds(5));
    }
  }

  @Test
  void statsUpdatesArriveWithPlausibleNumbers() throws Exception {
    String name = create("stats", Stacks.twoServices("x"));
    assertEquals(200, node.http.operation(name, "up").status());
    assertEquals(200, node.http.post("/api/config", new JsonObject().put("stats_interval", 1)).status());
    try (Ws ws = Ws.feed(node)) {
      ws.next(m -> is(m, "stats_update", name), Duration.ofSeconds(10));
      JsonObject s = ws.next(m -> is(m, "stats_update", name), Duration.ofSeconds(10));
      JsonArray cs = s.getJsonArray("containers");
      assertEquals(2, cs.size());
      for (int i = 0; i < cs.size(); i++) {
        JsonObject c = cs.getJsonObject(i);
        assertTrue(c.getLong("mem_bytes") > 0 && c.getLong("mem_bytes") < 512L * 1024 * 1024, c.encode());
        assertTrue(c.getLong("mem_limit") >= c.getLong("mem_bytes"), c.encode());
        double cpu = c.getDouble("cpu_percent");
        assertTrue(cpu >= 0 && cpu <= 100.0 * Runtime.getRuntime().availableProcessors(), c.encode());
        assertTrue(c.getLong("net_rx_bytes") >= 0);
      }
      JsonObject host = s.getJsonObject("host");
      assertTrue(host.getLong("mem_total") > host.getLong("mem_used") && host.getLong("mem_used") > 0, host.encode());
      assertTrue(s.getLong("sample_ms") >= 0);
    }
  }

  void printInContainer(String stack, String text) throws Exception {
    engine.printInContainer(stack, text);
  }

  @Test
  void followLogsDeliversALinePrintedAfterTheRequest() throws Exception {
    String name = create("logs", """
        services:
          app:
            image: %s
            init: true
            command: ["sleep", "3600"]
        """.formatted(Engine.IMAGE));
    assertEquals(200, node.http.operation(name, "up").status());
    String marker = "marker-" + UUID.randomUUID();
    try (Ws ws = Ws.feed(node)) {
      ws.send(new JsonObject().put("follow_logs", new JsonObject().put("stack", name).put("tail", 0)));
      Thread.sleep(500);
      printInContainer(name, marker);
      JsonObject line = ws.next(m -> "log_line".equals(m.getString("type")) && m.getString("line", "").contains(marker), Duration.ofSeconds(10));
      assertEquals(name, line.getString("stack"));
      assertEquals("app", line.getString("service"));
      assertEquals("stdout", line.getString("stream"));
    }
    // The same for curl users, as Server-Sent Events.
    String second = "sse-" + UUID.randomUUID();
    HttpRequest req = HttpRequest.newBuilder(URI.create(node.http.base() + "/api/stack/" + name + "/logs?follow=true&lines=0"))
        .header("Authorization", node.http.header("Authorization")).build();
    HttpResponse<Stream<String>> sse = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, sse.statusCode());
    assertTrue(sse.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(500);
        printInContainer(name, second);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    t.start();
    String data = sse.body().filter(l -> l.startsWith("data: ") && l.contains(second)).findFirst().orElseThrow();
    assertEquals("log_line", new JsonObject(data.substring(6)).getString("type"));
    sse.body().close();
  }

  @Test
  void aSockJsClientReceivesTheFeedAndCannotSend() throws Exception {
    String jwt = node.http.header("Authorization").substring("Bearer ".length());
    try (Ws sock = Ws.connect(node.http, "/eventbus/websocket?token=" + jwt)) {
      sock.send(new JsonObject().put("type", "register").put("address", "dockup.events"));
      JsonObject rec = sock.next(m -> "rec".equals(m.getString("type")), Duration.ofSeconds(5));
      assertEquals("dockup.events", rec.getString("address"));
      assertTrue(List.of("node_status", "stack_status").contains(rec.getJsonObject("body").getString("type")));

      sock.send(new JsonObject().put("type", "send").put("address", "dockup.events").put("body", new JsonObject()));
      assertEquals("access_denied", sock.next(m -> "err".equals(m.getString("type")), Duration.ofSeconds(5)).getString("body"));
      sock.send(new JsonObject().put("type", "send").put("address", "dockup." + node.app.config().nodeName() + ".stacks")
          .put("body", new JsonObject()).put("replyAddress", "r1").put("headers", new JsonObject().put("action", "delete")));
      assertEquals("access_denied", sock.next(m -> "err".equals(m.getString("type")), Duration.ofSeconds(5)).getString("body"));
      sock.send(new JsonObject().put("type", "register").put("address", "dockup." + node.app.config().nodeName() + ".stacks"));
      assertEquals("access_denied", sock.next(m -> "err".equals(m.getString("type")), Duration.ofSeconds(5)).getString("body"));
    }
  }

  @Test
  void unauthenticatedAndForeignOriginCookieUpgradesAreRefused() throws Exception {
    ExecutionException none = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> Ws.connect(node.http, "/ws"));
    assertInstanceOf(WebSocketHandshakeException.class, none.getCause());
    assertEquals(401, ((WebSocketHandshakeException) none.getCause()).getResponse().statusCode());

    Http.Resp login = node.http.anonymous().post("/api/auth/login", new JsonObject().put("password", TestNode.PASSWORD));
    String cookie = login.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
    ExecutionException foreign = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> Ws.connect(node.http, "/ws", "Cookie", cookie, "Origin", "http://evil.example"));
    assertEquals(403, ((WebSocketHandshakeException) foreign.getCause()).getResponse().statusCode());
    try (Ws ok = Ws.connect(node.http, "/ws", "Cookie", cookie, "Origin", node.http.base())) {
      assertEquals("node_status", ok.next(m -> true, Duration.ofSeconds(5)).getString("type"));
    }
    ExecutionException sock = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> Ws.connect(node.http, "/eventbus/websocket"));
    assertEquals(401, ((WebSocketHandshakeException) sock.getCause()).getResponse().statusCode());
  }

  @Test
  void aClientThatNeverReadsDoesNotDelayAnother() throws Exception {
    String noisy = create("noisy", """
        services:
          chatter:
            image: %s
            init: true
            command: ["sh", "-c", "x=0123456789abcdef; x=$x$x$x$x$x$x$x$x; x=$x$x$x$x$x$x$x$x; while true; do echo $x; done"]
        """.formatted(Engine.IMAGE));
    String quiet = create("quiet", Stacks.twoServices("x"));
    assertEquals(200, node.http.operation(noisy, "up").status());
    assertEquals(200, node.http.operation(quiet, "up").status());
    try (Socket stuck = new Socket()) {
      stuck.setReceiveBufferSize(4096);
      stuck.connect(new java.net.InetSocketAddress("127.0.0.1", node.app.port()));
      handshake(stuck, node.http.header("Authorization"));
      sendMasked(stuck.getOutputStream(), new JsonObject().put("follow_logs", new JsonObject().put("stack", noisy)).encode());
      Thread.sleep(2_000); // the stuck client's buffers fill; it never reads again

      try (Ws ws = Ws.feed(node)) {
        ws.next(m -> is(m, "stack_status", quiet) && m.getInteger("running") == 2, Duration.ofSeconds(5));
        engine.docker.stopContainerCmd(engine.running(quiet).get(0).getId()).withTimeout(1).exec();
        // Timed from the moment the engine has stopped it: the delay is DockUp's alone.
        long t0 = System.nanoTime();
        ws.next(m -> is(m, "stack_status", quiet) && m.getInteger("running") == 1, Duration.ofSeconds(5));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 1000, "the reading client got its message after " + ms + " ms");
      }
    } finally {
      node.http.operation(noisy, "down");
    }
  }

  static void handshake(Socket s, String authorization) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: "
        + authorization + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
    String status = in.readLine();
    assertTrue(status.contains("101"), status);
    List<String> headers = new ArrayList<>();
    for (String l; (l = in.readLine()) != null && !l.isEmpty(); ) headers.add(l);
  }

  static void sendMasked(OutputStream out, String text) throws Exception {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    byte[] mask = {1, 2, 3, 4};
    java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
    frame.write(0x81);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else {
      frame.write(0x80 | 126);
      frame.write(payload.length >> 8);
      frame.write(payload.length & 0xff);
    }
    frame.write(mask);
    for (int i = 0; i < payload.length; i++) frame.write(payload[i] ^ mask[i % 4]);
    out.write(frame.toByteArray());
    out.flush();
  }
}
