package dev.dockup.peer;

import dev.dockup.bus.ApiException;
import dev.dockup.store.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerServiceTest {
  static final String SECRET = "peer-token-s3cret-value";
  /** What a peer in trouble might say: nothing of it may reach our clients. */
  static final String LEAKY_ERROR = "{\"error\":\"LEAK: Traceback (most recent call last) /srv/peer/app.py\"}";

  @TempDir Path tmp;
  private Vertx vertx;
  private SecretBox box;
  private PeerService peers;
  /** A fake peer: counts list calls, remembers the token it was sent. */
  private HttpServer server;
  private final AtomicInteger listCalls = new AtomicInteger();
  private final AtomicReference<String> seenToken = new AtomicReference<>();
  private volatile int listStatus = 200;
  private volatile long listDelayMs;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    box = SecretBox.load(tmp);
    peers = PeerService.load(vertx, tmp, box, 500, 300);
    server = await(vertx.createHttpServer().requestHandler(req -> {
      seenToken.set(req.getHeader("X-API-Token"));
      switch (req.path()) {
        case "/api/ping" -> req.response().end(SECRET.equals(req.getHeader("X-API-Token"))
            ? "{\"status\":\"ok\",\"instance_name\":\"Far\"}" : "{\"status\":\"ok\"}");
        case "/api/stacks" -> {
          listCalls.incrementAndGet();
          if (listStatus == -1) return; // never answers
          vertx.setTimer(Math.max(1, listDelayMs), t -> req.response().setStatusCode(listStatus)
              .end(listStatus == 200 ? "{\"stacks\":[{\"name\":\"web\",\"node\":\"far\",\"status\":\"running\"}]}" : LEAKY_ERROR));
        }
        case "/api/stack/web" -> req.response().end("{\"name\":\"web\",\"status\":\"running\"}");
        case "/api/stack/broken" -> req.response().setStatusCode(500).end(LEAKY_ERROR);
        case "/api/stack/plain" -> req.response().end("LEAK: not JSON at all");
        default -> req.response().setStatusCode(404).end(LEAKY_ERROR);
      }
    }).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void tearDown() throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) throw cause;
      throw e;
    }
  }

  private static int status(Future<?> f) {
    return assertThrows(ApiException.class, () -> await(f)).status();
  }

  private String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Peer add(JsonObject body) throws Exception {
    return await(peers.add(body));
  }

  @Test
  void idsAreGeneratedFromNamesAndGivenOnesAreChecked() throws Exception {
    assertEquals("production-server", add(new JsonObject().put("name", "Production Server").put("url", url())).id());
    assertEquals("production-server-2", add(new JsonObject().put("name", "Production  server!").put("url", url())).id());
    assertEquals("edge_1", add(new JsonObject().put("name", "Edge").put("url", url()).put("id", "edge_1")).id());
    assertEquals(409, status(peers.add(new JsonObject().put("name", "Other").put("url", url()).put("id", "edge_1"))));
    assertEquals(400, status(peers.add(new JsonObject().put("name", "Other").put("url", url()).put("id", "Bad Id"))));
    assertEquals(400, status(peers.add(new JsonObject().put("name", "Other").put("url", "http://u:p@h"))));
    assertEquals(400, status(peers.add(new JsonObject().put("url", url()))));
    assertEquals(3, peers.list().size());
    assertTrue(peers.get("edge_1").enabled());
  }

  @Test
  void theTokenIsSealedOnDiskAndNeverShown() throws Exception {
    Peer p = add(new JsonObject().put("name", "Far").put("url", url()).put("api_token", SECRET));
    Path file = tmp.resolve(PeerService.FILE);
    String disk = Files.readString(file);
    assertFalse(disk.contains(SECRET), disk);
    assertTrue(disk.contains("v1:"), disk);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertFalse(peers.views().encode().contains(SECRET));
    assertFalse(peers.views().encode().contains("v1:"), "not even sealed");
    assertEquals(true, p.view().getBoolean("api_token_set"));
    assertFalse(p.view().containsKey("api_token"));
    assertFalse(p.toString().contains(SECRET) || p.toString().contains(p.sealedToken()), p.toString());
    assertEquals(SECRET, box.decrypt(p.sealedToken()));
  }

  @Test
  void anUpdateIsPartialAndAnEmptyTokenKeepsTheStoredOne() throws Exception {
    Peer p = add(new JsonObject().put("name", "Far").put("url", url()).put("api_token", SECRET));
    Peer q = await(peers.update(p.id(), new JsonObject().put("enabled", false)));
    assertEquals(p.sealedToken(), q.sealedToken());
    assertFalse(q.enabled());
    assertEquals("Far", q.name());
    q = await(peers.update(p.id(), new JsonObject().put("api_token", "").put("name", "Farther")));
    assertEquals(SECRET, box.decrypt(q.sealedToken()));
    assertEquals("Farther", q.name());
    q = await(peers.update(p.id(), new JsonObject().put("api_token", "another-token")));
    assertEquals("another-token", box.decrypt(q.sealedToken()));
    assertEquals(400, status(peers.update(p.id(), new JsonObject().put("id", "other"))));
    assertEquals(400, status(peers.update(p.id(), new JsonObject().put("url", "ftp://x"))));
    assertEquals(404, status(peers.update("nope", new JsonObject().put("name", "x"))));
    assertEquals("Farther", peers.get(p.id()).name(), "a refused update changes nothing");
    await(peers.remove(p.id()));
    assertNull(peers.get(p.id()));
    assertEquals(404, status(peers.remove(p.id())));
  }

  @Test
  void peersSurviveARestartAndTheirTokenStillWorks() throws Exception {
    add(new JsonObject().put("name", "Far").put("url", url() + "/").put("api_token", SECRET).put("enabled", false));
    PeerService again = PeerService.load(vertx, tmp, box, 500, 300);
    Peer p = again.require("far");
    assertEquals(url(), p.url());
    assertFalse(p.enabled());
    JsonObject test = await(again.test(p));
    assertEquals(true, test.getBoolean("success"), test.encode());
    assertEquals("Far", test.getString("instance_name"));
    assertEquals(SECRET, seenToken.get());
  }

  @Test
  void aHandWrittenPlainTokenIsSealedAtStartAndABrokenOneDropped() throws Exception {
    Files.writeString(tmp.resolve(PeerService.FILE), new JsonObject().put("peers", new JsonArray()
        .add(new JsonObject().put("id", "a").put("name", "A").put("url", url()).put("api_token", SECRET))
        .add(new JsonObject().put("id", "b").put("name", "B").put("url", url()).put("api_token_sealed", "v1:AAAA"))
        .add(new JsonObject().put("id", "Bad").put("name", "C").put("url", url()))).encode());
    PeerService loaded = PeerService.load(vertx, tmp, box, 500, 300);
    assertEquals(List.of("a", "b"), loaded.list().stream().map(Peer::id).toList());
    assertEquals(SECRET, box.decrypt(loaded.require("a").sealedToken()));
    assertFalse(loaded.require("b").tokenSet());
    assertFalse(Files.readString(tmp.resolve(PeerService.FILE)).contains(SECRET));
  }

  @Test
  void listsAreTaggedCachedAndSharedByABurst() throws Exception {
    Peer p = add(new JsonObject().put("name", "Far").put("url", url()).put("api_token", SECRET));
    listDelayMs = 100;
    List<Future<JsonArray>> burst = new ArrayList<>();
    for (int i = 0; i < 10; i++) burst.add(peers.stacks(p));
    for (Future<JsonArray> f : burst) {
      JsonArray stacks = await(f);
      assertEquals("far", stacks.getJsonObject(0).getString("peer"));
      assertEquals("far", stacks.getJsonObject(0).getString("node"));
    }
    await(peers.stacks(p));
    assertEquals(1, listCalls.get(), "one call for the burst and the cached answer");
    Thread.sleep(400);
    await(peers.stacks(p));
    assertEquals(2, listCalls.get(), "called again once the list is older than its TTL");
    peers.invalidate(p.id());
    await(peers.stacks(p));
    assertEquals(3, listCalls.get());
  }

  @Test
  void aRefusedTokenIsABadGatewayNotTheClientsOwn401() throws Exception {
    Peer p = add(new JsonObject().put("name", "Far").put("url", url()).put("api_token", "wrong"));
    listStatus = 401;
    ApiException e = assertThrows(ApiException.class, () -> await(peers.stacks(p)));
    assertEquals(502, e.status());
    assertTrue(e.getMessage().contains("refused the API token"), e.getMessage());
  }

  @Test
  void aPeersErrorTextIsSummarisedByItsStatusAndNeverEchoed() throws Exception {
    Peer p = add(new JsonObject().put("name", "Far").put("url", url()).put("api_token", SECRET));
    listStatus = 500;
    ApiException list = assertThrows(ApiException.class, () -> await(peers.stacks(p)));
    assertEquals(502, list.status());
    assertEquals("Peer answered HTTP 500 (Internal Server Error)", list.getMessage());
    assertEquals(list.getMessage(), PeerService.summary(list));
    assertEquals("Peer request failed", PeerService.summary(new IllegalStateException("LEAK: internal")));
    assertEquals("Peer request failed", PeerService.summary(new ApiException(500, "LEAK: not ours")));

    PeerService.Reply missing = relay(p, "/api/stack/missing");
    assertEquals(404, missing.status(), "the client's own mistake keeps its status");
    assertEquals("Peer answered HTTP 404 (Not Found)", missing.body().getString("error"));
    PeerService.Reply broken = relay(p, "/api/stack/broken");
    assertEquals(502, broken.status());
    assertEquals("Peer answered HTTP 500 (Internal Server Error)", broken.body().getString("error"));
    PeerService.Reply plain = relay(p, "/api/stack/plain");
    assertEquals(502, plain.status());
    assertEquals("Peer sent an invalid answer", plain.body().getString("error"));
    for (PeerService.Reply r : List.of(missing, broken, plain)) assertFalse(r.body().encode().contains("LEAK"), r.body().encode());

    PeerService.Reply good = relay(p, "/api/stack/web");
    assertEquals(200, good.status());
    assertEquals(new JsonObject().put("name", "web").put("status", "running").put("peer", p.id()), good.body());
  }

  private PeerService.Reply relay(Peer p, String path) throws Exception {
    return PeerService.relay(await(peers.call(p, io.vertx.core.http.HttpMethod.GET, path, null, 2_000)), p.id());
  }

  @Test
  void aClosedPortIsUnreachableAtOnce() throws Exception {
    Peer p = add(new JsonObject().put("name", "Dead").put("url", "http://127.0.0.1:" + closedPort()).put("api_token", SECRET));
    long start = System.nanoTime();
    ApiException e = assertThrows(ApiException.class, () -> await(peers.stacks(p)));
    assertEquals(503, e.status());
    assertEquals("Peer unreachable: connection refused or unreachable", e.getMessage());
    JsonObject test = await(peers.test(p));
    assertEquals(false, test.getBoolean("reachable"));
    assertEquals(false, test.getBoolean("success"));
    assertFalse(test.encode().contains(SECRET));
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
  }

  @Test
  void aPeerThatNeverAnswersCostsItsTimeoutAndNoMore() throws Exception {
    Peer p = add(new JsonObject().put("name", "Mute").put("url", url()).put("api_token", SECRET));
    listStatus = -1;
    long start = System.nanoTime();
    ApiException e = assertThrows(ApiException.class, () -> await(peers.stacks(p)));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertEquals(503, e.status());
    assertEquals("Peer unreachable: no answer within 500 ms", e.getMessage());
    assertTrue(ms >= 400 && ms < 1500, ms + " ms");
    // The failure is shared for the TTL: the next caller does not wait again.
    start = System.nanoTime();
    assertThrows(ApiException.class, () -> await(peers.stacks(p)));
    assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) < 200);
    assertEquals(1, listCalls.get());
  }
}
