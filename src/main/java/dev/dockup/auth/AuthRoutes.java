package dev.dockup.auth;

import dev.dockup.bus.ApiException;
import dev.dockup.web.Api;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** Setup, login, logout, password change, JWT exchange, and API tokens. */
public final class AuthRoutes {
  private static final Pattern TOKEN_NAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$");

  private final AuthService auth;
  private final AuthHandler gate;
  private final Supplier<String> instanceName;

  private AuthRoutes(AuthService auth, AuthHandler gate, Supplier<String> instanceName) {
    this.auth = auth;
    this.gate = gate;
    this.instanceName = instanceName;
  }

  public static void mount(Router router, AuthService auth, AuthHandler gate, Supplier<String> instanceName) {
    AuthRoutes r = new AuthRoutes(auth, gate, instanceName);
    router.get("/api/ping").handler(r::ping);
    router.get("/api/auth/session").handler(r::session);
    router.post("/api/auth/setup").handler(r::setup);
    router.post("/api/auth/login").handler(r::login);
    router.post("/api/auth/logout").handler(r::logout);
    router.post("/api/auth/change-password").handler(r::changePassword);
    router.post("/api/auth/token").handler(r::exchange);
    router.get("/api/tokens").handler(r::listTokens);
    router.post("/api/tokens").handler(r::createToken);
    router.delete("/api/tokens/:id").handler(r::deleteToken);
    router.post("/api/config/regenerate-token").handler(r::regenerateInstanceToken);
  }

  /** Open as a liveness check; with a credential it must be a good one, and says more. */
  private void ping(RoutingContext ctx) {
    JsonObject out = new JsonObject().put("status", "ok");
    Principal p;
    try {
      p = gate.authenticate(ctx);
    } catch (AuthService.Refused r) {
      Api.send(ctx, r.status(), r.body());
      return;
    }
    if (p != null) out.put("instance_name", instanceName.get());
    else if (auth.setupRequired()) out.put("setup_required", true);
    Api.send(ctx, 200, out);
  }

  /** Who the caller is and until when: a page shows the session's end and returns to login after it. */
  private void session(RoutingContext ctx) {
    Principal p = ctx.get(Principal.KEY);
    Api.send(ctx, 200, new JsonObject()
        .put("kind", p.kind())
        .put("name", p.name())
        .put("scope", p.scope().id())
        .put("expires_at", p.expiresAt() == 0 ? null : java.time.Instant.ofEpochSecond(p.expiresAt()).toString()));
  }

  private void setup(RoutingContext ctx) {
    ctx.put(AuthHandler.AUDIT_CREDENTIAL, "setup_code");
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
    ctx.put(AuthHandler.AUDIT_CREDENTIAL, "password");
    if (auth.setupRequired()) throw new ApiException(401, "Setup required");
    String client = throttled(ctx);
    String password = Api.body(ctx).getValue("password") instanceof String s ? s : null;
    withPassword(ctx, client, password, () -> startSession(ctx));
  }

  /** Runs {@code then} when the password is right; a wrong one counts as a failed attempt. */
  private void withPassword(RoutingContext ctx, String client, String password, Runnable then) {
    auth.checkPassword(password).onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        auth.succeeded(client);
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

  private void logout(RoutingContext ctx) {
    String cookie = Credentials.of(ctx.request(), false).cookie();
    Future<Void> revoked = Future.succeededFuture();
    if (cookie != null) {
      try {
        AuthService.Session s = auth.fromSessionCookie(cookie);
        ctx.put(Principal.KEY, s.principal());
        revoked = auth.revokeSession(s.claims());
      } catch (AuthService.Refused ignored) {
        // already invalid: nothing to revoke
      }
    }
    revoked.onComplete(ar -> {
      Cookies.clearSession(ctx, auth.config().secureCookies());
      Api.send(ctx, 200, new JsonObject().put("success", true));
    });
  }

  /** Ends every other session (the epoch rises); the caller's own session goes on. */
  private void changePassword(RoutingContext ctx) {
    JsonObject body = Api.body(ctx);
    String current = body.getValue("current") instanceof String s ? s : null;
    String next = body.getValue("new_password") instanceof String s ? s : null;
    Passwords.checkAcceptable(next);
    String client = ctx.get(AuthHandler.CLIENT);
    Principal caller = ctx.get(Principal.KEY);
    auth.checkPassword(current)
        .compose(ok -> {
          if (!ok) {
            auth.failed(client);
            return Future.failedFuture(new ApiException(401, "Current password is wrong"));
          }
          return auth.setPassword(next);
        })
        .onSuccess(v -> {
          if (caller != null && "session".equals(caller.kind())) {
            Cookies.setSession(ctx, auth.issueSession(caller.sessionId()), auth.config().secureCookies());
          }
          Api.send(ctx, 200, new JsonObject().put("success", true));
        })
        .onFailure(t -> Api.fail(ctx, t));
  }

  /** A JWT for a password (admin, or the narrower scope asked for) or for an API token (at most its scope). */
  private void exchange(RoutingContext ctx) {
    if (auth.setupRequired()) throw new ApiException(401, "Setup required");
    String client = throttled(ctx);
    JsonObject body = Api.body(ctx);
    Scope asked = null;
    if (body.getValue("scope") != null) {
      asked = body.getValue("scope") instanceof String s ? Scope.parse(s) : null;
      if (asked == null) throw ApiException.badRequest("scope must be read, operate or admin");
    }
    String apiToken = ctx.request().getHeader("X-API-Token");
    if (apiToken != null && !apiToken.isBlank()) {
      ctx.put(AuthHandler.AUDIT_CREDENTIAL, "token");
      Principal p = gate.authenticate(ctx);
      Scope scope = asked == null ? p.scope() : asked;
      if (!p.scope().covers(scope)) throw new ApiException(403, "Insufficient scope");
      issue(ctx, "token:" + p.name(), scope, p.tokenId());
      return;
    }
    ctx.put(AuthHandler.AUDIT_CREDENTIAL, "password");
    String password = body.getValue("password") instanceof String s ? s : null;
    Scope scope = asked == null ? Scope.ADMIN : asked;
    withPassword(ctx, client, password, () -> issue(ctx, "admin", scope, null));
  }

  private void issue(RoutingContext ctx, String subject, Scope scope, String tokenId) {
    Api.send(ctx, 200, new JsonObject()
        .put("token", auth.issueAccessToken(subject, scope, tokenId))
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

  /** The client's address, refused with 429 while it is throttled. */
  private String throttled(RoutingContext ctx) {
    String client = ctx.get(AuthHandler.CLIENT);
    AuthHandler.refuseWhileThrottled(auth, ctx, client);
    return client;
  }
}
