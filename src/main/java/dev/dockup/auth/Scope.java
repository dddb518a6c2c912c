package dev.dockup.auth;

import io.vertx.core.http.HttpMethod;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** The three scopes of DESIGN.md, each including the ones below it, and which one a request needs. */
public enum Scope {
  READ, OPERATE, ADMIN;

  public boolean covers(Scope needed) {
    return ordinal() >= needed.ordinal();
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Scope parse(String s) {
    if (s != null) {
      for (Scope v : values()) if (v.id().equals(s)) return v;
    }
    return null;
  }

  /** GETs that reveal secrets or .env contents. */
  private static final List<Pattern> ADMIN_READS = patterns(
      "/api/tokens(/.*)?", "/api/config(/.*)?", "/api/peers(/.*)?", "/api/audit(/.*)?",
      "/api/backups?(/.*)?", "/api/stack/[^/]+/env", "/api/nodes/[^/]+/stack/[^/]+/env",
      "/api/stack/[^/]+/history(/.*)?");

  /** Changes an operator may make: stack operations, checks, running a schedule now, scans. */
  private static final List<Pattern> OPERATE_WRITES = patterns(
      "/api/stack/[^/]+/operation", "/api/stack/[^/]+/check-updates", "/api/stack/[^/]+/schedule/run",
      "/api/nodes/[^/]+/stack/[^/]+/operation", "/api/nodes/[^/]+/stack/[^/]+/check-updates",
      "/api/nodes/[^/]+/stack/[^/]+/schedule/run", "/api/peer/[^/]+/stack/[^/]+/operation",
      "/api/container/[^/]+/scan", "/api/stacks/check-updates");

  public static Scope required(HttpMethod method, String path) {
    if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) {
      return matches(ADMIN_READS, path) ? ADMIN : READ;
    }
    return matches(OPERATE_WRITES, path) ? OPERATE : ADMIN;
  }

  private static boolean matches(List<Pattern> list, String path) {
    for (Pattern p : list) if (p.matcher(path).matches()) return true;
    return false;
  }

  private static List<Pattern> patterns(String... regex) {
    return java.util.Arrays.stream(regex).map(Pattern::compile).toList();
  }
}
