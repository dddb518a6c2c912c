package dev.dockup.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code .env} text: a bundled template's {@code .env.example} read into fields, and the
 * {@code .env} a deploy writes. Values are quoted so that compose v2 and v1 read them alike.
 */
final class EnvFile {
  private EnvFile() {}

  static final int MAX_VALUE = 4_096;
  /** Written bare: nothing in them means anything to a dotenv reader. */
  private static final Pattern BARE = Pattern.compile("[A-Za-z0-9_./:@%+,=~-]*");
  private static final String FLAGS = "#!";

  /** A value that cannot be written; the message names the variable, never the value. */
  static final class Unwritable extends Exception {
    Unwritable(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * The fields of an {@code .env.example}: each variable line with the comment lines just above
   * it as its description, and the words of a {@code #!} line among them as its flags
   * ({@code required}, {@code secret}, {@code generate}). A blank line ends a description.
   */
  static List<EnvField> parseExample(String text) {
    List<EnvField> out = new ArrayList<>();
    List<String> comment = new ArrayList<>();
    List<String> flags = new ArrayList<>();
    for (String raw : text.split("\n", -1)) {
      String line = raw.strip();
      if (line.isEmpty()) {
        comment.clear();
        flags.clear();
      } else if (line.startsWith(FLAGS)) {
        flags.addAll(List.of(line.substring(FLAGS.length()).strip().split("\\s+")));
      } else if (line.startsWith("#")) {
        comment.add(line.substring(1).strip());
      } else if (line.indexOf('=') > 0) {
        String name = line.substring(0, line.indexOf('=')).strip();
        String value = unquote(line.substring(line.indexOf('=') + 1).strip());
        out.add(new EnvField(name, null, comment.isEmpty() ? null : String.join(" ", comment), value,
            flags.contains("required"), flags.contains("secret") || flags.contains("generate"), flags.contains("generate"),
            false, List.of()));
        comment.clear();
        flags.clear();
      }
    }
    return out;
  }

  private static String unquote(String v) {
    if (v.length() >= 2 && (v.startsWith("'") && v.endsWith("'") || v.startsWith("\"") && v.endsWith("\""))) {
      return v.substring(1, v.length() - 1);
    }
    return v;
  }

  /** The {@code .env} text: a header comment, then one line per field in order. */
  static String render(String header, List<EnvField> fields, Map<String, String> values) throws Unwritable {
    StringBuilder out = new StringBuilder();
    for (String line : header.split("\n")) out.append("# ").append(line).append('\n');
    for (EnvField f : fields) {
      out.append(f.name()).append('=').append(quote(f.name(), values.getOrDefault(f.name(), ""))).append('\n');
    }
    return out.toString();
  }

  /**
   * Bare when plain; single-quoted otherwise (taken literally by both compose versions); double
   * quotes when the value holds a single quote. A value with both a single quote and a dollar
   * is read differently by compose v1 and v2, and is refused.
   */
  static String quote(String name, String value) throws Unwritable {
    if (value.length() > MAX_VALUE) throw new Unwritable("The value of " + name + " is longer than " + MAX_VALUE + " characters");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) throw new Unwritable("The value of " + name + " holds a line break or control character");
    }
    if (BARE.matcher(value).matches()) return value;
    if (value.indexOf('\'') < 0) return "'" + value + "'";
    if (value.indexOf('$') >= 0) throw new Unwritable("The value of " + name + " cannot hold both ' and $");
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
