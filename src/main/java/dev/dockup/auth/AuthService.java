package dev.dockup.auth;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.UUID;

/**
 * The rules of DESIGN.md "Authentication" for one node, shared by every HTTP verticle of the
 * process: which credentials are good, what they may do, how sessions and JWTs are issued.
 * Checking a cookie, a token or a JWT is a hash or an HMAC, cheap enough for every request;
 * only password checks (bcrypt) go to a worker.
 */
public final class AuthService {
  private static final Logger LOG = LoggerFactory.getLogger(AuthService.class);
  public static final long SESSION_IDLE_SECONDS = 12 * 3600;
  static final long REISSUE_AFTER_SECONDS = 60;
  public static final String TOKEN_PREFIX = "dku_";

  private final Vertx vertx;
  private final Config config;
  private final AuthStore store;
  private final Jwts jwts;
  private final Throttle throttle;
  private final ClientAddress clientAddress;
  private volatile String setupCode;

  /** A credential that did not pass, with the reason to answer. */
  public static final class Refused extends ApiException {
    Refused(int status, String message) {
      super(status, message);
    }
  }

  public AuthService(Vertx vertx, Config config, AuthStore store, byte[] key) {
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.jwts = new Jwts(vertx, key);
    this.throttle = new Throttle(config.loginMaxFailures(), config.loginWindowSeconds());
    this.clientAddress = new ClientAddress(config.trustedProxies());
  }

  public AuthStore store() { return store; }

  public Config config() { return config; }

  public ClientAddress clientAddress() { return clientAddress; }

  /**
   * Opens the store (in a fleet: joins the fleet's). Still without a password:
   * {@code DOCKUP_PASSWORD} becomes it, or a one-time setup code is printed once to the log.
   */
  public Future<Void> initialize() {
    return store.open().compose(v -> firstPassword());
  }

  private Future<Void> firstPassword() {
    if (store.passwordHash() != null) return Future.succeededFuture();
    if (config.initialPassword() != null) {
      return setPassword(config.initialPassword()).onSuccess(v -> LOG.info("Password set from DOCKUP_PASSWORD"));
    }
    setupCode = Secrets.random(12);
    LOG.warn("No password is set. One-time setup code: {} (send it with the new password to POST /api/auth/setup)", setupCode);
    return Future.succeededFuture();
  }

  public boolean setupRequired() {
    return store.passwordHash() == null;
  }

  // ---- throttling ----

  /**
   * Seconds until the client may try a password or a setup code again; 0 when it may now. Only
   * those are counted: tokens, JWTs and session cookies are long random values nobody guesses,
   * so a certbot hook's good token keeps working while someone hammers the login page.
   */
  public long retryAfter(String client) {
    return throttle.retryAfterSeconds(client, System.currentTimeMillis());
  }

  /** A wrong guess. Successes erase nothing: a right password between guesses must not reset the count. */
  public void failed(String client) {
    throttle.failed(client, System.currentTimeMillis());
  }

  // ---- credentials ----

  /** An API token's principal: a hash lookup (tokens are long and random; no bcrypt needed). */
  public Principal fromApiToken(String token) {
    AuthStore.Token t = token == null ? null : store.tokenByHash(Secrets.sha256Hex(token.trim()));
    if (t == null) throw new Refused(401, "Invalid API token");
    return new Principal("token", t.name(), t.scope(), null, t.id(), 0);
  }

  /**
   * An access JWT's principal. One exchanged for an API token carries that token's id and a
   * digest of its hash, so revoking or regenerating the token ends the JWT too.
   */
  public Future<Principal> fromBearer(String jwt) {
    return verify(jwt, "access").compose(claims -> {
      Scope scope = Scope.parse(claims.getString("scope"));
      if (scope == null) return Future.failedFuture(new Refused(401, "Invalid token"));
      String tokenId = claims.getString("tid");
      if (tokenId != null) {
        AuthStore.Token token = store.token(tokenId);
        if (token == null || !Secrets.equal(binding(token), claims.getString("tb"))) {
          return Future.failedFuture(new Refused(401, "Token revoked"));
        }
      }
      return Future.succeededFuture(new Principal("jwt", claims.getString("sub", "unknown"), scope, null, tokenId, claims.getLong("exp")));
    });
  }

