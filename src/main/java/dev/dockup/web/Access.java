package dev.dockup.web;

import dev.dockup.auth.Scope;

/** What a route asks of its caller: nothing, or a credential of at least one scope. */
public enum Access {
  PUBLIC(null), READ(Scope.READ), OPERATE(Scope.OPERATE), ADMIN(Scope.ADMIN);

  private final Scope scope;

  Access(Scope scope) {
    this.scope = scope;
  }

  /** The scope a credential needs; null for a public route. */
  public Scope scope() {
    return scope;
  }

  public String id() {
    return scope == null ? "public" : scope.id();
  }
}
