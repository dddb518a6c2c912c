package dev.dockup.it;

import com.github.dockerjava.api.model.Container;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scans as users run them: DockUp as its own process, with stand-in {@code trivy} and
 * {@code grype} first on the PATH its children get, scanning real containers of the real engine;
 * results kept across a restart; the update gate against the loopback registry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScanIT {
  static final int SCAN_TIMEOUT = 8;
  static final String REGISTRY = "127.0.0.1:" + Engine.REGISTRY_PORT;
  static final JsonObject ONE_OF_EACH = counts(1, 1, 1, 1, 1);

  Path tmp;
  Engine engine;
  ScanStandIns scanners;
  NodeProcess node;
  Map<String, String> env;
  Http http;
  String jwt;
  Vertx vertx;
  HttpServer receiver;
  final BlockingQueue<JsonObject> notifications = new LinkedBlockingQueue<>();
  final String prefix = Stacks.uniqueName("scan");
  final List<String> images = new ArrayList<>();
  final List<NodeProcess> others = new ArrayList<>();

  static JsonObject counts(int critical, int high, int medium, int low, int unknown) {
    return new JsonObject().put("CRITICAL", critical).put("HIGH", high).put("MEDIUM", medium).put("LOW", low).put("UNKNOWN", unknown);
  }

  @BeforeAll
  void start() throws Exception {
    tmp = java.nio.file.Files.createTempDirectory("dockup-scan-it-");
    engine = Engine.shared();
    vertx = Vertx.vertx();
    receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      notifications.add(b.toJsonObject());
      req.response().end();
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    scanners = new ScanStandIns(tmp.resolve("main"), "trivy");
    env = nodeEnv("main", scanners);
    env.put("SCAN_TIMEOUT", Integer.toString(SCAN_TIMEOUT));
    env.put("SCAN_CONCURRENCY", "1");
    env.put("UPDATE_GRACE", "2");
    node = new NodeProcess("scan", tmp.resolve("run"), env).start().awaitListening();
    signIn();
    Http.Resp settings = http.post("/api/config", new JsonObject().put("notification_enabled", true)
        .put("notification_urls", new JsonArray().add("generic+http://127.0.0.1:" + receiver.actualPort() + "/hook")));
    assertEquals(200, settings.status(), settings.toString());
  }

  Map<String, String> nodeEnv(String name, ScanStandIns standIns) {
    Map<String, String> e = new LinkedHashMap<>();
    e.put("PORT", "0");
    e.put("HOST", "127.0.0.1");
    e.put("STACKS_DIR", tmp.resolve(name + "-stacks").toString());
    e.put("DATA_DIR", tmp.resolve(name + "-data").toString());
    e.put("DOCKER_HOST", Engine.shared().host);
    e.put("DOCKUP_NODE_NAME", "scan-" + name + "-" + UUID.randomUUID().toString().substring(0, 6));
    e.put("DOCKUP_PASSWORD", TestNode.PASSWORD);
    e.put("PATH", standIns.path());
    return e;
  }

  void signIn() {
    jwt = node.http().post("/api/auth/token", new JsonObject().put("password", TestNode.PASSWORD)).json().getString("token");
    http = node.http().with("Authorization", "Bearer " + jwt);
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) node.close();
    for (NodeProcess other : others) other.close();
    engine.removeProjects(prefix);
    for (String image : images) {
      try {
        Engine.sh("docker rmi -f " + image + " >/dev/null 2>&1 || true");
      } catch (IllegalStateException ignored) {
        // already gone
      }
    }
    engine.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A fresh image (its own id); its tag. */
  String image() {
    String tag = UpdateIT.makeImage(null, null);
    images.add(tag);
    return tag;
  }

  String idOf(String image) {
    return engine.docker.inspectImageCmd(image).exec().getId();
  }

  /** A stack whose services all run {@code image}; brought up. */
  String stack(String label, String image, String... services) {
    String name = prefix + "-" + label;
    StringBuilder yaml = new StringBuilder("services:\n");
    for (String s : services) {
      yaml.append("  ").append(s).append(":\n    image: ").append(image)
          .append("\n    init: true\n    command: [\"sleep\", \"3600\"]\n");
    }
    assertEquals(201, http.post("/api/stack/" + name + "/compose", Stacks.content(yaml.toString())).status());
    Http.Resp up = http.operation(name, "up");
    assertEquals(200, up.status(), up.toString());
    return name;
  }

  Container container(String stack, String service) {
    return engine.containers(stack).stream().filter(c -> service.equals(c.getLabels().get("com.docker.compose.service")))
        .findFirst().orElseThrow();
  }

  static String name(Container c) {
    return c.getNames()[0].replaceFirst("^/", "");
  }

  JsonObject awaitStatus(String container, String status) throws InterruptedException {
    return TestNode.await(http, "/api/container/" + container + "/scan-status", s -> status.equals(s.getString("status")),
        Duration.ofSeconds(SCAN_TIMEOUT + 30));
  }

  long runsOf(String image) throws Exception {
    return scanners.runs().stream().filter(l -> l.contains(" " + image + " |")).count();
  }

  @Test
  @Order(1)
  void aContainerScanGoesFromScanningToCompletedWithOneRunForItsImage() throws Exception {
    String image = image();
    String id = idOf(image);
    scanners.report(id, "trivy-several-targets.json").slow(id, 2);
    String name = stack("one", image, "web", "worker");
    Container web = container(name, "web");
    Container worker = container(name, "worker");
    try (Ws feed = Ws.connect(http, "/ws", "Authorization", "Bearer " + jwt)) {
      Http.Resp first = http.post("/api/container/" + name(web) + "/scan", "");
      assertEquals(202, first.status(), first.toString());
      assertEquals(new JsonObject().put("status", "scanning").put("image", image).put("image_id", id).put("container", name(web)),
          first.json());
      Http.Resp second = http.post("/api/container/" + worker.getId().substring(0, 12) + "/scan", "");
      assertEquals(202, second.status(), second.toString());
      assertEquals("scanning", second.json().getString("status"), "the same image: the scan under way");
      assertEquals("scanning", http.get("/api/container/" + web.getId() + "/scan-status").json().getString("status"));

      JsonObject done = awaitStatus(name(worker), "completed");
      assertEquals(ONE_OF_EACH, done.getJsonObject("vulnerabilities"));
      assertEquals(5, done.getJsonArray("findings").size());
      assertEquals("CVE-2024-0001", done.getJsonArray("findings").getJsonObject(0).getString("id"), "worst first");
      assertEquals(new JsonObject().put("name", "trivy").put("version", "0.99.0").put("mode", "cli"), done.getJsonObject("scanner"));
      assertEquals(name(worker), done.getString("container"));
      assertEquals(id, done.getString("image_id"));
      assertNotNull(done.getString("scan_time"));
      assertEquals(1, runsOf(image), "one scanner run for both containers: " + scanners.runs());

      JsonObject started = feed.next(m -> "scan_started".equals(m.getString("type")) && name.equals(m.getString("stack")), Duration.ofSeconds(10));
      assertEquals(id, started.getString("image_id"));
      JsonObject complete = feed.next(m -> "scan_complete".equals(m.getString("type")) && name.equals(m.getString("stack")),
          Duration.ofSeconds(10));
      assertEquals("completed", complete.getString("status"));
      assertEquals(ONE_OF_EACH, complete.getJsonObject("vulnerabilities"));
      assertEquals(image, complete.getString("image"));
      assertTrue(List.of(name(web), name(worker)).contains(complete.getString("container")), complete.encode());
      JsonObject status = feed.next(m -> "stack_status".equals(m.getString("type")) && name.equals(m.getString("stack"))
          && m.getValue("vulnerabilities") != null, Duration.ofSeconds(10));
      assertEquals(ONE_OF_EACH, status.getJsonObject("vulnerabilities"), "the stack's status carries the counts");
    }
    String run = scanners.runs().stream().filter(l -> l.contains(" " + image + " |")).findFirst().orElseThrow();
    assertTrue(run.contains("image --format json --quiet --scanners vuln --list-all-pkgs=false --timeout " + SCAN_TIMEOUT + "s --cache-dir "
        + Path.of(env.get("DATA_DIR")).resolve("trivy-cache")), run);
    assertTrue(run.endsWith("token=none password=none"), "a clean environment: " + run);

    assertEquals(ONE_OF_EACH, Stacks.find(http.get("/api/stacks").json(), name).getJsonObject("vulnerabilities"));
    JsonObject summary = http.get("/api/stack/" + name + "/scan-summary").json();
    assertEquals("CRITICAL", summary.getString("worst"));
    assertEquals(ONE_OF_EACH, summary.getJsonObject("vulnerabilities"), "one image, counted once");
    assertEquals(1, summary.getInteger("scanned"));
    assertEquals(1, summary.getInteger("total"));
    assertNotNull(summary.getString("oldest_scan"));

    Http.Resp cached = http.post("/api/container/" + name(web) + "/scan", "");
    assertEquals(200, cached.status(), "a recent result is answered at once");
    assertEquals("completed", cached.json().getString("status"));
    assertEquals(1, runsOf(image));
    Http.Resp stackScan = http.post("/api/stack/" + name + "/scan", "");
    assertEquals(200, stackScan.status(), "every image has a recent result: " + stackScan);
    assertEquals(new JsonArray().add(new JsonObject().put("service", "web").put("image", image).put("image_id", id).put("status", "completed")),
        stackScan.json().getJsonArray("images"));
    assertEquals(404, http.post("/api/stack/" + prefix + "-none/scan", "").status());
    Http.Resp viaNode = http.post("/api/nodes/" + env.get("DOCKUP_NODE_NAME") + "/container/" + name(web) + "/scan?force=true", "");
    assertEquals(202, viaNode.status(), viaNode.toString());
    awaitStatus(name(web), "completed");
    assertEquals(2, runsOf(image), "force scans again");
    JsonObject byImage = http.get("/api/images/" + id.substring(7, 19) + "/scan").json();
    assertEquals(ONE_OF_EACH, byImage.getJsonObject("vulnerabilities"));
    assertEquals(404, http.get("/api/container/no-such-container/scan-status").status());
    assertEquals(400, http.get("/api/container/bad%20name/scan-status").status());
  }

  @Test
  @Order(2)
  void aFailingScannerLeavesTheScanFailedWithItsError() throws Exception {
    String image = image();
    scanners.fail(idOf(image), "2024-05-14T09:12:41Z\tFATAL\timage scan error: unable to inspect the image\n");
    String name = stack("fail", image, "app");
    assertEquals(202, http.post("/api/container/" + name(container(name, "app")) + "/scan", "").status());
    JsonObject failed = awaitStatus(name(container(name, "app")), "failed");
    assertEquals("trivy failed (exit code 1): 2024-05-14T09:12:41Z\tFATAL\timage scan error: unable to inspect the image",
        failed.getString("error"));
    assertEquals(null, failed.getValue("vulnerabilities"));
  }

  @Test
  @Order(3)
  void aHangingScannerIsKilledWithItsChildrenAtTheTimeout() throws Exception {
    String image = image();
    scanners.hang(idOf(image));
    String name = stack("hang", image, "app");
    assertEquals(202, http.post("/api/container/" + name(container(name, "app")) + "/scan", "").status());
    JsonObject failed = awaitStatus(name(container(name, "app")), "failed");
    assertEquals("Scan timed out after " + SCAN_TIMEOUT + " s", failed.getString("error"));
    List<Long> pids = scanners.hangPids();
    assertEquals(2, pids.size(), "the stand-in and its sleep");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (pids.stream().anyMatch(ScanIT::alive) && System.nanoTime() < deadline) Thread.sleep(50);
    for (long pid : pids) assertFalse(alive(pid), "process " + pid + " still runs");
  }

  @Test
  @Order(4)
  void withOneWorkerASecondImageWaitsItsTurn() throws Exception {
    String slow = image();
    String next = image();
    scanners.report(idOf(slow), "trivy-no-results.json").slow(idOf(slow), 3);
    scanners.report(idOf(next), "trivy-no-vulnerabilities.json");
    String a = stack("first", slow, "app");
    String b = stack("second", next, "app");
    assertEquals("scanning", http.post("/api/container/" + name(container(a, "app")) + "/scan", "").json().getString("status"));
    Http.Resp queued = http.post("/api/container/" + name(container(b, "app")) + "/scan", "");
    assertEquals(202, queued.status());
    assertEquals("queued", queued.json().getString("status"));
    assertEquals(1, queued.json().getInteger("queue_position"));
    JsonObject list = http.get("/api/scans").json();
    assertEquals(1, list.getInteger("running"));
    assertEquals(1, list.getInteger("queued"));
    assertEquals("queued", list.getJsonArray("scans").getJsonObject(1).getString("status"), list.encode());
    assertEquals("queued", http.get("/api/container/" + name(container(b, "app")) + "/scan-status").json().getString("status"));
    assertEquals(counts(0, 0, 0, 0, 0), awaitStatus(name(container(b, "app")), "completed").getJsonObject("vulnerabilities"));
    List<String> log = scanners.log();
    assertTrue(log.indexOf("end trivy " + slow) < log.indexOf(log.stream().filter(l -> l.contains(" " + next + " |")).findFirst().orElseThrow()),
        "the second ran after the first: " + log);
  }

  @Test
  @Order(5)
  void theUpdateGateRefusesANewCriticalAndLetsACleanImageThrough() throws Exception {
    String ref = REGISTRY + "/dockup-test/" + prefix + "-gate:stable";
    String v1 = image();
    publish(v1, ref);
    Engine.sh("docker tag " + v1 + " " + ref);
    images.add(ref);
    scanners.report(idOf(v1), "trivy-no-vulnerabilities.json");
    String name = stack("gate", ref, "app");
    String runningId = idOf(v1);
    Http.Resp schedule = http.post("/api/stack/" + name + "/schedule", new JsonObject().put("mode", "auto").put("scan_gate", "no_new_critical"));
    assertEquals("no_new_critical", schedule.json().getString("scan_gate"), schedule.toString());

    String v2 = image();
    scanners.report(idOf(v2), "trivy-several-targets.json");
    publish(v2, ref);
    JsonObject run = http.post("/api/stack/" + name + "/schedule/run", "").json();
    assertFalse(run.getBoolean("updated"), run.encode());
    JsonObject record = run.getJsonObject("update");
    assertEquals("blocked", record.getString("result"), run.encode());
    assertEquals(new JsonArray().add(new JsonObject().put("id", "CVE-2024-0001").put("severity", "CRITICAL")),
        record.getJsonArray("images").getJsonObject(0).getJsonArray("blocked_cves"));
    assertTrue(record.getString("error").contains("CVE-2024-0001 (CRITICAL)"), record.encode());
    assertEquals(runningId, container(name, "app").getImageId(), "still the old image");
    assertEquals(runningId, idOf(ref), "the tag points at it again");
    JsonObject history = http.get("/api/stack/" + name + "/updates").json().getJsonArray("updates").getJsonObject(0);
    assertEquals("blocked", history.getString("result"));
    JsonObject notice = notification("update_blocked", name);
    assertTrue(notice.getString("message").contains("CVE-2024-0001"), notice.encode());

    JsonObject check = http.post("/api/stack/" + name + "/check-updates?scan=true", "").json();
    JsonObject scan = check.getJsonArray("images").getJsonObject(0).getJsonObject("scan");
    assertEquals("completed", scan.getString("status"), check.encode());
    assertEquals(5, scan.getJsonArray("introduced").size());
    assertEquals("CVE-2024-0001", scan.getJsonArray("introduced").getJsonObject(0).getString("id"));
    assertTrue(scanners.runs().stream().anyMatch(l -> l.contains(ref.replace(":stable", "") + "@sha256:")),
        "the new digest is read by reference: " + scanners.runs());

    String v3 = image();
    scanners.reportText(idOf(v3), new JsonObject().put("SchemaVersion", 2).put("Results", new JsonArray().add(new JsonObject()
        .put("Target", "x").put("Vulnerabilities", new JsonArray().add(new JsonObject().put("VulnerabilityID", "CVE-2024-5555")
            .put("PkgName", "zlib").put("InstalledVersion", "1").put("Severity", "LOW"))))).encode());
    publish(v3, ref);
    assertTrue(http.post("/api/stack/" + name + "/check-updates", "").json().getBoolean("update_available"));
    JsonObject through = http.post("/api/stack/" + name + "/schedule/run", "").json();
    assertTrue(through.getBoolean("updated"), through.encode());
    assertEquals(idOf(v3), container(name, "app").getImageId());
    assertEquals("applied", http.get("/api/stack/" + name + "/updates").json().getJsonArray("updates").getJsonObject(0).getString("result"));
  }

  @Test
  @Order(6)
  void resultsSurviveARestartAndTheStackListCarriesThem() throws Exception {
    String name = prefix + "-one";
    Container web = container(name, "web");
    JsonObject before = http.get("/api/container/" + name(web) + "/scan-status").json();
    assertEquals("completed", before.getString("status"));
    long runs = scanners.runs().size();
    node.kill();
    node.start().awaitListening();
    signIn();
    JsonObject after = TestNode.await(http, "/api/container/" + name(web) + "/scan-status", s -> true, Duration.ofSeconds(20));
    assertEquals(before, after);
    JsonObject list = TestNode.await(http, "/api/stacks", l -> Stacks.find(l, name) != null
        && Stacks.find(l, name).getValue("vulnerabilities") != null, Duration.ofSeconds(20));
    assertEquals(ONE_OF_EACH, Stacks.find(list, name).getJsonObject("vulnerabilities"));
    assertEquals(200, http.post("/api/container/" + name(web) + "/scan", "").status(), "still recent: no scan");
    assertEquals(runs, scanners.runs().size());
    JsonObject version = http.get("/api/version").json();
    assertEquals(new JsonObject().put("name", "trivy").put("version", "0.99.0").put("mode", "cli"), version.getJsonObject("scanner"));

    Http.Resp cleared = http.delete("/api/scans/cache");
    assertEquals(200, cleared.status(), cleared.toString());
    assertTrue(cleared.json().getInteger("removed") >= 5, cleared.toString());
    assertEquals("not_scanned", http.get("/api/container/" + name(web) + "/scan-status").json().getString("status"));
    TestNode.await(http, "/api/stacks", l -> Stacks.find(l, name).getValue("vulnerabilities") == null, Duration.ofSeconds(10));
  }

  @Test
  @Order(7)
  void aTrivyServerIsUsedWhenSetWithItsTokenInTheEnvironment() throws Exception {
    ScanStandIns standIns = new ScanStandIns(tmp.resolve("server"), "trivy");
    List<String> health = new java.util.concurrent.CopyOnWriteArrayList<>();
    int[] healthStatus = {200};
    HttpServer server = vertx.createHttpServer().requestHandler(req -> {
      health.add(req.method() + " " + req.path());
      req.response().setStatusCode(req.path().equals("/healthz") ? healthStatus[0] : 404).end("ok");
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    String token = "trivy-token-" + UUID.randomUUID();
    Map<String, String> e = nodeEnv("server", standIns);
    e.put("TRIVY_SERVER", "http://127.0.0.1:" + server.actualPort());
    e.put("TRIVY_TOKEN", token);
    NodeProcess other = new NodeProcess("scan-server", tmp.resolve("run-server"), e).start().awaitListening();
    others.add(other);
    Http h = CrashLeftoversIT.signedIn(other);
    assertEquals("server", h.get("/api/version").json().getJsonObject("scanner").getString("mode"));
    String image = image();
    standIns.report(idOf(image), "trivy-no-vulnerabilities.json");
    Http.Resp scan = h.post("/api/images/" + idOf(image).substring(7) + "/scan", "");
    assertEquals(202, scan.status(), scan.toString());
    TestNode.await(h, "/api/images/" + idOf(image).substring(7) + "/scan", s -> "completed".equals(s.getString("status")),
        Duration.ofSeconds(30));
    String run = standIns.runs().get(0);
    assertTrue(run.contains("--server http://127.0.0.1:" + server.actualPort() + " "), run);
    assertFalse(run.contains("--cache-dir"), run);
    assertTrue(run.endsWith("token=" + token + " password=none"), "the token in the environment: " + run);
    assertFalse(run.substring(0, run.indexOf('|')).contains(token), "never on the command line");
    assertTrue(health.contains("GET /healthz"), health.toString());
    assertFalse(other.tail(500).contains(token), "never in the log");

    healthStatus[0] = 503;
    h.post("/api/images/" + idOf(image).substring(7) + "/scan?force=true", "");
    JsonObject failed = TestNode.await(h, "/api/images/" + idOf(image).substring(7) + "/scan",
        s -> "failed".equals(s.getString("status")), Duration.ofSeconds(30));
    assertEquals("The Trivy server's health check answered 503", failed.getString("error"));
    assertEquals(1, standIns.runs().size(), "the scanner was not run");
    server.close();
  }

  @Test
  @Order(8)
  void grypeIsUsedWhenAskedFor() throws Exception {
    ScanStandIns standIns = new ScanStandIns(tmp.resolve("grype"), "trivy", "grype");
    Map<String, String> e = nodeEnv("grype", standIns);
    e.put("SCANNER", "grype");
    NodeProcess other = new NodeProcess("scan-grype", tmp.resolve("run-grype"), e).start().awaitListening();
    others.add(other);
    Http h = CrashLeftoversIT.signedIn(other);
    assertEquals(new JsonObject().put("name", "grype").put("version", "0.74.7").put("mode", "cli"),
        h.get("/api/version").json().getJsonObject("scanner"));
    String image = image();
    standIns.report(idOf(image), "grype.json");
    assertEquals(202, h.post("/api/images/" + image.replace("/", "%2F") + "/scan", "").status());
    JsonObject done = TestNode.await(h, "/api/images/" + idOf(image).substring(7) + "/scan",
        s -> "completed".equals(s.getString("status")), Duration.ofSeconds(30));
    assertEquals(ONE_OF_EACH, done.getJsonObject("vulnerabilities"));
    assertEquals("0.74.7", done.getJsonObject("scanner").getString("version"));
    assertTrue(standIns.runs().get(0).startsWith("run grype " + image + " -o json"), standIns.runs().toString());
  }

  @Test
  @Order(9)
  void withoutAScannerScanRoutesAnswer503AndNothingElseChanges() throws Exception {
    try (TestNode bare = TestNode.builder().start()) {
      String unavailable = "{\"error\":\"Scanner not available: install trivy or grype, or set TRIVY_SERVER\"}";
      for (Http.Resp r : List.of(bare.http.post("/api/container/anything/scan", ""), bare.http.get("/api/container/anything/scan-status"),
          bare.http.get("/api/scans"), bare.http.post("/api/stack/nothing/scan", ""), bare.http.get("/api/images/abcdef/scan"))) {
        assertEquals(503, r.status(), r.toString());
        assertEquals(unavailable, r.text());
      }
      JsonObject version = bare.http.get("/api/version").json();
      assertTrue(version.containsKey("scanner") && version.getValue("scanner") == null, version.encode());
      assertEquals(200, bare.http.get("/api/stacks").status());
      assertEquals(200, bare.http.delete("/api/scans/cache").status());
    }
  }

  // ---- helpers ----

  /** Pushes {@code source} as {@code ref}, then points the local {@code ref} back where it was (nothing new locally). */
  void publish(String source, String ref) {
    String before = null;
    try {
      before = engine.docker.inspectImageCmd(ref).exec().getId();
    } catch (Exception notLocal) {
      // first push
    }
    Engine.sh("docker tag " + source + " " + ref + " && docker push -q " + ref + " >/dev/null");
    if (before != null) Engine.sh("docker tag " + before + " " + ref);
  }

  JsonObject notification(String event, String stack) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      JsonObject n = notifications.poll(1, TimeUnit.SECONDS);
      if (n != null && event.equals(n.getString("event")) && stack.equals(n.getString("stack"))) return n;
    }
    throw new AssertionError("no " + event + " notification for " + stack);
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
