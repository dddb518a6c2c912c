package dev.dockup.it;

import dev.dockup.bus.ApiException;
import dev.dockup.notify.Notifier;
import dev.dockup.notify.NotifyRoutes;
import dev.dockup.settings.Settings;
import dev.dockup.store.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Notifications arriving at a loopback HTTP receiver, in each service's format. No engine and no
 * DockUp: the notifier, its settings and its route only. Discord and Slack are reached through
 * the {@code discord_api_url}/{@code slack_api_url} settings.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NotifyIT {
  static final List<Duration> FAST = List.of(Duration.ofMillis(20), Duration.ofMillis(20), Duration.ofMillis(20));
  /** How long "nothing arrives" is watched for. */
  static final long QUIET_MS = 700;

  record Received(String method, String uri, MultiMap headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  @TempDir Path tmp;
  Vertx vertx;
  HttpServer receiver;
  int port;
  final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
  /** Statuses to answer, per path, in turn; 200 once a path's plan is used up. */
  final Map<String, Deque<Integer>> plan = new ConcurrentHashMap<>();

  Settings settings;
  Notifier notifier;
  final List<Notifier> notifiers = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    vertx = Vertx.vertx();
    receiver = vertx.createHttpServer().requestHandler(this::receive);
    port = await(receiver.listen(0, "127.0.0.1")).actualPort();
  }

  @AfterAll
  void stop() throws Exception {
    notifiers.forEach(Notifier::close);
    await(vertx.close());
  }

  @BeforeEach
  void fresh() throws Exception {
    received.clear();
    plan.clear();
    Path data = Files.createTempDirectory(tmp, "data");
    settings = Settings.load(vertx, data, SecretBox.load(data));
    await(settings.update(new JsonObject()
        .put("instance_name", "lab")
        .put("notification_enabled", true)
        .put("discord_api_url", base() + "/api")
        .put("slack_api_url", base())));
    notifier = new Notifier(vertx, settings, FAST);
  }

  @AfterEach
  void keepNotifier() {
    // Closed with Vert.x at the end: closing a client while a test's last response is still in
    // flight only makes noise.
    notifiers.add(notifier);
  }

  private void receive(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      received.add(new Received(req.method().name(), req.uri(), MultiMap.caseInsensitiveMultiMap().addAll(req.headers()),
          body.toString(StandardCharsets.UTF_8)));
      Deque<Integer> statuses = plan.get(req.path());
      Integer status = statuses == null ? null : statuses.poll();
      req.response().setStatusCode(status == null ? 200 : status).end(status == null ? "ok" : "nope");
    });
  }

  private String base() {
    return "http://127.0.0.1:" + port;
  }

  private String hostPort() {
    return "127.0.0.1:" + port;
  }

  private void urls(String... urls) throws Exception {
    await(settings.update(new JsonObject().put("notification_urls", new JsonArray(List.of((Object[]) urls)))));
  }

  private Received next() throws InterruptedException {
    Received r = received.poll(10, TimeUnit.SECONDS);
    assertNotNull(r, "nothing arrived");
    return r;
  }

  private void nothingMore() throws InterruptedException {
    Received r = received.poll(QUIET_MS, TimeUnit.MILLISECONDS);
    assertNull(r, () -> "unexpected " + r.method() + " " + r.uri());
  }

  private static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) throw cause;
      throw e;
    }
  }

  // ---- each format

  @Test
  void gotify() throws Exception {
    urls("gotify://" + hostPort() + "/sub/path/AppTok3n?disabletls=yes");
    notifier.notify("update_available", "web", "Update available for web", "nginx:1.27 has a new image");
    Received r = next();
    assertEquals("POST", r.method());
    assertEquals("/sub/path/message?token=AppTok3n", r.uri());
    assertTrue(r.headers().get("Content-Type").startsWith("application/json"));
    assertEquals(new JsonObject().put("title", "lab: Update available for web").put("message", "nginx:1.27 has a new image")
        .put("priority", 5), r.json());
    nothingMore();
  }

  @Test
  void ntfy() throws Exception {
    urls("ntfy://bob:pa%24s@" + hostPort() + "/dockup-alerts?disabletls=yes");
    notifier.notify("stack_unhealthy", "web", "web is unhealthy", "1 of 2 containers running");
    Received r = next();
    assertEquals("POST", r.method());
    assertEquals("/dockup-alerts", r.uri());
    assertEquals("lab: web is unhealthy", r.headers().get("Title"));
    assertEquals("Basic " + Base64.getEncoder().encodeToString("bob:pa$s".getBytes(StandardCharsets.UTF_8)), r.headers().get("Authorization"));
    assertEquals("1 of 2 containers running", r.body());
    nothingMore();
  }

  @Test
  void discord() throws Exception {
    urls("discord://hook-Token_1@987654321");
    notifier.notify("update_failed", "web", "Update of web failed", "rolled back to sha256:abc");
    Received r = next();
    assertEquals("POST", r.method());
    assertEquals("/api/webhooks/987654321/hook-Token_1", r.uri());
    assertEquals(new JsonObject().put("content", "**lab: Update of web failed**\nrolled back to sha256:abc"), r.json());
    nothingMore();
  }

  @Test
  void slackBothForms() throws Exception {
    urls("slack://T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "slack://hook:T11111111-B11111111-YYYYYYYYYYYYYYYYYYYYYYYY@webhook");
    notifier.notify("update_applied", "web", "web updated", "nginx moved to sha256:def");
    Received a = next();
    Received b = next();
    List<String> uris = List.of(a.uri(), b.uri());
    assertTrue(uris.contains("/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"), uris.toString());
    assertTrue(uris.contains("/services/T11111111/B11111111/YYYYYYYYYYYYYYYYYYYYYYYY"), uris.toString());
    for (Received r : List.of(a, b)) {
      assertEquals("POST", r.method());
      assertEquals(new JsonObject().put("text", "*lab: web updated*\nnginx moved to sha256:def"), r.json());
    }
    nothingMore();
  }

  @Test
  void generic() throws Exception {
    urls("generic+http://" + hostPort() + "/hooks/dockup?src=dockup&contenttype=application/json&@xApiKey=k3y");
    notifier.notify("operation_failed", "web", "up failed on web", "exit code 1");
    Received r = next();
    assertEquals("POST", r.method());
    assertEquals("/hooks/dockup?src=dockup", r.uri());
    assertEquals("k3y", r.headers().get("X-Api-Key"));
    assertEquals(new JsonObject().put("title", "lab: up failed on web").put("message", "exit code 1")
        .put("event", "operation_failed").put("stack", "web").put("instance", "lab"), r.json());
    nothingMore();
  }

  @Test
  void genericPlainSchemeWithDisableTls() throws Exception {
    urls("generic://" + hostPort() + "/api/webhook/abc?template=json&disabletls=yes");
    notifier.notify("operation_failed", "web", "up failed on web", "exit code 1");
    Received r = next();
    assertEquals("/api/webhook/abc", r.uri());
    assertEquals("operation_failed", r.json().getString("event"));
  }

  // ---- filtering

  @Test
  void anEventNotInNotifyOnSendsNothing() throws Exception {
    urls("generic+http://" + hostPort() + "/hook");
    await(settings.update(new JsonObject().put("notify_on", new JsonArray().add("update_failed"))));
    notifier.notify("update_available", "web", "t", "m");
    nothingMore();
    notifier.notify("update_failed", "web", "t", "m");
    assertEquals("update_failed", next().json().getString("event"));
  }

  @Test
  void nothingIsSentWhenNotificationsAreOff() throws Exception {
    urls("generic+http://" + hostPort() + "/hook");
    await(settings.update(new JsonObject().put("notification_enabled", false)));
    notifier.notify("update_failed", "web", "t", "m");
    nothingMore();
  }

  @Test
  void anUnsupportedUrlDoesNotStopTheOthers() throws Exception {
    urls("telegram://123:tok@telegram?chats=1", "generic+http://" + hostPort() + "/hook");
    notifier.notify("update_failed", "web", "t", "m");
    assertEquals("/hook", next().uri());
    nothingMore();
  }

  // ---- retries

  @Test
  void retriedUntilDeliveredOnce() throws Exception {
    plan.put("/flaky", new ArrayDeque<>(List.of(500, 500)));
    urls("generic+http://" + hostPort() + "/flaky", "generic+http://" + hostPort() + "/steady");
    notifier.notify("update_failed", "web", "t", "m");
    int flaky = 0;
    int steady = 0;
    for (int i = 0; i < 4; i++) {
      String uri = next().uri();
      if (uri.equals("/flaky")) flaky++;
      else if (uri.equals("/steady")) steady++;
    }
    assertEquals(3, flaky, "two failures, then the one delivery");
    assertEquals(1, steady, "a URL that works is not retried because another fails");
    assertTrue(plan.get("/flaky").isEmpty());
    nothingMore();
  }

  @Test
  void givesUpAfterThreeRetries() throws Exception {
    plan.put("/down", new ArrayDeque<>(List.of(500, 502, 503, 500, 500, 500)));
    urls("generic+http://" + hostPort() + "/down");
    notifier.notify("update_failed", "web", "t", "m");
    for (int i = 0; i < 4; i++) next();
    nothingMore();
  }

  @Test
  void notifyReturnsAtOnce() throws Exception {
    // A receiver that never answers must not hold the caller: the call only schedules the sends.
    HttpServer silent = vertx.createHttpServer().requestHandler(req -> { });
    int silentPort = await(silent.listen(0, "127.0.0.1")).actualPort();
    try {
      urls("generic+http://127.0.0.1:" + silentPort + "/hook");
      notifiers.add(notifier);
      notifier = new Notifier(vertx, settings, List.of());
      long t0 = System.nanoTime();
      notifier.notify("update_failed", "web", "t", "m");
      assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) < 1_000);
    } finally {
      await(silent.close());
    }
  }

  // ---- logs

  @Test
  void failuresAreLoggedWithTheMaskedUrlOnly() throws Exception {
    plan.put("/message", new ArrayDeque<>(List.of(500, 500, 500, 500)));
    String secret = "Sup3rS3cretT0ken";
    String logged = capturingStdout(() -> {
      urls("gotify://" + hostPort() + "/" + secret + "?disabletls=yes", "telegram://" + secret + "@telegram",
          "gotify://127.0.0.1:1/" + secret + "?disabletls=yes");
      notifier.notify("update_failed", "web", "t", "m");
      for (int i = 0; i < 4; i++) next();
      Thread.sleep(QUIET_MS);
    });
    assertTrue(logged.contains("gotify://" + hostPort() + "/***"), logged);
    assertTrue(logged.contains("HTTP 500"), logged);
    assertTrue(logged.contains("telegram URL"), logged);
    assertFalse(logged.contains(secret), logged);
  }

  interface Body {
    void run() throws Exception;
  }

  /** What the logger writes (logback's console appender writes to the current System.out). */
  private static String capturingStdout(Body body) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream copy = new ByteArrayOutputStream();
    System.setOut(new PrintStream(new OutputStream() {
      @Override public void write(int b) {
        copy.write(b);
        original.write(b);
      }

      @Override public void write(byte[] b, int off, int len) {
        copy.write(b, off, len);
        original.write(b, off, len);
      }
    }, true, StandardCharsets.UTF_8));
    try {
      body.run();
    } finally {
      System.setOut(original);
    }
    return copy.toString(StandardCharsets.UTF_8);
  }

  // ---- test()

  @Test
  void testSendsToEveryUrlOnceAndReportsEach() throws Exception {
    plan.put("/broken", new ArrayDeque<>(List.of(500)));
    await(settings.update(new JsonObject().put("notification_enabled", false).put("notify_on", new JsonArray())));
    urls("gotify://" + hostPort() + "/T0k?disabletls=yes",
        "generic+http://" + hostPort() + "/broken",
        "foo://somewhere/SECRETX",
        "generic+http://127.0.0.1:1/closed");
    JsonObject answer = await(notifier.test());
    JsonArray results = answer.getJsonArray("results");
    assertEquals(4, results.size());

    JsonObject gotify = results.getJsonObject(0);
    assertEquals("gotify://" + hostPort() + "/***", gotify.getString("url"));
    assertEquals(true, gotify.getBoolean("ok"));
    assertEquals(200, gotify.getInteger("status"));
    assertFalse(gotify.containsKey("error"));

    JsonObject broken = results.getJsonObject(1);
    assertEquals("generic+http://" + hostPort() + "/***", broken.getString("url"));
    assertEquals(false, broken.getBoolean("ok"));
    assertEquals(500, broken.getInteger("status"));
    assertEquals("HTTP 500", broken.getString("error"));

    JsonObject foo = results.getJsonObject(2);
    assertEquals("foo://somewhere/***", foo.getString("url"));
    assertEquals(false, foo.getBoolean("ok"));
    assertTrue(foo.getString("error").contains("foo"), foo.encode());

    JsonObject closed = results.getJsonObject(3);
    assertEquals(false, closed.getBoolean("ok"));
    assertFalse(closed.containsKey("status"));
    assertNotNull(closed.getString("error"));
    assertFalse(answer.encode().contains("SECRETX") || answer.encode().contains("T0k"), answer.encode());

    // One attempt each, no retry of the 500: two requests reached the receiver.
    List<String> uris = List.of(next().uri(), next().uri());
    assertTrue(uris.contains("/message?token=T0k") && uris.contains("/broken"), uris.toString());
    nothingMore();
  }

  @Test
  void testMessageIsMarkedAsATest() throws Exception {
    urls("generic+http://" + hostPort() + "/hook");
    await(notifier.test());
    JsonObject body = next().json();
    assertEquals("test", body.getString("event"));
    assertEquals("lab", body.getString("instance"));
    assertTrue(body.getString("title").startsWith("lab: "), body.encode());
  }

  @Test
  void testWithoutUrlsIsRefused() throws Exception {
    ApiException e = assertInstanceOf(ApiException.class, assertThrows(Exception.class, () -> await(notifier.test())));
    assertEquals(400, e.status());
    assertEquals("No notification URLs configured", e.getMessage());
  }

  // ---- the route

  @Test
  void route() throws Exception {
    Router router = Router.router(vertx);
    dev.dockup.web.TestRoutes.mount(router, new NotifyRoutes(notifier));
    HttpServer api = vertx.createHttpServer().requestHandler(router);
    int apiPort = await(api.listen(0, "127.0.0.1")).actualPort();
    WebClient client = WebClient.create(vertx);
    try {
      HttpResponse<Buffer> none = await(client.request(HttpMethod.POST, apiPort, "127.0.0.1", "/api/notifications/test").send());
      assertEquals(400, none.statusCode());
      assertEquals("No notification URLs configured", none.bodyAsJsonObject().getString("error"));

      urls("discord://tok@42");
      HttpResponse<Buffer> ok = await(client.request(HttpMethod.POST, apiPort, "127.0.0.1", "/api/notifications/test").send());
      assertEquals(200, ok.statusCode());
      JsonObject result = ok.bodyAsJsonObject().getJsonArray("results").getJsonObject(0);
      assertEquals(new JsonObject().put("url", "discord://42/***").put("ok", true).put("status", 200), result);
      assertEquals("/api/webhooks/42/tok", next().uri());
    } finally {
      client.close();
      await(api.close());
    }
  }
}
