package dev.dockup.notify;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Shoutrrr service URL cut into its parts. Read by hand rather than with {@link java.net.URI}:
 * Shoutrrr's forms put tokens where URI is strict (a Slack token as the host, characters URI
 * refuses), and every refusal here must name the scheme only, never the credential.
 *
 * @param scheme   lower case, e.g. {@code gotify}, {@code generic+https}
 * @param user     decoded, null when there is no userinfo
 * @param password decoded, null when the userinfo has no {@code :}
 * @param host     as written (a bracketed IPv6 address keeps its brackets); may be empty
 * @param port     null when not given
 * @param path     raw (still percent-encoded), {@code ""} or starting with {@code /}
 * @param query    the parameters in order
 */
record ServiceUrl(String scheme, String user, String password, String host, Integer port, String path, List<Param> query) {

  /** One query parameter: {@code raw} is the pair as written, key and value are decoded. */
  record Param(String raw, String key, String value) {}

  static ServiceUrl parse(String url) throws UnsupportedUrl {
    int sep = url.indexOf("://");
    if (sep <= 0) throw new UnsupportedUrl("", "not a URL with a scheme");
    String scheme = url.substring(0, sep).toLowerCase(Locale.ROOT);
    String rest = url.substring(sep + 3);
    int hash = rest.indexOf('#');
    if (hash >= 0) rest = rest.substring(0, hash);
    String rawQuery = "";
    int q = rest.indexOf('?');
    if (q >= 0) {
      rawQuery = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    int slash = rest.indexOf('/');
    String authority = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);

    String user = null;
    String password = null;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String info = authority.substring(0, at);
      authority = authority.substring(at + 1);
      int colon = info.indexOf(':');
      user = decodePart(scheme, colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decodePart(scheme, info.substring(colon + 1));
    }
    String host = authority;
    Integer port = null;
    int portSep = authority.startsWith("[") ? authority.indexOf("]:") + 1 : authority.lastIndexOf(':');
    if (portSep > 0) {
      host = authority.substring(0, portSep);
      port = port(scheme, authority.substring(portSep + 1));
    }
    return new ServiceUrl(scheme, user, password, host, port, path, params(scheme, rawQuery));
  }

  private static Integer port(String scheme, String digits) throws UnsupportedUrl {
    if (!digits.matches("[0-9]{1,5}") || Integer.parseInt(digits) < 1 || Integer.parseInt(digits) > 65535) {
      throw new UnsupportedUrl(scheme, "invalid port");
    }
    return Integer.parseInt(digits);
  }

  private static List<Param> params(String scheme, String rawQuery) throws UnsupportedUrl {
    List<Param> out = new ArrayList<>();
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String rawKey = eq < 0 ? pair : pair.substring(0, eq);
      String rawValue = eq < 0 ? "" : pair.substring(eq + 1);
      out.add(new Param(pair, decodeQuery(scheme, rawKey), decodeQuery(scheme, rawValue)));
    }
    return List.copyOf(out);
  }

  /** The decoded value of the first parameter with this name (case-insensitive), or null. */
  String param(String name) {
    for (Param p : query) {
      if (p.key().equalsIgnoreCase(name)) return p.value();
    }
    return null;
  }

  /** Shoutrrr reads booleans as yes/no, true/false, 1/0. */
  boolean flag(String name) {
    String v = param(name);
    return v != null && switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "yes", "y", "true", "1", "on" -> true;
      default -> false;
    };
  }

  /** {@code host[:port]}. */
  String authority() {
    return port == null ? host : host + ":" + port;
  }

  /** The path's segments, decoded, without empty ones. */
  List<String> segments() throws UnsupportedUrl {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) out.add(decodePart(scheme, s));
    }
    return out;
  }

  /** Percent-decoding of a path or userinfo part, where {@code +} is itself. */
  static String decodePart(String scheme, String raw) throws UnsupportedUrl {
    return decodeQuery(scheme, raw.replace("+", "%2B"));
  }

  private static String decodeQuery(String scheme, String raw) throws UnsupportedUrl {
    try {
      return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new UnsupportedUrl(scheme, "malformed percent-encoding");
    }
  }
}
