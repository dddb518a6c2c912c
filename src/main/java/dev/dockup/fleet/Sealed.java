package dev.dockup.fleet;

import dev.dockup.store.SecretBox;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.Base64;

/**
 * A JSON document as it travels or rests in the cluster: its exact text and the seal that only
 * a node holding the cluster secret can make. Anything else a member puts there is ignored.
 *
 * <p>What a member without the secret must not even read (the auth store: a password's bcrypt
 * hash, token hashes) travels encrypted instead: {@code {box, seal}}, the document AES-GCM
 * encrypted with a key derived from the secret, and the seal over that ciphertext.
 */
public final class Sealed {
  private Sealed() {}

  public static JsonObject seal(Signer signer, String purpose, JsonObject doc) {
    String text = doc.encode();
    return new JsonObject().put("text", text).put("seal", signer.seal(purpose, text));
  }

  /**
   * The key that encrypts documents of {@code purpose}, derived from the cluster secret under a
   * label of its own: the signer's HMAC over {@code "key:" + purpose} and an empty text. No seal
   * is ever made of an empty text (a sealed text is a JSON document), so no seal a node
   * publishes is such a key.
   */
  public static SecretBox box(Signer signer, String purpose) {
    return SecretBox.withKey(Base64.getUrlDecoder().decode(signer.seal("key:" + purpose, "")));
  }

  /** {@code doc} encrypted for holders of the secret only, and sealed. */
  public static JsonObject sealSecret(Signer signer, SecretBox box, String purpose, JsonObject doc) {
    String ciphertext = box.encrypt(doc.encode());
    return new JsonObject().put("box", ciphertext).put("seal", signer.seal(purpose, ciphertext));
  }

  /** The document inside an encrypted envelope when it is genuine, else null. */
  public static JsonObject openSecret(Signer signer, SecretBox box, String purpose, Object envelope) {
    if (!(envelope instanceof JsonObject e)) return null;
    String ciphertext = e.getValue("box") instanceof String t ? t : null;
    String seal = e.getValue("seal") instanceof String s ? s : null;
    if (!signer.genuine(purpose, ciphertext, seal)) return null;
    try {
      return new JsonObject(box.decrypt(ciphertext));
    } catch (IllegalArgumentException | DecodeException notOurs) {
      return null;
    }
  }

  /** The same for an encrypted envelope kept as text (in a clustered map), whatever that text is. */
  public static JsonObject openSecretText(Signer signer, SecretBox box, String purpose, String envelope) {
    try {
      return openSecret(signer, box, purpose, new JsonObject(envelope));
    } catch (DecodeException notJson) {
      return null;
    }
  }

  /** The same for an envelope kept as text (in a clustered map), whatever that text is. */
  public static JsonObject openText(Signer signer, String purpose, String envelope) {
    try {
      return open(signer, purpose, new JsonObject(envelope));
    } catch (DecodeException notJson) {
      return null;
    }
  }

  /** The document inside {@code envelope} when it is genuine, else null. */
  public static JsonObject open(Signer signer, String purpose, Object envelope) {
    if (!(envelope instanceof JsonObject e)) return null;
    String text = e.getValue("text") instanceof String t ? t : null;
    String seal = e.getValue("seal") instanceof String s ? s : null;
    if (!signer.genuine(purpose, text, seal)) return null;
    try {
      return new JsonObject(text);
    } catch (DecodeException notJson) {
      return null;
    }
  }
}
