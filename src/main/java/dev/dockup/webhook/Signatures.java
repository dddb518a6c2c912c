package dev.dockup.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Whether a call to a hook carries its secret: {@code X-Webhook-Secret: <secret>}, or
 * {@code X-Hub-Signature-256: sha256=<hex>}, the HMAC-SHA256 of the raw body keyed with the
 * secret, as GitHub, Gitea and Forgejo send it. Every comparison takes the same time whatever
 * the bytes compared, and a credential that is sent must be right even when the other one is.
 */
public final class Signatures {
  static final String PREFIX = "sha256=";
  /** Longer headers are refused before any work: nothing valid is longer. */
  static final int MAX_HEADER = 512;

  private Signatures() {}

  /** True when at least one credential is sent and every one sent is right. */
  public static boolean accepted(String secret, String secretHeader, String signatureHeader, byte[] body) {
    if (secretHeader == null && signatureHeader == null) return false;
    boolean ok = true;
    if (secretHeader != null) ok &= secretMatches(secret, secretHeader);
    if (signatureHeader != null) ok &= signatureMatches(secret, signatureHeader, body);
    return ok;
  }

  /**
   * Compared as SHA-256 digests: {@link MessageDigest#isEqual} is constant-time only for inputs
   * of one length, and digests always are, so the secret's length is not given away either.
   */
  static boolean secretMatches(String secret, String given) {
    if (given.length() > MAX_HEADER) return false;
    return MessageDigest.isEqual(sha256(secret.trim()), sha256(given.trim()));
  }

  static boolean signatureMatches(String secret, String header, byte[] body) {
    String h = header.trim();
    if (h.length() > MAX_HEADER || !h.toLowerCase(Locale.ROOT).startsWith(PREFIX)) return false;
    byte[] given;
    try {
      given = HexFormat.of().parseHex(h.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(hmac(secret, body), given);
  }

  /** The header value a sender computes: {@code sha256=} and the lower-case hex HMAC. */
  public static String sign(String secret, byte[] body) {
    return PREFIX + HexFormat.of().formatHex(hmac(secret, body));
  }

  static byte[] hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available in this JVM", e);
    }
  }
}
