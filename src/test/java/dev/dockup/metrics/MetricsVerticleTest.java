package dev.dockup.metrics;

import dev.dockup.bus.Bus;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the metrics verticle makes of the bus: its own node's operations and scans, the engine's comings and goings. */
class MetricsVerticleTest {
  static final String NODE = "n1";
  Vertx vertx;

  @BeforeEach
  void start() {
    Meters meters = Meters.create(NODE);
    vertx = meters.attach(meters.builder(new VertxOptions()).build());
    vertx.deployVerticle(new MetricsVerticle(NODE)).await();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void countsThisNodesOperationsScansAndEngineReconnects() {
    publish(new JsonObject().put("type", "operation_done").put("node", NODE).put("operation", "up").put("success", false)
        .put("status", "timed_out").put("duration_ms", 600_000));
    publish(new JsonObject().put("type", "operation_done").put("node", NODE).put("operation", "move").put("success", true)
        .put("duration_ms", 1200));
    publish(new JsonObject().put("type", "operation_done").put("node", "another").put("operation", "up").put("success", true));
    // One scan, announced for each of the two stacks that run its image.
    for (String stack : new String[] {"a", "b"}) {
      publish(new JsonObject().put("type", "scan_complete").put("node", NODE).put("stack", stack).put("image_id", "sha256:1")
          .put("ts", "2026-12-01T00:00:00Z").put("status", "completed"));
    }
    publish(new JsonObject().put("type", "scan_complete").put("node", NODE).put("image_id", "sha256:2")
        .put("ts", "2026-12-01T00:00:01Z").put("status", "failed"));
    for (boolean ok : new boolean[] {true, false, true, false, true}) {
      vertx.eventBus().publish(Bus.engineState(NODE), new JsonObject().put(Bus.ENGINE_OK, ok), new DeliveryOptions().setLocalOnly(true));
    }

    // The stacks and fleet services are missing here: the scrape answers all the same.
    PrometheusText t = PrometheusText.parse(vertx.eventBus().<String>request(Bus.metrics(NODE), new JsonObject(),
        new DeliveryOptions().addHeader(Bus.ACTION, MetricsVerticle.SCRAPE)).await().body());
    assertEquals(1, t.sum("dockup_operation_duration_seconds_count", Map.of("operation", "up", "result", "timed_out")));
    assertEquals(600, t.sum("dockup_operation_duration_seconds_sum", Map.of("operation", "up", "result", "timed_out")));
    assertEquals(1, t.sum("dockup_operation_duration_seconds_count", Map.of("operation", "move", "result", "succeeded")));
    assertEquals(2, t.sum("dockup_operation_duration_seconds_count", Map.of()), "another node's operation is its own to count");
    assertEquals(1, t.sum("dockup_scans_total", Map.of("status", "completed")));
    assertEquals(1, t.sum("dockup_scans_total", Map.of("status", "failed")));
    assertEquals(2, t.sum("dockup_engine_reconnects_total", Map.of()));
    assertEquals(1, t.sum("dockup_engine_up", Map.of()));
  }

  /** Delivered in order to the verticle's one context: counted before the scrape that follows is answered. */
  private void publish(JsonObject msg) {
    vertx.eventBus().publish(Bus.EVENTS, msg);
  }
}
