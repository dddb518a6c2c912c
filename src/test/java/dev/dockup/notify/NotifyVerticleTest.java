package dev.dockup.notify;

import dev.dockup.bus.Bus;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NotifyVerticleTest {
  record Sent(String event, String stack, String title, String message) {}

  final List<Sent> sent = new CopyOnWriteArrayList<>();

  private NotifyVerticle verticle(long repeatMs) {
    return new NotifyVerticle("n1", (e, s, t, m) -> sent.add(new Sent(e, s, t, m)), repeatMs);
  }

  private static JsonObject done(String node, String stack, boolean success, Integer exit) {
    return new JsonObject().put("type", "operation_done").put("node", node).put("stack", stack)
        .put("operation_id", "op1").put("operation", "up").put("success", success).put("exit_code", exit);
  }

  private static JsonObject status(String stack, String health) {
    return new JsonObject().put("type", "stack_status").put("node", "n1").put("stack", stack).put("name", stack)
        .put("status", "partial").put("health_status", health).put("containers", 2).put("running", 1);
  }

  @Test
  void failedOperationNotifies() {
    NotifyVerticle v = verticle(0);
    v.onEvent(done("n1", "web", true, 0));
    v.onEvent(done("n1", "web", false, 1));
    assertEquals(List.of(new Sent("operation_failed", "web", "up failed on web", "exit code 1")), sent);
  }

  @Test
  void failedOperationWithoutExitCode() {
    verticle(0).onEvent(done("n1", "web", false, null));
    assertEquals(1, sent.size());
    assertTrue(sent.get(0).message().startsWith("no exit code"), sent.get(0).message());
  }

  @Test
  void otherNodesAreIgnored() {
    NotifyVerticle v = verticle(0);
    v.onEvent(done("n2", "web", false, 1));
    v.onEvent(status("web", "unhealthy").put("node", "n2"));
    v.onEvent(new JsonObject().put("type", "operation_done").put("stack", "web").put("success", false));
    assertEquals(List.of(), sent);
  }

  @Test
  void unhealthyOnlyOnTheTransition() {
    NotifyVerticle v = verticle(0);
    v.onEvent(status("web", "healthy"));
    v.onEvent(status("web", "healthy"));
    assertEquals(0, sent.size());
    v.onEvent(status("web", "unhealthy"));
    v.onEvent(status("web", "unhealthy"));
    assertEquals(1, sent.size());
    Sent s = sent.get(0);
    assertEquals("stack_unhealthy", s.event());
    assertEquals("web", s.stack());
    assertEquals("web is unhealthy", s.title());
    assertTrue(s.message().contains("1 of 2 containers running"), s.message());
    v.onEvent(status("web", "starting"));
    v.onEvent(status("web", "unhealthy"));
    assertEquals(2, sent.size());
  }

  @Test
  void firstMessageCountsOnlyWhenUnhealthy() {
    NotifyVerticle v = verticle(0);
    v.onEvent(status("a", "starting"));
    v.onEvent(status("b", "unhealthy"));
    assertEquals(List.of("b"), sent.stream().map(Sent::stack).toList());
  }

  @Test
  void stacksAreTrackedApart() {
    NotifyVerticle v = verticle(0);
    v.onEvent(status("a", "unhealthy"));
    v.onEvent(status("b", "unhealthy"));
    v.onEvent(status("a", "unhealthy"));
    assertEquals(List.of("a", "b"), sent.stream().map(Sent::stack).toList());
  }

  @Test
  void aFlappingStackIsNotRepeatedWithinTheWindow() {
    NotifyVerticle v = verticle(60_000);
    v.onEvent(status("web", "unhealthy"));
    v.onEvent(status("web", "healthy"));
    v.onEvent(status("web", "unhealthy"));
    assertEquals(1, sent.size());
  }

  @Test
  void aRemovedStackStartsOver() {
    NotifyVerticle v = verticle(0);
    v.onEvent(status("web", "unhealthy"));
    v.onEvent(status("web", "unhealthy").put("removed", true).put("status", "inactive"));
    v.onEvent(status("web", "unhealthy"));
    assertEquals(2, sent.size());
  }

  @Test
  void consumesTheFeed() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      vertx.deployVerticle(verticle(0)).await(10, TimeUnit.SECONDS);
      vertx.eventBus().publish(Bus.EVENTS, done("n1", "web", false, 2));
      long deadline = System.currentTimeMillis() + 5_000;
      while (sent.isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(10);
      assertEquals(List.of(new Sent("operation_failed", "web", "up failed on web", "exit code 2")), sent);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
