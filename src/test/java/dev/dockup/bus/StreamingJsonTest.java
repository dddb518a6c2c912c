package dev.dockup.bus;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.DatabindCodec;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StreamingJsonTest {
  record Point(int x, int y) {}

  @Test
  void vertxUsesTheStreamingCodec() {
    assertEquals(StreamingJson.class.getName() + "$Codec", Json.CODEC.getClass().getName());
    assertFalse(Json.CODEC instanceof DatabindCodec);
  }

  @Test
  void encodesAndParsesWhatDockUpSendsAsDatabindDid() {
    JsonObject o = new JsonObject().put("s", "é\"x").put("n", 3).put("l", 5_000_000_000L).put("d", 1.5).put("b", true)
        .putNull("z").put("a", new JsonArray().add(1).add("two")).put("m", Map.of("k", List.of(1)))
        .put("t", Instant.parse("2026-12-01T00:00:00Z"));
    String text = o.encode();
    assertEquals("{\"s\":\"é\\\"x\",\"n\":3,\"l\":5000000000,\"d\":1.5,\"b\":true,\"z\":null,\"a\":[1,\"two\"],"
        + "\"m\":{\"k\":[1]},\"t\":\"2026-12-01T00:00:00Z\"}", text);
    JsonObject back = new JsonObject(text);
    assertInstanceOf(Integer.class, back.getValue("n"));
    assertInstanceOf(Long.class, back.getValue("l"));
    assertEquals(o.getString("s"), back.getString("s"));
  }

  @Test
  void aValueOutsideJsonsTypesStillEncodesThroughDatabind() {
    assertEquals("{\"p\":{\"x\":1,\"y\":2},\"set\":[\"a\"]}", new JsonObject().put("p", new Point(1, 2)).put("set", Set.of("a")).encode());
    assertEquals(new Point(3, 4), new JsonObject().put("x", 3).put("y", 4).mapTo(Point.class));
  }

  @Test
  void malformedInputIsRefusedOnce() {
    assertThrows(DecodeException.class, () -> new JsonObject("{\"a\":"));
    assertThrows(DecodeException.class, () -> Json.decodeValue("[1,"));
  }
}
