package dev.dockup.it;

import dev.dockup.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fleet as it is deployed: two DockUp nodes, each the jar in its own JVM with its own Docker
 * engine, clustered on loopback. A runs and watches a stack on B; a third cluster member without
 * the secret (this JVM) can neither run anything on B nor pass off a forged answer or a captured
 * request; B crashing is noticed and B restarting brings its fresh state back; and one login and
 * one token serve the whole fleet.
 *
 * <p>The checks run in order, each after the state the previous ones left, and every failure is
 * reported, not only the first.
 */
class FleetProcessesIT {
  static final String PASSWORD = "test-password-1";
  static final String SECRET = "fleet-processes-secret-" + UUID.randomUUID();
  static final String PROJECT_LABEL = "com.docker.compose.project";

  @TempDir
  Path tmp;

  String a;
  String b;
  String stack;
  String sharedHost;
  OwnDockerd engineB;
  NodeProcess nodeA;
  NodeProcess nodeB;
  Http apiA;
  Vertx intruder;
  Intruder intruderMember;

  @Test
  void twoNodesInTheirOwnProcessesWithTheirOwnEngines() throws Throwable {
    String cluster = "fp-" + UUID.randomUUID().toString().substring(0, 8);
    a = "a-" + cluster;
    b = "b-" + cluster;
    stack = Stacks.uniqueName("fleetproc");
    try (Engine shared = Engine.shared()) {
      sharedHost = shared.host;
    }
    int[] ports = freePorts(4);
    String members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1];
    try {
      engineB = new OwnDockerd(tmp.resolve("engine-b")).start();
      engineB.loadImage(Engine.IMAGE);
      Map<String, String> envA = nodeEnv(cluster, a, ports[0], ports[2], members, tmp.resolve("node-a"), sharedHost);
      envA.put("DOCKUP_PASSWORD", PASSWORD);
      // No password for B: a node joining a cluster that has one needs no setup.
      Map<String, String> envB = nodeEnv(cluster, b, ports[1], ports[3], members, tmp.resolve("node-b"), engineB.host);
      nodeA = new NodeProcess(a, tmp.resolve("node-a"), envA).start();
      nodeB = new NodeProcess(b, tmp.resolve("node-b"), envB).start();
      nodeA.awaitListening();
      nodeB.awaitListening();
      Http anonA = nodeA.http();
      Http.Resp jwt = anonA.post("/api/auth/token", new JsonObject().put("password", PASSWORD));
      assertEquals(200, jwt.status(), jwt.toString());
      apiA = anonA.with("Authorization", "Bearer " + jwt.json().getString("token"));
      await(apiA, "/api/nodes", v -> reachable(v, b), deadlineIn(Duration.ofSeconds(30)));
      intruderMember = Intruder.join(cluster, members);
      intruder = intruderMember.vertx;

      assertAll("a fleet of two processes",
          this::aRunsAStackOnBAndSeesItsOutput,
          this::aShowsBsStackInTheFleet,
          this::aMemberWithoutTheSecretCannotRunAnything,
          this::aMemberWithoutTheSecretCannotCatchARequestNorReplayOne,
          this::aCrashOfBIsNoticedWithin10Seconds,
          this::bRestartedComesBackWithItsFreshState,
          this::oneLoginAndOneTokenServeTheWholeFleet,
          this::aMemberWithoutTheSecretReadsNoPasswordOrTokenHash,
          this::aMemberWithoutTheSecretCannotForgeAnAuthStoreEntry);
    } catch (Throwable t) {
      for (NodeProcess n : Arrays.asList(nodeA, nodeB)) {
        if (n != null) t.addSuppressed(new AssertionError("last lines of " + n.log() + ":\n" + n.tail(40)));
      }
      throw t;
    } finally {
      cleanUp();
    }
  }

  /** Steps 2 and 3: written and run by A, kept and run by B; B's operation output reaches A's feed. */
  void aRunsAStackOnBAndSeesItsOutput() throws Exception {
    try (Ws feedOnA = Ws.connect(apiA, "/ws", "Authorization", apiA.header("Authorization"))) {
      Http.Resp written = apiA.post("/api/nodes/" + b + "/stack/" + stack + "/compose", Stacks.content(Stacks.twoServices("on-b")));
      assertEquals(201, written.status(), written.toString());
      assertTrue(Files.exists(tmp.resolve("node-b/stacks").resolve(stack).resolve("compose.yaml")), "the file is in B's STACKS_DIR");
      assertFalse(Files.exists(tmp.resolve("node-a/stacks").resolve(stack)), "and not in A's");

      Http.Resp up = apiA.post("/api/nodes/" + b + "/stack/" + stack + "/operation", new JsonObject().put("operation", "up"));
      assertEquals(200, up.status(), up.toString());
      assertEquals(2, running(engineB.host).size(), "B's engine runs the stack");
      assertEquals(List.of(), running(sharedHost), "A's engine has none of it");

      String operation = up.json().getString("operation_id");
      JsonObject line = feedOnA.next(m -> "operation_output".equals(m.getString("type")) && operation.equals(m.getString("operation_id")),
          Duration.ofSeconds(10));
      assertEquals(b, line.getString("node"));
      assertEquals(stack, line.getString("stack"));
    }
  }

  /** Step 4: A's fleet view lists B's stack as B runs it. */
  void aShowsBsStackInTheFleet() throws Exception {
    JsonObject fleet = await(apiA, "/api/fleet", v -> "running".equals(stackOf(v, b).getString("status")), deadlineIn(Duration.ofSeconds(10)));
    JsonObject item = stackOf(fleet, b);
    assertEquals(b, item.getString("node"));
    assertEquals(2, item.getInteger("running"));
  }

  /** Step 6a: the gateway refuses what is not signed with the secret, before anything runs. */
  void aMemberWithoutTheSecretCannotRunAnything() throws Exception {
    List<String> before = running(engineB.host);
    String down = new JsonObject().put("name", stack).put("operation", "down").encode();
    Message<String> unsigned = toB(down, new DeliveryOptions().addHeader("target", "stacks").addHeader("action", "operation"));
    assertEquals("403", unsigned.headers().get("status"), unsigned.body());
    assertTrue(unsigned.body().contains("unsigned"), unsigned.body());

    Message<String> madeUp = toB(down, madeUpSignature(a, b, "stacks", "operation"));
    assertEquals("403", madeUp.headers().get("status"), madeUp.body());
    assertTrue(madeUp.body().contains("bad signature"), madeUp.body());

    assertEquals(before, running(engineB.host), "B's containers were left alone");
  }

  /**
   * Step 6b. Listening on B's gateway address too, the intruder would be handed some of A's
   * genuine signed requests by the event bus, and could answer them or hold them back and pass
   * them on later. A sends B nothing while another member listens there (503), so the intruder
   * catches nothing; and a request signed for B that B has already seen is refused as replayed.
   */
  void aMemberWithoutTheSecretCannotCatchARequestNorReplayOne() throws Exception {
    List<Message<String>> caught = new CopyOnWriteArrayList<>();
    MessageConsumer<String> trap = intruder.eventBus().consumer(Bus.remote(b), m -> {
      caught.add(m);
      m.reply(new JsonObject().put("name", "forged").encode(), madeUpSignature(b, a, "reply", "200").addHeader("status", "200"));
    });
    get(trap.completion());
    try {
      int refused = 0;
      for (int i = 0; i < 20; i++) {
        Http.Resp r = apiA.get("/api/nodes/" + b + "/stack/" + stack);
        assertFalse(r.text().contains("forged"), r.text());
        if (r.status() == 503) refused++;
        else assertEquals(200, r.status(), "before the intruder's listener is known, B answers: " + r);
        pause();
      }
      assertTrue(refused > 0, "A kept sending to B while another member listened on its address");
      assertEquals(List.of(), caught, "the intruder was handed a request meant for B");
    } finally {
      get(trap.unregister());
    }
    await(apiA, "/api/nodes/" + b + "/stack/" + stack, v -> stack.equals(v.getString("name")), deadlineIn(Duration.ofSeconds(10)));

    // A request A signed for B, delivered to B a second time (here by A's own key, as a
    // member that caught it on the wire would): refused.
    dev.dockup.fleet.Signer genuine = new dev.dockup.fleet.Signer(SECRET);
    String getBody = new JsonObject().put("name", stack).encode();
    DeliveryOptions signed = genuine.sign(a, b, "stacks", "get", getBody, 10_000);
    assertEquals("200", toB(getBody, new DeliveryOptions(signed)).headers().get("status"));
    Message<String> replayed = toB(getBody, new DeliveryOptions(signed));
    assertEquals("403", replayed.headers().get("status"), replayed.body());
    assertTrue(replayed.body().contains("replayed"), replayed.body());
  }

  /** Step 7: a crash, not a goodbye; B's stacks stay in the view with their last state. */
  void aCrashOfBIsNoticedWithin10Seconds() throws Exception {
    long deadline = deadlineIn(Duration.ofSeconds(10));
    nodeB.kill();
    JsonObject nodes = await(apiA, "/api/nodes", v -> node(v, b) != null && !node(v, b).getBoolean("reachable"), deadline);
    assertFalse(node(nodes, b).getBoolean("reachable"));

    JsonObject fleet = apiA.get("/api/fleet").json();
    assertFalse(node(fleet, b).getBoolean("reachable"));
    assertEquals("running", stackOf(fleet, b).getString("status"), "B's stack is kept with its last known state");

    Http.Resp direct = apiA.get("/api/nodes/" + b + "/stack/" + stack);
    assertEquals(503, direct.status(), direct.toString());
    assertEquals("Node unreachable", direct.json().getString("error"));
  }

  /** Step 8: what changed on B's engine while B was down shows once B is back. */
  void bRestartedComesBackWithItsFreshState() throws Exception {
    Engine.sh("docker -H " + engineB.host + " stop -t 1 $(docker -H " + engineB.host + " ps -q --filter label=" + PROJECT_LABEL + "=" + stack + ")");
    nodeB.start().awaitListening();

    JsonObject fleet = await(apiA, "/api/fleet", v -> reachable(v, b) && "stopped".equals(stackOf(v, b).getString("status")),
        deadlineIn(Duration.ofSeconds(20)));
    JsonObject item = stackOf(fleet, b);
    assertEquals(0, item.getInteger("running"));
    assertEquals(2, item.getInteger("containers"));
    assertEquals("stopped", item.getString("health_status"));
    Http.Resp direct = apiA.get("/api/nodes/" + b + "/stack/" + stack);
    assertEquals(200, direct.status(), direct.toString());
    assertEquals("stopped", direct.json().getString("status"));
  }

  /** Step 5. B was started without a password: it took the fleet's auth store on joining. */
  void oneLoginAndOneTokenServeTheWholeFleet() {
    Http anonA = nodeA.http();
    Http anonB = nodeB.http();
    Http.Resp login = anonA.post("/api/auth/login", new JsonObject().put("password", PASSWORD));
    assertEquals(200, login.status(), login.toString());
    String setCookie = login.headers().firstValue("set-cookie").orElseThrow();
    String cookie = setCookie.substring(0, setCookie.indexOf(';'));
    Http.Resp created = anonA.with("Cookie", cookie).post("/api/tokens", new JsonObject().put("name", "fleet-it").put("scope", "admin"));
    assertEquals(201, created.status(), created.toString());
    String token = created.json().getString("token");
    String tokenId = created.json().getString("id");

    assertAll("A's credentials on B",
        () -> {
          Http.Resp setup = anonB.post("/api/auth/setup", new JsonObject().put("password", "another-password").put("setup_code", "none"));
          assertEquals(409, setup.status(), "B needs no setup: " + setup);
        },
        () -> {
          Http.Resp loginB = anonB.post("/api/auth/login", new JsonObject().put("password", PASSWORD));
          assertEquals(200, loginB.status(), "A's password logs in on B: " + loginB);
        },
        () -> {
          Http.Resp r = anonB.with("Cookie", cookie).get("/api/stacks");
          assertEquals(200, r.status(), "A's session on B: " + r);
        },
        () -> {
          Http.Resp r = anonB.with("X-API-Token", token).get("/api/stacks");
          assertEquals(200, r.status(), "A's token on B: " + r);
        },
        () -> {
          Http.Resp revoked = anonB.with("Cookie", cookie).delete("/api/tokens/" + tokenId);
          assertEquals(200, revoked.status(), "revoking A's token on B: " + revoked);
          // The revocation answers once every node has taken it.
          Http.Resp onA = anonA.with("X-API-Token", token).get("/api/stacks");
          assertEquals(401, onA.status(), "a token revoked on B is refused on A: " + onA);
        });
  }

  /**
   * Step 6c. After the logins and tokens of step 5, the intruder reads every map of the cluster:
   * the auth store is there, encrypted, with no bcrypt hash and no token hash in sight.
   */
  void aMemberWithoutTheSecretReadsNoPasswordOrTokenHash() throws Exception {
    Http.Resp created = apiA.post("/api/tokens", new JsonObject().put("name", "seen-" + UUID.randomUUID()).put("scope", "read"));
    assertEquals(201, created.status(), created.toString());
    String hash = dev.dockup.auth.Secrets.sha256Hex(created.json().getString("token"));
    String readable = intruderMember.everythingInMaps();
    assertTrue(readable.contains(Bus.AUTH_MAP + " " + Bus.AUTH_KEY + " = {\"box\""), "the store is in the map, encrypted:\n" + readable);
    assertFalse(readable.contains("$2"), "a bcrypt hash in what the intruder reads:\n" + readable);
    assertFalse(readable.contains(hash), "a token hash in what the intruder reads");
  }

  /**
   * Step 6d. The intruder puts a store of its own, with its own password, in the cluster's auth
   * map and pushes it to every node, sealed with a key of its own and not sealed at all: no node
   * takes it, and the fleet's password keeps working.
   */
  void aMemberWithoutTheSecretCannotForgeAnAuthStoreEntry() throws Exception {
    String intruderPassword = "intruder-password-1";
    JsonObject store = new JsonObject().put("password_hash", dev.dockup.auth.Passwords.hash(intruderPassword))
        .put("epoch", 1_000).put("revision", 1_000_000).put("tokens", new JsonObject()).put("revoked", new JsonObject());
    JsonObject sealedWrongly = dev.dockup.fleet.Sealed.seal(new dev.dockup.fleet.Signer("intruder-secret-" + UUID.randomUUID()), "auth-store", store);
    get(intruder.sharedData().<String, String>getAsyncMap(Bus.AUTH_MAP).compose(m -> m.put(Bus.AUTH_KEY, sealedWrongly.encode())));
    intruder.eventBus().publish(Bus.AUTH_SYNC, sealedWrongly);
    intruder.eventBus().publish(Bus.AUTH_SYNC, new JsonObject().put("text", store.encode()));
    Thread.sleep(1_000);
    for (NodeProcess n : List.of(nodeA, nodeB)) {
      assertEquals(401, n.http().post("/api/auth/login", new JsonObject().put("password", intruderPassword)).status(),
          "the intruder's password on " + n.log());
      assertEquals(200, n.http().post("/api/auth/login", new JsonObject().put("password", PASSWORD)).status(),
          "the fleet's password on " + n.log());
    }
  }

  void cleanUp() throws Exception {
    List<Exception> problems = new ArrayList<>();
    if (intruder != null) attempt(problems, () -> intruder.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    for (NodeProcess n : Arrays.asList(nodeA, nodeB)) {
      if (n != null) attempt(problems, n::kill);
    }
    if (engineB != null) {
      attempt(problems, () -> {
        try (Engine e = new Engine(engineB.host)) {
          e.removeProjects(stack);
        }
      });
      attempt(problems, engineB::stop);
    }
    attempt(problems, () -> {
      try (Engine e = Engine.shared()) {
        e.removeProjects(stack);
      }
    });
    if (!problems.isEmpty()) throw problems.get(0);
  }

  interface Step {
    void run() throws Exception;
  }

  static void attempt(List<Exception> problems, Step step) {
    try {
      step.run();
    } catch (Exception e) {
      problems.add(e);
    }
  }

  /**
   * The intruder's request to B's gateway. Registrations travel through the cluster
   * asynchronously, and just after the intruder joins or drops its own consumer its event bus
   * may briefly know of no handler there: such a request reached nobody, so it is sent again.
   */
  Message<String> toB(String body, DeliveryOptions options) throws Exception {
    long deadline = deadlineIn(Duration.ofSeconds(5));
    while (true) {
      try {
        return get(intruder.eventBus().<String>request(Bus.remote(b), body, options.setSendTimeout(10_000)));
      } catch (ExecutionException e) {
        boolean nobody = e.getCause() instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS;
        if (!nobody || System.nanoTime() > deadline) throw e;
        pause();
      }
    }
  }

  /** Every header a signed message has, with a signature that is not an HMAC of anything. */
  static DeliveryOptions madeUpSignature(String from, String to, String target, String action) {
    return new DeliveryOptions().addHeader("from", from).addHeader("to", to).addHeader("target", target).addHeader("action", action)
        .addHeader("ts", Long.toString(System.currentTimeMillis())).addHeader("nonce", UUID.randomUUID().toString())
        .addHeader("sig", "bWFkZS11cC1zaWduYXR1cmUtbWFkZS11cC1zaWduYXR1cmU");
  }

  Map<String, String> nodeEnv(String cluster, String name, int hzPort, int busPort, String members, Path root, String dockerHost) {
    Map<String, String> env = new HashMap<>();
    env.put("DOCKUP_CLUSTER", "true");
    env.put("DOCKUP_CLUSTER_NAME", cluster);
    env.put("DOCKUP_CLUSTER_HOST", "127.0.0.1");
    env.put("DOCKUP_CLUSTER_PORT", Integer.toString(hzPort));
    env.put("DOCKUP_EVENTBUS_PORT", Integer.toString(busPort));
    env.put("DOCKUP_CLUSTER_MEMBERS", members);
    env.put("DOCKUP_CLUSTER_SECRET", SECRET);
    env.put("DOCKUP_NODE_NAME", name);
    env.put("PORT", "0");
    env.put("HOST", "127.0.0.1");
    env.put("STACKS_DIR", root.resolve("stacks").toString());
    env.put("DATA_DIR", root.resolve("data").toString());
    env.put("DOCKER_HOST", dockerHost);
    return env;
  }

  /** The ids of the stack's running containers on an engine, as the docker CLI lists them. */
  List<String> running(String host) {
    String out = Engine.sh("docker -H " + host + " ps -q --no-trunc --filter label=" + PROJECT_LABEL + "=" + stack).trim();
    return out.isEmpty() ? List.of() : Arrays.stream(out.split("\\s+")).sorted().toList();
  }

  static JsonObject node(JsonObject view, String name) {
    return view.getJsonArray("nodes").stream().map(JsonObject.class::cast)
        .filter(n -> name.equals(n.getString("name"))).findFirst().orElse(null);
  }

  static boolean reachable(JsonObject view, String name) {
    JsonObject n = node(view, name);
    return n != null && n.getBoolean("reachable", false);
  }

  /** The test's stack in a node's entry of {@code /api/fleet}, or an empty object. */
  JsonObject stackOf(JsonObject fleet, String name) {
    JsonObject n = node(fleet, name);
    JsonArray stacks = n == null ? new JsonArray() : n.getJsonArray("stacks", new JsonArray());
    return stacks.stream().map(JsonObject.class::cast).filter(s -> stack.equals(s.getString("name"))).findFirst().orElse(new JsonObject());
  }

  static long deadlineIn(Duration d) {
    return System.nanoTime() + d.toNanos();
  }

  static boolean pause() throws InterruptedException {
    Thread.sleep(100);
    return true;
  }

  /** Polls {@code path} until its answer matches; fails at the deadline with the last answer. */
  static JsonObject await(Http http, String path, Predicate<JsonObject> until, long deadline) throws InterruptedException {
    Http.Resp last;
    do {
      last = http.get(path);
      if (last.status() == 200 && until.test(last.json())) return last.json();
    } while (System.nanoTime() < deadline && pause());
    throw new AssertionError("condition not met in time on " + path + "; last answer: " + last);
  }

  static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** Distinct free ports: all held open at once, so none is handed out twice. */
  static int[] freePorts(int n) throws Exception {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) sockets.add(new ServerSocket(0));
      return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    } finally {
      for (ServerSocket s : sockets) s.close();
    }
  }
}
