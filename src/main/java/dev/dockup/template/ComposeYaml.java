package dev.dockup.template;

import dev.dockup.stack.ComposeFile;
import io.vertx.core.json.Json;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Compose files as the catalog reads, writes and fills them. Reading goes through
 * {@link ComposeFile#parse} first, so a hostile file meets the same limits as one saved through
 * the API. Blocking work (a file can be 1 MiB): call from a worker.
 */
final class ComposeYaml {
  private ComposeYaml() {}

  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
  /** Keys a YAML 1.1 reader (compose v1) takes for booleans or null. */
  private static final Set<String> READ_AS_OTHER = Set.of("y", "n", "yes", "no", "on", "off", "true", "false", "null");
  private static final Pattern VARIABLE_START = Pattern.compile("[A-Za-z_]");

  /** The file as maps, lists and scalars; refused as {@link ComposeFile#parse} refuses it. */
  static Map<String, Object> load(String text) throws ComposeFile.Invalid {
    ComposeFile.parse(text);
    LoadSettings settings = LoadSettings.builder().setSchema(new CoreSchema()).setAllowDuplicateKeys(false)
        .setMaxAliasesForCollections(50).setCodePointLimit(ComposeFile.MAX_BYTES).build();
    try {
      Object root = new Load(settings).loadFromString(text);
      Map<String, Object> out = new LinkedHashMap<>();
      if (root instanceof Map<?, ?> m) m.forEach((k, v) -> out.put(String.valueOf(k), v));
      return out;
    } catch (YamlEngineException e) {
      // Already accepted by the bounded parser: a difference between the two is not the file's fault to explain.
      throw new IllegalStateException("compose file accepted once and refused the second time", e);
    }
  }

  /**
   * YAML text for a tree of maps, lists and scalars. Every string is written double-quoted, as
   * a JSON string (which YAML reads alike): compose v1 reads YAML 1.1, where a bare {@code 22:22}
   * is a number and {@code on} a boolean. Written here rather than by snakeyaml-engine, whose
   * YAML 1.2 dumper leaves such strings bare.
   */
  static String write(Map<?, ?> root) {
    StringBuilder out = new StringBuilder();
    map(out, root, 0);
    return out.toString();
  }

  private static void map(StringBuilder out, Map<?, ?> m, int indent) {
    for (Map.Entry<?, ?> e : m.entrySet()) {
      out.append(" ".repeat(indent)).append(key(String.valueOf(e.getKey()))).append(':');
      value(out, e.getValue(), indent);
    }
  }

  private static void value(StringBuilder out, Object v, int indent) {
    if (v instanceof Map<?, ?> m) {
      if (m.isEmpty()) {
        out.append(" {}\n");
      } else {
        out.append('\n');
        map(out, m, indent + 2);
      }
    } else if (v instanceof List<?> l) {
      if (l.isEmpty()) {
        out.append(" []\n");
      } else {
        out.append('\n');
        list(out, l, indent + 2);
      }
    } else {
      out.append(' ').append(scalar(v)).append('\n');
    }
  }

  private static void list(StringBuilder out, List<?> l, int indent) {
    for (Object item : l) {
      if ((item instanceof Map<?, ?> m && !m.isEmpty()) || (item instanceof List<?> n && !n.isEmpty())) {
        // The item's first line goes after the dash; the rest keeps the indentation it has.
        StringBuilder inner = new StringBuilder();
        if (item instanceof Map<?, ?> m2) map(inner, m2, indent + 2);
        else list(inner, (List<?>) item, indent + 2);
        out.append(" ".repeat(indent)).append("- ").append(inner, indent + 2, inner.length());
      } else {
        out.append(" ".repeat(indent)).append('-');
        value(out, item, indent);
      }
    }
  }

  private static String key(String k) {
    return PLAIN_KEY.matcher(k).matches() && !READ_AS_OTHER.contains(k.toLowerCase(Locale.ROOT)) ? k : Json.encode(k);
  }

  private static String scalar(Object v) {
    if (v == null) return "null";
    if (v instanceof Boolean || v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger) return v.toString();
    if (v instanceof Double d && !d.isNaN() && !d.isInfinite()) return d.toString();
    return Json.encode(String.valueOf(v));
  }

  // ---- variables, as compose substitutes them ----

  /**
   * {@code text} with compose's variables replaced from {@code vars}: {@code $NAME},
   * {@code ${NAME}}, the default forms {@code :-} and {@code -}, the alternatives {@code :+}
   * and {@code +}, and {@code :?}/{@code ?} (here simply the value); {@code $$} is a dollar.
   * Unset variables are empty, as compose makes them.
   */
  static String interpolate(String text, Map<String, String> vars) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c != '$' || i + 1 >= text.length()) {
        out.append(c);
        i++;
      } else if (text.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
      } else if (text.charAt(i + 1) == '{') {
        int end = closing(text, i + 2);
        if (end < 0) {
          out.append(text, i, text.length());
          break;
        }
        out.append(braced(text.substring(i + 2, end), vars));
        i = end + 1;
      } else if (VARIABLE_START.matcher(String.valueOf(text.charAt(i + 1))).matches()) {
        int j = i + 1;
        while (j < text.length() && (Character.isLetterOrDigit(text.charAt(j)) || text.charAt(j) == '_')) j++;
        out.append(vars.getOrDefault(text.substring(i + 1, j), ""));
        i = j;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /** The index of the brace that closes the one opened before {@code from}, nested ones skipped; -1 when none. */
  private static int closing(String text, int from) {
    int depth = 1;
    for (int j = from; j < text.length(); j++) {
      char c = text.charAt(j);
      if (c == '{' && text.charAt(j - 1) == '$') depth++;
      else if (c == '}' && --depth == 0) return j;
    }
    return -1;
  }

  private static String braced(String inner, Map<String, String> vars) {
    int n = 0;
    while (n < inner.length() && (Character.isLetterOrDigit(inner.charAt(n)) || inner.charAt(n) == '_')) n++;
    String name = inner.substring(0, n);
    String op = inner.substring(n);
    String value = vars.get(name);
    boolean set = value != null;
    boolean nonEmpty = set && !value.isEmpty();
    if (op.startsWith(":-")) return nonEmpty ? value : interpolate(op.substring(2), vars);
    if (op.startsWith("-")) return set ? value : interpolate(op.substring(1), vars);
    if (op.startsWith(":+")) return nonEmpty ? interpolate(op.substring(2), vars) : "";
    if (op.startsWith("+")) return set ? interpolate(op.substring(1), vars) : "";
    return set ? value : "";
  }

  /** The tree with every string value interpolated (keys stay as written, as in compose). */
  static Object interpolateTree(Object node, Map<String, String> vars) {
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), interpolateTree(v, vars)));
      return out;
    }
    if (node instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(v -> out.add(interpolateTree(v, vars)));
      return out;
    }
    return node instanceof String s ? interpolate(s, vars) : node;
  }

  /** The tree with every dollar of its strings doubled: written out, compose reads them as they are. */
  static Object escapeDollars(Object node) {
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), escapeDollars(v)));
      return out;
    }
    if (node instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(v -> out.add(escapeDollars(v)));
      return out;
    }
    return node instanceof String s ? s.replace("$", "$$") : node;
  }

  /** The names of the variables {@code text} refers to, in order of first use. */
  static List<String> variables(String text) {
    java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
    java.util.regex.Matcher m = Pattern.compile("\\$(\\$)|\\$\\{([A-Za-z_][A-Za-z0-9_]*)|\\$([A-Za-z_][A-Za-z0-9_]*)").matcher(text);
    while (m.find()) {
      if (m.group(2) != null) names.add(m.group(2));
      else if (m.group(3) != null) names.add(m.group(3));
    }
    return List.copyOf(names);
  }
}
