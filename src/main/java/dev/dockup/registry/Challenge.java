package dev.dockup.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code WWW-Authenticate} challenge (RFC 7235): a scheme, lower-cased, and its parameters,
 * names lower-cased. A registry's Bearer challenge carries {@code realm}, {@code service} and
 * {@code scope}; quoted values may hold commas ({@code scope="repository:a:pull,push"}).
 */
public record Challenge(String scheme, Map<String, String> params) {
  public static final String BEARER = "bearer";
  public static final String BASIC = "basic";

  public Challenge {
    scheme = scheme.toLowerCase(Locale.ROOT);
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  public String param(String name) {
    return params.get(name.toLowerCase(Locale.ROOT));
  }

  /** Every challenge in one header value; an empty list when there is none or it is unreadable. */
  public static List<Challenge> parse(String header) {
    List<Challenge> out = new ArrayList<>();
    if (header == null) return out;
    Reader r = new Reader(header);
    while (true) {
      r.skip(" \t,");
      if (r.done()) return out;
      String scheme = r.token();
      if (scheme.isEmpty()) return out;
      out.add(new Challenge(scheme, r.params()));
    }
  }

  /** The first Bearer challenge, else the first Basic one, else null. */
  public static Challenge preferred(List<String> headers) {
    Challenge basic = null;
    for (String header : headers) {
      for (Challenge c : parse(header)) {
        if (c.scheme().equals(BEARER)) return c;
        if (c.scheme().equals(BASIC) && basic == null) basic = c;
      }
    }
    return basic;
  }

  /** A small cursor over the header: tokens, quoted strings and {@code name=value} lists. */
  private static final class Reader {
    private final String s;
    private int i;

    Reader(String s) {
      this.s = s;
    }

    boolean done() {
      return i >= s.length();
    }

    void skip(String chars) {
      while (!done() && chars.indexOf(s.charAt(i)) >= 0) i++;
    }

    String token() {
      int start = i;
      while (!done() && " \t,=\"".indexOf(s.charAt(i)) < 0) i++;
      return s.substring(start, i);
    }

    /**
     * The parameters after a scheme, up to the next scheme: a token followed by anything but
     * {@code =} starts the next challenge. A token68 (Basic's old form) is skipped.
     */
    Map<String, String> params() {
      Map<String, String> params = new LinkedHashMap<>();
      while (true) {
        skip(" \t,");
        int mark = i;
        String name = token();
        if (name.isEmpty()) {
          if (!done() && s.charAt(i) == '"') quoted(); // stray quoted string: skip it
          else if (!done()) i++;
          if (done()) return params;
          continue;
        }
        skip(" \t");
        if (done() || s.charAt(i) != '=') {
          i = mark;
          return params;
        }
        i++;
        skip(" \t");
        if (!done() && s.charAt(i) == '=') { // token68 padding such as "abc=="
          skip("=");
          continue;
        }
        String value = !done() && s.charAt(i) == '"' ? quoted() : token();
        params.put(name.toLowerCase(Locale.ROOT), value);
      }
    }

    private String quoted() {
      StringBuilder out = new StringBuilder();
      i++; // opening quote
      while (!done()) {
        char c = s.charAt(i++);
        if (c == '"') return out.toString();
        if (c == '\\' && !done()) c = s.charAt(i++);
        out.append(c);
      }
      return out.toString();
    }
  }
}
