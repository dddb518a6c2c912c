package dev.dockup.scan;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScanQueueTest {
  final Map<String, Promise<JsonObject>> runs = new HashMap<>();
  final List<String> events = new ArrayList<>();

  ScanQueue queue(int concurrency, int maxQueued) {
    return new ScanQueue(concurrency, maxQueued, job -> {
      Promise<JsonObject> p = Promise.promise();
      runs.put(job.target.key(), p);
      return p.future();
    }, job -> events.add("start " + job.target.key()), (job, summary) -> events.add("done " + job.target.key()));
  }

  static ScanQueue.Target t(String key) {
    return new ScanQueue.Target(key, "img-" + key, key, false);
  }

  @Test
  void oneImageIsScannedOnceAndTheOthersWaitTheirTurn() {
    ScanQueue q = queue(1, 10);
    ScanQueue.Job a = q.submit(t("a"), "manual", "web-1");
    assertEquals(ScanQueue.SCANNING, a.status);
    assertSame(a, q.submit(t("a"), "manual", "worker-1"), "the same image: the same scan");
    ScanQueue.Job b = q.submit(t("b"), "manual", null);
    ScanQueue.Job c = q.submit(t("c"), "manual", null);
    assertEquals(ScanQueue.QUEUED, b.status);
    assertEquals(1, q.position(b));
    assertEquals(2, q.position(c));
    assertEquals(List.of(a, b, c), q.all());
    Future<JsonObject> waited = a.done();

    runs.get("a").complete(new JsonObject().put("status", "completed"));
    assertTrue(waited.succeeded());
    assertEquals(ScanQueue.SCANNING, b.status);
    assertEquals(1, q.position(c));
    assertEquals(null, q.find("a"));
    runs.get("b").fail(new IllegalStateException("boom"));
    runs.get("c").complete(new JsonObject());
    assertEquals(List.of("start a", "done a", "start b", "done b", "start c", "done c"), events);
    assertEquals(0, q.runningCount());
  }

  @Test
  void aFullQueueRefuses() {
    ScanQueue q = queue(1, 1);
    q.submit(t("a"), "manual", null);
    q.submit(t("b"), "manual", null);
    assertThrows(dev.dockup.bus.ApiException.class, () -> q.submit(t("c"), "manual", null));
  }
}
