package dev.dockup.fleet;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which cluster member each node is, as its sealed fleet entry says. Hazelcast lets any member
 * listen on any address, and the event bus hands such a listener its share of the requests
 * meant for a node; so before a request goes out, the listeners of the node's gateway address
 * are checked to be that node alone. Written by the fleet verticle, read by every sender.
 */
public final class BusIds {
  private final Map<String, String> byNode = new ConcurrentHashMap<>();

  void learned(String node, String busId) {
    if (busId != null) byNode.put(node, busId);
  }

  public static String own(Vertx vertx) {
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    return cm == null ? null : cm.getNodeId();
  }

  /** The members listening on {@code address}, as the cluster (not this node's cache) says. */
  static Future<List<RegistrationInfo>> listeners(Vertx vertx, String address) {
    Promise<List<RegistrationInfo>> p = Promise.promise();
    ((VertxInternal) vertx).clusterManager().getRegistrations(address, p);
    return p.future();
  }

  /** Null when only {@code node} itself listens on its {@code address}; otherwise why not to send. */
  Future<String> onlyNodeListens(Vertx vertx, String node, String address) {
    String expected = byNode.get(node);
    if (expected == null) return Future.succeededFuture("not heard from yet");
    return listeners(vertx, address).map(regs -> {
      if (regs.isEmpty()) return "not listening";
      return regs.stream().allMatch(r -> expected.equals(r.nodeId())) ? null : "another cluster member listens on its address";
    });
  }
}
