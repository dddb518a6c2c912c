package dev.dockup.web;

import dev.dockup.auth.Gate;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every HTTP route of a node, each declared once by the feature that owns it. The router is
 * mounted from this table and nothing else, each route with the authorization it declares; a
 * path that matches no entry is refused; the OpenAPI document is generated from the same
 * entries. Per-node twins ({@code /api/nodes/{node}/…}) are expanded here, with the same access.
 */
public final class RouteTable {
  /** SockJS frames from a client that may send nothing but its registration. */
  static final long SUB_ROUTER_BODY_LIMIT = 64 * 1024;

  /** A route with the name of the feature that declared it. */
  public record Entry(String tag, Route route) {}

  private final List<Entry> entries;
  private final Map<String, JsonObject> schemas;

  private RouteTable(List<Entry> entries, Map<String, JsonObject> schemas) {
    this.entries = Collections.unmodifiableList(entries);
    this.schemas = Collections.unmodifiableMap(schemas);
  }

  /** Fails (and so does the start) on a route declared twice or a schema name used twice. */
  public static RouteTable of(List<RouteGroup> groups) {
    List<Entry> entries = new ArrayList<>();
    Map<String, JsonObject> schemas = new LinkedHashMap<>(Schema.common());
    Set<String> seen = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (RouteGroup group : groups) {
      group.schemas().forEach((name, schema) -> {
        if (schemas.putIfAbsent(name, schema) != null) throw new IllegalStateException("schema " + name + " declared twice");
      });
      for (Route declared : group.routes()) {
        List<Route> expanded = declared.has(Route.Option.PER_NODE) ? List.of(declared, declared.onNode()) : List.of(declared);
        for (Route r : expanded) {
          for (var m : r.methods()) {
            // Variables match the same requests whatever their names.
            String shape = r.vertxPath().replaceAll(":[a-z_]+", ":");
            if (!seen.add(m.name() + " " + shape)) throw new IllegalStateException("route declared twice: " + m.name() + " " + r.path());
          }
          if (!ids.add(r.operationId())) throw new IllegalStateException("operation id used twice: " + r.operationId());
          entries.add(new Entry(group.tag(), r));
        }
      }
    }
    return new RouteTable(entries, schemas);
  }

  public List<Entry> entries() {
    return entries;
  }

  public Map<String, JsonObject> schemas() {
    return schemas;
  }

  /**
   * Mounts every entry: the gate's handlers for its access, the body reader when it takes a
   * body, then its handler. Unknown {@code /api} paths are refused after authentication, so a
   * stranger learns nothing about which paths exist.
   */
  public void mount(Router router, Gate gate, Handler<RoutingContext> body, Handler<RoutingContext> notFound) {
    for (Entry e : entries) {
      Route r = e.route();
      boolean feed = r.has(Route.Option.FEED);
      io.vertx.ext.web.Route vr = router.route(r.vertxPath());
      r.methods().forEach(vr::method);
      vr.putMetadata(Route.METADATA, r);
      vr.handler(gate.admit(feed, r.audited(), r.access() != Access.PUBLIC));
      if (r.access() != Access.PUBLIC) {
        vr.handler(gate.authentication(feed)).handler(gate.authorization(r.access().scope())).handler(gate.sameOrigin(feed));
      } else if (r.has(Route.Option.OPTIONAL_CREDENTIAL)) {
        vr.handler(gate.optionalAuthentication());
      }
      if (r.has(Route.Option.BODY)) vr.handler(body);
      if (r.subRouter() == null) {
        vr.handler(r.handler());
        continue;
      }
      // A sub-router (SockJS) reads POST bodies through Vert.x's BodyHandler, which the router
      // runs only before authentication on one route: so it runs on a route of its own, reached
      // only through the gate above, and never on a GET (it would spoil a WebSocket upgrade).
      if (r.methods().contains(HttpMethod.POST)) {
        router.route(r.vertxPath()).method(HttpMethod.POST).putMetadata(Route.METADATA, r)
            .handler(BodyHandler.create(false).setBodyLimit(SUB_ROUTER_BODY_LIMIT));
      }
      io.vertx.ext.web.Route inner = router.route(r.vertxPath());
      r.methods().forEach(inner::method);
      inner.putMetadata(Route.METADATA, r).subRouter(r.subRouter());
    }
    router.route("/api/*").handler(gate.admit(false, false, true)).handler(gate.authentication(false)).handler(notFound);
    router.route().handler(notFound);
  }
}
