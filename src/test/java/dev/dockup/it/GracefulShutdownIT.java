package dev.dockup.it;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** On shutdown, new requests are refused while a running operation is allowed to finish. */
class GracefulShutdownIT {
  @Test
  void aRunningOperationFinishesBeforeDockUpExits() throws Exception {
    String prefix = Stacks.uniqueName("gs");
    TestNode node = TestNode.builder().start();
    try {
      String name = prefix + "-op";
      assertEquals(201, node.http.post("/api/stack/" + name + "/compose", Stacks.content(Stacks.slowToStop(3))).status());
      assertEquals(200, node.http.operation(name, "up").status());
      CompletableFuture<Http.Resp> stop = CompletableFuture.supplyAsync(() -> node.http.operation(name, "stop"));
      node.await("/api/operations", o -> o.getJsonArray("operations").encode().contains("\"running\""), Duration.ofSeconds(5));

      var shutdown = node.app.shutdown();
      Http.Resp refused = node.http.get("/api/stacks");
      assertEquals(503, refused.status(), refused.toString());
      assertFalse(shutdown.isDone(), "still waiting for the operation");

      Http.Resp finished = stop.get(30, TimeUnit.SECONDS);
      assertEquals(200, finished.status(), finished.toString());
      assertTrue(finished.text().contains("\"success\":true"));
      shutdown.get(30, TimeUnit.SECONDS);
    } finally {
      node.close();
      try (Engine engine = Engine.shared()) {
        engine.removeProjects(prefix);
      }
    }
  }
}
