package dev.dockup.template;

import dev.dockup.auth.Secrets;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/** Template ids: {@code ^[a-z0-9][a-z0-9-]{0,62}$}, made from a name. */
final class Slugs {
  private Slugs() {}

  static final Pattern ID = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");
  static final int MAX = 63;

  /** Lower-case letters and digits, every other run of characters one dash; accents dropped; empty when nothing is left. */
  static String of(String name) {
    if (name == null) return "";
    String ascii = Normalizer.normalize(name, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
    String s = ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    return cut(s, MAX);
  }

  /** {@code base} cut so that {@code base + suffix} fits, without a dash at the cut. */
  static String withSuffix(String base, String suffix) {
    return cut(base, MAX - suffix.length()) + suffix;
  }

  private static String cut(String s, int max) {
    String c = s.length() <= max ? s : s.substring(0, max);
    return c.replaceAll("-+$", "");
  }

  /** For a name with no letter or digit in it (a title in another script): a short digest. */
  static String digest(String text) {
    return Secrets.sha256Hex(text).substring(0, 8);
  }
}
