package dev.dockup.registry;

import io.vertx.core.json.JsonObject;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Docker Hub's pull allowance as its {@code ratelimit-*} headers tell it. Accounts without a
 * limit (Pro, Team, Business) get no such headers: then {@code unlimited} and the numbers are null.
 *
 * @param percentage    remaining ÷ limit × 100, one decimal
 * @param windowSeconds the window the limit applies to ({@code w=21600} is six hours)
 * @param source        the address or account Hub counts pulls against, when it says
 */
public record RateLimit(Integer limit, Integer remaining, Double percentage, Integer windowSeconds,
                        String source, boolean unlimited) {
  /** {@code 100;w=21600}: a count, then optional parameters; the first of several values is read. */
  private static final Pattern VALUE = Pattern.compile("\\s*(\\d{1,18})\\s*((?:;[^,]*)?)");
  private static final Pattern WINDOW = Pattern.compile(";\\s*w\\s*=\\s*(\\d{1,9})");

  public static RateLimit unlimited(String source) {
    return new RateLimit(null, null, null, null, source, true);
  }

  /**
   * From the three header values (any may be null). No limit header means unlimited; a limit
   * header that cannot be read is an IllegalArgumentException (Hub changed its format: say so
   * rather than report a made-up number).
   */
  public static RateLimit fromHeaders(String limitHeader, String remainingHeader, String sourceHeader) {
    String source = sourceHeader == null || sourceHeader.isBlank() ? null : sourceHeader.trim();
    if (limitHeader == null || limitHeader.isBlank()) return unlimited(source);
    long[] limit = read(limitHeader, "ratelimit-limit");
    long[] remaining = remainingHeader == null || remainingHeader.isBlank() ? null : read(remainingHeader, "ratelimit-remaining");
    int max = (int) limit[0];
    int left = remaining == null ? max : (int) Math.min(remaining[0], Integer.MAX_VALUE);
    long window = limit[1] >= 0 ? limit[1] : remaining == null ? -1 : remaining[1];
    double pct = max <= 0 ? 0.0 : Math.round(left * 1000.0 / max) / 10.0;
    return new RateLimit(max, left, pct, window < 0 ? null : (int) window, source, false);
  }

  /** {count, window seconds or -1}. */
  private static long[] read(String header, String name) {
    Matcher m = VALUE.matcher(header);
    if (!m.lookingAt()) throw new IllegalArgumentException("unreadable " + name + " header");
    long count;
    try {
      count = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("unreadable " + name + " header");
    }
    if (count > Integer.MAX_VALUE) throw new IllegalArgumentException("unreadable " + name + " header");
    Matcher w = WINDOW.matcher(m.group(2));
    long window = w.find() ? Long.parseLong(w.group(1)) : -1;
    return new long[] {count, window};
  }

  /** The API's shape: {@code {limit, remaining, percentage, window_seconds, source, unlimited}}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("limit", limit)
        .put("remaining", remaining)
        .put("percentage", percentage)
        .put("window_seconds", windowSeconds)
        .put("source", source)
        .put("unlimited", unlimited);
  }
}
