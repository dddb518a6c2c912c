package dev.dockup.notify;

import io.vertx.core.json.JsonObject;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a Shoutrrr URL and a notice into the request its service expects: the forms Watchtower,
 * Arcane and WUD users already have. Pure: no I/O, so every form is checked by unit tests.
 */
final class Formats {
  private Formats() {}

  static final String JSON = "application/json";
  static final String TEXT = "text/plain; charset=utf-8";
  static final int GOTIFY_PRIORITY = 5;
  /** Discord refuses a message longer than this outright. */
  static final int DISCORD_MAX = 2000;
  static final String NTFY_DEFAULT_HOST = "ntfy.sh";

  /** Shoutrrr's own parameters for generic URLs: read, never forwarded to the target. */
  private static final Set<String> GENERIC_CONFIG =
      Set.of("contenttype", "disabletls", "template", "title", "titlekey", "messagekey", "method");
  private static final Set<String> GENERIC_METHODS = Set.of("POST", "PUT", "PATCH");
  private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

  /**
   * The request for {@code url}. Discord and Slack go to the configured API bases (settings
   * {@code discord_api_url}, {@code slack_api_url}) so tests can point them at loopback.
   */
  static Outgoing request(String url, Notice notice, String discordApi, String slackApi) throws UnsupportedUrl {
    ServiceUrl u = ServiceUrl.parse(url);
    return switch (u.scheme()) {
      case "gotify" -> gotify(u, notice);
      case "ntfy" -> ntfy(u, notice);
      case "discord" -> discord(u, notice, discordApi);
      case "slack" -> slack(u, notice, slackApi);
      case "generic", "generic+http", "generic+https" -> generic(u, notice);
      default -> throw new UnsupportedUrl(u.scheme(), "unsupported service");
    };
  }

  // ---- gotify://host[:port][/path]/token → POST https://host[:port][/path]/message?token=<token>

  private static Outgoing gotify(ServiceUrl u, Notice n) throws UnsupportedUrl {
    requireHost(u);
    String path = u.path().endsWith("/") ? u.path().substring(0, u.path().length() - 1) : u.path();
    int cut = path.lastIndexOf('/') + 1;
    String token = ServiceUrl.decodePart(u.scheme(), path.substring(cut));
    if (token.isEmpty()) throw new UnsupportedUrl(u.scheme(), "no application token");
    String base = cut == 0 ? "/" : path.substring(0, cut);
    String target = scheme(u) + "://" + u.authority() + base + "message?token=" + query(token);
    JsonObject body = new JsonObject().put("title", n.fullTitle()).put("message", n.message())
        .put("priority", priority(u.param("priority")));
    return json("POST", target, Map.of(), body);
  }

  private static int priority(String raw) {
    try {
      int p = raw == null ? GOTIFY_PRIORITY : Integer.parseInt(raw.trim());
      return p >= 0 && p <= 10 ? p : GOTIFY_PRIORITY;
    } catch (NumberFormatException e) {
      return GOTIFY_PRIORITY;
    }
  }

  // ---- ntfy://[user:pass@]host[:port]/topic → POST https://host[:port]/topic, the text as body

  private static Outgoing ntfy(ServiceUrl u, Notice n) throws UnsupportedUrl {
    String topic = trimSlashes(u.path());
    if (topic.isEmpty()) throw new UnsupportedUrl(u.scheme(), "no topic");
    // Shoutrrr's default host: ntfy:///topic is a topic on ntfy.sh.
    String authority = u.host().isEmpty() ? NTFY_DEFAULT_HOST : u.authority();
    boolean http = u.flag("disabletls") || "http".equalsIgnoreCase(u.param("scheme"));
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", TEXT);
    headers.put("Title", headerText(n.fullTitle()));
    String auth = ntfyAuth(u);
    if (auth != null) headers.put("Authorization", auth);
    putIfSet(headers, "Priority", u.param("priority"));
    putIfSet(headers, "Tags", u.param("tags"));
    putIfSet(headers, "Click", u.param("click"));
    putIfSet(headers, "Icon", u.param("icon"));
    return new Outgoing("POST", (http ? "http" : "https") + "://" + authority + "/" + topic, headers, n.message());
  }

