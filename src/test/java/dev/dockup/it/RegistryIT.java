package dev.dockup.it;

import dev.dockup.registry.ImageRef;
import dev.dockup.registry.RateLimit;
import dev.dockup.registry.RegistryClient;
import dev.dockup.registry.RegistryException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry client against the real loopback registry (its digest is the engine's
 * {@code RepoDigests}) and against a loopback server speaking Docker Hub's rate-limit protocol.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryIT {
  static final String PUSHED = "127.0.0.1:" + Engine.REGISTRY_PORT + "/" + Engine.IMAGE;

  Vertx vertx;
  RegistryClient client;
  HttpServer hub;
  int hubPort;
  /** What the fake Hub does on the manifest HEAD: send the rate-limit headers or not. */
  volatile boolean limited = true;
  final List<String> hubCalls = new CopyOnWriteArrayList<>();

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    // No logins: the loopback registry and the fake Hub need none.
    client = new RegistryClient(vertx, RegistryClient.Options.defaults().withConfigFile(null));
    hub = vertx.createHttpServer().requestHandler(this::hub);
    hubPort = await(hub.listen(0, "127.0.0.1")).actualPort();
  }

  @AfterAll
  void stop() throws Exception {
    client.close();
    await(vertx.close());
  }

  @BeforeEach
  void reset() {
    limited = true;
    hubCalls.clear();
  }

  // ---- (a) the real loopback registry

  @Test
  void digestOfAPushedTagIsTheEnginesRepoDigest() throws Exception {
    String expected = repoDigest();
    String digest = await(client.digest(ImageRef.parse(PUSHED)));
    assertEquals(expected, digest);
    assertTrue(digest.matches("sha256:[0-9a-f]{64}"), digest);
  }

  @Test
  void digestPinnedReferenceIsFoundByItsDigest() throws Exception {
    String expected = repoDigest();
    ImageRef pinned = ImageRef.parse("127.0.0.1:" + Engine.REGISTRY_PORT + "/dockup-test/busybox@" + expected);
    assertEquals(expected, await(client.digest(pinned)));
  }

  @Test
  void unknownTagOnTheRealRegistryIs404() throws Exception {
    RegistryException e = failure(client.digest(ImageRef.parse("127.0.0.1:" + Engine.REGISTRY_PORT + "/dockup-test/busybox:no-such-tag")));
    assertEquals(404, e.status());
  }

  /** The digest the engine recorded for the pushed image; pulled first if the tag is not local. */
  String repoDigest() {
    String inspect = "docker image inspect " + PUSHED + " --format '{{json .RepoDigests}}'";
    String out;
    try {
      out = Engine.sh(inspect);
    } catch (IllegalStateException notLocal) {
      Engine.sh("docker pull -q " + PUSHED);
      out = Engine.sh(inspect);
    }
    String prefix = "127.0.0.1:" + Engine.REGISTRY_PORT + "/dockup-test/busybox@";
    for (Object d : new JsonArray(out.trim())) {
      if (d instanceof String s && s.startsWith(prefix)) return s.substring(prefix.length());
    }
    throw new AssertionError("no RepoDigest for " + prefix + " in " + out);
  }

  // ---- (b) Docker Hub's rate-limit protocol on loopback

  void hub(HttpServerRequest req) {
    String auth = req.getHeader("Authorization");
    hubCalls.add(req.method() + " " + req.path() + " " + (auth == null ? "-" : auth));
    if (req.path().equals("/token")) {
      boolean ok = "registry.docker.io".equals(req.getParam("service"))
          && "repository:ratelimitpreview/test:pull".equals(req.getParam("scope"));
      req.response().setStatusCode(ok ? 200 : 400).putHeader("Content-Type", "application/json")
          .end(ok ? new JsonObject().put("token", "t1").put("expires_in", 300).encode() : "{}");
      return;
    }
    if (!req.path().equals("/v2/ratelimitpreview/test/manifests/latest") || req.method() != HttpMethod.HEAD) {
      req.response().setStatusCode(404).end();
      return;
    }
    if (!"Bearer t1".equals(auth)) {
      req.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer realm=\"http://127.0.0.1:" + hubPort
          + "/token\",service=\"registry.docker.io\",scope=\"repository:ratelimitpreview/test:pull\"").end();
      return;
    }
    var res = req.response().putHeader("Docker-Content-Digest", "sha256:" + "ab".repeat(32));
    if (limited) {
      res.putHeader("ratelimit-limit", "100;w=21600")
          .putHeader("ratelimit-remaining", "76;w=21600")
          .putHeader("docker-ratelimit-source", "203.0.113.9");
    }
    res.end();
  }

  String hubUrl() {
    return "http://127.0.0.1:" + hubPort;
  }

  @Test
  void rateLimitFromTheHeaders() throws Exception {
    RateLimit r = await(client.rateLimit(hubUrl(), hubUrl()));
    assertEquals(100, r.limit());
    assertEquals(76, r.remaining());
    assertEquals(76.0, r.percentage());
    assertEquals(21600, r.windowSeconds());
    assertEquals("203.0.113.9", r.source());
    assertFalse(r.unlimited());
    assertTrue(hubCalls.contains("HEAD /v2/ratelimitpreview/test/manifests/latest Bearer t1"), hubCalls.toString());
    assertEquals(new JsonObject("{\"limit\":100,\"remaining\":76,\"percentage\":76.0,\"window_seconds\":21600,"
        + "\"source\":\"203.0.113.9\",\"unlimited\":false}"), r.toJson());
  }

  @Test
  void aFailingAuthUrlIsReported() throws Exception {
    // A fresh client, so no token is cached: a wrong hub_auth_url shows, rather than being papered over.
    RegistryClient fresh = new RegistryClient(vertx, RegistryClient.Options.defaults().withConfigFile(null));
    try {
      RegistryException e = failure(fresh.rateLimit(hubUrl(), hubUrl() + "/elsewhere"));
      assertEquals(404, e.status());
      assertTrue(e.getMessage().contains("token"), e.getMessage());
    } finally {
      fresh.close();
    }
  }

  @Test
  void noHeadersMeansUnlimited() throws Exception {
    limited = false;
    RateLimit r = await(client.rateLimit(hubUrl(), hubUrl()));
    assertTrue(r.unlimited());
    assertNull(r.limit());
    assertNull(r.remaining());
    assertNull(r.percentage());
  }

  @Test
  void aClosedPortFails() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String url = "http://127.0.0.1:" + closed;
    RegistryException e = failure(client.rateLimit(url, url));
    assertEquals(0, e.status());
    assertFalse(e.getMessage().isBlank());
  }

  static RegistryException failure(Future<?> f) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    return assertInstanceOf(RegistryException.class, e.getCause());
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) throw cause;
      throw e;
    }
  }
}
