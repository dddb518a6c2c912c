package dev.dockup.auth;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Everything authentication remembers: the password hash, the credential epoch, API token
 * hashes, and revoked sessions. One interface for one node (a file) and for a fleet (the
 * fleet replicates it). Reads come from memory and are safe from any thread; a change is
 * visible at once and its future completes once it is persisted.
 */
public interface AuthStore {

  /** A named API token; only the SHA-256 of its secret is kept. */
  record Token(String id, String name, Scope scope, String hash, String createdAt) {
    public JsonObject toPublicJson() {
      return new JsonObject().put("id", id).put("name", name).put("scope", scope.id()).put("created_at", createdAt);
    }
  }

  String INSTANCE_TOKEN_ID = "instance";

  /** Called once before use: a fleet's store joins the others here. */
  default Future<Void> open() {
    return Future.succeededFuture();
  }

  /** Null until a password is set. */
  String passwordHash();

  /** Raised by every password change; sessions and JWTs of an older epoch are dead. */
  long epoch();

  Future<Void> setPassword(String bcryptHash);

  Token tokenByHash(String sha256Hex);

  Token token(String id);

  List<Token> tokens();

  Future<Void> putToken(Token token);

  Future<Boolean> removeToken(String id);

  boolean isRevoked(String sessionId);

  Future<Void> revoke(String sessionId, long expiresAtSeconds);
}
