package dev.dockup.template;

import dev.dockup.bus.Bus;
import dev.dockup.fleet.Sealed;
import dev.dockup.fleet.Signer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Remote catalogs shared by the nodes of a fleet: a node that fetched one puts it, sealed with
 * the cluster secret, in a clustered map and says so; the nodes that list the same catalog take
 * it from there rather than fetching it again. A member without the secret can put anything
 * there: nothing unsealed, or sealed for another key, is taken.
 */
final class FleetShare {
  private final Vertx vertx;
  private final Signer signer;

  FleetShare(Vertx vertx, Signer signer) {
    this.vertx = vertx;
    this.signer = signer;
  }

  private static String purpose(String key) {
    return "templates:" + key;
  }

  /** Sealing and opening run on a worker: a catalog can be megabytes of JSON. */
  Future<Void> put(SourceState s) {
    return vertx.executeBlocking(() -> Sealed.seal(signer, purpose(s.key()), s.toStored()).encode(), false)
        .compose(sealed -> vertx.sharedData().<String, String>getAsyncMap(Bus.TEMPLATES_MAP).compose(map -> map.put(s.key(), sealed)))
        .onSuccess(v -> vertx.eventBus().publish(Bus.TEMPLATES_SHARED, s.key()));
  }

  /** The catalog another node shared under {@code key}, when genuine; else null. */
  Future<SourceState> get(String key) {
    return vertx.sharedData().<String, String>getAsyncMap(Bus.TEMPLATES_MAP)
        .compose(map -> map.get(key))
        .compose(text -> text == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
          JsonObject doc = Sealed.openText(signer, purpose(key), text);
          if (doc == null) return null;
          SourceState s = SourceState.fromStored(doc);
          return s.key().equals(key) ? s : null;
        }, false));
  }
}
