package dev.dockup.web;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table's own rules: what cannot be declared, and how per-node twins are made. */
class RouteTest {
  static RouteGroup group(Route... routes) {
    return new RouteGroup() {
      @Override public String tag() { return "t"; }
      @Override public List<Route> routes() { return List.of(routes); }
    };
  }

  @Test
  void aRouteWithoutAnAccessLevelCannotBeDeclared() {
    // Route.get(path, access, ...) makes the access an argument: leaving it out does not
    // compile, and a null one fails here, so at start.
    NullPointerException e = assertThrows(NullPointerException.class,
        () -> Route.get("/api/x", null, "x", "X").handle(ctx -> { }));
    assertTrue(e.getMessage().contains("/api/x"), e.getMessage());
  }

  @Test
  void aRouteDeclaredTwiceFailsTheTable() {
    Route a = Route.get("/api/x/{id}", Access.READ, "a", "A").handle(ctx -> { });
    Route b = Route.get("/api/x/{other}", Access.ADMIN, "b", "B").handle(ctx -> { });
    assertThrows(IllegalStateException.class, () -> RouteTable.of(List.of(group(a, b))));
    Route c = Route.get("/api/y", Access.READ, "a", "C").handle(ctx -> { });
    assertThrows(IllegalStateException.class, () -> RouteTable.of(List.of(group(a, c))), "operation ids are unique");
  }

  @Test
  void perNodeTwinsKeepTheirAccessAndPathShape() {
    Route env = Route.get("/api/stack/{name}/env", Access.ADMIN, "getEnv", "env").perNode().handle(ctx -> { });
    RouteTable table = RouteTable.of(List.of(group(env)));
    assertEquals(2, table.entries().size());
    Route twin = table.entries().get(1).route();
    assertEquals("/api/nodes/{node}/stack/{name}/env", twin.path());
    assertEquals("/api/nodes/:node/stack/:name/env", twin.vertxPath());
    assertEquals(Access.ADMIN, twin.access());
    assertEquals(List.of("node", "name"), twin.pathParams());
  }

  @Test
  void aTailVariableTakesTheRestOfThePath() {
    Route r = Route.delete("/api/images/{ref*}", Access.ADMIN, "del", "D").handle(ctx -> { });
    assertEquals("/api/images/*", r.vertxPath());
    assertEquals(List.of("ref"), r.pathParams());
  }

  @Test
  void theDocumentHasEveryOperationWithItsScopeAndSecurity() {
    Route pub = Route.get("/api/p", Access.PUBLIC, "p", "P").response(Schema.ref("Success")).handle(ctx -> { });
    Route op = Route.post("/api/o", Access.OPERATE, "o", "O").request(Schema.object("x", Schema.string())).handle(ctx -> { });
    JsonObject doc = OpenApi.document(RouteTable.of(List.of(group(pub, op))), "test");
    JsonObject p = doc.getJsonObject("paths").getJsonObject("/api/p").getJsonObject("get");
    assertEquals("public", p.getString("x-dockup-scope"));
    assertTrue(p.getJsonArray("security").isEmpty());
    JsonObject o = doc.getJsonObject("paths").getJsonObject("/api/o").getJsonObject("post");
    assertEquals("operate", o.getString("x-dockup-scope"));
    assertEquals(Map.of("401", true, "403", true),
        Map.of("401", o.getJsonObject("responses").containsKey("401"), "403", o.getJsonObject("responses").containsKey("403")));
    assertTrue(doc.getJsonObject("components").getJsonObject("schemas").containsKey("Error"));
  }
}
