package dev.dockup.it;

import dev.dockup.Config;
import dev.dockup.fleet.Clustering;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;

/**
 * A member that joins a test fleet's Hazelcast cluster knowing its name and members but not
 * its secret: what anyone who reaches the port on an open network could do.
 */
final class Intruder implements AutoCloseable {
  static final String WRONG_SECRET = "not-the-fleet-secret-not-the-fleet-secret";
  final Vertx vertx;

  private Intruder(Vertx vertx) {
    this.vertx = vertx;
  }

  static Intruder join(String cluster, String members) throws Exception {
    JsonObject json = Config.defaults().put("node_name", "intruder")
        .put("cluster", true).put("cluster_name", cluster).put("cluster_host", "127.0.0.1")
        .put("cluster_port", FleetIT.freePort()).put("eventbus_port", FleetIT.freePort())
        .put("cluster_members", members).put("cluster_secret", WRONG_SECRET);
    return new Intruder(Clustering.vertx(Config.fromJson(json)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
