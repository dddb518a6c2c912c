package dev.dockup.it;

import dev.dockup.auth.Jwt;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every credential on every endpoint, scopes, revocation, throttling and same-origin checks. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthIT {
  TestNode node;
  Http admin;
  Http anon;
  String stack;
  final String prefix = Stacks.uniqueName("auth");

  @BeforeAll
  void start() throws Exception {
    node = TestNode.builder().config("trusted_proxies", "127.0.0.1").start();
    admin = node.http;
    anon = admin.anonymous();
    stack = prefix + "-app";
    assertEquals(201, admin.post("/api/stack/" + stack + "/compose", Stacks.content(Stacks.twoServices("x"))).status());
    assertEquals(200, admin.put("/api/stack/" + stack + "/env", Stacks.content("SECRET_VALUE=hunter2\n")).status());
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
    try (Engine engine = Engine.shared()) {
      engine.removeProjects(prefix);
    }
  }

  Http session() {
    Http.Resp login = anon.post("/api/auth/login", new JsonObject().put("password", TestNode.PASSWORD));
    assertEquals(200, login.status(), login.toString());
    assertEquals("{\"success\":true}", login.text());
    String setCookie = login.headers().firstValue("set-cookie").orElseThrow();
    assertTrue(setCookie.startsWith("session="), setCookie);
    assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/"), setCookie);
    return anon.with("Cookie", setCookie.substring(0, setCookie.indexOf(';')));
  }

  String token(String name, String scope) {
    Http.Resp r = admin.post("/api/tokens", new JsonObject().put("name", name).put("scope", scope));
    assertEquals(201, r.status(), r.toString());
    return r.json().getString("token");
  }

  @Test
  void withoutACredentialEveryEndpointButPingLoginAndSetupAnswers401() {
    for (String path : List.of("/api/stacks", "/api/stack/" + stack, "/api/version", "/api/config", "/api/tokens",
        "/api/audit", "/api/trash", "/api/operations", "/api/stack/" + stack + "/env", "/api/nothing-here")) {
      Http.Resp r = anon.get(path);
      assertEquals(401, r.status(), path);
      assertEquals("{\"error\":\"Authentication required\"}", r.text(), path);
    }
    assertEquals(401, anon.operation(stack, "up").status());
    assertEquals(401, anon.delete("/api/stack/" + stack).status());
    assertEquals(401, anon.post("/api/config", "{}").status());
    assertEquals("{\"status\":\"ok\"}", anon.get("/api/ping").text());
  }

  @Test
  void eachKindOfCredentialRunsAStackOperation() {
    String apiToken = token("ops-" + prefix, "operate");
    String jwt = anon.post("/api/auth/token", new JsonObject().put("password", TestNode.PASSWORD)).json().getString("token");
    for (Http client : List.of(session(), anon.with("X-API-Token", apiToken), anon.with("Authorization", "Bearer " + jwt),
        anon.with("Authorization", "Bearer " + apiToken))) {
      Http.Resp r = client.operation(stack, "stop");
      assertEquals(200, r.status(), r.toString());
      assertTrue(r.text().contains("\"success\":true"));
    }
  }

  @Test
  void aReadTokenMayReadButNotOperateNorSeeEnvContents() {
    Http reader = anon.with("X-API-Token", token("reader-" + prefix, "read"));
    assertEquals(200, reader.get("/api/stacks").status());
    assertEquals(200, reader.get("/api/stack/" + stack).status());
    Http.Resp op = reader.operation(stack, "restart");
    assertEquals(403, op.status());
    assertEquals("{\"error\":\"Insufficient scope\"}", op.text());
    Http.Resp env = reader.get("/api/stack/" + stack + "/env");
    assertEquals(403, env.status());
    assertFalse(env.text().contains("hunter2"));
    assertEquals(403, reader.get("/api/config").status());
    assertEquals(403, reader.get("/api/tokens").status());

    Http operator = anon.with("X-API-Token", token("operator-" + prefix, "operate"));
    assertEquals(200, operator.operation(stack, "stop").status());
    assertEquals(403, operator.post("/api/stack/" + stack + "/compose", Stacks.content(Stacks.twoServices("y"))).status());
    assertEquals(403, operator.get("/api/stack/" + stack + "/env").status());
  }

  @Test
  void tokensAreShownOnceStoredHashedAndRevocable() throws Exception {
    String secret = token("temp-" + prefix, "read");
    JsonArray list = admin.get("/api/tokens").json().getJsonArray("tokens");
    assertFalse(list.encode().contains(secret));
    String id = list.stream().map(JsonObject.class::cast).filter(t -> t.getString("name").equals("temp-" + prefix))
        .findFirst().orElseThrow().getString("id");
    assertFalse(Files.readString(node.dataDir.resolve("auth.json")).contains(secret), "only the hash is stored");

    Http holder = anon.with("X-API-Token", secret);
    String jwt = holder.post("/api/auth/token", "{}").json().getString("token");
    Http viaJwt = anon.with("Authorization", "Bearer " + jwt);
    assertEquals(200, viaJwt.get("/api/stacks").status());
    assertEquals(403, holder.post("/api/auth/token", new JsonObject().put("scope", "admin")).status(),
        "a token's JWT gets at most the token's scope");

    assertEquals(200, admin.delete("/api/tokens/" + id).status());
    assertEquals(401, holder.get("/api/stacks").status());
    assertEquals(401, viaJwt.get("/api/stacks").status(), "a JWT dies with the token it came from");
  }

  @Test
  void theInstanceTokenIsReplacedWhenRegenerated() {
    String first = admin.post("/api/config/regenerate-token", "").json().getString("token");
    assertTrue(anon.with("X-API-Token", first).get("/api/ping").text().contains("instance_name"));
    assertTrue(admin.get("/api/config").json().getBoolean("api_token_set"));
    String second = admin.post("/api/config/regenerate-token", "").json().getString("token");
    assertEquals(401, anon.with("X-API-Token", first).get("/api/ping").status());
    assertEquals(200, anon.with("X-API-Token", second).get("/api/stacks").status());
  }

  @Test
  void tamperedExpiredAndForeignJwtsAreRefused() throws Exception {
    String jwt = anon.post("/api/auth/token", new JsonObject().put("password", TestNode.PASSWORD).put("scope", "read"))
        .json().getString("token");
    String[] parts = jwt.split("\\.");
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1])));
    String elevated = Base64.getUrlEncoder().withoutPadding().encodeToString(claims.copy().put("scope", "admin").encode().getBytes());
    assertEquals(401, anon.with("Authorization", "Bearer " + parts[0] + "." + elevated + "." + parts[2]).get("/api/stacks").status());
    String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes());
    assertEquals(401, anon.with("Authorization", "Bearer " + none + "." + parts[1] + ".").get("/api/stacks").status());

    byte[] key = Base64.getDecoder().decode(Files.readString(node.dataDir.resolve("jwt.key")).trim());
    String expired = Jwt.sign(claims.copy().put("exp", Instant.now().getEpochSecond() - 5), key);
    Http.Resp r = anon.with("Authorization", "Bearer " + expired).get("/api/stacks");
    assertEquals(401, r.status());
    assertEquals("{\"error\":\"Token expired\"}", r.text());
    String foreign = Jwt.sign(claims, "another-key-another-key-another-key".getBytes());
    assertEquals(401, anon.with("Authorization", "Bearer " + foreign).get("/api/stacks").status());
    assertEquals(200, anon.with("Authorization", "Bearer " + jwt).get("/api/stacks").status());
  }

  @Test
  void aLoggedOutCookieIsRefused() {
    Http s = session();
    assertEquals(200, s.get("/api/stacks").status());
    assertEquals(200, s.post("/api/auth/logout", "").status());
    assertEquals(401, s.get("/api/stacks").status());
  }

  @Test
  void aForeignOriginIsRefusedForCookieRequestsThatChangeState() {
    Http s = session();
    Http.Resp foreign = s.with("Origin", "http://evil.example").operation(stack, "stop");
    assertEquals(403, foreign.status());
    assertEquals(200, s.with("Origin", "http://evil.example").get("/api/stacks").status(), "reads are not state changes");
    assertEquals(200, s.with("Origin", admin.base()).operation(stack, "stop").status(), "same origin is fine");
    assertEquals(200, s.operation(stack, "stop").status(), "scripts send no Origin");
  }

  @Test
  void theSixthWrongPasswordIsThrottledPerForwardedClient() {
    Http attacker = anon.with("X-Forwarded-For", "203.0.113.7");
    for (int i = 1; i <= 5; i++) {
      assertEquals(401, attacker.post("/api/auth/login", new JsonObject().put("password", "wrong-" + i)).status());
    }
    Http.Resp sixth = attacker.post("/api/auth/login", new JsonObject().put("password", TestNode.PASSWORD));
    assertEquals(429, sixth.status(), "refused even with the right password while throttled");
    long retry = Long.parseLong(sixth.headers().firstValue("retry-after").orElseThrow());
    assertTrue(retry > 0 && retry <= 900, "Retry-After " + retry);
    assertEquals(429, attacker.with("X-API-Token", "dku_guess").get("/api/stacks").status());
    // The trusted proxy (127.0.0.1) itself and other clients behind it are not affected.
    assertEquals(200, anon.with("X-Forwarded-For", "203.0.113.8")
        .post("/api/auth/login", new JsonObject().put("password", TestNode.PASSWORD)).status());
    assertEquals(200, admin.get("/api/stacks").status());
  }

  @Test
  void unknownOrInvalidSettingsAreRefusedWithNothingChanged() {
    JsonObject before = admin.get("/api/config").json();
    Http.Resp r = admin.post("/api/config", new JsonObject().put("instance_name", "Changed").put("bogus", 1));
    assertEquals(400, r.status(), r.toString());
    assertTrue(r.json().getString("error").contains("bogus"), r.toString());
    Http.Resp zone = admin.post("/api/config", new JsonObject().put("instance_name", "Changed").put("timezone", "Mars/Olympus"));
    assertEquals(400, zone.status());
    assertTrue(zone.json().getString("error").contains("timezone"));
    assertEquals(before, admin.get("/api/config").json());
    Http.Resp ok = admin.post("/api/config", new JsonObject().put("instance_name", "Changed").put("timezone", "Europe/Berlin"));
    assertEquals(200, ok.status(), ok.toString());
    assertEquals("Changed", admin.get("/api/config").json().getString("instance_name"));
  }

  @Test
  void stateChangesAreAudited() {
    admin.operation(stack, "stop");
    JsonArray entries = admin.get("/api/audit?limit=50").json().getJsonArray("entries");
    JsonObject op = entries.stream().map(JsonObject.class::cast)
        .filter(e -> ("/api/stack/" + stack + "/operation").equals(e.getString("path"))).findFirst().orElseThrow();
    assertEquals("jwt:admin", op.getString("credential"));
    assertEquals(stack, op.getString("stack"));
    assertEquals("POST", op.getString("method"));
    assertNotNull(op.getString("time"));
    assertNotNull(op.getString("client"));
    assertEquals(200, op.getInteger("status"));
    assertEquals(400, admin.get("/api/audit?limit=0").status());
  }
}
