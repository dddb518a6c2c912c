package dev.dockup.bus;

import io.vertx.core.json.JsonObject;

/**
 * A failure a client should see as it is: an HTTP status and a message, optionally a richer
 * body (an operation record, the containers that use an image). Anything else is a 500.
 */
public class ApiException extends RuntimeException {
  private final int status;
  private final JsonObject body;

  public ApiException(int status, String message) {
    this(status, message, null);
  }

  public ApiException(int status, String message, JsonObject body) {
    super(message, null, false, false);
    this.status = status;
    this.body = body;
  }

  public int status() { return status; }

  /** The body to send: the given one with {@code error} added, or just {@code {"error": message}}. */
  public JsonObject body() {
    JsonObject out = body == null ? new JsonObject() : body.copy();
    if (!out.containsKey("error")) out.put("error", getMessage());
    return out;
  }

  public static ApiException badRequest(String message) { return new ApiException(400, message); }
  public static ApiException notFound(String message) { return new ApiException(404, message); }
  public static ApiException conflict(String message) { return new ApiException(409, message); }
  public static ApiException unavailable(String message) { return new ApiException(503, message); }
}
