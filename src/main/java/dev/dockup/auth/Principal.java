package dev.dockup.auth;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authorization.Authorization;
import io.vertx.ext.auth.authorization.PermissionBasedAuthorization;
import io.vertx.ext.web.RoutingContext;

import java.util.HashSet;
import java.util.Set;

/**
 * Who is asking. {@code kind} is {@code session}, {@code token} or {@code jwt}; {@code name} is what
 * the audit log shows (never a secret); {@code sessionId} and {@code tokenId} tie it to what can
 * revoke it; {@code expiresAt} is when the credential ends (epoch seconds), 0 for API tokens,
 * which do not. It travels as the Vert.x {@link User} of the request, whose permissions are the
 * scopes it covers.
 */
public record Principal(String kind, String name, Scope scope, String sessionId, String tokenId, long expiresAt) {
  static final String PROVIDER = "dockup";

  public Principal withExpiry(long at) {
    return new Principal(kind, name, scope, sessionId, tokenId, at);
  }

  public String credential() {
    return switch (kind) {
      case "session" -> "session";
      case "token" -> "token:" + name;
      default -> "jwt:" + name;
    };
  }

  /** The request's principal, or null when it was not authenticated. */
  public static Principal of(RoutingContext ctx) {
    User user = ctx.user();
    if (user == null) return null;
    JsonObject p = user.principal();
    return new Principal(p.getString("kind"), p.getString("name"), Scope.parse(p.getString("scope")),
        p.getString("sid"), p.getString("tid"), p.getLong("expires_at", 0L));
  }

  User toUser() {
    User user = User.create(new JsonObject().put("kind", kind).put("name", name).put("scope", scope.id())
        .put("sid", sessionId).put("tid", tokenId).put("expires_at", expiresAt));
    Set<Authorization> granted = new HashSet<>();
    for (Scope s : Scope.values()) {
      if (scope.covers(s)) granted.add(PermissionBasedAuthorization.create(s.id()));
    }
    user.authorizations().put(PROVIDER, granted);
    return user;
  }
}
