package dev.dockup.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An operation over OPERATION_TIMEOUT is killed, answers 504, and frees the stack. */
class OperationTimeoutIT {
  @Test
  void aTimedOutOperationAnswers504AndFreesTheStack() throws Exception {
    String prefix = Stacks.uniqueName("to");
    try (Engine engine = Engine.shared(); TestNode node = TestNode.builder().operationTimeout(3).start()) {
      String name = prefix + "-slow";
      assertEquals(201, node.http.post("/api/stack/" + name + "/compose", Stacks.content(Stacks.slowToStop(60))).status());
      assertEquals(200, node.http.operation(name, "up").status());

      long t0 = System.nanoTime();
      Http.Resp stop = node.http.operation(name, "stop");
      long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
      assertEquals(504, stop.status(), stop.toString());
      assertEquals("Operation timed out after 3 s", stop.json().getString("error"));
      assertEquals("timed_out", stop.json().getString("status"));
      assertTrue(seconds < 30, "the compose process was killed, not waited for (" + seconds + " s)");

      JsonObject ops = node.http.get("/api/operations").json();
      assertEquals("timed_out", ops.getJsonArray("operations").getJsonObject(0).getString("status"));
      // The stack is free again: the next operation runs instead of getting 409.
      Http.Resp kill = node.http.post("/api/stack/" + name + "/operation",
          new JsonObject().put("operation", "down"));
      assertTrue(kill.status() == 200 || kill.status() == 504, kill.toString());
      node.awaitStack(name, s -> s.getInteger("running") >= 0, Duration.ofSeconds(2));
    } finally {
      try (Engine engine = Engine.shared()) {
        engine.removeProjects(prefix);
      }
    }
  }
}
