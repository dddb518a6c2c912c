package dev.dockup.auth;

/**
 * Who is asking. {@code kind} is {@code session}, {@code token} or {@code jwt}; {@code name} is what
 * the audit log shows (never a secret); {@code sessionId} and {@code tokenId} tie it to what can
 * revoke it.
 * {@code expiresAt} is when the credential ends (epoch seconds), 0 for API tokens, which do not.
 */
public record Principal(String kind, String name, Scope scope, String sessionId, String tokenId, long expiresAt) {
  public static final String KEY = "dockup.principal";

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
}