  /** A session cookie's principal; {@code claims} are kept to decide on re-issuing it. */
  public record Session(Principal principal, JsonObject claims) {}

  public Future<Session> fromSessionCookie(String jwt) {
    return verify(jwt, "session").compose(claims -> {
      String sid = claims.getString("sid");
      if (sid == null || store.isRevoked(sid)) return Future.failedFuture(new Refused(401, "Authentication required"));
      return Future.succeededFuture(new Session(new Principal("session", "session", Scope.ADMIN, sid, null, claims.getLong("exp")), claims));
    });
  }

  private Future<JsonObject> verify(String jwt, String type) {
    return jwts.verify(jwt).compose(claims -> {
      if (!type.equals(claims.getString("typ"))) return Future.failedFuture(new Refused(401, "Invalid token"));
      if (claims.getLong("ep", -1L) != store.epoch()) return Future.failedFuture(new Refused(401, "Token expired"));
      return Future.succeededFuture(claims);
    });
  }

  /** Ties a JWT to one generation of a token: a regenerated token has a new hash, and so a new binding. */
  private static String binding(AuthStore.Token token) {
    return Secrets.sha256Hex("dockup-jwt-binding:" + token.hash()).substring(0, 32);
  }

  /** A fresh session cookie value for {@code sid}, valid 12 h from now. */
  public String issueSession(String sid) {
    long now = now();
    return jwts.sign(new JsonObject().put("typ", "session").put("sid", sid).put("ep", store.epoch())
        .put("iat", now).put("exp", now + SESSION_IDLE_SECONDS));
  }

  public static String newSessionId() {
    return Secrets.random(18);
  }

  public boolean dueForReissue(JsonObject claims) {
    return claims.getLong("iat", 0L) < now() - REISSUE_AFTER_SECONDS;
  }

  /** A JWT for {@code subject}; {@code from} is the API token it was exchanged for, null for the password. */
  public String issueAccessToken(String subject, Scope scope, AuthStore.Token from) {
    long now = now();
    JsonObject claims = new JsonObject().put("typ", "access").put("sub", subject).put("scope", scope.id())
        .put("ep", store.epoch()).put("jti", UUID.randomUUID().toString()).put("iat", now)
        .put("exp", now + config.jwtExpirySeconds());
    if (from != null) claims.put("tid", from.id()).put("tb", binding(from));
    return jwts.sign(claims);
  }

  public Future<Void> revokeSession(JsonObject claims) {
    return store.revoke(claims.getString("sid"), claims.getLong("exp", now() + SESSION_IDLE_SECONDS));
  }

  // ---- passwords and setup ----

  public Future<Boolean> checkPassword(String password) {
    String hash = store.passwordHash();
    if (hash == null || password == null) return Future.succeededFuture(false);
    return vertx.executeBlocking(() -> Passwords.verify(password, hash), false);
  }

  public boolean checkSetupCode(String code) {
    String expected = setupCode;
    return expected != null && Secrets.equal(expected, code);
  }

  public Future<Void> setPassword(String password) {
    Passwords.checkAcceptable(password);
    return vertx.executeBlocking(() -> Passwords.hash(password), false)
        .compose(store::setPassword)
        .onSuccess(v -> setupCode = null);
  }

  // ---- tokens ----

  /** Creates (or, for a known id, replaces) a token; returns its secret, shown this once. */
  public Future<String> createToken(String id, String name, Scope scope) {
    String secret = TOKEN_PREFIX + Secrets.random(32);
    AuthStore.Token token = new AuthStore.Token(id, name, scope, Secrets.sha256Hex(secret), Instant.now().toString());
    return store.putToken(token).map(secret);
  }

  static long now() {
    return Instant.now().getEpochSecond();
  }
}
