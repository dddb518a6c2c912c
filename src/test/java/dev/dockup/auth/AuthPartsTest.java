package dev.dockup.auth;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthPartsTest {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();

  @Test
  void jwtRoundTripAndRefusals() throws Exception {
    String t = Jwt.sign(new JsonObject().put("sub", "x").put("exp", 2_000), KEY);
    assertEquals("x", Jwt.verify(t, KEY, 1_000).getString("sub"));
    assertThrows(Jwt.Invalid.class, () -> Jwt.verify(t, KEY, 2_000), "expired");
    assertThrows(Jwt.Invalid.class, () -> Jwt.verify(t, "another-key-another-key-another-k".getBytes(), 1_000));
    assertThrows(Jwt.Invalid.class, () -> Jwt.verify(t + "x", KEY, 1_000));
    assertThrows(Jwt.Invalid.class, () -> Jwt.verify("a.b", KEY, 1_000));
    assertThrows(Jwt.Invalid.class, () -> Jwt.verify(null, KEY, 1_000));
    String noExp = Jwt.sign(new JsonObject().put("sub", "x"), KEY);
    assertThrows(Jwt.Invalid.class, () -> Jwt.verify(noExp, KEY, 1_000), "a token without exp never passes");
  }

  @Test
  void sessionCookieFromNamedOrBareValue() {
    assertEquals("a.b.c", Credentials.sessionCookie("session=a.b.c"));
    assertEquals("a.b.c", Credentials.sessionCookie("theme=dark; session=a.b.c; x=1"));
    assertEquals("a.b.c", Credentials.sessionCookie("a.b.c"), "the 1.3.0 one-liner sends the bare value");
    assertNull(Credentials.sessionCookie("theme=dark"));
    assertNull(Credentials.sessionCookie("not-a-jwt"));
  }

  @Test
  void scopesCoverTheOnesBelow() {
    assertTrue(Scope.ADMIN.covers(Scope.OPERATE) && Scope.OPERATE.covers(Scope.READ));
    assertEquals(false, Scope.READ.covers(Scope.OPERATE));
    assertEquals(Scope.READ, Scope.required(HttpMethod.GET, "/api/stacks"));
    assertEquals(Scope.ADMIN, Scope.required(HttpMethod.GET, "/api/stack/a/env"));
    assertEquals(Scope.ADMIN, Scope.required(HttpMethod.GET, "/api/config"));
    assertEquals(Scope.ADMIN, Scope.required(HttpMethod.GET, "/api/tokens"));
    assertEquals(Scope.OPERATE, Scope.required(HttpMethod.POST, "/api/stack/a/operation"));
    assertEquals(Scope.OPERATE, Scope.required(HttpMethod.POST, "/api/stack/a/check-updates"));
    assertEquals(Scope.ADMIN, Scope.required(HttpMethod.POST, "/api/stack/a/compose"));
    assertEquals(Scope.ADMIN, Scope.required(HttpMethod.POST, "/api/stacks/validate"));
    assertEquals(Scope.ADMIN, Scope.required(HttpMethod.DELETE, "/api/stack/a"));
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
    t.sweep(10_000_000);
    assertEquals(0, t.retryAfterSeconds("a", 10_000_000));
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
