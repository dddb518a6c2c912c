package dev.dockup.auth;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthPartsTest {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();

  @Test
  void jwtsAreVerifiedByVertxAuthAndRefusedWithAReason() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Jwts jwts = new Jwts(vertx, KEY);
      long now = Instant.now().getEpochSecond();
      String t = jwts.sign(new JsonObject().put("sub", "x").put("exp", now + 60));
      assertEquals("x", jwts.verify(t).await().getString("sub"));
      String byHand = Jwt.sign(new JsonObject().put("sub", "y").put("exp", now + 60), KEY);
      assertEquals("y", jwts.verify(byHand).await().getString("sub"), "any HS256 library's token with our key passes");
      assertEquals("Token expired", refusal(jwts, Jwt.sign(new JsonObject().put("sub", "x").put("exp", now - 5), KEY)));
      assertEquals("Invalid token", refusal(jwts, Jwt.sign(new JsonObject().put("sub", "x").put("exp", now + 60),
          "another-key-another-key-another-k".getBytes())));
      assertEquals("Invalid token", refusal(jwts, t + "x"));
      assertEquals("Invalid token", refusal(jwts, "a.b"));
      assertEquals("Invalid token", refusal(jwts, null));
      assertEquals("Invalid token", refusal(jwts, Jwt.sign(new JsonObject().put("sub", "x"), KEY)), "a token without exp never passes");
      String[] parts = t.split("\\.");
      String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes());
      assertEquals("Invalid token", refusal(jwts, none + "." + parts[1] + "."));
    } finally {
      vertx.close().await();
    }
  }

  private static String refusal(Jwts jwts, String token) {
    try {
      jwts.verify(token).await();
      return "accepted";
    } catch (AuthService.Refused r) {
      return r.getMessage();
    }
  }

  @Test
  void sessionCookieFromNamedOrBareValue() {
    assertEquals("a.b.c", Credentials.namedSession("session=a.b.c"));
    assertEquals("a.b.c", Credentials.namedSession("theme=dark; session=a.b.c; x=1"));
    assertEquals("a.b.c", Credentials.bareSession("a.b.c"), "the 1.3.0 one-liner sends the bare value");
    assertNull(Credentials.namedSession("a.b.c"));
    assertNull(Credentials.namedSession("theme=dark"));
    assertNull(Credentials.bareSession("theme=dark"));
    assertNull(Credentials.bareSession("not-a-jwt"));
  }

  @Test
  void scopesCoverTheOnesBelow() {
    assertTrue(Scope.ADMIN.covers(Scope.OPERATE) && Scope.OPERATE.covers(Scope.READ));
    assertEquals(false, Scope.READ.covers(Scope.OPERATE));
    assertNull(Scope.parse("root"));
  }

  @Test
  void throttleRefusesAfterMaxFailuresUntilTheOldestLeavesTheWindow() {
    Throttle t = new Throttle(5, 900);
    for (int i = 0; i < 5; i++) {
      assertEquals(0, t.retryAfterSeconds("a", 1_000 + i));
      t.failed("a", 1_000 + i);
    }
    assertEquals(900, t.retryAfterSeconds("a", 1_000));
    assertEquals(0, t.retryAfterSeconds("b", 1_000));
    assertEquals(0, t.retryAfterSeconds("a", 1_000 + 900_000), "the oldest failure left the window");
    for (int i = 0; i < 4; i++) t.failed("a", 2_000_000 + i);
    assertEquals(0, t.retryAfterSeconds("a", 2_000_010), "four failures in the window: one more try");
    t.failed("a", 2_000_010);
    assertEquals(900, t.retryAfterSeconds("a", 2_000_010));
  }

  @Test
  void theThrottleForgetsTheOldestAddressesPastItsBound() {
    Throttle t = new Throttle(5, 900);
    for (int i = 0; i < 200_000; i++) t.failed("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255), 1_000);
    assertTrue(t.size() <= Throttle.MAX_TRACKED, "tracked " + t.size());
  }

  @Test
  void trustedProxyCidrsAreParsedAndBadOnesRefused() {
    new ClientAddress(List.of("127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"));
    assertThrows(IllegalStateException.class, () -> new ClientAddress(List.of("example.com")));
    assertThrows(IllegalStateException.class, () -> new ClientAddress(List.of("10.0.0.0/33")));
  }

  @Test
  void secretsCompareAndHash() {
    assertTrue(Secrets.equal("abc", "abc"));
    assertEquals(false, Secrets.equal("abc", "abd"));
    assertEquals(false, Secrets.equal(null, "abd"));
    assertEquals(64, Secrets.sha256Hex("x").length());
    assertTrue(Secrets.random(32).length() >= 43);
  }
}
