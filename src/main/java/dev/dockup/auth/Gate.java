package dev.dockup.auth;

import dev.dockup.audit.AuditLog;
import dev.dockup.bus.ApiException;
import dev.dockup.web.Api;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.authorization.PermissionBasedAuthorization;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import io.vertx.ext.web.handler.AuthorizationHandler;
import io.vertx.ext.web.handler.ChainAuthHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.ext.web.handler.SimpleAuthenticationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The handlers the route table puts in front of a route, by what the route declares:
 * {@link #admit} (the client's address, its credentials, the audit line), then for a route that
 * needs a credential {@link #authentication} (a vertx-web {@link ChainAuthHandler} of one link
 * per kind of credential, checked by vertx-auth-jwt and the token store), {@link #authorization}
 * (a {@link PermissionBasedAuthorization} of the route's scope) and {@link #sameOrigin} (cookies
 * hold only for the page's own origin). Refusals come back through the router's failure
 * handler, which asks {@link #refusal} what to answer.
 */
public final class Gate {
  private static final Logger LOG = LoggerFactory.getLogger(Gate.class);
  public static final String CLIENT = "dockup.client";
  /** What a public route that takes a password or code names as the credential in the audit log. */
  public static final String AUDIT_CREDENTIAL = "dockup.audit.credential";
  private static final String REFUSAL = "dockup.refusal";
  private static final String COUNTED = "dockup.refusal.counted";
  private static final HttpException ABSENT = new HttpException(401);
  private static final Pattern STACK_IN_PATH = Pattern.compile("^/api/(?:nodes/[^/]+/|peer/[^/]+/)?stack/([^/]+)");
  private static final Set<String> SECRET_PARAMS = Set.of("token", "password", "setup_code", "api_token");
  private static final long STRANGER_SUMMARY_MS = 60_000;

  private final AuthService auth;
  private final AuditLog audit;
  /** ALLOWED_ORIGINS without trailing slashes, lower-cased: compared on every cookie request that changes state. */
  private final Set<String> allowedOrigins;
  private final AuthenticationHandler headers;
  private final AuthenticationHandler feed;
  private final Map<Scope, AuthorizationHandler> authorizations = new EnumMap<>(Scope.class);
  /** Requests refused for want of a valid credential since the last summary line: counted, never audited one by one. */
  private final AtomicLong strangers = new AtomicLong();
  private volatile long lastSummaryMs;

  public Gate(AuthService auth, AuditLog audit) {
    this.auth = auth;
    this.audit = audit;
    this.allowedOrigins = auth.config().allowedOrigins().stream()
        .map(a -> a.replaceAll("/+$", "").toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.toUnmodifiableSet());
    this.headers = chain(false);
    this.feed = chain(true);
    for (Scope s : Scope.values()) {
      authorizations.put(s, AuthorizationHandler.create(PermissionBasedAuthorization.create(s.id())));
    }
  }

  /**
   * First for every route: who the client is, what it carries, and (for a route that changes
   * state) its audit line once answered. A route that needs a credential is refused while no
   * password is set.
   */
  public Handler<RoutingContext> admit(boolean feedDoor, boolean audited, boolean needsCredential) {
    // A platform handler: the router lets nothing but such run before authentication.
    PlatformHandler admit = ctx -> {
      String client = auth.clientAddress().of(ctx.request());
      ctx.put(CLIENT, client);
      ctx.put(Credentials.KEY, Credentials.of(ctx.request(), feedDoor));
      if (audited) ctx.addEndHandler(v -> audit(ctx, client));
      if (needsCredential && auth.setupRequired()) Api.error(ctx, 401, "Setup required");
      else ctx.next();
    };
    return admit;
  }

  /** Any one good credential admits the request; the feed's doors also take {@code ?token=}. */
  public AuthenticationHandler authentication(boolean feedDoor) {
    return feedDoor ? feed : headers;
  }

  /** For a public route that says more to a caller it knows: a credential sent must be good; none is fine. */
  public Handler<RoutingContext> optionalAuthentication() {
    return ctx -> {
      Credentials c = ctx.get(Credentials.KEY);
      if (c.none()) ctx.next();
      else headers.handle(ctx);
    };
  }

  public AuthorizationHandler authorization(Scope scope) {
    return authorizations.get(scope);
  }

  /**
   * A browser names the page's origin on every cross-site request that changes state; scripts
   * send none. The feed's doors are read by a page: there every method is held to the origin.
   */
  public Handler<RoutingContext> sameOrigin(boolean feedDoor) {
    return ctx -> {
      Principal p = Principal.of(ctx);
      if (p != null && "session".equals(p.kind()) && (changesState(ctx.request().method()) || feedDoor) && !sameOrigin(ctx)) {
        Api.error(ctx, 403, "Cross-origin request refused");
      } else {
        ctx.next();
      }
    };
  }

  /**
   * The answer to a request the chain or the authorization refused ({@code status} 401 or 403).
   * While the client is throttled (too many wrong passwords), a credential that does not pass
   * gets 429 like the password attempts; a good one has passed already.
   */
  public void refusal(RoutingContext ctx, int status) {
    if (status == 403) {
      Api.error(ctx, 403, "Insufficient scope");
      return;
    }
    countStranger(ctx);
    AuthService.Refused r = ctx.get(REFUSAL);
    String client = ctx.get(CLIENT);
    long retry = r != null && client != null ? auth.retryAfter(client) : 0;
    if (retry > 0) Api.fail(ctx, throttled(ctx, retry));
    else if (r != null) Api.send(ctx, r.status(), r.body());
    else Api.error(ctx, 401, "Authentication required");
  }

  /** The 429 for a client past its failed attempts, its {@code Retry-After} already on the response. */
  static ApiException throttled(RoutingContext ctx, long retryAfterSeconds) {
    ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
    return new ApiException(429, "Too many failed attempts; retry in " + retryAfterSeconds + " s");
  }

  // ---- the chain's links, one per kind of credential ----

  private AuthenticationHandler chain(boolean feedDoor) {
    ApiTokens tokens = new ApiTokens(auth);
    ChainAuthHandler chain = ChainAuthHandler.any()
        .add(link(Credentials::bearer, (ctx, jwt) -> auth.fromBearer(jwt).map(Principal::toUser)))
        .add(link(Credentials::apiToken, (ctx, token) -> tokens.authenticate(new TokenCredentials(token))))
        .add(link(Credentials::cookie, this::session))
        // The 1.3.0 quirk: the bare session value as the whole Cookie header.
        .add(link(Credentials::bareCookie, this::session));
    if (feedDoor) {
      chain.add(link(Credentials::queryToken, (ctx, token) -> token.startsWith(AuthService.TOKEN_PREFIX)
          ? tokens.authenticate(new TokenCredentials(token)) : auth.fromBearer(token).map(Principal::toUser)));
    }
    return chain;
  }

  private interface Check {
    Future<User> apply(RoutingContext ctx, String value);
  }

  /**
   * A link fails with a plain 401 when its credential is absent (the chain then tries the next)
   * and keeps the refusal of a credential that is present, so the answer can say why. The links
   * read the credentials parsed once by {@link #admit} rather than being vertx-web's own
   * header and cookie handlers, whose refusals the chain would lose.
   */
  private AuthenticationHandler link(Function<Credentials, String> read, Check check) {
    return SimpleAuthenticationHandler.create().authenticate(ctx -> {
      Credentials c = ctx.get(Credentials.KEY);
      String value = c == null ? null : read.apply(c);
      if (value == null) return Future.failedFuture(ABSENT);
      Future<User> checked;
      try {
        checked = check.apply(ctx, value);
      } catch (AuthService.Refused r) {
        checked = Future.failedFuture(r);
      }
      return checked.recover(t -> {
        if (t instanceof AuthService.Refused r) ctx.put(REFUSAL, r);
        return Future.failedFuture(new HttpException(401, t));
      });
    });
  }

  /** A session cookie; one used again after a minute is re-issued, so 12 h count from the last use. */
  private Future<User> session(RoutingContext ctx, String cookie) {
    return auth.fromSessionCookie(cookie).map(s -> {
      if (!auth.dueForReissue(s.claims())) return s.principal().toUser();
      Cookies.setSession(ctx, auth.issueSession(s.principal().sessionId()), auth.config().secureCookies());
      return s.principal().withExpiry(AuthService.now() + AuthService.SESSION_IDLE_SECONDS).toUser();
    });
  }

  // ---- origin, audit ----

  static boolean changesState(HttpMethod m) {
    return m != HttpMethod.GET && m != HttpMethod.HEAD && m != HttpMethod.OPTIONS;
  }

  /** Same origin means the same host and port as the request's {@code Host}, or an allowed origin. */
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

  /**
   * One line per request made with a valid credential, or that obtained one (a login, a setup).
   * Requests without either are strangers: a flood of them must not fill the audit log, so they
   * are only counted, and summed up in the application log at most once a minute.
   */
  private void audit(RoutingContext ctx, String client) {
    Principal p = Principal.of(ctx);
    String credential = p != null ? p.credential() : ctx.get(AUDIT_CREDENTIAL);
    int status = ctx.response().getStatusCode();
    if (p == null && (credential == null || status >= 400)) {
      if (!Boolean.TRUE.equals(ctx.get(COUNTED))) countStranger(ctx);
      return;
    }
    Matcher m = STACK_IN_PATH.matcher(ctx.request().path() == null ? "" : ctx.request().path());
    audit.append(new JsonObject()
        .put("time", Instant.now().toString())
        .put("credential", credential)
        .put("client", client)
        .put("method", ctx.request().method().name())
        .put("path", pathWithoutSecrets(ctx))
        .put("stack", m.find() ? m.group(1) : null)
        .put("status", status));
  }

  private void countStranger(RoutingContext ctx) {
    ctx.put(COUNTED, true);
    strangers.incrementAndGet();
    long now = System.currentTimeMillis();
    long last = lastSummaryMs;
    if (now - last < STRANGER_SUMMARY_MS) return;
    lastSummaryMs = now;
    long n = strangers.getAndSet(0);
    if (last != 0 && n > 0) LOG.info("{} requests without a valid credential refused in the last {} s", n, (now - last) / 1000);
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
