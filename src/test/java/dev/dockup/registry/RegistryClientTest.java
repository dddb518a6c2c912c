package dev.dockup.registry;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry protocol against a fake registry on loopback: token challenge with a login,
 * Basic, the token cache, the GET fallback, and errors that never show a secret.
 */
class RegistryClientTest {
  static final String REGISTRY = "registry.test";
  static final String USER = "robot";
  static final String PASSWORD = "pa55-w0rd-secret";
  static final String MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}";

  @TempDir Path tmp;
  Vertx vertx;
  HttpServer server;
  int port;
  RegistryClient client;

  /** How the fake registry guards its manifests: "bearer", "basic" or "open". */
  volatile String mode = "bearer";
  volatile boolean digestOnHead = true;
  volatile boolean tokenServiceFails;
  volatile boolean rejectAllTokens;
  volatile int tokenTtl = 300;
  final Set<String> validTokens = ConcurrentHashMap.newKeySet();
  final AtomicInteger tokensIssued = new AtomicInteger();
  final List<HttpServerRequest> tokenRequests = new CopyOnWriteArrayList<>();
  final List<String> manifestCalls = new CopyOnWriteArrayList<>();
  final List<String> accepts = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = vertx.createHttpServer().requestHandler(this::handle);
    port = await(server.listen(0, "127.0.0.1")).actualPort();
    Files.writeString(tmp.resolve("config.json"), new JsonObject().put("auths", new JsonObject()
        .put(REGISTRY, new JsonObject().put("auth", b64(USER + ":" + PASSWORD)))).encode());
    client = client(tmp.resolve("config.json"));
  }

  RegistryClient client(Path configFile) {
    return new RegistryClient(vertx, RegistryClient.Options.defaults()
        .withConfigFile(configFile)
        .withEndpoint(REGISTRY, "http://127.0.0.1:" + port + "/"));
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    await(vertx.close());
  }

  void handle(HttpServerRequest req) {
    if (req.path().equals("/token")) {
      token(req);
    } else if (req.path().equals("/slow/v2/team/app/manifests/1")) {
      // never answers
    } else if (req.path().startsWith("/v2/")) {
      manifest(req);
    } else {
      req.response().setStatusCode(404).end();
    }
  }

  void token(HttpServerRequest req) {
    tokenRequests.add(req);
    if (tokenServiceFails) {
      req.response().setStatusCode(500).end("internal error");
      return;
    }
    String expected = "Basic " + b64(USER + ":" + PASSWORD);
    if (req.getHeader("Authorization") != null && !expected.equals(req.getHeader("Authorization"))) {
      req.response().setStatusCode(401).end();
      return;
    }
    String token = "tok-" + tokensIssued.incrementAndGet();
    validTokens.add(token);
    req.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("token", token).put("expires_in", tokenTtl).encode());
  }

  void manifest(HttpServerRequest req) {
    String auth = req.getHeader("Authorization");
    manifestCalls.add(req.method() + " " + req.path() + " " + (auth == null ? "-" : auth));
    accepts.add(String.valueOf(req.getHeader("Accept")));
    String[] parts = req.path().substring("/v2/".length()).split("/manifests/");
    String repo = parts[0];
    boolean allowed = switch (mode) {
      case "bearer" -> !rejectAllTokens && auth != null && auth.startsWith("Bearer ") && validTokens.contains(auth.substring(7));
      case "basic" -> ("Basic " + b64(USER + ":" + PASSWORD)).equals(auth);
      default -> true;
    };
    if (!allowed) {
      String challenge = mode.equals("basic") ? "Basic realm=\"fake\""
          : "Bearer realm=\"http://127.0.0.1:" + port + "/token\",service=\"fake\",scope=\"repository:" + repo + ":pull\"";
      req.response().setStatusCode(401).putHeader("WWW-Authenticate", challenge).end();
      return;
    }
    if (!repo.equals("team/app") || !(parts[1].equals("1") || parts[1].equals(digestOf(MANIFEST)))) {
      req.response().setStatusCode(404).end("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}");
      return;
    }
    var res = req.response().putHeader("Content-Type", "application/vnd.oci.image.manifest.v1+json");
    if (digestOnHead) res.putHeader("Docker-Content-Digest", digestOf(MANIFEST));
    if (req.method() == HttpMethod.HEAD) {
      res.putHeader("Content-Length", String.valueOf(MANIFEST.length())).end();
    } else {
      res.end(MANIFEST);
    }
  }

  @Test
  void bearerChallengeWithTheConfigLoginThenTheCachedToken() throws Exception {
    ImageRef ref = ImageRef.parse(REGISTRY + "/team/app:1");
    assertEquals(digestOf(MANIFEST), await(client.digest(ref)));
    assertEquals(digestOf(MANIFEST), await(client.digest(ref)));

    assertEquals(1, tokenRequests.size(), "the token is cached for its lifetime");
    HttpServerRequest t = tokenRequests.get(0);
    assertEquals("Basic " + b64(USER + ":" + PASSWORD), t.getHeader("Authorization"));
    assertEquals("fake", t.getParam("service"));
    assertEquals("repository:team/app:pull", t.getParam("scope"));
    assertEquals(List.of(
        "HEAD /v2/team/app/manifests/1 -",
        "HEAD /v2/team/app/manifests/1 Bearer tok-1",
        "HEAD /v2/team/app/manifests/1 Bearer tok-1"), manifestCalls);
    for (String accept : accepts) {
      for (String type : List.of("application/vnd.oci.image.index.v1+json",
          "application/vnd.docker.distribution.manifest.list.v2+json",
          "application/vnd.oci.image.manifest.v1+json",
          "application/vnd.docker.distribution.manifest.v2+json")) {
        assertTrue(accept.contains(type), accept + " lacks " + type);
      }
    }
  }

  @Test
  void concurrentChecksShareOneToken() throws Exception {
    ImageRef ref = ImageRef.parse(REGISTRY + "/team/app:1");
    List<Future<String>> all = new ArrayList<>();
    for (int i = 0; i < 25; i++) all.add(client.digest(ref));
    await(Future.all(all));
    for (Future<String> f : all) assertEquals(digestOf(MANIFEST), f.result());
    assertEquals(1, tokenRequests.size());
  }

  @Test
  void aRefusedTokenIsReplaced() throws Exception {
    ImageRef ref = ImageRef.parse(REGISTRY + "/team/app:1");
    await(client.digest(ref));
    validTokens.clear(); // the registry no longer accepts tok-1, although it has not expired
    assertEquals(digestOf(MANIFEST), await(client.digest(ref)));
    assertEquals(2, tokenRequests.size());
    assertEquals("HEAD /v2/team/app/manifests/1 Bearer tok-2", manifestCalls.get(manifestCalls.size() - 1));
  }

  @Test
  void anExpiredTokenIsNotSent() throws Exception {
    tokenTtl = 1; // shorter than the safety margin: used once, never cached
    ImageRef ref = ImageRef.parse(REGISTRY + "/team/app:1");
    await(client.digest(ref));
    Thread.sleep(1100);
    await(client.digest(ref));
    assertEquals(2, tokenRequests.size());
    assertEquals("HEAD /v2/team/app/manifests/1 -", manifestCalls.get(2), "no stale token was sent");
  }

  @Test
  void anonymousTokenWithoutALogin() throws Exception {
    client.close();
    client = client(tmp.resolve("missing.json"));
    assertEquals(digestOf(MANIFEST), await(client.digest(ImageRef.parse(REGISTRY + "/team/app:1"))));
    assertNull(tokenRequests.get(0).getHeader("Authorization"));
  }

  @Test
  void basicChallenge() throws Exception {
    mode = "basic";
    assertEquals(digestOf(MANIFEST), await(client.digest(ImageRef.parse(REGISTRY + "/team/app:1"))));
    assertEquals(0, tokenRequests.size());
    assertEquals(2, manifestCalls.size());
    await(client.digest(ImageRef.parse(REGISTRY + "/team/app:1")));
    assertEquals(3, manifestCalls.size(), "the Basic login is sent at once the next time");
  }

  @Test
  void basicChallengeWithoutALoginIsRefused() throws Exception {
    mode = "basic";
    client.close();
    client = client(null);
    RegistryException e = failure(client.digest(ImageRef.parse(REGISTRY + "/team/app:1")));
    assertEquals(401, e.status());
  }

  @Test
  void digestFromTheBodyWhenHeadGivesNone() throws Exception {
    mode = "open";
    digestOnHead = false;
    assertEquals(digestOf(MANIFEST), await(client.digest(ImageRef.parse(REGISTRY + "/team/app:1"))));
    assertEquals(List.of("HEAD /v2/team/app/manifests/1 -", "GET /v2/team/app/manifests/1 -"), manifestCalls);
  }

  @Test
  void pinnedWithoutTagAsksForTheDigest() throws Exception {
    mode = "open";
    String d = digestOf(MANIFEST);
    assertEquals(d, await(client.digest(ImageRef.parse(REGISTRY + "/team/app@" + d))));
    assertEquals("HEAD /v2/team/app/manifests/" + d + " -", manifestCalls.get(0));
  }

  @Test
  void unknownTagIs404() throws Exception {
    RegistryException e = failure(client.digest(ImageRef.parse(REGISTRY + "/team/app:nope")));
    assertEquals(404, e.status());
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
  }

  @Test
  void errorsNeverShowTheLoginOrTheToken() throws Exception {
    tokenServiceFails = true;
    RegistryException e = failure(client.digest(ImageRef.parse(REGISTRY + "/team/app:1")));
    assertEquals(500, e.status());
    assertSecretFree(e.getMessage());

    tokenServiceFails = false;
    rejectAllTokens = true; // tokens are issued but never accepted: the second 401 is reported
    RegistryException denied = failure(client.digest(ImageRef.parse(REGISTRY + "/team/app:1")));
    assertEquals(401, denied.status());
    assertSecretFree(denied.getMessage());
  }

  void assertSecretFree(String message) {
    assertFalse(message.contains(PASSWORD), message);
    assertFalse(message.contains(b64(USER + ":" + PASSWORD)), message);
    assertFalse(message.contains("tok-"), message);
  }

  @Test
  void aClosedPortFails() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    client.close();
    client = new RegistryClient(vertx, RegistryClient.Options.defaults().withConfigFile(null)
        .withEndpoint(REGISTRY, "http://127.0.0.1:" + closed));
    RegistryException e = failure(client.digest(ImageRef.parse(REGISTRY + "/team/app:1")));
    assertEquals(0, e.status());
  }

  @Test
  void aSilentRegistryTimesOut() throws Exception {
    client.close();
    client = new RegistryClient(vertx, RegistryClient.Options.defaults().withConfigFile(null)
        .withEndpoint(REGISTRY, "http://127.0.0.1:" + port + "/slow").withTimeouts(1000, 300));
    long start = System.nanoTime();
    RegistryException e = failure(client.digest(ImageRef.parse(REGISTRY + "/team/app:1")));
    assertEquals(0, e.status());
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
  }

  @Test
  void schemeByRegistry() {
    RegistryClient c = new RegistryClient(vertx, RegistryClient.Options.defaults().withConfigFile(null)
        .withEndpoint("Mirror.Example", "http://mirror.example:8080/"));
    assertEquals("https://registry-1.docker.io", c.baseUrl("docker.io"));
    assertEquals("https://ghcr.io", c.baseUrl("ghcr.io"));
    assertEquals("https://registry.example.com:5000", c.baseUrl("registry.example.com:5000"));
    assertEquals("http://127.0.0.1:5555", c.baseUrl("127.0.0.1:5555"));
    assertEquals("http://127.1.2.3", c.baseUrl("127.1.2.3"));
    assertEquals("http://localhost:5000", c.baseUrl("localhost:5000"));
    assertEquals("http://[::1]:5000", c.baseUrl("[::1]:5000"));
    assertEquals("http://mirror.example:8080", c.baseUrl("mirror.example"), "an explicit http:// override");
    assertEquals("https://127.example.com", c.baseUrl("127.example.com"));
    c.close();
  }

  @Test
  void loginsGoOnlyWhereItIsSafe() {
    assertTrue(RegistryClient.safeForCredentials("https://auth.example/token", "https://registry.example"));
    assertTrue(RegistryClient.safeForCredentials("http://127.0.0.1:9/token", "https://registry.example"));
    assertTrue(RegistryClient.safeForCredentials("http://mirror.lan:5000/token", "http://mirror.lan:5000"));
    assertFalse(RegistryClient.safeForCredentials("http://evil.example/token", "http://mirror.lan:5000"));
    assertFalse(RegistryClient.safeForCredentials("http://evil.example/token", "https://registry.example"));
    assertFalse(RegistryClient.safeForCredentials("not a uri", "https://registry.example"));
  }

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static String digestOf(String body) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static RegistryException failure(Future<?> f) throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    return assertInstanceOf(RegistryException.class, e.getCause());
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) throw cause;
      throw e;
    }
  }
}
