package dev.dockup.it;

import dev.dockup.Config;
import dev.dockup.fleet.Clustering;
import dev.dockup.fleet.FleetOnce;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A fleet-once job on two clustered members runs once per period, and moves when its node leaves. */
class FleetOnceIT {

  static Vertx member(String cluster, int port, String members) throws Exception {
    JsonObject json = Config.defaults().put("node_name", "once-" + port)
        .put("cluster", true).put("cluster_name", cluster).put("cluster_host", "127.0.0.1")
        .put("cluster_port", port).put("eventbus_port", FleetIT.freePort())
        .put("cluster_members", members).put("cluster_secret", FleetIT.SECRET);
    return Clustering.vertx(Config.fromJson(json)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void aFleetJobRunsOnOneNodeAPeriodAndMovesWhenThatNodeLeaves() throws Exception {
    String cluster = "once" + UUID.randomUUID().toString().substring(0, 8);
    int pa = FleetIT.freePort();
    int pb = FleetIT.freePort();
    String members = "127.0.0.1:" + pa + ",127.0.0.1:" + pb;
    Vertx a = member(cluster, pa, members);
    Vertx b = member(cluster, pb, members);
    try {
      AtomicInteger onA = new AtomicInteger();
      AtomicInteger onB = new AtomicInteger();
      long period = 1_000;
      FleetOnce.schedule(a, new FleetOnce.Job("count", period, () -> Future.succeededFuture(onA.incrementAndGet())));
      FleetOnce.schedule(b, new FleetOnce.Job("count", period, () -> Future.succeededFuture(onB.incrementAndGet())));
      Thread.sleep(4_500);
      int runs = onA.get() + onB.get();
      // Each node alone would have run it about 4 times: together they ran it about 4 times, not 8.
      assertTrue(runs >= 2 && runs <= 6, "runs in 4.5 s with a 1 s period: A " + onA.get() + ", B " + onB.get());

      a.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      a = null;
      int before = onB.get();
      Thread.sleep(3_000);
      assertTrue(onB.get() > before, "B took over the job once A left");
    } finally {
      if (a != null) a.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      b.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
