package dev.dockup.bus;

import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The one answer to an unexpected failure, on HTTP and on the event bus alike: 500
 * {@code {"error":"Internal error","ref"}}. The exception and its stack trace are logged once,
 * under that ref, and never reach a client: their text may hold paths, hosts or secrets.
 */
public final class InternalError {
  private InternalError() {}

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Logs {@code t} under a new ref and returns the body to answer with. */
  public static JsonObject answer(Logger log, String what, Throwable t) {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    String ref = HexFormat.of().formatHex(b);
    log.error("{} failed [ref {}]", what, ref, t);
    return new JsonObject().put("error", "Internal error").put("ref", ref);
  }
}
