package dev.dockup.it;

import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One-shot log reads have a pool of their own, and a bound. Here the test holds every thread
 * of that pool (it is shared by name within the node's Vert.x), as a burst of huge reads would:
 * the node still follows its containers, log requests beyond the bound are refused at once
 * with 503, and the waiting ones are answered once the pool is free.
 */
class LogReadsIT {
  static final String LOG_POOL = "dockup-engine-logs";
  static final int LOG_THREADS = 4;
  /** Containers whose reads may wait at once (LogReads.MAX_PENDING). */
  static final int MAX_PENDING = 64;

  @Test
  void heldLogReadsNeitherStarveTheNodesStateNorPileUpWithoutBound() throws Exception {
    String name = Stacks.uniqueName("logs");
    try (TestNode node = TestNode.builder().start(); Engine engine = Engine.shared()) {
      assertEquals(201, node.http.post("/api/stack/" + name + "/compose", Stacks.content(Stacks.twoServices("hello"))).status());
      assertEquals(200, node.http.operation(name, "up").status());
      node.awaitStack(name, s -> s.getInteger("running") == 2, Duration.ofSeconds(10));

      WorkerExecutor logPool = node.app.vertx().createSharedWorkerExecutor(LOG_POOL, LOG_THREADS);
      CountDownLatch held = new CountDownLatch(LOG_THREADS);
      CountDownLatch release = new CountDownLatch(1);
      for (int i = 0; i < LOG_THREADS; i++) {
        logPool.executeBlocking(() -> {
          held.countDown();
          return release.await(60, TimeUnit.SECONDS);
        }, false);
      }
      assertTrue(held.await(10, TimeUnit.SECONDS), "the test holds every log-read thread");

      // Each request reads the stack's 2 containers: the first MAX_PENDING / 2 wait, the rest are refused.
      int requests = MAX_PENDING / 2 + 8;
      ExecutorService clients = Executors.newFixedThreadPool(requests);
      List<Future<Http.Resp>> reads = new ArrayList<>();
      try {
        for (int i = 0; i < requests; i++) reads.add(clients.submit(() -> node.http.get("/api/stack/" + name + "/logs?lines=10")));
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (reads.stream().filter(Future::isDone).count() < 8 && System.nanoTime() < deadline) Thread.sleep(20);
        List<Http.Resp> refused = new ArrayList<>();
        for (Future<Http.Resp> f : reads) if (f.isDone()) refused.add(f.get());
        assertEquals(8, refused.size(), "refused at once, beyond the bound");
        for (Http.Resp r : refused) {
          assertEquals(503, r.status(), r.toString());
          assertTrue(r.headers().firstValue("retry-after").isPresent());
        }

        // The node's state still follows the engine: a container stopped outside DockUp is seen so.
        String web = engine.containers(name).stream().filter(c -> c.getNames()[0].contains("web")).findFirst().orElseThrow().getId();
        engine.docker.stopContainerCmd(web).withTimeout(1).exec();
        node.awaitStack(name, s -> s.getInteger("running") == 1, Duration.ofSeconds(10));
        assertEquals(requests - 8, reads.stream().filter(f -> !f.isDone()).count(), "the admitted reads still wait");
      } finally {
        release.countDown();
        logPool.close();
      }

      int answered = 0;
      for (Future<Http.Resp> f : reads) {
        Http.Resp r = f.get(60, TimeUnit.SECONDS);
        if (r.status() == 503) continue;
        assertEquals(200, r.status(), r.toString());
        JsonObject logs = r.json().getJsonObject("logs");
        assertTrue(logs.encode().contains("hello"), r.toString());
        assertFalse(logs.encode().contains("Exception"), r.toString());
        answered++;
      }
      assertEquals(requests - 8, answered);
      clients.shutdownNow();
      assertEquals(200, node.http.operation(name, "down").status());
    } finally {
      try (Engine engine = Engine.shared()) {
        engine.removeProjects(name);
      }
    }
  }
}
