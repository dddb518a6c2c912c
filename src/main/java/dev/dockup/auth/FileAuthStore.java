package dev.dockup.auth;

import dev.dockup.store.JsonFile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The single node's auth store: memory, persisted to {@code DATA_DIR/auth.json} (owner-only). */
public final class FileAuthStore implements AuthStore {
  public static final String FILE = "auth.json";
  private final Vertx vertx;
  private final JsonFile file;
  private volatile String passwordHash;
  private volatile long epoch;
  private volatile long revision;
  private final Map<String, Token> tokensById = new ConcurrentHashMap<>();
  private final Map<String, Token> tokensByHash = new ConcurrentHashMap<>();
  private final Map<String, Long> revoked = new ConcurrentHashMap<>();

  private FileAuthStore(Vertx vertx, JsonFile file) {
    this.vertx = vertx;
    this.file = file;
  }

  /** Blocking: reads the store at start. */
  public static FileAuthStore load(Vertx vertx, Path dataDir) throws IOException {
    FileAuthStore store = new FileAuthStore(vertx, new JsonFile(dataDir.resolve(FILE)));
    store.apply(store.file.read());
    return store;
  }

  public Path path() { return file.path(); }

  /** Takes every field from {@code doc}, the format of the file and of {@link #document()}. */
  private synchronized void apply(JsonObject doc) {
    passwordHash = doc.getString("password_hash");
    epoch = doc.getLong("epoch", 0L);
    revision = doc.getLong("revision", 0L);
    tokensById.clear();
    tokensByHash.clear();
    JsonObject tokens = doc.getJsonObject("tokens", new JsonObject());
    for (String id : tokens.fieldNames()) {
      JsonObject t = tokens.getJsonObject(id);
      Scope scope = Scope.parse(t.getString("scope"));
      if (scope == null || t.getString("hash") == null) continue;
      index(new Token(id, t.getString("name"), scope, t.getString("hash"), t.getString("created_at")));
    }
    long now = Instant.now().getEpochSecond();
    Map<String, Long> stillRevoked = new HashMap<>();
    doc.getJsonObject("revoked", new JsonObject()).forEach(e -> {
      if (e.getValue() instanceof Number until && until.longValue() > now) stillRevoked.put(e.getKey(), until.longValue());
    });
    // Added before the old list goes, so a revoked session is never briefly valid.
    revoked.putAll(stillRevoked);
    revoked.keySet().retainAll(stillRevoked.keySet());
  }

  /**
   * Replaces the whole store (a fleet's store adopted, or a newer revision of it) and persists
   * it; no change is lost in between because the fleet serializes its changes.
   */
  public Future<Void> replace(JsonObject doc) {
    apply(doc);
    return persist();
  }

  /** Every field, as persisted; {@code revision} counts the changes. */
  public synchronized JsonObject document() {
    return snapshot();
  }

  public long revision() { return revision; }

  private void index(Token t) {
    Token old = tokensById.put(t.id(), t);
    if (old != null) tokensByHash.remove(old.hash());
    tokensByHash.put(t.hash(), t);
  }

  private JsonObject snapshot() {
    JsonObject tokens = new JsonObject();
    tokensById.values().forEach(t -> tokens.put(t.id(), new JsonObject()
        .put("name", t.name()).put("scope", t.scope().id()).put("hash", t.hash()).put("created_at", t.createdAt())));
    long now = Instant.now().getEpochSecond();
    revoked.values().removeIf(until -> until <= now);
    JsonObject rev = new JsonObject();
    revoked.forEach(rev::put);
    return new JsonObject().put("password_hash", passwordHash).put("epoch", epoch).put("revision", revision)
        .put("tokens", tokens).put("revoked", rev);
  }

  private Future<Void> persist() {
    return file.save(vertx, this::snapshot);
  }

  @Override
  public String passwordHash() { return passwordHash; }

  @Override
  public long epoch() { return epoch; }

  @Override
  public synchronized Future<Void> setPassword(String bcryptHash) {
    passwordHash = bcryptHash;
    epoch++;
    revision++;
    return persist();
  }

  @Override
  public Token tokenByHash(String sha256Hex) { return tokensByHash.get(sha256Hex); }

  @Override
  public Token token(String id) { return tokensById.get(id); }

  @Override
  public List<Token> tokens() {
    List<Token> out = new ArrayList<>(tokensById.values());
    out.sort(Comparator.comparing(Token::createdAt).thenComparing(Token::id));
    return out;
  }

  @Override
  public synchronized Future<Void> putToken(Token token) {
    index(token);
    revision++;
    return persist();
  }

  @Override
  public synchronized Future<Boolean> removeToken(String id) {
    Token t = tokensById.remove(id);
    if (t == null) return Future.succeededFuture(false);
    tokensByHash.remove(t.hash());
    revision++;
    return persist().map(true);
  }

  @Override
  public boolean isRevoked(String sessionId) { return revoked.containsKey(sessionId); }

  @Override
  public synchronized Future<Void> revoke(String sessionId, long expiresAtSeconds) {
    revoked.put(sessionId, expiresAtSeconds);
    revision++;
    return persist();
  }
}
