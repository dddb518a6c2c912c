package dev.dockup.auth;

import dev.dockup.bus.ApiException;
import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import static dev.dockup.web.Schema.array;
import static dev.dockup.web.Schema.bool;
import static dev.dockup.web.Schema.dateTime;
import static dev.dockup.web.Schema.integer;
import static dev.dockup.web.Schema.nullable;
import static dev.dockup.web.Schema.object;
import static dev.dockup.web.Schema.oneOf;
import static dev.dockup.web.Schema.ref;
import static dev.dockup.web.Schema.string;

/** Setup, login, logout, password change, JWT exchange, and API tokens. */
public final class AuthRoutes implements RouteGroup {
  private static final Pattern TOKEN_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$");

  private final AuthService auth;
  private final Supplier<String> instanceName;

  public AuthRoutes(AuthService auth, Supplier<String> instanceName) {
    this.auth = auth;
    this.instanceName = instanceName;
  }

  @Override
  public String tag() {
    return "auth";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.get("/api/ping", Access.PUBLIC, "ping", "Liveness; with a credential (which must be good), also the instance name")
            .option(Route.Option.OPTIONAL_CREDENTIAL).response(ref("Ping")).handle(this::ping),
        Route.get("/api/auth/session", Access.READ, "whoAmI", "Who the caller is and until when its credential holds")
            .response(ref("WhoAmI")).handle(this::session),
        Route.post("/api/auth/setup", Access.PUBLIC, "setup", "First run: set the password with the one-time code from the log")
            .request(object("setup_code", string(), "password", string("At least 8 characters")))
            .description("Sets the `session` cookie.").errors(401, 409, 429).handle(this::setup),
        Route.post("/api/auth/login", Access.PUBLIC, "login", "Sign in with the password; sets the `session` cookie")
            .request(object("password", string())).errors(401, 429).handle(this::login),
        Route.post("/api/auth/logout", Access.PUBLIC, "logout", "End the session of the cookie sent, and clear it")
            .option(Route.Option.NOT_AUDITED).errors(503).handle(this::logout),
        Route.post("/api/auth/change-password", Access.ADMIN, "changePassword",
                "Change the password; every other session and JWT ends, the caller's session goes on")
            .request(object("current", string(), "new_password", string())).errors(429).handle(this::changePassword),
        Route.post("/api/auth/token", Access.PUBLIC, "issueJwt",
                "A JWT for the password (admin, or a narrower scope) or for the X-API-Token sent (at most its scope)")
            .option(Route.Option.OPTIONAL_CREDENTIAL)
            .request(object("password?", string(), "scope?", oneOf("read", "operate", "admin")))
            .response(ref("Jwt")).errors(403, 429).handle(this::exchange),
        Route.get("/api/tokens", Access.ADMIN, "listTokens", "API tokens (never their secrets)")
            .response(object("tokens", array(ref("TokenInfo")))).handle(this::listTokens),
        Route.post("/api/tokens", Access.ADMIN, "createToken", "A new API token; its secret is shown this once")
            .request(object("name", string(), "scope", oneOf("read", "operate", "admin")))
            .response(201, ref("NewToken")).errors(409).handle(this::createToken),
        Route.delete("/api/tokens/{id}", Access.ADMIN, "deleteToken", "Revoke a token and every JWT exchanged for it")
            .errors(404).handle(this::deleteToken),
        Route.post("/api/config/regenerate-token", Access.ADMIN, "regenerateInstanceToken",
                "Replace the 1.3.0 instance token; the old one and its JWTs stop working at once")
            .response(object("success", bool(), "token", string())).handle(this::regenerateInstanceToken));
  }

  @Override
  public Map<String, JsonObject> schemas() {
    return Map.of(
        "Ping", object("status", string(), "instance_name?", string(), "setup_required?", bool()),
        "WhoAmI", object("kind", oneOf("session", "token", "jwt"), "name", string(), "scope", oneOf("read", "operate", "admin"),
            "expires_at", nullable(dateTime())),
        "Jwt", object("token", string(), "expires_in", integer("Seconds"), "scope", string()),
        "TokenInfo", object("id", string(), "name", string(), "scope", string(), "created_at", string()),
        "NewToken", object("id", string(), "name", string(), "scope", string(), "token", string("Shown this once")));
  }

  /** Open as a liveness check; with a credential it must be a good one, and says more. */
  private void ping(RoutingContext ctx) {
    JsonObject out = new JsonObject().put("status", "ok");
    if (Principal.of(ctx) != null) out.put("instance_name", instanceName.get());
    else if (auth.setupRequired()) out.put("setup_required", true);
    Api.send(ctx, 200, out);
  }

  /** Who the caller is and until when: a page shows the session's end and returns to login after it. */
  private void session(RoutingContext ctx) {
    Principal p = Principal.of(ctx);
    Api.send(ctx, 200, new JsonObject()
        .put("kind", p.kind())
        .put("name", p.name())
        .put("scope", p.scope().id())
        .put("expires_at", p.expiresAt() == 0 ? null : Instant.ofEpochSecond(p.expiresAt()).toString()));
  }

  private void setup(RoutingContext ctx) {
    ctx.put(Gate.AUDIT_CREDENTIAL, "setup_code");
    if (!auth.setupRequired()) throw ApiException.conflict("A password is already set");
    String client = throttled(ctx);
    JsonObject body = Api.body(ctx);
    if (!auth.checkSetupCode(body.getValue("setup_code") instanceof String s ? s : null)) {
      auth.failed(client);
      throw new ApiException(401, "Invalid setup code");
    }
    String password = body.getValue("password") instanceof String s ? s : null;
    auth.setPassword(password)
        .onSuccess(v -> startSession(ctx))
        .onFailure(t -> Api.fail(ctx, t));
  }

  private void login(RoutingContext ctx) {
    ctx.put(Gate.AUDIT_CREDENTIAL, "password");
    if (auth.setupRequired()) throw new ApiException(401, "Setup required");
    String client = throttled(ctx);
    String password = Api.body(ctx).getValue("password") instanceof String s ? s : null;
    withPassword(ctx, client, password, () -> startSession(ctx));
  }

  /** Runs {@code then} when the password is right; a wrong one counts as a failed attempt. */
  private void withPassword(RoutingContext ctx, String client, String password, Runnable then) {
    auth.checkPassword(password).onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        then.run();
      } else {
        auth.failed(client);
        Api.error(ctx, 401, "Invalid password");
      }
    });
  }

  /** The body says only success: the certbot hook greps the whole answer for "session". */
  private void startSession(RoutingContext ctx) {
    Cookies.setSession(ctx, auth.issueSession(AuthService.newSessionId()), auth.config().secureCookies());
    Api.send(ctx, 200, new JsonObject().put("success", true));
  }

  /**
   * Revokes the cookie's session, then clears it. When the revocation cannot be made (the
   * fleet's store does not answer), the cookie is kept and the answer says so: a cleared
   * cookie would let the user believe the session ended while it still works.
   */
  private void logout(RoutingContext ctx) {
    Credentials c = ctx.get(Credentials.KEY);
    String cookie = c.cookie() != null ? c.cookie() : c.bareCookie();
    Future<Void> revoked = cookie == null ? Future.succeededFuture()
        : auth.fromSessionCookie(cookie).transform(ar -> ar.failed() ? Future.succeededFuture() : auth.revokeSession(ar.result().claims()));
    revoked.onComplete(ar -> {
      if (ar.failed()) {
        Api.error(ctx, 503, "The session could not be ended; try again");
        return;
      }
      Cookies.clearSession(ctx, auth.config().secureCookies());
      Api.send(ctx, 200, new JsonObject().put("success", true));
    });
  }

  /** Ends every other session (the epoch rises); the caller's own session goes on. */
  private void changePassword(RoutingContext ctx) {
    String client = throttled(ctx);
    JsonObject body = Api.body(ctx);
    String current = body.getValue("current") instanceof String s ? s : null;
    String next = body.getValue("new_password") instanceof String s ? s : null;
    Passwords.checkAcceptable(next);
    Principal caller = Principal.of(ctx);
    auth.checkPassword(current)
        .compose(ok -> {
          if (!ok) {
            auth.failed(client);
            return Future.failedFuture(new ApiException(401, "Current password is wrong"));
          }
          return auth.setPassword(next);
        })
        .onSuccess(v -> {
          if ("session".equals(caller.kind())) {
            Cookies.setSession(ctx, auth.issueSession(caller.sessionId()), auth.config().secureCookies());
          }
          Api.send(ctx, 200, new JsonObject().put("success", true));
        })
        .onFailure(t -> Api.fail(ctx, t));
  }

  /** A JWT for a password (admin, or the narrower scope asked for) or for an API token (at most its scope). */
  private void exchange(RoutingContext ctx) {
    if (auth.setupRequired()) throw new ApiException(401, "Setup required");
    JsonObject body = Api.body(ctx);
    Scope asked = null;
    if (body.getValue("scope") != null) {
      asked = body.getValue("scope") instanceof String s ? Scope.parse(s) : null;
      if (asked == null) throw ApiException.badRequest("scope must be read, operate or admin");
    }
    Principal p = Principal.of(ctx);
    if (p != null && "token".equals(p.kind())) {
      ctx.put(Gate.AUDIT_CREDENTIAL, "token");
      Scope scope = asked == null ? p.scope() : asked;
      if (!p.scope().covers(scope)) throw new ApiException(403, "Insufficient scope");
      issue(ctx, "token:" + p.name(), scope, auth.store().token(p.tokenId()));
      return;
    }
    ctx.put(Gate.AUDIT_CREDENTIAL, "password");
    String client = throttled(ctx);
    String password = body.getValue("password") instanceof String s ? s : null;
    Scope scope = asked == null ? Scope.ADMIN : asked;
    withPassword(ctx, client, password, () -> issue(ctx, "admin", scope, null));
  }

  private void issue(RoutingContext ctx, String subject, Scope scope, AuthStore.Token from) {
    Api.send(ctx, 200, new JsonObject()
        .put("token", auth.issueAccessToken(subject, scope, from))
        .put("expires_in", auth.config().jwtExpirySeconds())
        .put("scope", scope.id()));
  }
  private void listTokens(RoutingContext ctx) {
    JsonArray list = new JsonArray();
    auth.store().tokens().forEach(t -> list.add(t.toPublicJson()));
    Api.send(ctx, 200, new JsonObject().put("tokens", list));
  }

  private void createToken(RoutingContext ctx) {
    JsonObject body = Api.body(ctx);
    String name = body.getValue("name") instanceof String s ? s.trim() : null;
    if (name == null || !TOKEN_NAME.matcher(name).matches()) {
      throw ApiException.badRequest("name must be 1-64 letters, digits, spaces, '_', '.' or '-'");
    }
    Scope scope = body.getValue("scope") instanceof String s ? Scope.parse(s) : null;
    if (scope == null) throw ApiException.badRequest("scope must be read, operate or admin");
    if (auth.store().tokens().stream().anyMatch(t -> t.name().equals(name))) {
      throw ApiException.conflict("A token named '" + name + "' already exists");
    }
    String id = UUID.randomUUID().toString();
    auth.createToken(id, name, scope)
        .onSuccess(secret -> Api.send(ctx, 201, new JsonObject()
            .put("id", id).put("name", name).put("scope", scope.id()).put("token", secret)))
        .onFailure(t -> Api.fail(ctx, t));
  }

  private void deleteToken(RoutingContext ctx) {
    auth.store().removeToken(ctx.pathParam("id"))
        .onSuccess(found -> {
          if (found) Api.send(ctx, 200, new JsonObject().put("success", true));
          else Api.error(ctx, 404, "Token not found");
        })
        .onFailure(t -> Api.fail(ctx, t));
  }

  /** The 1.3.0 instance token: replaced, so the old one stops working at once. */
  private void regenerateInstanceToken(RoutingContext ctx) {
    auth.createToken(AuthStore.INSTANCE_TOKEN_ID, AuthStore.INSTANCE_TOKEN_ID, Scope.ADMIN)
        .onSuccess(secret -> Api.send(ctx, 200, new JsonObject().put("success", true).put("token", secret)))
        .onFailure(t -> Api.fail(ctx, t));
  }

  /** The client's address; a client past its failed attempts may not guess a password or code now (429). */
  private String throttled(RoutingContext ctx) {
    String client = ctx.get(Gate.CLIENT);
    long retry = auth.retryAfter(client);
    if (retry > 0) throw Gate.throttled(ctx, retry);
    return client;
  }
}
