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
  private final byte[] key;
  private final Throttle throttle;
  private final ClientAddress clientAddress;
  private volatile String setupCode;

  /** A credential that did not pass; {@code counts} when it is a guess the throttle should see. */
  public static final class Refused extends ApiException {
    final boolean counts;

    Refused(int status, String message, boolean counts) {
      super(status, message);
      this.counts = counts;
    }
  }

  public AuthService(Vertx vertx, Config config, AuthStore store, byte[] key) {
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.key = key;
    this.throttle = new Throttle(config.loginMaxFailures(), config.loginWindowSeconds());
    this.clientAddress = new ClientAddress(config.trustedProxies());
    vertx.setPeriodic(60_000, id -> throttle.sweep(System.currentTimeMillis()));
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

  public long retryAfter(String client) {
    return throttle.retryAfterSeconds(client, System.currentTimeMillis());
  }

  public void failed(String client) {
    throttle.failed(client, System.currentTimeMillis());
  }

  public void succeeded(String client) {
    throttle.succeeded(client);
  }

  // ---- credentials ----

  public Principal fromApiToken(String token) {
    AuthStore.Token t = token == null ? null : store.tokenByHash(Secrets.sha256Hex(token.trim()));
    if (t == null) throw new Refused(401, "Invalid API token", true);
    return new Principal("token", t.name(), t.scope(), null, t.id(), 0);
  }

  public Principal fromBearer(String jwt) {
    JsonObject claims = verify(jwt, "access");
    Scope scope = Scope.parse(claims.getString("scope"));
    String tokenId = claims.getString("tid");
    if (scope == null) throw new Refused(401, "Invalid token", true);
    if (tokenId != null && store.token(tokenId) == null) throw new Refused(401, "Token revoked", false);
    return new Principal("jwt", claims.getString("sub", "unknown"), scope, null, tokenId, claims.getLong("exp", 0L));
  }

  /** A session cookie's principal; {@code claims} are kept to decide on re-issuing it. */
  public record Session(Principal principal, JsonObject claims) {}

  public Session fromSessionCookie(String jwt) {
    JsonObject claims = verify(jwt, "session");
    String sid = claims.getString("sid");
    if (sid == null || store.isRevoked(sid)) throw new Refused(401, "Authentication required", false);
    return new Session(new Principal("session", "session", Scope.ADMIN, sid, null, claims.getLong("exp", 0L)), claims);
  }

  private JsonObject verify(String jwt, String type) {
    JsonObject claims;
    try {
      claims = Jwt.verify(jwt, key, now());
    } catch (Jwt.Invalid e) {
      boolean expired = e.getMessage().contains("expired");
      throw new Refused(401, expired ? "Token expired" : "Invalid token", !expired);
    }
    if (!type.equals(claims.getString("typ"))) throw new Refused(401, "Invalid token", true);
    if (claims.getLong("ep", -1L) != store.epoch()) throw new Refused(401, "Token expired", false);
    return claims;
  }

  /** A fresh session cookie value for {@code sid}, valid 12 h from now. */
  public String issueSession(String sid) {
    long now = now();
    return Jwt.sign(new JsonObject().put("typ", "session").put("sid", sid).put("ep", store.epoch())
        .put("iat", now).put("exp", now + SESSION_IDLE_SECONDS), key);
  }

  public static String newSessionId() {
    return Secrets.random(18);
  }

  public boolean dueForReissue(JsonObject claims) {
    return claims.getLong("iat", 0L) < now() - REISSUE_AFTER_SECONDS;
  }

  public String issueAccessToken(String subject, Scope scope, String tokenId) {
    long now = now();
    JsonObject claims = new JsonObject().put("typ", "access").put("sub", subject).put("scope", scope.id())
        .put("ep", store.epoch()).put("jti", UUID.randomUUID().toString()).put("iat", now)
        .put("exp", now + config.jwtExpirySeconds());
    if (tokenId != null) claims.put("tid", tokenId);
    return Jwt.sign(claims, key);
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
