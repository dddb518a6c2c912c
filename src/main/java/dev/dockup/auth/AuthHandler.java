package dev.dockup.auth;

import dev.dockup.audit.AuditLog;
import dev.dockup.web.Api;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.net.URI;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one authentication gate every {@code /api} route (and later {@code /ws}, {@code /eventbus})
 * passes through: credentials, throttling, scope, same-origin for cookies, and the audit line
 * of every request that changes state.
 */
public final class AuthHandler implements Handler<RoutingContext> {
  public static final String CLIENT = "dockup.client";
  public static final String AUDIT_CREDENTIAL = "dockup.audit.credential";
  private static final Set<String> OPEN = Set.of(
      "GET /api/ping", "POST /api/auth/login", "POST /api/auth/setup", "POST /api/auth/token", "POST /api/auth/logout");
  private static final Pattern STACK_IN_PATH = Pattern.compile("^/api/(?:nodes/[^/]+/|peer/[^/]+/)?stack/([^/]+)");
  private static final Set<String> SECRET_PARAMS = Set.of("token", "password", "setup_code", "api_token");

  private final AuthService auth;
  private final AuditLog audit;
  private final boolean allowQueryToken;
  /** ALLOWED_ORIGINS without trailing slashes, lower-cased: compared on every cookie request that changes state. */
  private final Set<String> allowedOrigins;

  public AuthHandler(AuthService auth, AuditLog audit, boolean allowQueryToken) {
    this.auth = auth;
    this.audit = audit;
    this.allowQueryToken = allowQueryToken;
    this.allowedOrigins = auth.config().allowedOrigins().stream()
        .map(a -> a.replaceAll("/+$", "").toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpMethod method = ctx.request().method();
    String path = ctx.normalizedPath();
    String client = auth.clientAddress().of(ctx.request());
    ctx.put(CLIENT, client);
    if (changesState(method)) ctx.addEndHandler(v -> audit(ctx, client));
    if (OPEN.contains(method.name() + " " + path)) {
      ctx.next();
      return;
    }
    if (auth.setupRequired()) {
      Api.error(ctx, 401, "Setup required");
      return;
    }
    Principal p;
    try {
      p = authenticate(ctx);
    } catch (AuthService.Refused r) {
      Api.send(ctx, r.status(), r.body());
      return;
    }
    if (p == null) {
      Api.error(ctx, 401, "Authentication required");
      return;
    }
    if (!p.scope().covers(Scope.required(method, path))) {
      Api.error(ctx, 403, "Insufficient scope");
      return;
    }
    // The feed's doors (allowQueryToken) are read by a browser page: its Origin is checked on
    // the upgrade itself, which is a GET.
    if ("session".equals(p.kind()) && (changesState(method) || allowQueryToken) && !sameOrigin(ctx)) {
      Api.error(ctx, 403, "Cross-origin request refused");
      return;
    }
    ctx.next();
  }

  /**
   * The request's principal, or null when it carries no credential. A throttled client, or a
   * credential that does not pass, is refused (and a guess is counted).
   */
  public Principal authenticate(RoutingContext ctx) {
    Credentials c = Credentials.of(ctx.request(), allowQueryToken);
    if (c.none()) return null;
    String client = ctx.get(CLIENT);
    refuseWhileThrottled(auth, ctx, client);
    try {
      Principal p = principal(ctx, c);
      ctx.put(Principal.KEY, p);
      return p;
    } catch (AuthService.Refused r) {
      if (r.counts) auth.failed(client);
      throw r;
    }
  }

  /** A client past its failed attempts gets 429 with {@code Retry-After}, whatever it sends. */
  static void refuseWhileThrottled(AuthService auth, RoutingContext ctx, String client) {
    long retry = auth.retryAfter(client);
    if (retry > 0) {
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retry));
      throw new AuthService.Refused(429, "Too many failed attempts; retry in " + retry + " s", false);
    }
  }

  private Principal principal(RoutingContext ctx, Credentials c) {
    if (c.apiToken() != null) return auth.fromApiToken(c.apiToken());
    if (c.bearer() != null) return auth.fromBearer(c.bearer());
    if (c.queryToken() != null) {
      return c.queryToken().startsWith(AuthService.TOKEN_PREFIX) ? auth.fromApiToken(c.queryToken()) : auth.fromBearer(c.queryToken());
    }
    AuthService.Session s = auth.fromSessionCookie(c.cookie());
    if (!auth.dueForReissue(s.claims())) return s.principal();
    Cookies.setSession(ctx, auth.issueSession(s.principal().sessionId()), auth.config().secureCookies());
    return s.principal().withExpiry(AuthService.now() + AuthService.SESSION_IDLE_SECONDS);
  }

  static boolean changesState(HttpMethod m) {
    return m != HttpMethod.GET && m != HttpMethod.HEAD && m != HttpMethod.OPTIONS;
  }

  /**
   * A browser names the page's origin on every cross-site request that changes state; scripts
   * send none. Same origin means the same host and port as the request's {@code Host}.
   */
  boolean sameOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    if (origin == null) return !"cross-site".equalsIgnoreCase(ctx.request().getHeader("Sec-Fetch-Site"));
    String o = origin.trim().replaceAll("/+$", "");
    if (allowedOrigins.contains(o.toLowerCase(Locale.ROOT))) return true;
    // authority(): the Host header on HTTP/1.1, :authority on HTTP/2.
    var authority = ctx.request().authority();
    if (authority == null || "null".equals(o)) return false;
    try {
      URI uri = URI.create(o);
      if (uri.getHost() == null) return false;
      int originPort = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
      int requestPort = authority.port();
      boolean portMatches = requestPort == originPort || (requestPort < 0 && (originPort == 80 || originPort == 443));
      return portMatches && authority.host().equalsIgnoreCase(uri.getHost().replaceAll("^\\[|\\]$", ""));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void audit(RoutingContext ctx, String client) {
    Principal p = ctx.get(Principal.KEY);
    String credential = p != null ? p.credential() : ctx.get(AUDIT_CREDENTIAL) != null ? ctx.get(AUDIT_CREDENTIAL) : "none";
    Matcher m = STACK_IN_PATH.matcher(ctx.request().path() == null ? "" : ctx.request().path());
    audit.append(new JsonObject()
        .put("time", Instant.now().toString())
        .put("credential", credential)
        .put("client", client)
        .put("method", ctx.request().method().name())
        .put("path", pathWithoutSecrets(ctx))
        .put("stack", m.find() ? m.group(1) : null)
        .put("status", ctx.response().getStatusCode()));
  }

  static String pathWithoutSecrets(RoutingContext ctx) {
    String path = ctx.request().path();
    String query = ctx.request().query();
    if (query == null || query.isEmpty()) return path;
    StringBuilder kept = new StringBuilder();
    for (String pair : query.split("&")) {
      String name = pair.split("=", 2)[0].toLowerCase(Locale.ROOT);
      if (SECRET_PARAMS.contains(name)) continue;
      if (kept.length() > 0) kept.append('&');
      kept.append(pair);
    }
    return kept.length() == 0 ? path : path + "?" + kept;
  }
}
