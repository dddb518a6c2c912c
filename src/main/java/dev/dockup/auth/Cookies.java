package dev.dockup.auth;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * The {@code session} cookie: exactly one cookie, HttpOnly, SameSite=Strict, Path=/, Secure when
 * configured. The certbot hook greps the cookie jar for "session": nothing else may match.
 */
final class Cookies {
  private Cookies() {}

  static void setSession(RoutingContext ctx, String value, boolean secure) {
    ctx.response().headers().remove(HttpHeaders.SET_COOKIE);
    ctx.response().putHeader(HttpHeaders.SET_COOKIE, "session=" + value + "; Path=/; Max-Age="
        + AuthService.SESSION_IDLE_SECONDS + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : ""));
  }

  static void clearSession(RoutingContext ctx, boolean secure) {
    ctx.response().putHeader(HttpHeaders.SET_COOKIE,
        "session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : ""));
  }
}
