package dev.dockup.fleet;

import dev.dockup.auth.AuthStore;
import dev.dockup.auth.FileAuthStore;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.store.JsonFile;
import dev.dockup.store.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * One auth store for the whole fleet (DESIGN.md, Authentication). Every node keeps the whole
 * store in memory and on disk ({@link FileAuthStore}), so checking a credential never leaves the
 * node. A change is made under the fleet's lock on the newest revision, sealed with the cluster
 * secret, put in a clustered map and pushed to every node, and completes once the others have
 * taken it (or 2 s have passed): a token revoked on one node is refused on the next request
 * anywhere. A node takes only sealed stores of a higher revision, so a member without the
 * secret can neither forge an entry nor bring back an old one. The store is encrypted as well
 * as sealed, in the map and on the bus ({@link Sealed#sealSecret}): such a member cannot read
 * the password's bcrypt hash or the token hashes either.
 */
public final class FleetAuthStore implements AuthStore {
  private static final Logger LOG = LoggerFactory.getLogger(FleetAuthStore.class);
  static final String PURPOSE = "auth-store";
  static final long LOCK_TIMEOUT_MS = 10_000;
  static final long ACK_TIMEOUT_MS = 2_000;
  static final long RESYNC_MS = 10_000;
  static final long TIDY_MS = 3_600_000;
  static final long FORGED_WAIT_MS = RESYNC_MS + 2_000;
  static final long HEAL_GAP_MS = 1_000;

  private final Vertx vertx;
  private final FileAuthStore local;
  private final Signer signer;
  private final SecretBox box;
  private final String node;
  private volatile long lastHealAt;

  public FleetAuthStore(Vertx vertx, FileAuthStore local, Signer signer, String node) {
    this.vertx = vertx;
    this.local = local;
    this.signer = signer;
    this.box = Sealed.box(signer, PURPOSE);
    this.node = node;
  }

  /**
   * Joins the fleet's store: a fleet that has a password keeps it and this node adopts it (its
   * own store is kept aside); a fleet without one takes this node's.
   */
  @Override
  public Future<Void> open() {
    return vertx.eventBus().<JsonObject>consumer(Bus.AUTH_SYNC, this::onSync).completion()
        .compose(v -> untilNotForged(System.currentTimeMillis() + FORGED_WAIT_MS))
        .compose(v -> locked(this::join))
        .onSuccess(v -> vertx.setPeriodic(RESYNC_MS, id -> resync()));
  }

  /**
   * A forgery in the map would pass for a fleet without a password, and this node would then
   * impose its own store: the others put the genuine one back within {@link #RESYNC_MS}.
   */
  private Future<Void> untilNotForged(long deadline) {
    return found().compose(f -> {
      if (!f.forged() || System.currentTimeMillis() > deadline) return Future.succeededFuture();
      return vertx.timer(500).compose(v -> untilNotForged(deadline));
    });
  }

  private Future<Void> join() {
    return fleetStore().compose(fleet -> {
      if (fleet != null && fleet.getString("password_hash") != null) return adopt(fleet);
      long revision = Math.max(local.revision(), fleet == null ? 0 : fleet.getLong("revision", 0L)) + 1;
      LOG.info("The fleet's auth store has no password yet: it takes this node's (revision {})", revision);
      return local.replace(local.document().put("revision", revision)).compose(v -> publish());
    });
  }

  private Future<Void> adopt(JsonObject fleet) {
    JsonObject mine = local.document();
    boolean fresh = mine.getString("password_hash") == null && mine.getJsonObject("tokens").isEmpty();
    boolean sameLineage = Objects.equals(mine.getString("password_hash"), fleet.getString("password_hash"));
    Future<Void> aside = fresh || sameLineage ? Future.succeededFuture() : keepAside(mine);
    return aside.compose(v -> local.replace(fleet))
        .onSuccess(v -> LOG.info("Adopted the fleet's auth store (revision {})", fleet.getLong("revision", 0L)));
  }

  /** This node's own store, before it adopted the fleet's: kept, not lost, and said where. */
  private Future<Void> keepAside(JsonObject mine) {
    Path aside = local.path().resolveSibling(FileAuthStore.FILE + ".own-" + Instant.now().toEpochMilli());
    return new JsonFile(aside).save(vertx, () -> mine).onSuccess(v -> LOG.warn(
        "This node had its own password and tokens; it now uses the fleet's. Its own store is kept in {}", aside));
  }

  // ---- reads: from memory ----

  @Override
  public String passwordHash() { return local.passwordHash(); }

  @Override
  public long epoch() { return local.epoch(); }

  @Override
  public Token tokenByHash(String sha256Hex) { return local.tokenByHash(sha256Hex); }

  @Override
  public Token token(String id) { return local.token(id); }

  @Override
  public List<Token> tokens() { return local.tokens(); }

  @Override
  public boolean isRevoked(String sessionId) { return local.isRevoked(sessionId); }

  // ---- changes: one at a time across the fleet ----

  @Override
  public Future<Void> setPassword(String bcryptHash) {
    return change(() -> local.setPassword(bcryptHash));
  }

  @Override
  public Future<Void> putToken(Token token) {
    return change(() -> local.putToken(token));
  }

  @Override
  public Future<Boolean> removeToken(String id) {
    return change(() -> local.removeToken(id));
  }

  @Override
  public Future<Void> revoke(String sessionId, long expiresAtSeconds) {
    return change(() -> local.revoke(sessionId, expiresAtSeconds));
  }

  /** Drops expired revocations from the fleet's store: a fleet-once job. */
  public FleetOnce.Job tidyJob() {
    return new FleetOnce.Job("auth-store-tidy", TIDY_MS,
        () -> change(() -> local.replace(local.document().put("revision", local.revision() + 1))));
  }

  private <T> Future<T> change(Supplier<Future<T>> apply) {
    return locked(() -> catchUp().compose(v -> apply.get()).compose(result -> publish().map(result)));
  }

  private <T> Future<T> locked(Supplier<Future<T>> work) {
    return vertx.sharedData().getLockWithTimeout(Bus.AUTH_MAP, LOCK_TIMEOUT_MS)
        .recover(t -> Future.failedFuture(ApiException.unavailable("The fleet's auth store is busy; try again")))
        .compose(lock -> work.get().andThen(ar -> lock.release()));
  }

  /** Takes the fleet's store when it is newer than this node's. */
  private Future<Void> catchUp() {
    return fleetStore().compose(fleet -> fleet != null && fleet.getLong("revision", 0L) > local.revision()
        ? local.replace(fleet) : Future.succeededFuture());
  }

  /** What the cluster's map holds: nothing, the fleet's store, or a forgery. */
  private record Found(JsonObject store, boolean forged) {}

  private Future<Found> found() {
    return map().compose(m -> m.get(Bus.AUTH_KEY)).map(value -> {
      if (value == null) return new Found(null, false);
      // Any member may put anything there.
      JsonObject doc = value instanceof String text ? Sealed.openSecretText(signer, box, PURPOSE, text) : null;
      if (doc == null) LOG.warn("The auth store in the cluster is not sealed with this fleet's secret: ignored");
      return new Found(doc, doc == null);
    });
  }

  /** The fleet's store when it is genuine; null when there is none (or only a forgery). */
  private Future<JsonObject> fleetStore() {
    return found().map(Found::store);
  }

  private Future<AsyncMap<String, Object>> map() {
    return vertx.sharedData().getAsyncMap(Bus.AUTH_MAP);
  }

  /** This node's store becomes the fleet's: in the map, then pushed to every node. */
  private Future<Void> publish() {
    JsonObject sealed = Sealed.sealSecret(signer, box, PURPOSE, local.document());
    return map().compose(m -> m.put(Bus.AUTH_KEY, sealed.encode())).compose(v -> pushToAll(sealed));
  }

  /** Completes when every other member took the store, or after {@link #ACK_TIMEOUT_MS}. */
  private Future<Void> pushToAll(JsonObject sealed) {
    int others = ((VertxInternal) vertx).clusterManager().getNodes().size() - 1;
    if (others <= 0) return Future.succeededFuture();
    String ackAddress = Bus.AUTH_ACK_PREFIX + UUID.randomUUID();
    Promise<Void> done = Promise.promise();
    AtomicInteger acks = new AtomicInteger();
    MessageConsumer<Object> consumer = vertx.eventBus().consumer(ackAddress, m -> {
      if (acks.incrementAndGet() >= others) done.tryComplete();
    });
    long timer = vertx.setTimer(ACK_TIMEOUT_MS, id -> done.tryComplete());
    consumer.completion().onSuccess(v -> vertx.eventBus().publish(Bus.AUTH_SYNC, sealed.copy().put("ack", ackAddress)));
    return done.future().andThen(ar -> {
      vertx.cancelTimer(timer);
      consumer.unregister();
    });
  }

  /** Another node changed the store: take it if genuine and newer, and say so. */
  private void onSync(Message<JsonObject> msg) {
    JsonObject doc = Sealed.openSecret(signer, box, PURPOSE, msg.body());
    if (doc == null) {
      LOG.warn("Ignored an auth store not sealed with this fleet's secret");
      // Whoever pushed it may have put it in the map too: put the fleet's back soon.
      long now = System.currentTimeMillis();
      if (now - lastHealAt > HEAL_GAP_MS) {
        lastHealAt = now;
        resync();
      }
      return;
    }
    Future<Void> taken = doc.getLong("revision", 0L) > local.revision() ? local.replace(doc) : Future.succeededFuture();
    String ack = msg.body().getValue("ack") instanceof String a && a.startsWith(Bus.AUTH_ACK_PREFIX) ? a : null;
    taken.onComplete(ar -> {
      if (ar.failed()) LOG.warn("Could not save the fleet's auth store: {}", ar.cause().getMessage());
      if (ack != null) vertx.eventBus().send(ack, node);
    });
  }

  /**
   * The safety net for a push this node missed (it was busy joining, or a message was lost):
   * a newer store is taken; a missing or older one in the map is replaced by this node's.
   */
  private void resync() {
    fleetStore().onSuccess(fleet -> {
      long theirs = fleet == null ? -1 : fleet.getLong("revision", 0L);
      if (theirs > local.revision()) local.replace(fleet);
      else if (theirs < local.revision()) locked(this::republishIfStillBehind);
    });
  }

  private Future<Void> republishIfStillBehind() {
    return fleetStore().compose(fleet -> fleet == null || fleet.getLong("revision", 0L) < local.revision()
        ? publish() : Future.succeededFuture());
  }
}