  /** {@code user:pass@} is Basic; {@code :token@} (no user) is an access token, sent as Bearer. */
  private static String ntfyAuth(ServiceUrl u) {
    if (u.password() == null || u.password().isEmpty()) return null;
    if (u.user() == null || u.user().isEmpty()) return "Bearer " + u.password();
    return basic(u.user(), u.password());
  }

  // ---- discord://token@webhookid → POST <discord_api_url>/webhooks/<webhookid>/<token>

  private static Outgoing discord(ServiceUrl u, Notice n, String api) throws UnsupportedUrl {
    if (u.user() == null || u.user().isEmpty() || u.host().isEmpty()) {
      throw new UnsupportedUrl(u.scheme(), "expected discord://token@webhookid");
    }
    String id = ServiceUrl.decodePart(u.scheme(), u.host());
    String target = trimEnd(api) + "/webhooks/" + segment(id) + "/" + segment(u.user());
    String content = "**" + n.fullTitle() + "**\n" + n.message();
    if (content.length() > DISCORD_MAX) content = content.substring(0, DISCORD_MAX - 1) + "…";
    return json("POST", target, Map.of(), new JsonObject().put("content", content));
  }

  // ---- slack://a/b/c, slack://botname@a/b/c, slack://hook:a-b-c@webhook → POST <slack_api_url>/services/a/b/c

  private static Outgoing slack(ServiceUrl u, Notice n, String api) throws UnsupportedUrl {
    List<String> token = slackToken(u);
    if (token.size() != 3 || token.stream().anyMatch(String::isEmpty)) {
      throw new UnsupportedUrl(u.scheme(), "expected slack://token-a/token-b/token-c or slack://hook:token-a-token-b-token-c@webhook");
    }
    String target = trimEnd(api) + "/services/" + segment(token.get(0)) + "/" + segment(token.get(1)) + "/" + segment(token.get(2));
    String text = "*" + slackEscape(n.fullTitle()) + "*\n" + slackEscape(n.message());
    return json("POST", target, Map.of(), new JsonObject().put("text", text));
  }

  private static List<String> slackToken(ServiceUrl u) throws UnsupportedUrl {
    if (u.password() != null) {
      // Shoutrrr's newer form: the user part names the token type.
      String type = u.user() == null ? "" : u.user().toLowerCase(Locale.ROOT);
      if (type.startsWith("xox")) throw new UnsupportedUrl(u.scheme(), "Slack bot API tokens are not supported; use a webhook URL");
      if (!type.equals("hook")) throw new UnsupportedUrl(u.scheme(), "unknown token type");
      return List.of(u.password().split("[-/]", -1));
    }
    // The legacy form: the webhook's three parts as host and path (a user part is the bot name).
    List<String> parts = new ArrayList<>();
    parts.add(ServiceUrl.decodePart(u.scheme(), u.host()));
    parts.addAll(u.segments());
    return parts;
  }

  /** Slack reads {@code &}, {@code <} and {@code >} as markup: they must be escaped in text. */
  private static String slackEscape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  // ---- generic+https://host/path, generic+http://…, generic://… (https unless disabletls=yes)

