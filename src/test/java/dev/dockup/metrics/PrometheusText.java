package dev.dockup.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: every line is a
 * HELP, a TYPE or a sample of the family last typed; names, label syntax and escapes, values,
 * no series twice, and each histogram's buckets in increasing {@code le} with non-decreasing
 * counts and {@code +Inf} equal to its {@code _count}. Written here because the Prometheus Java
 * client writes the format but has no reader of it.
 */
public final class PrometheusText {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME.pattern() + ") (.*)");
  private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME.pattern() + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern FLOAT = Pattern.compile("[+-]?(?:Inf|NaN|(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)");

  /** One sample: its metric name, its labels in order, its value. */
  public record Sample(String name, Map<String, String> labels, double value) {
    public String label(String key) {
      return labels.get(key);
    }
  }

  /** A family: its type and help, and its samples. */
  public record Family(String name, String type, String help, List<Sample> samples) {}

  private final Map<String, Family> families = new LinkedHashMap<>();

  private PrometheusText() {}

  /** Reads {@code text} whole; any line that breaks the format throws, naming the line. */
  public static PrometheusText parse(String text) {
    PrometheusText out = new PrometheusText();
    if (!text.isEmpty() && !text.endsWith("\n")) throw new IllegalArgumentException("the text must end with a newline");
    String[] lines = text.split("\n", -1);
    Map<String, String> helps = new HashMap<>();
    Set<String> series = new HashSet<>();
    Family current = null;
    for (int i = 0; i < lines.length - 1; i++) {
      String line = lines[i];
      int no = i + 1;
      Matcher m;
      if ((m = HELP.matcher(line)).matches()) {
        if (helps.put(m.group(1), m.group(2)) != null) throw fail(no, "second HELP for " + m.group(1), line);
        checkEscapes(m.group(2), false, no, line);
      } else if ((m = TYPE.matcher(line)).matches()) {
        String name = m.group(1);
        if (out.families.containsKey(name)) throw fail(no, "second TYPE for " + name, line);
        current = new Family(name, m.group(2), helps.get(name), new ArrayList<>());
        out.families.put(name, current);
      } else if (line.startsWith("#")) {
        if (line.startsWith("# HELP") || line.startsWith("# TYPE")) throw fail(no, "malformed HELP or TYPE", line);
      } else {
        if (current == null) throw fail(no, "a sample before any TYPE", line);
        Sample s = sample(line, no);
        if (!belongs(current, s.name())) throw fail(no, s.name() + " is not part of the " + current.type() + " " + current.name(), line);
        if (!series.add(s.name() + s.labels())) throw fail(no, "the same series twice", line);
        if (current.type().equals("counter") && !(s.value() >= 0)) throw fail(no, "a counter below zero", line);
        current.samples().add(s);
      }
    }
    for (String name : helps.keySet()) {
      if (!out.families.containsKey(name)) throw new IllegalArgumentException("HELP for " + name + " without TYPE");
    }
    out.families.values().stream().filter(f -> f.type().equals("histogram")).forEach(PrometheusText::checkHistogram);
    return out;
  }

  public Map<String, Family> families() {
    return families;
  }

  /** Every sample named {@code name} whose labels include all of {@code labels}. */
  public List<Sample> find(String name, Map<String, String> labels) {
    List<Sample> out = new ArrayList<>();
    for (Family f : families.values()) {
      for (Sample s : f.samples()) {
        if (s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet())) out.add(s);
      }
    }
    return out;
  }

  /** The sum of the values of {@link #find}. */
  public double sum(String name, Map<String, String> labels) {
    return find(name, labels).stream().mapToDouble(Sample::value).sum();
  }

  public List<Sample> samples() {
    return families.values().stream().flatMap(f -> f.samples().stream()).toList();
  }

  private static boolean belongs(Family f, String name) {
    if (name.equals(f.name())) return !f.type().equals("histogram");
    return switch (f.type()) {
      case "histogram" -> name.equals(f.name() + "_bucket") || name.equals(f.name() + "_sum") || name.equals(f.name() + "_count");
      case "summary" -> name.equals(f.name() + "_sum") || name.equals(f.name() + "_count");
      default -> false;
    };
  }

  private static Sample sample(String line, int no) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') i++;
    String name = line.substring(0, i);
    if (!NAME.matcher(name).matches()) throw fail(no, "bad metric name", line);
    Map<String, String> labels = new TreeMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        if (eq < 0) throw fail(no, "a label without '='", line);
        String key = line.substring(i, eq);
        if (!LABEL.matcher(key).matches() || key.startsWith("__")) throw fail(no, "bad label name '" + key + "'", line);
        if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') throw fail(no, "a label value must be quoted", line);
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        for (; j < line.length() && line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            if (++j >= line.length()) throw fail(no, "an escape at the end", line);
            char e = line.charAt(j);
            if (e == 'n') value.append('\n');
            else if (e == '\\' || e == '"') value.append(e);
            else throw fail(no, "unknown escape \\" + e, line);
          } else {
            value.append(c);
          }
        }
        if (j >= line.length()) throw fail(no, "an unterminated label value", line);
        if (labels.put(key, value.toString()) != null) throw fail(no, "label " + key + " twice", line);
        i = j + 1;
        if (i >= line.length()) throw fail(no, "unterminated labels", line);
        if (line.charAt(i) == ',') i++;
        else if (line.charAt(i) != '}') throw fail(no, "labels must be separated by ','", line);
      }
      i++;
    }
    if (i >= line.length() || line.charAt(i) != ' ') throw fail(no, "a single space must precede the value", line);
    String[] rest = line.substring(i + 1).split(" ", -1);
    if (rest.length > 2 || !FLOAT.matcher(rest[0]).matches()) throw fail(no, "bad value", line);
    if (rest.length == 2 && !rest[1].matches("-?\\d+")) throw fail(no, "bad timestamp", line);
    return new Sample(name, labels, parseFloat(rest[0]));
  }

  private static double parseFloat(String v) {
    return switch (v) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN", "+NaN", "-NaN" -> Double.NaN;
      default -> Double.parseDouble(v);
    };
  }

  private static void checkEscapes(String text, boolean quotes, int no, String line) {
    for (int j = 0; j < text.length(); j++) {
      if (text.charAt(j) != '\\') continue;
      if (++j >= text.length() || (text.charAt(j) != 'n' && text.charAt(j) != '\\' && !(quotes && text.charAt(j) == '"'))) {
        throw fail(no, "bad escape in HELP", line);
      }
    }
  }

  /** Per series (labels without {@code le}): increasing bounds, non-decreasing counts, +Inf = count, a sum. */
  private static void checkHistogram(Family f) {
    Map<Map<String, String>, TreeMap<Double, Double>> buckets = new HashMap<>();
    Map<Map<String, String>, Double> counts = new HashMap<>();
    Set<Map<String, String>> sums = new HashSet<>();
    for (Sample s : f.samples()) {
      Map<String, String> key = new TreeMap<>(s.labels());
      if (s.name().endsWith("_bucket")) {
        String le = key.remove("le");
        if (le == null || !FLOAT.matcher(le).matches()) throw new IllegalArgumentException(f.name() + ": a bucket without a numeric le " + s);
        if (buckets.computeIfAbsent(key, k -> new TreeMap<>()).put(parseFloat(le), s.value()) != null) {
          throw new IllegalArgumentException(f.name() + ": le " + le + " twice for " + key);
        }
      } else if (s.name().endsWith("_count")) {
        counts.put(key, s.value());
      } else {
        sums.add(key);
      }
    }
    if (!buckets.keySet().equals(counts.keySet()) || !counts.keySet().equals(sums)) {
      throw new IllegalArgumentException(f.name() + ": buckets, _count and _sum do not name the same series");
    }
    buckets.forEach((key, byLe) -> {
      double previous = 0;
      for (Map.Entry<Double, Double> b : byLe.entrySet()) {
        if (b.getValue() < previous) throw new IllegalArgumentException(f.name() + " " + key + ": bucket le=" + b.getKey() + " below the one before");
        previous = b.getValue();
      }
      if (!byLe.containsKey(Double.POSITIVE_INFINITY)) throw new IllegalArgumentException(f.name() + " " + key + ": no +Inf bucket");
      if (byLe.get(Double.POSITIVE_INFINITY).doubleValue() != counts.get(key).doubleValue()) {
        throw new IllegalArgumentException(f.name() + " " + key + ": +Inf bucket differs from _count");
      }
    });
  }

  private static IllegalArgumentException fail(int no, String why, String line) {
    return new IllegalArgumentException("line " + no + ": " + why + ": " + line);
  }
}
