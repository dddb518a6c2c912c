package dev.dockup.auth;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * HS256 JSON Web Tokens, and nothing else: a token whose header names any other algorithm
 * (among them {@code none}) is refused before its signature is looked at.
 */
public final class Jwt {
  private Jwt() {}

  private static final String HEADER = b64(new JsonObject().put("alg", "HS256").put("typ", "JWT").encode().getBytes(StandardCharsets.UTF_8));
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  /** Why a token was refused; the message is safe to show. */
  public static final class Invalid extends Exception {
    public Invalid(String message) {
      super(message, null, false, false);
    }
  }

  public static String sign(JsonObject claims, byte[] key) {
    String body = HEADER + "." + b64(claims.encode().getBytes(StandardCharsets.UTF_8));
    return body + "." + b64(Secrets.hmacSha256(key, body.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The claims of a well-signed, unexpired token. */
  public static JsonObject verify(String token, byte[] key, long nowSeconds) throws Invalid {
    if (token == null || token.length() > 8192) throw new Invalid("Invalid token");
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) throw new Invalid("Invalid token");
    JsonObject header = decode(parts[0]);
    if (!"HS256".equals(header.getValue("alg"))) throw new Invalid("Invalid token");
    byte[] expected = Secrets.hmacSha256(key, (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    byte[] given;
    try {
      given = DECODER.decode(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new Invalid("Invalid token");
    }
    if (!MessageDigest.isEqual(expected, given)) throw new Invalid("Invalid token");
    JsonObject claims = decode(parts[1]);
    Object exp = claims.getValue("exp");
    if (!(exp instanceof Number n) || n.longValue() <= nowSeconds) throw new Invalid("Token expired");
    return claims;
  }

  private static JsonObject decode(String part) throws Invalid {
    try {
      return new JsonObject(new String(DECODER.decode(part), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new Invalid("Invalid token");
    }
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
