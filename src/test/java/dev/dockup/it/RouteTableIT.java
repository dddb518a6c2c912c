package dev.dockup.it;

import dev.dockup.auth.Scope;
import dev.dockup.web.Access;
import dev.dockup.web.Route;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.openapi.contract.OpenAPIVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The route table seen from outside: every declared route, with no credential and with each
 * scope, on its own path and on variants of it, refuses exactly what its declared scope does not
 * cover; the OpenAPI document is valid 3.1 and lists exactly the router's routes. The node's
 * engine is unreachable on purpose: what is checked is the gate, and nothing may change the
 * shared engine while every route is called with an admin credential.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteTableIT {
  static final String PROBE = "scope-probe";
  static final String AUTH_REQUIRED = "{\"error\":\"Authentication required\"}";
  static final String INSUFFICIENT = "{\"error\":\"Insufficient scope\"}";

  TestNode node;
  Http anon;
  /** null (no credential), then one client per scope. */
  final Map<Scope, Http> clients = new LinkedHashMap<>();

  @BeforeAll
  void start() throws Exception {
    node = TestNode.builder().dockerHost("unix:///nonexistent/docker.sock").waitForEngine(false)
        .config("login_max_failures", 1_000).start();
    anon = node.http.anonymous();
    // Docker Hub stands in on a closed loopback port, so its route answers at once.
    assertEquals(200, node.http.post("/api/config", new JsonObject()
        .put("hub_registry_url", "http://127.0.0.1:9").put("hub_auth_url", "http://127.0.0.1:9")).status());
    for (Scope s : Scope.values()) {
      Http.Resp r = node.http.post("/api/tokens", new JsonObject().put("name", "probe-" + s.id()).put("scope", s.id()));
      assertEquals(201, r.status(), r.toString());
      clients.put(s, anon.with("X-API-Token", r.json().getString("token")));
    }
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  /** Every route of the router that came from the table, with the method it was mounted for. */
  List<Map.Entry<HttpMethod, Route>> declared() {
    List<Map.Entry<HttpMethod, Route>> out = new ArrayList<>();
    Set<Route> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (io.vertx.ext.web.Route vr : node.app.http().router().getRoutes()) {
      Route r = vr.getMetadata(Route.METADATA);
      // A sub-router's entry is mounted as several routes (the gate, the body, the sub-router).
      if (r == null || !seen.add(r)) continue;
      for (HttpMethod m : r.methods()) out.add(Map.entry(m, r));
    }
    return out;
  }

  @Test
  void everyRouteRefusesExactlyTheCredentialsItsScopeDoesNotCover() {
    List<String> wrong = new ArrayList<>();
    int checked = 0;
    for (var e : declared()) {
      HttpMethod method = e.getKey();
      Route r = e.getValue();
      String path = concrete(r);
      for (Scope s : new Scope[] {null, Scope.READ, Scope.OPERATE, Scope.ADMIN}) {
        boolean refused = r.access() != Access.PUBLIC && (s == null || !s.covers(r.access().scope()));
        Http client = s == null ? anon : clients.get(s);
        Http.Resp resp = send(client, method, path);
        checked++;
        if (refused != isGateRefusal(resp, s == null)) {
          wrong.add(method + " " + path + " as " + (s == null ? "nobody" : s.id()) + " (" + r.access().id() + "): " + resp);
        }
        if (!refused) continue;
        for (String variant : variants(path)) {
          Http.Resp v = send(client, method, variant);
          checked++;
          if (!Set.of(400, 401, 403, 404).contains(v.status())) {
            wrong.add(method + " " + variant + " as " + (s == null ? "nobody" : s.id()) + " (" + r.access().id() + "): " + v);
          }
        }
      }
    }
    assertTrue(checked > 500, "only " + checked + " requests");
    assertTrue(wrong.isEmpty(), wrong.size() + " wrong answers:\n" + String.join("\n", wrong));
  }

  @Test
  void aTrailingSlashDoesNotOpenTheEnvToAReadToken() {
    Http reader = clients.get(Scope.READ);
    String node = this.node.app.config().nodeName();
    for (String path : List.of("/api/stack/" + PROBE + "/env/", "/api/nodes/" + node + "/stack/" + PROBE + "/env/",
        "/api/stack/" + PROBE + "//env", "/api/stack/" + PROBE + "/./env", "/api/stack/" + PROBE + "/%65nv")) {
      assertEquals(INSUFFICIENT, reader.get(path).text(), path);
    }
  }

  @Test
  void anUndeclaredPathIsRefusedAfterAuthentication() {
    assertEquals(AUTH_REQUIRED, anon.get("/api/nothing-here").text());
    assertEquals(404, clients.get(Scope.ADMIN).get("/api/nothing-here").status());
    assertEquals(404, clients.get(Scope.ADMIN).send(HttpRequest.newBuilder(URI.create(anon.base() + "/api/stacks"))
        .method("PATCH", HttpRequest.BodyPublishers.noBody())).status(), "a method no route declares");
  }

  @Test
  void theDocumentIsValidOpenApi31AndListsExactlyTheRoutersRoutes() throws Exception {
    Http.Resp r = anon.get("/api/openapi.json");
    assertEquals(200, r.status());
    JsonObject doc = r.json();
    assertEquals("3.1.0", doc.getString("openapi"));
    Vertx vertx = Vertx.vertx();
    try {
      // The specification's own schema (bundled with vertx-openapi), then every $ref resolved.
      OpenAPIVersion version = OpenAPIVersion.fromContract(doc);
      assertEquals(OpenAPIVersion.V3_1, version);
      SchemaRepository repository = version.getRepository(vertx, "app:///").await();
      OutputUnit result = version.validateContract(vertx, repository, doc.copy()).await();
      assertTrue(result.getValid(), () -> "invalid OpenAPI 3.1: " + result.toJson().encodePrettily());
      assertNotNull(version.resolve(vertx, repository, doc.copy()).await());
    } finally {
      vertx.close().await();
    }

    Set<String> documented = new TreeSet<>();
    doc.getJsonObject("paths").forEach(p -> ((JsonObject) p.getValue()).fieldNames()
        .forEach(m -> documented.add(m.toUpperCase() + " " + p.getKey())));
    Set<String> mounted = new TreeSet<>();
    for (var e : declared()) mounted.add(e.getKey().name() + " " + e.getValue().path().replace("*}", "}"));
    assertEquals(mounted, documented, "the document and the router list the same routes");

    // Nothing reaches a handler without coming from the table: the only other routes with a
    // path are the catch-all that refuses unknown /api paths (the global ones have none).
    List<String> others = new ArrayList<>();
    for (io.vertx.ext.web.Route vr : node.app.http().router().getRoutes()) {
      if (vr.getMetadata(Route.METADATA) == null && vr.getPath() != null) others.add(vr.getPath());
    }
    assertEquals(List.of("/api/"), others);

    JsonObject env = doc.getJsonObject("paths").getJsonObject("/api/stack/{name}/env").getJsonObject("get");
    assertEquals("admin", env.getString("x-dockup-scope"));
    assertEquals("admin", doc.getJsonObject("paths").getJsonObject("/api/nodes/{node}/stack/{name}/env").getJsonObject("get")
        .getString("x-dockup-scope"), "the per-node twin has the same scope");
    assertTrue(doc.getJsonObject("paths").getJsonObject("/api/ping").getJsonObject("get").getJsonArray("security")
        .contains(new JsonObject()), "ping works without a credential");
  }

  @Test
  void theYamlDocumentIsTheSameDocument() {
    Http.Resp yaml = anon.get("/api/openapi.yaml");
    assertEquals(200, yaml.status());
    Object loaded = new Load(LoadSettings.builder().build()).loadFromString(yaml.text());
    assertEquals(anon.get("/api/openapi.json").json(), new JsonObject(new JsonObject((Map<String, Object>) loaded).encode()));
  }

  @Test
  void theDocsPageIsServedLocallyUnderAStrictPolicy() {
    Http.Resp page = anon.get("/api/docs");
    assertEquals(200, page.status());
    String csp = page.headers().firstValue("content-security-policy").orElseThrow();
    assertTrue(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), csp);
    assertFalse(page.text().matches("(?s).*<script>.*|.*<script[^>]*>[^<].*"), "no inline script");
    assertFalse(page.text().contains("http://") || page.text().contains("https://"), "nothing from another host");
    for (String file : List.of("docs.js", "swagger-ui-bundle.js", "swagger-ui.css")) {
      assertEquals(200, anon.get("/api/docs/" + file).status(), file);
    }
    assertEquals(404, anon.get("/api/docs/index.html").status(), "only the listed files");
  }

  @Test
  void aJwtMadeFromTheInstanceTokenDiesWhenItIsRegenerated() {
    Http admin = clients.get(Scope.ADMIN);
    String first = admin.post("/api/config/regenerate-token", "").json().getString("token");
    String jwt = anon.with("X-API-Token", first).post("/api/auth/token", "{}").json().getString("token");
    Http viaJwt = anon.with("Authorization", "Bearer " + jwt);
    assertEquals(200, viaJwt.get("/api/auth/session").status());
    admin.post("/api/config/regenerate-token", "");
    Http.Resp after = viaJwt.get("/api/auth/session");
    assertEquals(401, after.status());
    assertEquals("{\"error\":\"Token revoked\"}", after.text());
  }

  // ---- helpers ----

  /** The route's path with its variables filled: this node, a stack that does not exist, ids that do not. */
  String concrete(Route r) {
    String p = r.path()
        .replace("{node}", node.app.config().nodeName())
        .replace("{name}", PROBE)
        .replace("{file}", "docs.js")
        .replace("{ref*}", "no-such-image")
        .replace("{path*}", "info");
    return p.replaceAll("\\{[a-z_]+}", "no-such-id");
  }

  /** Ways to write the same path that a router or a proxy may read as it. */
  static List<String> variants(String path) {
    Set<String> out = new LinkedHashSet<>();
    out.add(path + "/");
    int second = path.indexOf('/', 1);
    String first = second < 0 ? path : path.substring(0, second);
    String rest = second < 0 ? "" : path.substring(second);
    out.add(first + "/" + rest);
    out.add(first + "/." + rest);
    out.add(first + "/x/.." + rest);
    out.add(path.toUpperCase());
    String last = path.substring(path.lastIndexOf('/') + 1);
    if (!last.isEmpty() && Character.isLetter(last.charAt(0))) {
      out.add(path.substring(0, path.lastIndexOf('/') + 1) + "%" + Integer.toHexString(last.charAt(0)) + last.substring(1));
    }
    if (second > 0) out.add(first + "%2F" + rest.substring(1));
    out.remove(path);
    return List.copyOf(out);
  }

  static Http.Resp send(Http client, HttpMethod method, String path) {
    HttpRequest.BodyPublisher body = method == HttpMethod.GET || method == HttpMethod.DELETE
        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{}");
    return client.send(HttpRequest.newBuilder(URI.create(client.base() + path)).method(method.name(), body));
  }

  /** The gate's own refusals; a handler's 401 for a wrong password is not one. */
  static boolean isGateRefusal(Http.Resp r, boolean anonymous) {
    return (r.status() == 401 && r.text().equals(AUTH_REQUIRED)) || (!anonymous && r.status() == 403 && r.text().equals(INSUFFICIENT));
  }
}
