package dev.dockup.auth;

import io.vertx.core.http.HttpServerRequest;

/**
 * The credentials a request carries, read once: {@code X-API-Token}, a bearer JWT, the
 * {@code session} cookie, a bare session value as the whole cookie (the 1.3.0 one-liner), and,
 * only on the feed's doors (WebSocket and SockJS, where a browser cannot set headers),
 * {@code ?token=}.
 */
public record Credentials(String apiToken, String bearer, String cookie, String bareCookie, String queryToken) {
  static final String KEY = "dockup.credentials";

  public static Credentials of(HttpServerRequest req, boolean allowQueryToken) {
    String api = blankToNull(req.getHeader("X-API-Token"));
    String bearer = null;
    String authz = req.getHeader("Authorization");
    if (authz != null && authz.regionMatches(true, 0, "Bearer ", 0, 7)) bearer = blankToNull(authz.substring(7).trim());
    String cookie = null;
    String bare = null;
    for (String header : req.headers().getAll("Cookie")) {
      String named = namedSession(header);
      if (named != null) cookie = named;
      String b = bareSession(header);
      if (b != null) bare = b;
    }
    String query = allowQueryToken ? blankToNull(req.getParam("token")) : null;
    return new Credentials(api, bearer, cookie, cookie == null ? bare : null, query);
  }

  public boolean none() {
    return apiToken == null && bearer == null && cookie == null && bareCookie == null && queryToken == null;
  }

  /** {@code session=<value>} among the cookies, unquoted. */
  static String namedSession(String header) {
    for (String part : header.split(";")) {
      String p = part.trim();
      int eq = p.indexOf('=');
      if (eq > 0 && p.substring(0, eq).trim().equals("session")) {
        String v = p.substring(eq + 1).trim();
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) v = v.substring(1, v.length() - 1);
        if (!v.isEmpty()) return v;
      }
    }
    return null;
  }

  /**
   * The 1.3.0 one-liner sends {@code Cookie: $(grep session /tmp/cookie | awk '{print $7}')}:
   * the session value alone, with no name.
   */
  static String bareSession(String header) {
    String bare = null;
    for (String part : header.split(";")) {
      String p = part.trim();
      if (p.indexOf('=') < 0 && looksLikeJwt(p)) bare = p;
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
