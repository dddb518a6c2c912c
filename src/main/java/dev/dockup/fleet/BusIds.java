package dev.dockup.fleet;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.map.MapEvent;
import com.hazelcast.multimap.MultiMap;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.spi.cluster.hazelcast.impl.HazelcastRegistrationInfo;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which cluster member each node is, as its sealed fleet entry says, and who listens on each
 * node's gateway address. Hazelcast lets any member listen on any address, and the event bus
 * hands such a listener its share of the requests meant for a node; so a request goes out only
 * when the node alone listens there. Who listens is read once per address from the cluster's
 * registrations and then kept current by their change events, which reach this node before
 * the event bus's own routing has re-read them: a newcomer is seen before it can be sent to,
 * and the check costs no cluster call. Written by the fleet verticle, read by every sender.
 */
public final class BusIds {
  /** Where vertx-hazelcast keeps event-bus registrations. */
  static final String SUBSCRIPTIONS = "__vertx.subs";

  private final Map<String, String> byNode = new ConcurrentHashMap<>();
  private final Map<String, Set<RegistrationInfo>> listeners = new ConcurrentHashMap<>();
  private final Map<String, Future<Void>> watched = new ConcurrentHashMap<>();
  /** Until when an address stays refused after a stranger stopped listening there. */
  private final Map<String, Long> strangerUntil = new ConcurrentHashMap<>();
  /**
   * The event bus's routing learns that a listener left a little after the cluster says so
   * (it re-reads, throttled by 20 ms): meanwhile it may still send to the stranger.
   */
  static final long STRANGER_GRACE_MS = 2_000;

  void learned(String node, String busId) {
    if (busId != null) byNode.put(node, busId);
  }

  public static String own(Vertx vertx) {
    ClusterManager cm = ((VertxInternal) vertx).clusterManager();
    return cm == null ? null : cm.getNodeId();
  }

  /** The members listening on {@code address}, as the cluster says now. */
  static Future<List<RegistrationInfo>> listeners(Vertx vertx, String address) {
    Promise<List<RegistrationInfo>> p = Promise.promise();
    ((VertxInternal) vertx).clusterManager().getRegistrations(address, p);
    return p.future();
  }

  /** Null when only {@code node} itself listens on its {@code address}; otherwise why not to send. */
  Future<String> onlyNodeListens(Vertx vertx, String node, String address) {
    String expected = byNode.get(node);
    if (expected == null) return Future.succeededFuture("not heard from yet");
    return watch(vertx, node, address).map(v -> {
      Set<RegistrationInfo> regs = listeners.get(address);
      if (regs.isEmpty()) return "not listening";
      boolean strangerNow = !regs.stream().allMatch(r -> expected.equals(r.nodeId()));
      boolean strangerLately = System.currentTimeMillis() < strangerUntil.getOrDefault(address, 0L);
      return strangerNow || strangerLately ? "another cluster member listens on its address" : null;
    });
  }

  private Future<Void> watch(Vertx vertx, String node, String address) {
    Future<Void> w = watched.computeIfAbsent(address, a -> startWatching(vertx, node, a));
    // A failed start is tried again by the next request.
    return w.onFailure(t -> watched.remove(address, w));
  }

  /** The listener first, then the current state: a change in between is not missed. */
  private Future<Void> startWatching(Vertx vertx, String node, String address) {
    Set<RegistrationInfo> regs = listeners.computeIfAbsent(address, a -> ConcurrentHashMap.newKeySet());
    if (!(((VertxInternal) vertx).clusterManager() instanceof HazelcastClusterManager hcm)) {
      return Future.failedFuture(new IllegalStateException("not a Hazelcast cluster"));
    }
    MultiMap<String, HazelcastRegistrationInfo> subs = hcm.getHazelcastInstance().getMultiMap(SUBSCRIPTIONS);
    return vertx.executeBlocking(() -> {
      subs.addEntryListener(new Changes(node, address, regs), address, true);
      subs.get(address).forEach(r -> regs.add(r.unwrap()));
      return null;
    }, false);
  }

  private final class Changes implements EntryListener<String, HazelcastRegistrationInfo> {
    private final String node;
    private final String address;
    private final Set<RegistrationInfo> regs;

    Changes(String node, String address, Set<RegistrationInfo> regs) {
      this.node = node;
      this.address = address;
      this.regs = regs;
    }

    @Override
    public void entryAdded(EntryEvent<String, HazelcastRegistrationInfo> e) {
      if (e.getValue() != null) regs.add(e.getValue().unwrap());
    }

    @Override
    public void entryRemoved(EntryEvent<String, HazelcastRegistrationInfo> e) {
      HazelcastRegistrationInfo gone = e.getOldValue() != null ? e.getOldValue() : e.getValue();
      if (gone == null) return;
      if (!gone.unwrap().nodeId().equals(byNode.get(node))) strangerUntil.put(address, System.currentTimeMillis() + STRANGER_GRACE_MS);
      regs.remove(gone.unwrap());
    }

    @Override
    public void entryUpdated(EntryEvent<String, HazelcastRegistrationInfo> e) {
      entryAdded(e);
    }

    @Override
    public void entryEvicted(EntryEvent<String, HazelcastRegistrationInfo> e) {
      entryRemoved(e);
    }

    @Override
    public void entryExpired(EntryEvent<String, HazelcastRegistrationInfo> e) {
      entryRemoved(e);
    }

    @Override
    public void mapCleared(MapEvent e) {
      regs.clear();
    }

    @Override
    public void mapEvicted(MapEvent e) {
      regs.clear();
    }
  }
}
