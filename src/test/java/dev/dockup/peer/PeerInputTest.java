package dev.dockup.peer;

import dev.dockup.bus.ApiException;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeerInputTest {

  private static int status(Runnable r) {
    return assertThrows(ApiException.class, r::run).status();
  }

  @Test
  void idsFollowTheStackNameRule() {
    assertEquals("prod", PeerInput.id("prod"));
    assertEquals("a_b-9", PeerInput.id("a_b-9"));
    assertEquals("a".repeat(63), PeerInput.id("a".repeat(63)));
    for (Object bad : new Object[] {"", "-a", "_a", "A", "a b", "a/b", "a.b", "a".repeat(64), 5, null}) {
      assertEquals(400, status(() -> PeerInput.id(bad)), String.valueOf(bad));
    }
  }

  @Test
  void namesAreTrimmedAndBounded() {
    assertEquals("Production Server", PeerInput.name("  Production Server "));
    assertEquals("x".repeat(100), PeerInput.name("x".repeat(100)));
    for (Object bad : new Object[] {null, "", "   ", "x".repeat(101), "a\nb", 7}) {
      assertEquals(400, status(() -> PeerInput.name(bad)), String.valueOf(bad));
    }
  }

  @Test
  void urlsAreHttpWithAHostAndNoCredentialsQueryOrFragment() {
    assertEquals("http://192.168.1.100:5000", PeerInput.url("http://192.168.1.100:5000"));
    assertEquals("https://dockup.example.org", PeerInput.url(" HTTPS://dockup.example.org/ "));
    assertEquals("http://[::1]:5000/dockup", PeerInput.url("http://[::1]:5000/dockup//"));
    assertEquals("http://127.0.0.1:1", PeerInput.url("http://127.0.0.1:1"));
    for (Object bad : new Object[] {null, "", "ftp://host", "host:5000", "//host", "http://", "http:///path",
        "http://user:pass@host", "http://token@host", "http://host/?token=x", "http://host/#f", "http://ho st/",
        "javascript:alert(1)", "http://h/" + "a".repeat(2048), 42}) {
      assertEquals(400, status(() -> PeerInput.url(bad)), String.valueOf(bad));
    }
  }

  @Test
  void aRefusedUrlWithCredentialsIsNotQuotedBack() {
    ApiException e = assertThrows(ApiException.class, () -> PeerInput.url("http://admin:hunter2@host:5000"));
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }

  @Test
  void tokensMissingOrEmptyAreNullOthersMustBeHeaderSafe() {
    assertNull(PeerInput.token(null));
    assertNull(PeerInput.token(""));
    assertNull(PeerInput.token("   "));
    assertEquals("abc_DEF-123", PeerInput.token(" abc_DEF-123 "));
    for (Object bad : new Object[] {"a b", "a\r\nX-Evil: 1", "é", "x".repeat(4097), 12, true}) {
      ApiException e = assertThrows(ApiException.class, () -> PeerInput.token(bad));
      assertEquals(400, e.status());
      if (bad instanceof String s && s.length() > 1) assertFalse(e.getMessage().contains(s), "the token is not quoted back");
    }
  }

  @Test
  void enabledIsABooleanWithAFallback() {
    assertTrue(PeerInput.enabled(null, true));
    assertFalse(PeerInput.enabled(null, false));
    assertFalse(PeerInput.enabled(false, true));
    assertEquals(400, status(() -> PeerInput.enabled("yes", true)));
  }

  @Test
  void slugsComeFromTheNameAndAreMadeUnique() {
    assertEquals("production-server", PeerInput.slug("Production Server", id -> false));
    assertEquals("cafe-creme-2", PeerInput.slug("  Café  Crème!! ", Set.of("cafe-creme")::contains));
    assertEquals("peer-3", PeerInput.slug("???", Set.of("peer", "peer-2")::contains));
    assertEquals("peer", PeerInput.slug("東京", id -> false));
    String longOne = PeerInput.slug("x".repeat(100), Set.of("x".repeat(56))::contains);
    assertEquals("x".repeat(56) + "-2", longOne);
    for (String name : new String[] {"Production Server", "-a-", "a--b", "x".repeat(200), "__", "A_B C"}) {
      String id = PeerInput.slug(name, x -> false);
      assertTrue(PeerInput.ID.matcher(id).matches(), id);
      assertTrue(PeerInput.ID.matcher(PeerInput.slug(name, x -> !x.endsWith("-99"))).matches());
    }
  }
}
