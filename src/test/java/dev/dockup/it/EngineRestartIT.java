package dev.dockup.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The engine going away and coming back needs no DockUp restart: the list stays served (with
 * engine_ok false), engine calls answer 503, and on return DockUp sees it again within 2 s,
 * resyncs and follows events.
 */
class EngineRestartIT {
  @TempDir
  Path tmp;

  @Test
  void anEngineStoppedAndStartedAgainIsPickedUpWithoutRestartingDockUp() throws Exception {
    try (OwnDockerd dockerd = new OwnDockerd(tmp.resolve("engine")).start()) {
      dockerd.loadImage(Engine.IMAGE);
      try (TestNode node = TestNode.builder().dockerHost(dockerd.host).root(tmp.resolve("node")).start()) {
        String name = "restart-me";
        assertEquals(201, node.http.post("/api/stack/" + name + "/compose", Stacks.content(Stacks.twoServices("x"))).status());
        assertEquals(200, node.http.operation(name, "up").status());
        node.awaitStack(name, s -> s.getInteger("running") == 2, Duration.ofSeconds(5));

        dockerd.stop();
        JsonObject down = node.awaitList(l -> !l.getBoolean("engine_ok"), Duration.ofSeconds(10));
        assertNotNull(Stacks.find(down, name), "the list is still served from memory");
        assertEquals(503, node.http.operation(name, "up").status());
        assertEquals(503, node.http.get("/api/stack/" + name + "/logs").status());

        // Down long enough for the retries to space out as far as they go.
        Thread.sleep(6_000);
        dockerd.start();
        // start() returns once the engine answers: DockUp sees it again within 2 s of that.
        node.awaitList(l -> l.getBoolean("engine_ok"), Duration.ofSeconds(2));
        // The engine stopped the containers on shutdown: the resync shows that, not the old state.
        node.awaitStack(name, s -> s.getInteger("running") == 0, Duration.ofSeconds(10));
        // And the event stream is followed again: a change made outside DockUp shows up.
        Engine.sh("cd " + node.stacksDir.resolve(name) + " && DOCKER_HOST=" + dockerd.host
            + " docker compose -p " + name + " up -d");
        node.awaitStack(name, s -> "running".equals(s.getString("status")), Duration.ofSeconds(5));
        Engine.sh("cd " + node.stacksDir.resolve(name) + " && DOCKER_HOST=" + dockerd.host
            + " docker compose -p " + name + " down");
      }
    }
  }
}
