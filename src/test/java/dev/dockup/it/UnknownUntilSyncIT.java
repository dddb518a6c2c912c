package dev.dockup.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After a restart, a stack that runs is never said to be inactive: until the engine's listing has
 * been applied it is {@code unknown} (a health loop must not restart everything).
 */
class UnknownUntilSyncIT {
  @Test
  void aStartWithStacksRunningNeverAnswersThemInactive() throws Exception {
    String prefix = Stacks.uniqueName("us");
    String name = prefix + "-app";
    Path root = Files.createTempDirectory("dockup-sync-");
    String token;
    try (TestNode first = TestNode.builder().root(root).start()) {
      assertEquals(201, first.http.post("/api/stack/" + name + "/compose", Stacks.content(Stacks.twoServices("x"))).status());
      assertEquals(200, first.http.operation(name, "up").status());
      token = first.http.post("/api/tokens", new JsonObject().put("name", "health-loop").put("scope", "read")).json().getString("token");
    }
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Http loop = new Http(port).with("X-API-Token", token);
    CompletableFuture<TestNode> second = CompletableFuture.supplyAsync(() -> {
      try {
        return TestNode.builder().root(root).config("port", port).waitForEngine(false).start();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    List<String> seen = new ArrayList<>();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        Http.Resp list;
        Http.Resp detail;
        try {
          list = loop.get("/api/stacks");
          detail = loop.get("/api/stack/" + name);
        } catch (IllegalStateException notYetListening) {
          Thread.sleep(5);
          continue;
        }
        if (list.status() != 200 || detail.status() != 200) continue;
        String listed = Stacks.find(list.json(), name).getString("status");
        String detailed = detail.json().getString("status");
        seen.add(listed + "/" + detailed + "/" + detail.json().getString("health_status"));
        assertFalse(List.of("inactive", "stopped").contains(listed), "the list claimed " + seen);
        assertFalse(List.of("inactive", "stopped").contains(detailed), "the stack claimed " + seen);
        if ("running".equals(listed) && "running".equals(detailed)) break;
      }
      assertTrue(seen.get(seen.size() - 1).startsWith("running/running/healthy"), seen.toString());
    } finally {
      second.get(60, TimeUnit.SECONDS).close();
      try (Engine engine = Engine.shared()) {
        engine.removeProjects(prefix);
      }
    }
  }
}
