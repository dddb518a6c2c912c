package dev.dockup.fleet;

import dev.dockup.auth.Secrets;
import io.vertx.core.MultiMap;
import io.vertx.core.eventbus.DeliveryOptions;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Signs and checks requests between nodes and their replies: an HMAC, with a key derived from
 * {@code DOCKUP_CLUSTER_SECRET}, over sender, receiver, target, action, time, nonce and the
 * exact body. Hazelcast lets any host that reaches it join; without the secret such a member
 * can neither run anything on a node nor forge an answer. Older than 30 s, or seen before:
 * refused.
 */
public final class Signer {
  static final long MAX_AGE_MS = 30_000;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final byte[] key;
  private final Map<String, Long> seen = new ConcurrentHashMap<>();

  public Signer(String secret) {
    this.key = Secrets.hmacSha256(secret.getBytes(StandardCharsets.UTF_8), "dockup-bus-v1".getBytes(StandardCharsets.UTF_8));
  }

  public DeliveryOptions sign(String from, String to, String target, String action, String body, long timeoutMs) {
    String ts = Long.toString(System.currentTimeMillis());
    String nonce = Secrets.random(16);
    return new DeliveryOptions().setSendTimeout(timeoutMs)
        .addHeader("from", from).addHeader("to", to).addHeader("target", target).addHeader("action", action)
        .addHeader("ts", ts).addHeader("nonce", nonce)
        .addHeader("sig", mac(from, to, target, action, ts, nonce, body));
  }

  /** Null when the message is genuine, fresh and new to this node; otherwise why not. */
  public String refusal(MultiMap h, String expectedTo, String body) {
    String from = h.get("from");
    String to = h.get("to");
    String target = h.get("target");
    String action = h.get("action");
    String ts = h.get("ts");
    String nonce = h.get("nonce");
    String sig = h.get("sig");
    if (from == null || to == null || target == null || action == null || ts == null || nonce == null || sig == null) {
      return "unsigned";
    }
    if (!to.equals(expectedTo)) return "addressed to another node";
    byte[] expected = mac(from, to, target, action, ts, nonce, body).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, sig.getBytes(StandardCharsets.US_ASCII))) return "bad signature";
    long at;
    try {
      at = Long.parseLong(ts);
    } catch (NumberFormatException e) {
      return "bad time";
    }
    long now = System.currentTimeMillis();
    if (Math.abs(now - at) > MAX_AGE_MS) return "too old";
    seen.values().removeIf(t -> t < now - 2 * MAX_AGE_MS);
    if (seen.putIfAbsent(nonce, now) != null) return "replayed";
    return null;
  }

  /**
   * A seal for a document every node may read but only a holder of the secret may write
   * (fleet entries, the auth store): an HMAC over the purpose and the exact text.
   */
  public String seal(String purpose, String text) {
    // No request's MAC input can begin so: it starts with a node name, which has no "#".
    String data = "#seal\n" + purpose + "\n" + text;
    return B64.encodeToString(Secrets.hmacSha256(key, data.getBytes(StandardCharsets.UTF_8)));
  }

  public boolean genuine(String purpose, String text, String seal) {
    if (text == null || seal == null) return false;
    return MessageDigest.isEqual(seal(purpose, text).getBytes(StandardCharsets.US_ASCII), seal.getBytes(StandardCharsets.US_ASCII));
  }

  private String mac(String from, String to, String target, String action, String ts, String nonce, String body) {
    String data = String.join("\n", from, to, target, action, ts, nonce, body == null ? "" : body);
    return B64.encodeToString(Secrets.hmacSha256(key, data.getBytes(StandardCharsets.UTF_8)));
  }
}
