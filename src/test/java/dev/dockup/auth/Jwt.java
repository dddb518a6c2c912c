package dev.dockup.auth;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Signs HS256 JWTs the way any client library would, so tests can forge tokens (expired, with
 * another key) and check that DockUp refuses them. DockUp itself signs with vertx-auth-jwt.
 */
public final class Jwt {
  private Jwt() {}

  private static final String HEADER = b64(new JsonObject().put("alg", "HS256").put("typ", "JWT").encode().getBytes(StandardCharsets.UTF_8));

  public static String sign(JsonObject claims, byte[] key) {
    String body = HEADER + "." + b64(claims.encode().getBytes(StandardCharsets.UTF_8));
    return body + "." + b64(Secrets.hmacSha256(key, body.getBytes(StandardCharsets.US_ASCII)));
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
