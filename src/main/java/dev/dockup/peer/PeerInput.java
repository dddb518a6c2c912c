package dev.dockup.peer;

import dev.dockup.bus.ApiException;

import java.net.URI;
import java.net.URISyntaxException;
import java.text.Normalizer;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The checks on what an admin sends for a peer. Each refusal is a 400 whose message never
 * quotes a token.
 */
final class PeerInput {
  private PeerInput() {}

  static final Pattern ID = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,62}$");
  static final int MAX_NAME = 100;
  static final int MAX_URL = 2048;
  static final int MAX_TOKEN = 4096;
  /** Room left in a 63-character id for a "-N" suffix. */
  private static final int SLUG_BASE = 56;

  static String id(Object raw) {
    if (raw instanceof String s && ID.matcher(s).matches()) return s;
    throw ApiException.badRequest("id must match " + ID.pattern());
  }

  /** 1..100 characters after trimming, no control characters. */
  static String name(Object raw) {
    if (!(raw instanceof String s)) throw ApiException.badRequest("name is required (a string of 1 to " + MAX_NAME + " characters)");
    String name = s.strip();
    if (name.isEmpty() || name.length() > MAX_NAME) throw ApiException.badRequest("name must be 1 to " + MAX_NAME + " characters");
    if (name.chars().anyMatch(Character::isISOControl)) throw ApiException.badRequest("name must not contain control characters");
    return name;
  }

  /**
   * An http(s) URL with a host, no user info, no query and no fragment (the API paths are
   * appended to it); returned without a trailing slash.
   */
  static String url(Object raw) {
    if (!(raw instanceof String s) || s.isBlank()) throw ApiException.badRequest("url is required (http:// or https://)");
    String text = s.strip();
    if (text.length() > MAX_URL) throw ApiException.badRequest("url is longer than " + MAX_URL + " characters");
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw ApiException.badRequest("url is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) throw ApiException.badRequest("url must start with http:// or https://");
    if (uri.getRawUserInfo() != null) throw ApiException.badRequest("url must not contain user info; give the token as api_token");
    if (uri.getHost() == null || uri.getHost().isEmpty()) throw ApiException.badRequest("url must name a host");
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) throw ApiException.badRequest("url must not have a query or a fragment");
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) path = path.substring(0, path.length() - 1);
    return scheme + "://" + uri.getRawAuthority() + path;
  }

  /** A token to send: null when missing or empty (the stored one is kept), else a header-safe string. */
  static String token(Object raw) {
    if (raw == null) return null;
    if (!(raw instanceof String s)) throw ApiException.badRequest("api_token must be a string");
    String token = s.strip();
    if (token.isEmpty()) return null;
    if (token.length() > MAX_TOKEN) throw ApiException.badRequest("api_token is longer than " + MAX_TOKEN + " characters");
    if (token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) throw ApiException.badRequest("api_token must be printable ASCII without spaces");
    return token;
  }

  static boolean enabled(Object raw, boolean fallback) {
    if (raw == null) return fallback;
    if (raw instanceof Boolean b) return b;
    throw ApiException.badRequest("enabled must be true or false");
  }

  /**
   * An id made from a name: lower case, accents dropped, other runs of characters as one '-',
   * then "-2", "-3"… until {@code taken} says no. A name with nothing usable gives "peer".
   */
  static String slug(String name, Predicate<String> taken) {
    String base = Normalizer.normalize(name, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "")
        .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    if (base.length() > SLUG_BASE) base = base.substring(0, SLUG_BASE);
    base = base.replaceAll("^-+|-+$", "");
    if (base.isEmpty()) base = "peer";
    String id = base;
    for (int n = 2; taken.test(id); n++) id = base + "-" + n;
    return id;
  }
}
