package dev.dockup.fleet;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * A JSON document as it travels or rests in the cluster: its exact text and the seal that only
 * a node holding the cluster secret can make. Anything else a member puts there is ignored.
 */
public final class Sealed {
  private Sealed() {}

  public static JsonObject seal(Signer signer, String purpose, JsonObject doc) {
    String text = doc.encode();
    return new JsonObject().put("text", text).put("seal", signer.seal(purpose, text));
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
