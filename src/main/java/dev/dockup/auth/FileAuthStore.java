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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The single node's auth store: memory, persisted to {@code DATA_DIR/auth.json} (owner-only). */
public final class FileAuthStore implements AuthStore {
  private final Vertx vertx;
  private final JsonFile file;
  private volatile String passwordHash;
  private volatile long epoch;
  private final Map<String, Token> tokensById = new ConcurrentHashMap<>();
  private final Map<String, Token> tokensByHash = new ConcurrentHashMap<>();
  private final Map<String, Long> revoked = new ConcurrentHashMap<>();

  private FileAuthStore(Vertx vertx, JsonFile file) {
    this.vertx = vertx;
    this.file = file;
  }

  /** Blocking: reads the store at start. */
  public static FileAuthStore load(Vertx vertx, Path dataDir) throws IOException {
    FileAuthStore store = new FileAuthStore(vertx, new JsonFile(dataDir.resolve("auth.json")));
    JsonObject doc = store.file.read();
    store.passwordHash = doc.getString("password_hash");
    store.epoch = doc.getLong("epoch", 0L);
    JsonObject tokens = doc.getJsonObject("tokens", new JsonObject());
    for (String id : tokens.fieldNames()) {
      JsonObject t = tokens.getJsonObject(id);
      Scope scope = Scope.parse(t.getString("scope"));
      if (scope == null || t.getString("hash") == null) continue;
      store.index(new Token(id, t.getString("name"), scope, t.getString("hash"), t.getString("created_at")));
    }
    long now = Instant.now().getEpochSecond();
    doc.getJsonObject("revoked", new JsonObject()).forEach(e -> {
      long until = ((Number) e.getValue()).longValue();
      if (until > now) store.revoked.put(e.getKey(), until);
    });
    return store;
  }

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
    return new JsonObject().put("password_hash", passwordHash).put("epoch", epoch).put("tokens", tokens).put("revoked", rev);
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
    return persist();
  }

  @Override
  public synchronized Future<Boolean> removeToken(String id) {
    Token t = tokensById.remove(id);
    if (t == null) return Future.succeededFuture(false);
    tokensByHash.remove(t.hash());
    return persist().map(true);
  }

  @Override
  public boolean isRevoked(String sessionId) { return revoked.containsKey(sessionId); }

  @Override
  public Future<Void> revoke(String sessionId, long expiresAtSeconds) {
    revoked.put(sessionId, expiresAtSeconds);
    return persist();
  }
}
