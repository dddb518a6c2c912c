package dev.dockup.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.util.Base64;

/**
 * Session cookies and access JWTs, signed and checked by vertx-auth-jwt with one HS256 key. A
 * token with any other algorithm (among them {@code none}) is refused by {@link JWTAuth} itself;
 * what it does not insist on (an {@code exp} claim) is checked here.
 */
final class Jwts {
  private static final JWTOptions SIGN = new JWTOptions().setAlgorithm("HS256");
  private static final int MAX_LENGTH = 8192;

  private final JWTAuth jwt;

  Jwts(Vertx vertx, byte[] key) {
    JsonObject jwk = new JsonObject().put("kty", "oct").put("alg", "HS256")
        .put("k", Base64.getUrlEncoder().withoutPadding().encodeToString(key));
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions().addJwk(jwk));
  }

  String sign(JsonObject claims) {
    return jwt.generateToken(claims, SIGN);
  }

  /** The claims of a well-signed, unexpired token; otherwise a refusal that says which. */
  Future<JsonObject> verify(String token) {
    if (token == null || token.length() > MAX_LENGTH) return Future.failedFuture(invalid());
    return jwt.authenticate(new TokenCredentials(token))
        .recover(t -> Future.failedFuture(String.valueOf(t.getMessage()).contains("expired")
            ? new AuthService.Refused(401, "Token expired") : invalid()))
        .compose(user -> {
          JsonObject claims = user.attributes().getJsonObject("accessToken");
          return claims != null && claims.getValue("exp") instanceof Number ? Future.succeededFuture(claims) : Future.failedFuture(invalid());
        });
  }

  private static AuthService.Refused invalid() {
    return new AuthService.Refused(401, "Invalid token");
  }
}
