package dev.dockup.auth;

import io.vertx.core.Future;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.TokenCredentials;

/**
 * API tokens as a vertx-auth {@link AuthenticationProvider}, the kind an {@code APIKeyHandler}
 * asks: the token's SHA-256 looked up among the stored hashes (tokens are long and random, so no
 * bcrypt is needed). A token that matches none fails with the reason to answer.
 */
final class ApiTokens implements AuthenticationProvider {
  private final AuthService auth;

  ApiTokens(AuthService auth) {
    this.auth = auth;
  }

  @Override
  public Future<User> authenticate(io.vertx.ext.auth.authentication.Credentials credentials) {
    if (!(credentials instanceof TokenCredentials token)) return Future.failedFuture(new AuthService.Refused(401, "Invalid API token"));
    try {
      return Future.succeededFuture(auth.fromApiToken(token.getToken()).toUser());
    } catch (AuthService.Refused r) {
      return Future.failedFuture(r);
    }
  }
}
