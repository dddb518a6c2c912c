package dev.dockup.stack;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The variables compose substitutes in a stack's compose file: those of its (clean) process
 * environment, then the stack's {@code .env}. DockUp needs them to know where a path such as
 * {@code env_file: ${DIR}/app.env} leads before compose reads it. No Java library follows
 * compose's dotenv and interpolation rules, so this covers their common forms and says
 * "cannot tell" for the rest (escapes, values that interpolate, multi-line values): a path that
 * depends on one of those is refused rather than guessed.
 */
final class ComposeVariables {
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final Map<String, String> values;
  private final Set<String> unknowable;
  private final boolean any;

  private ComposeVariables(Map<String, String> values, Set<String> unknowable, boolean any) {
    this.values = values;
    this.unknowable = unknowable;
    this.any = any;
  }

  /** No variable can be told: only text without one is known (files other than the stack's own). */
  static ComposeVariables none() {
    return new ComposeVariables(Map.of(), Set.of(), false);
  }

  /** {@code processEnv} wins over {@code dotenv} (the text of {@code .env}, or null), as in compose. */
  static ComposeVariables of(Map<String, String> processEnv, String dotenv) {
    Map<String, String> values = new HashMap<>();
    Set<String> unknowable = new HashSet<>();
    if (dotenv != null) readDotenv(dotenv, values, unknowable);
    values.putAll(processEnv);
    unknowable.removeAll(processEnv.keySet());
    return new ComposeVariables(values, unknowable, true);
  }

  private static void readDotenv(String text, Map<String, String> values, Set<String> unknowable) {
    for (String raw : text.split("\n", -1)) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      if (line.startsWith("export ")) line = line.substring(7).stripLeading();
      int eq = line.indexOf('=');
      if (eq <= 0) continue;
      String key = line.substring(0, eq).strip();
      String value = line.substring(eq + 1).strip();
      String known = plainValue(value);
      if (known == null) {
        unknowable.add(key);
        values.remove(key);
      } else {
        values.put(key, known);
        unknowable.remove(key);
      }
    }
  }

  /** The value when it is plain: single-quoted, or without escapes and variables; else null. */
  private static String plainValue(String value) {
    if (value.startsWith("'")) {
      int end = value.indexOf('\'', 1);
      return end < 0 ? null : value.substring(1, end);
    }
    if (value.startsWith("\"")) {
      int end = value.indexOf('"', 1);
      String inner = end < 0 ? null : value.substring(1, end);
      return inner == null || inner.contains("\\") || inner.contains("$") ? null : inner;
    }
    int comment = value.indexOf(" #");
    String bare = (comment < 0 ? value : value.substring(0, comment)).strip();
    return bare.contains("$") || bare.contains("\\") ? null : bare;
  }

  /** The text with its variables substituted; empty when DockUp cannot tell what compose makes of it. */
  Optional<String> interpolate(String text) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c != '$') {
        out.append(c);
        i++;
        continue;
      }
      if (!any) return Optional.empty();
      if (i + 1 < text.length() && text.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
      } else if (i + 1 < text.length() && text.charAt(i + 1) == '{') {
        int end = closingBrace(text, i + 2);
        if (end < 0) return Optional.empty();
        Optional<String> v = braced(text.substring(i + 2, end));
        if (v.isEmpty()) return v;
        out.append(v.get());
        i = end + 1;
      } else {
        var m = NAME.matcher(text).region(i + 1, text.length());
        if (!m.lookingAt()) return Optional.empty();
        Optional<String> v = lookup(m.group());
        if (v.isEmpty()) return v;
        out.append(v.get());
        i = m.end();
      }
    }
    return Optional.of(out.toString());
  }

  private static int closingBrace(String text, int from) {
    int depth = 1;
    for (int j = from; j < text.length(); j++) {
      if (text.charAt(j) == '{') depth++;
      else if (text.charAt(j) == '}' && --depth == 0) return j;
    }
    return -1;
  }

  /** {@code NAME}, {@code NAME:-word}, {@code NAME-word}, {@code NAME:+word}, {@code NAME+word}; {@code ?} forms make compose fail. */
  private Optional<String> braced(String inner) {
    var m = NAME.matcher(inner);
    if (!m.lookingAt()) return Optional.empty();
    String name = m.group();
    String rest = inner.substring(m.end());
    if (unknowable.contains(name)) return Optional.empty();
    String value = values.get(name);
    if (rest.isEmpty()) return Optional.of(value == null ? "" : value);
    boolean colon = rest.startsWith(":");
    String op = colon ? rest.substring(1) : rest;
    if (op.isEmpty()) return Optional.empty();
    boolean missing = value == null || (colon && value.isEmpty());
    return switch (op.charAt(0)) {
      case '-' -> missing ? interpolate(op.substring(1)) : Optional.of(value);
      case '+' -> missing ? Optional.of("") : interpolate(op.substring(1));
      default -> Optional.empty();
    };
  }

  private Optional<String> lookup(String name) {
    if (unknowable.contains(name)) return Optional.empty();
    return Optional.of(values.getOrDefault(name, ""));
  }
}
