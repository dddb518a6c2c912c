package dev.dockup.auth;

import java.util.Locale;

/**
 * The three scopes of DESIGN.md, each including the ones below it. Which scope a route needs
 * is declared with the route, in the route table, and nowhere else.
 */
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
}
