package dev.dockup.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gate under abuse: malformed URLs cost a line at most, strangers cannot fill the audit log,
 * wrong passwords throttle passwords but not the owner's good tokens, and a logout that cannot
 * be recorded says so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GateHardeningIT {
  TestNode node;
  Http anon;

  @BeforeAll
  void start() throws Exception {
    node = TestNode.builder().config("trusted_proxies", "127.0.0.1").start();
    anon = node.http.anonymous();
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  Http.Resp raw(Http client, String method, String path) {
    return client.send(HttpRequest.newBuilder(URI.create(client.base() + path))
        .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}")));
  }

  @Test
  void aThousandMalformedUrlsAddAtMostAFewLogLines() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    root.addAppender(lines);
    try {
      for (int i = 0; i < 1_000; i++) {
        String answer = malformed(i % 2 == 0 ? "/api/%zz" : "/api/stack/%zz/env");
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        assertTrue(answer.endsWith("{\"error\":\"Bad request\"}"), answer);
      }
    } finally {
      root.detachAppender(lines);
    }
    long logged = lines.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).count();
    assertTrue(logged <= 3, logged + " log lines: " + lines.list.stream().limit(5).map(ILoggingEvent::getFormattedMessage).toList());
    assertTrue(lines.list.stream().noneMatch(e -> e.getThrowableProxy() != null), "no stack trace");
  }

  /** A request line no URI class would build: written by hand on a socket of its own. */
  String malformed(String path) {
    try (Socket s = new Socket("127.0.0.1", node.app.port())) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void strangersLeaveTheAuditLogAsItWas() throws Exception {
    int before = auditLines();
    Http guesser = anon.with("X-API-Token", "dku_guess");
    for (int i = 0; i < 1_000; i++) {
      Http client = i % 2 == 0 ? anon : guesser;
      assertEquals(401, client.operation("some-stack", "stop").status());
    }
    for (int i = 0; i < 20; i++) raw(anon, "POST", "/api/nothing-here");
    Thread.sleep(500); // the audit writer is a thread of its own
    assertEquals(before, auditLines(), "no audit line for requests without a valid credential");
    node.http.post("/api/notifications/test", "{}");
    TestNode.await(node.http, "/api/audit?limit=10000", a -> a.getJsonArray("entries").size() == before + 1, Duration.ofSeconds(5));
  }

  int auditLines() {
    return node.http.get("/api/audit?limit=10000").json().getJsonArray("entries").size();
  }

  @Test
  void wrongPasswordsThrottlePasswordsButNotAGoodToken() {
    String token = node.http.post("/api/tokens", new JsonObject().put("name", "certbot").put("scope", "operate")).json().getString("token");
    Http attacker = anon.with("X-Forwarded-For", "203.0.113.50");
    for (int i = 1; i <= 5; i++) {
      assertEquals(401, attacker.post("/api/auth/login", new JsonObject().put("password", "wrong-" + i)).status());
    }
    Http.Resp right = attacker.post("/api/auth/login", new JsonObject().put("password", TestNode.PASSWORD));
    assertEquals(429, right.status(), "the right password waits too, while the address is throttled");
    assertTrue(right.headers().firstValue("retry-after").isPresent());
    assertEquals(200, attacker.with("X-API-Token", token).get("/api/stacks").status(), "a good token still works");
    assertEquals(429, attacker.with("X-API-Token", "dku_guess").get("/api/stacks").status(), "a bad one does not");
    assertEquals(429, attacker.post("/api/auth/token", new JsonObject().put("password", TestNode.PASSWORD)).status());
  }

  @Test
  void aLogoutThatCannotBeRecordedKeepsTheCookieAndSaysSo() throws Exception {
    Http.Resp login = anon.post("/api/auth/login", new JsonObject().put("password", TestNode.PASSWORD));
    String cookie = login.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
    Http session = anon.with("Cookie", cookie);
    Path store = node.dataDir.resolve("auth.json");
    Path aside = node.dataDir.resolve("auth.json.aside");
    Files.move(store, aside);
    Files.createDirectory(store); // the store cannot be rewritten: the revocation cannot be kept
    try {
      Http.Resp out = session.post("/api/auth/logout", "");
      assertEquals(503, out.status(), out.toString());
      assertFalse(out.headers().allValues("set-cookie").stream().anyMatch(c -> c.startsWith("session=;")), "the cookie is kept");
    } finally {
      Files.delete(store);
      Files.move(aside, store);
    }
  }
}
