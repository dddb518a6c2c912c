package dev.dockup.auth;

import io.vertx.core.http.HttpServerRequest;

/**
 * The credentials a request carries: {@code X-API-Token}, a bearer JWT, the {@code session}
 * cookie, and (only where allowed: WebSocket and SockJS) {@code ?token=}.
 */
public record Credentials(String apiToken, String bearer, String cookie, String queryToken) {

  public static Credentials of(HttpServerRequest req, boolean allowQueryToken) {
    String api = blankToNull(req.getHeader("X-API-Token"));
    String bearer = null;
    String authz = req.getHeader("Authorization");
    if (authz != null && authz.regionMatches(true, 0, "Bearer ", 0, 7)) bearer = blankToNull(authz.substring(7).trim());
    String cookie = null;
    for (String header : req.headers().getAll("Cookie")) {
      String found = sessionCookie(header);
      if (found != null) cookie = found;
    }
    String query = allowQueryToken ? blankToNull(req.getParam("token")) : null;
    return new Credentials(api, bearer, cookie, query);
  }

  public boolean none() {
    return apiToken == null && bearer == null && cookie == null && queryToken == null;
  }

  /**
   * {@code session=<value>}, or a bare {@code <value>}: the 1.3.0 one-liner sends
   * {@code Cookie: $(grep session /tmp/cookie | awk '{print $7}')}, the value alone.
   */
  static String sessionCookie(String header) {
    String bare = null;
    for (String part : header.split(";")) {
      String p = part.trim();
      int eq = p.indexOf('=');
      if (eq < 0) {
        if (looksLikeJwt(p)) bare = p;
      } else if (p.substring(0, eq).trim().equals("session")) {
        String v = p.substring(eq + 1).trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
        if (!v.isEmpty()) return v;
      }
    }
    return bare;
  }

  private static boolean looksLikeJwt(String v) {
    return v.chars().filter(c -> c == '.').count() == 2 && v.matches("[A-Za-z0-9_.-]+");
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