  private static Outgoing generic(ServiceUrl u, Notice n) throws UnsupportedUrl {
    requireHost(u);
    String scheme = switch (u.scheme()) {
      case "generic+http" -> "http";
      case "generic+https" -> "https";
      default -> u.flag("disabletls") ? "http" : "https";
    };
    Map<String, String> headers = new LinkedHashMap<>();
    JsonObject extra = new JsonObject();
    List<String> forwarded = new ArrayList<>();
    for (ServiceUrl.Param p : u.query()) {
      String key = p.key();
      if (GENERIC_CONFIG.contains(key.toLowerCase(Locale.ROOT))) continue;
      if (key.startsWith("@") && key.length() > 1) {
        String name = headerName(key.substring(1));
        if (HEADER_NAME.matcher(name).matches()) headers.put(name, headerText(p.value()));
      } else if (key.startsWith("$") && key.length() > 1) {
        extra.put(key.substring(1), p.value());
      } else {
        // A leading _ escapes a name Shoutrrr would otherwise take for its own.
        forwarded.add(p.raw().startsWith("_") ? p.raw().substring(1) : p.raw());
      }
    }
    if (u.user() != null && !headers.containsKey("Authorization")) {
      headers.put("Authorization", basic(u.user(), u.password() == null ? "" : u.password()));
    }
    String contentType = u.param("contenttype");
    headers.put("Content-Type", contentType == null || contentType.isBlank() ? JSON : headerText(contentType));
    String titleKey = keyOr(u.param("titlekey"), "title");
    String messageKey = keyOr(u.param("messagekey"), "message");
    JsonObject body = extra.copy();
    body.put(titleKey, n.fullTitle()).put(messageKey, n.message())
        .put("event", n.event()).put("stack", n.stack()).put("instance", n.instance());
    String method = u.param("method") == null ? "POST" : u.param("method").trim().toUpperCase(Locale.ROOT);
    String target = scheme + "://" + u.authority() + u.path() + (forwarded.isEmpty() ? "" : "?" + String.join("&", forwarded));
    return new Outgoing(GENERIC_METHODS.contains(method) ? method : "POST", target, headers, body.encode());
  }

  private static String keyOr(String key, String fallback) {
    return key == null || key.isBlank() ? fallback : key;
  }

  /** Shoutrrr's header keys: {@code @acceptLanguage} is {@code Accept-Language}. */
  static String headerName(String key) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean afterDash = i > 0 && key.charAt(i - 1) == '-';
      if (Character.isUpperCase(c)) {
        if (i > 0 && !afterDash) sb.append('-');
        sb.append(c);
      } else {
        sb.append(i == 0 || afterDash ? Character.toUpperCase(c) : c);
      }
    }
    return sb.toString();
  }

  // ---- shared

  private static Outgoing json(String method, String target, Map<String, String> extraHeaders, JsonObject body) {
    Map<String, String> headers = new LinkedHashMap<>(extraHeaders);
    headers.put("Content-Type", JSON);
    return new Outgoing(method, target, headers, body.encode());
  }

  private static void requireHost(ServiceUrl u) throws UnsupportedUrl {
    if (u.host().isEmpty()) throw new UnsupportedUrl(u.scheme(), "no host");
  }

  /** The self-hosted services: https unless {@code disabletls=yes}. */
  private static String scheme(ServiceUrl u) {
    return u.flag("disabletls") ? "http" : "https";
  }

  private static void putIfSet(Map<String, String> headers, String name, String value) {
    if (value != null && !value.isBlank()) headers.put(name, headerText(value));
  }

  /**
   * A header value that survives HTTP: control characters (a line break would end the header)
   * become spaces, and non-ASCII text is sent as an RFC 2047 encoded word, which ntfy decodes.
   */
  static String headerText(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", " ");
    if (clean.chars().allMatch(c -> c < 0x80)) return clean;
    return "=?UTF-8?B?" + Base64.getEncoder().encodeToString(clean.getBytes(StandardCharsets.UTF_8)) + "?=";
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static String trimSlashes(String path) {
    int start = 0;
    int end = path.length();
    while (start < end && path.charAt(start) == '/') start++;
    while (end > start && path.charAt(end - 1) == '/') end--;
    return path.substring(start, end);
  }

  private static String trimEnd(String base) {
    String b = base;
    while (b.endsWith("/")) b = b.substring(0, b.length() - 1);
    return b;
  }

  private static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** One path segment, percent-encoded (a space is %20 here, not +). */
  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
