package dev.dockup.registry;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Docker Hub's {@code ratelimit-*} headers. */
class RegistryRateLimitTest {

  @Test
  void hubsDocumentedHeaders() {
    RateLimit r = RateLimit.fromHeaders("100;w=21600", "76;w=21600", "203.0.113.9");
    assertEquals(100, r.limit());
    assertEquals(76, r.remaining());
    assertEquals(76.0, r.percentage());
    assertEquals(21600, r.windowSeconds());
    assertEquals("203.0.113.9", r.source());
    assertFalse(r.unlimited());
  }

  @Test
  void percentageHasOneDecimal() {
    assertEquals(33.3, RateLimit.fromHeaders("3;w=60", "1;w=60", null).percentage());
    assertEquals(33.5, RateLimit.fromHeaders("200;w=21600", "67;w=21600", null).percentage());
    assertEquals(66.7, RateLimit.fromHeaders("3;w=60", "2;w=60", null).percentage());
    assertEquals(0.0, RateLimit.fromHeaders("100;w=21600", "0;w=21600", null).percentage());
    assertEquals(100.0, RateLimit.fromHeaders("200", "200", null).percentage());
    assertEquals(0.0, RateLimit.fromHeaders("0;w=60", "0;w=60", null).percentage(), "no division by zero");
  }

  @Test
  void spacesExtraParametersAndSeveralValues() {
    RateLimit r = RateLimit.fromHeaders(" 200 ; w=21600 ; comment=\"x\"", "150;w=21600, 10;w=60", " ");
    assertEquals(200, r.limit());
    assertEquals(150, r.remaining());
    assertEquals(21600, r.windowSeconds());
    assertNull(r.source());
  }

  @Test
  void windowMayBeMissing() {
    RateLimit r = RateLimit.fromHeaders("100", "5", null);
    assertEquals(100, r.limit());
    assertNull(r.windowSeconds());
    assertEquals(5.0, r.percentage());
  }

  @Test
  void noHeadersMeansUnlimited() {
    RateLimit r = RateLimit.fromHeaders(null, null, "user-id");
    assertTrue(r.unlimited());
    assertNull(r.limit());
    assertNull(r.remaining());
    assertNull(r.percentage());
    assertNull(r.windowSeconds());
    assertEquals("user-id", r.source());
    assertTrue(RateLimit.fromHeaders("", "", null).unlimited());
  }

  @Test
  void missingRemainingCountsAsUntouched() {
    RateLimit r = RateLimit.fromHeaders("100;w=21600", null, null);
    assertEquals(100, r.remaining());
    assertEquals(100.0, r.percentage());
  }

  @Test
  void unreadableHeadersAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> RateLimit.fromHeaders("lots", "1", null));
    assertThrows(IllegalArgumentException.class, () -> RateLimit.fromHeaders("100", "some", null));
    assertThrows(IllegalArgumentException.class, () -> RateLimit.fromHeaders("99999999999999999", "1", null));
  }

  @Test
  void jsonShape() {
    JsonObject j = RateLimit.fromHeaders("100;w=21600", "76;w=21600", "203.0.113.9").toJson();
    assertEquals(new JsonObject("{\"limit\":100,\"remaining\":76,\"percentage\":76.0,\"window_seconds\":21600,"
        + "\"source\":\"203.0.113.9\",\"unlimited\":false}"), j);
    JsonObject u = RateLimit.unlimited(null).toJson();
    assertTrue(u.getBoolean("unlimited"));
    assertTrue(u.containsKey("limit") && u.getValue("limit") == null, "every key is present, null when unknown");
    assertTrue(u.containsKey("source"));
  }
}
