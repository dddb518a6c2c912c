package dev.dockup.it;

import com.hazelcast.core.DistributedObject;
import com.hazelcast.map.IMap;
import dev.dockup.Config;
import dev.dockup.fleet.Clustering;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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

  /** Every key and value of every map in the cluster, as text: what such a member can read there. */
  String everythingInMaps() throws Exception {
    var hazelcast = ((HazelcastClusterManager) ((VertxInternal) vertx).clusterManager()).getHazelcastInstance();
    StringBuilder out = new StringBuilder();
    for (DistributedObject o : hazelcast.getDistributedObjects()) {
      if (!(o instanceof IMap<?, ?> raw)) continue;
      // Through Vert.x where it can (its values as they were put), else as Hazelcast holds them.
      try {
        vertx.sharedData().getAsyncMap(o.getName()).compose(m -> m.entries()).toCompletionStage().toCompletableFuture()
            .get(10, TimeUnit.SECONDS).forEach((k, v) -> out.append(o.getName()).append(' ').append(k).append(" = ").append(v).append('\n'));
      } catch (Exception notVertxs) {
        raw.forEach((k, v) -> out.append(o.getName()).append(' ').append(k).append(" = ").append(v).append('\n'));
      }
    }
    return out.toString();
  }

  /** What is published on {@code address} from now on, as text. */
  List<String> listen(String address) throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    vertx.eventBus().consumer(address, m -> heard.add(String.valueOf(m.body()))).completion()
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return heard;
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
