package dev.dockup.update;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Services;
import dev.dockup.registry.RegistryClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Automatic updates against stand-ins for this node's stack and engine services and a registry
 * on loopback: which failures mark a digest bad (only the health gate's), and a history read
 * that leaves no trace.
 */
class UpdateVerticleTest {
  static final String REGISTRY = "registry.test";
  static final String IMAGE = REGISTRY + "/team/app:1";
  static final String OLD = "sha256:" + "a".repeat(64);
  static final String NEW = "sha256:" + "b".repeat(64);
  static final String STACK = "web";

  @TempDir Path tmp;
  Vertx vertx;
  /** What the stand-in stacks service answers to each operation: 200, or an error status. */
  volatile int pullStatus = 200;
  volatile int upStatus = 200;
  /** The state the service's container is in after an {@code up}. */
  volatile String afterUp = "running";
  volatile String state = "running";
  final List<String> operations = new CopyOnWriteArrayList<>();
  final List<String> tags = new CopyOnWriteArrayList<>();
  final List<String> notices = new CopyOnWriteArrayList<>();
  /** The stand-in scan service: vulnerability ids of the running image, of the pulled one, and of the new digest in the registry. */
  volatile JsonObject runningCves = new JsonObject().put("CVE-2023-0001", "HIGH").put("CVE-2023-0002", "LOW");
  volatile JsonObject pulledCves = new JsonObject();
  volatile String scanFailure;
  final List<String> scanned = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    int port = await(vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/v2/team/app/manifests/1")) req.response().putHeader("Docker-Content-Digest", NEW).end();
      else req.response().setStatusCode(404).end();
    }).listen(0, "127.0.0.1")).actualPort();
    stackService();
    engineService();
    scanService();
    Config config = Config.fromJson(Config.defaults()
        .put("data_dir", tmp.toString()).put("stacks_dir", tmp.resolve("stacks").toString())
        .put("node_name", "t1").put("update_grace", 1));
    RegistryClient registry = new RegistryClient(vertx, RegistryClient.Options.defaults()
        .withConfigFile(null).withEndpoint(REGISTRY, "http://127.0.0.1:" + port));
    await(vertx.deployVerticle(new UpdateVerticle(config, registry, (event, stack, title, message) -> notices.add(event))));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  void stackService() {
    vertx.eventBus().<JsonObject>localConsumer(Bus.stacks("t1"), (Message<JsonObject> m) -> {
      String action = m.headers().get(Bus.ACTION);
      if (Bus.Stacks.GET.equals(action)) {
        m.reply(new JsonObject().put("name", STACK).put("container_list", new JsonArray().add(new JsonObject()
            .put("id", "c1").put("service", "app").put("image", IMAGE).put("image_id", "sha256:local-old")
            .put("state", state).put("exit_code", "exited".equals(state) ? 3 : 0).put("started_at", "t0"))));
        return;
      }
      String op = m.body().getString(Bus.OPERATION);
      operations.add(op);
      int status = "pull".equals(op) ? pullStatus : upStatus;
      if (status != 200) {
        m.reply(new JsonObject().put("error", op + " failed here"), new DeliveryOptions().addHeader(Bus.STATUS, Integer.toString(status)));
        return;
      }
      if ("up".equals(op)) state = afterUp;
      m.reply(new JsonObject().put("success", true).put("output", new JsonArray().add(op + " done")));
    });
  }

  void engineService() {
    vertx.eventBus().<JsonObject>localConsumer(Bus.engine("t1"), (Message<JsonObject> m) -> {
      if (Bus.Engine.TAG_IMAGE.equals(m.headers().get(Bus.ACTION))) {
        tags.add(m.body().getString(Bus.ID) + " " + m.body().getString("ref"));
        m.reply(new JsonObject().put("success", true));
      } else {
        m.reply(new JsonObject().put("digests", new JsonObject()
            .put("sha256:local-old", new JsonArray().add(REGISTRY + "/team/app@" + OLD))));
      }
    });
  }

  void scanService() {
    vertx.eventBus().<JsonObject>localConsumer(Bus.scans("t1"), (Message<JsonObject> m) -> {
      String image = m.body().getString("image");
      scanned.add(image + (m.body().getBoolean("remote") ? " remote" : ""));
      if (scanFailure != null && image.equals(IMAGE)) {
        m.reply(new JsonObject().put("status", "failed").put("error", scanFailure));
        return;
      }
      JsonObject cves = image.equals("sha256:local-old") ? runningCves : pulledCves;
      m.reply(new JsonObject().put("status", "completed").put("image", image).put("cves", cves));
    });
  }

  JsonObject autoRun() throws Exception {
    return autoRun("off");
  }

  JsonObject autoRun(String scanGate) throws Exception {
    return await(Services.request(vertx, Bus.updates("t1"), Bus.Updates.RUN,
        new JsonObject().put("stack", STACK).put("mode", "auto").put("trigger", "schedule").put("scan_gate", scanGate), 30_000));
  }

  @Test
  void theGateRefusesANewCriticalOnceAndLetsThroughWhatItDoesNotCover() throws Exception {
    pulledCves = new JsonObject().put("CVE-2023-0001", "HIGH").put("CVE-2024-0009", "CRITICAL").put("CVE-2024-0010", "HIGH");
    JsonObject run = autoRun("no_new_critical");
    assertFalse(run.getBoolean("updated"), run.encode());
    JsonObject record = run.getJsonObject("update");
    assertEquals("blocked", record.getString("result"));
    assertEquals(new JsonArray().add(new JsonObject().put("id", "CVE-2024-0009").put("severity", "CRITICAL")),
        record.getJsonArray("images").getJsonObject(0).getJsonArray("blocked_cves"));
    assertTrue(record.getString("error").contains("CVE-2024-0009 (CRITICAL)"), record.encode());
    assertEquals(List.of("pull"), operations, "nothing was brought up");
    assertEquals(List.of("sha256:local-old " + IMAGE), tags, "the tag points at the running image again");
    assertEquals(List.of("sha256:local-old", IMAGE), scanned, "the running image first, then the pulled one");
    assertEquals(List.of("update_available", "update_blocked"), notices);

    JsonObject again = autoRun("no_new_critical");
    assertEquals("blocked", again.getJsonObject("update").getString("result"));
    assertEquals(List.of("update_available", "update_blocked"), notices, "the same digest is announced once");
    assertEquals(1, history(STACK).getJsonArray("updates").size(), "and recorded once");

    pulledCves = new JsonObject().put("CVE-2024-0010", "HIGH").put("CVE-2024-0011", "MEDIUM");
    assertFalse(autoRun("no_new_high").getBoolean("updated"), "a new HIGH is refused by no_new_high");
    JsonObject through = autoRun("no_new_critical");
    assertTrue(through.getBoolean("updated"), "a new HIGH passes no_new_critical: " + through.encode());
    assertEquals("applied", history(STACK).getJsonArray("updates").getJsonObject(0).getString("result"));
  }

  @Test
  void aGateThatCannotScanLetsNothingThrough() throws Exception {
    scanFailure = "trivy failed (exit code 1): FATAL no space left";
    JsonObject run = autoRun("no_new_high");
    assertFalse(run.getBoolean("updated"));
    assertEquals("blocked", run.getJsonObject("update").getString("result"));
    assertTrue(run.getJsonObject("update").getString("error").contains("could not be scanned"), run.encode());
    assertEquals(List.of("pull"), operations);
    assertEquals(List.of("update_available", "update_blocked"), notices);

    scanFailure = null;
    assertTrue(autoRun("off").getBoolean("updated"), "without a gate nothing is scanned");
    assertEquals(2, scanned.size(), "no scan for the ungated run");
  }

  @Test
  void aCheckWithScanSaysWhatTheNewDigestIntroducesAndFixes() throws Exception {
    pulledCves = new JsonObject().put("CVE-2023-0002", "LOW").put("CVE-2024-0009", "CRITICAL");
    JsonObject check = await(Services.request(vertx, Bus.updates("t1"), Bus.Updates.CHECK,
        new JsonObject().put("stack", STACK).put("scan", true), 30_000));
    JsonObject scan = check.getJsonArray("images").getJsonObject(0).getJsonObject("scan");
    assertEquals("completed", scan.getString("status"), check.encode());
    assertEquals(new JsonArray().add(new JsonObject().put("id", "CVE-2024-0009").put("severity", "CRITICAL")), scan.getJsonArray("introduced"));
    assertEquals(new JsonArray().add(new JsonObject().put("id", "CVE-2023-0001").put("severity", "HIGH")), scan.getJsonArray("fixed"));
    assertTrue(scanned.contains(REGISTRY + "/team/app@" + NEW + " remote"), scanned.toString());
    assertTrue(operations.isEmpty(), "nothing pulled");
  }

  JsonObject history(String stack) throws Exception {
    return await(Services.request(vertx, Bus.updates("t1"), Bus.Updates.HISTORY, new JsonObject().put("stack", stack), 5_000));
  }

  /** A registry outage (500), a running operation (409) or the engine (503) during the pull. */
  @ParameterizedTest
  @ValueSource(ints = {409, 500, 503})
  void aPullThatFailsChangesNothingAndBlamesNoDigest(int status) throws Exception {
    pullStatus = status;
    JsonObject run = autoRun();
    assertFalse(run.getBoolean("updated"), run.encode());
    assertEquals("failed", run.getJsonObject("update").getString("result"));
    assertEquals(List.of("pull"), operations, "nothing was brought up");
    assertEquals(List.of("sha256:local-old " + IMAGE), tags, "a tag moved part way is pointed back");
    assertEquals(List.of("update_available", "update_failed"), notices);

    pullStatus = 200;
    JsonObject again = autoRun();
    assertTrue(again.getBoolean("updated"), "tried again, and applied: " + again.encode());
    assertEquals(List.of("pull", "pull", "up"), operations);
  }

  @Test
  void anUpThatFailsIsRolledBackAndTheDigestTriedAgainLater() throws Exception {
    upStatus = 500;
    JsonObject run = autoRun();
    assertEquals("rollback_failed", run.getJsonObject("update").getString("result"), run.encode());
    assertEquals(List.of("pull", "up", "up"), operations, "the rollback brought the old images up too");

    upStatus = 200;
    assertTrue(autoRun().getBoolean("updated"), "not blamed on the digest");
  }

  @Test
  void onlyTheHealthGatesVerdictMarksTheDigestBad() throws Exception {
    afterUp = "exited";
    JsonObject run = autoRun();
    assertEquals("rolled_back", run.getJsonObject("update").getString("result"), run.encode());
    assertTrue(run.getJsonObject("update").getString("error").contains("exited with code 3"), run.encode());
    assertEquals(List.of("pull", "up", "up"), operations);

    afterUp = "running";
    JsonObject again = autoRun();
    assertFalse(again.getBoolean("updated"), again.encode());
    assertTrue(again.getJsonArray("images").getJsonObject(0).getBoolean("rolled_back_before"));
    assertEquals(List.of("pull", "up", "up"), operations, "a bad digest is not tried again");
    assertEquals(1, history(STACK).getJsonArray("updates").size());
  }

  @Test
  void theHistoryOfAStackWithNoRecordLeavesNoState() throws Exception {
    JsonObject h = history("never-checked");
    assertEquals(new JsonObject().put("stack", "never-checked").put("updates", new JsonArray()), h);
    assertFalse(Files.exists(tmp.resolve("updates.json")), "nothing written");

    pullStatus = 500;
    autoRun();
    vertx.timer(200).toCompletionStage().toCompletableFuture().get();
    String saved = Files.readString(tmp.resolve("updates.json"));
    assertTrue(saved.contains("\"" + STACK + "\""), saved);
    assertFalse(saved.contains("never-checked"), "no entry was kept for it either: " + saved);
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ApiException api) throw new AssertionError(api.status() + " " + api.body().encode(), api);
      throw e;
    }
  }
}
