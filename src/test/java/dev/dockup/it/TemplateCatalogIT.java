package dev.dockup.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The catalog over HTTP: the bundled templates offline, then recorded catalogs of each format
 * served on loopback, merged under ids that stay the same refresh after refresh; a catalog that
 * breaks (bad JSON, 500, too large, too slow) is reported and its last good copy kept, also
 * across a restart; a private address is refused unless TEMPLATE_ALLOW_PRIVATE.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TemplateCatalogIT {
  static final int MAX_BYTES = 64 * 1024;
  Path root;
  TestNode node;
  CatalogServer catalogs;

  static TestNode.Builder builder(Path root) {
    return TestNode.builder().root(root).waitForEngine(false)
        .config("template_allow_private", true).config("template_timeout", 2)
        .config("template_max_bytes", MAX_BYTES).config("template_refresh", 0);
  }

  @BeforeAll
  void start() throws Exception {
    root = Files.createTempDirectory("dockup-tmpl-");
    catalogs = new CatalogServer(MAX_BYTES);
    node = builder(root).start();
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) node.close();
    catalogs.close();
  }

  JsonArray urls() {
    return new JsonArray()
        .add(new JsonObject().put("url", catalogs.url(CatalogServer.V2)).put("format", "portainer"))
        .add(new JsonObject().put("url", catalogs.url(CatalogServer.V3)).put("format", "portainer"))
        .add(new JsonObject().put("url", catalogs.url(CatalogServer.LSIO) + "?include_config=true").put("format", "linuxserver"))
        .add(new JsonObject().put("url", catalogs.url(CatalogServer.CASAOS_ZIP)).put("format", "casaos"))
        .add(new JsonObject().put("url", catalogs.url(CatalogServer.CASAOS_FILE)).put("format", "casaos"));
  }

  static Map<String, String> ids(JsonObject list) {
    Map<String, String> out = new TreeMap<>();
    list.getJsonArray("templates").forEach(o -> {
      JsonObject t = (JsonObject) o;
      out.put(t.getString("id"), t.getString("source") + " " + t.getString("source_url") + " " + t.getString("source_id"));
    });
    return out;
  }

  static JsonObject source(JsonObject answer, String url) {
    return answer.getJsonArray("sources").stream().map(JsonObject.class::cast).filter(s -> url.equals(s.getString("url")))
        .findFirst().orElseThrow(() -> new AssertionError("no source " + url + " in " + answer.encode()));
  }

  @Test
  void theCatalogFromBundledTemplatesToRemoteCatalogsAndTheirFailures() throws Exception {
    // Offline: the bundled templates alone, nginx-proxy-manager among them.
    JsonObject offline = node.http.get("/api/templates/list").json();
    assertTrue(offline.getInteger("count") >= 30, offline.encode());
    assertTrue(offline.getJsonArray("templates").stream().map(JsonObject.class::cast).allMatch(t -> "bundled".equals(t.getString("source"))));
    JsonObject npm = node.http.get("/api/templates/nginx-proxy-manager").json();
    assertEquals("bundled", npm.getString("source"));
    assertEquals("Nginx Proxy Manager", npm.getString("title"));
    assertTrue(npm.getString("compose").contains("jc21/nginx-proxy-manager"));
    assertTrue(npm.getJsonArray("env").stream().map(JsonObject.class::cast).anyMatch(f -> "HTTP_PORT".equals(f.getString("name"))));
    assertEquals("/api/templates/nginx-proxy-manager/logo", npm.getString("logo"));
    Http.Resp logo = node.http.get("/api/templates/nginx-proxy-manager/logo");
    assertEquals(200, logo.status());
    assertEquals("image/svg+xml", logo.headers().firstValue("content-type").orElse(""));
    assertTrue(logo.headers().firstValue("content-security-policy").orElse("").contains("default-src 'none'"));
    assertEquals(404, node.http.get("/api/templates/no-such-template").status());
    JsonObject cats = node.http.get("/api/templates/categories").json();
    assertEquals(15, cats.getJsonArray("categories").size());
    assertTrue(cats.getJsonObject("counts").getInteger("Networking") >= 3);
    assertEquals(400, node.http.get("/api/templates/list?category=Nope").status());

    // The catalogs, set and fetched.
    assertEquals(200, node.http.post("/api/config", new JsonObject().put("template_urls", urls())).status());
    Http.Resp refreshed = node.http.post("/api/templates/refresh", "");
    assertEquals(200, refreshed.status(), refreshed.toString());
    for (Object s : refreshed.json().getJsonArray("sources")) {
      assertTrue(((JsonObject) s).getBoolean("ok"), refreshed.json().encodePrettily());
    }
    JsonObject list = node.http.get("/api/templates/list").json();
    Map<String, String> first = ids(list);
    String v2 = catalogs.url(CatalogServer.V2);
    assertEquals("bundled null nginx-proxy-manager", first.get("nginx-proxy-manager"), "bundled first");
    assertEquals("portainer " + v2 + " Nginx Proxy Manager", first.get("nginx-proxy-manager-portainer"));
    assertEquals("linuxserver " + catalogs.url(CatalogServer.LSIO) + "?include_config=true heimdall", first.get("heimdall-linuxserver"));
    assertEquals("casaos " + catalogs.url(CatalogServer.CASAOS_ZIP) + " Jellyfin", first.get("jellyfin-casaos"));
    assertEquals("portainer " + v2 + " Registry", first.get("registry"));
    assertEquals("portainer " + catalogs.url(CatalogServer.V3) + " 1", first.get("registry-portainer-2"), "the second Portainer list");
    for (String id : List.of("plex", "memos", "whoami", "mysql", "hello-stack", "lost-stack", "cockroachdb", "edge-thing", "pinned-ports")) {
      assertNotNull(first.get(id), id + " in " + first.keySet());
    }
    JsonObject hello = node.http.get("/api/templates/hello-stack").json();
    assertTrue(hello.getBoolean("deployable"), hello.encode());
    assertTrue(hello.getString("compose").contains("dockup-test/busybox"), "the stack file, fetched through a redirect");
    assertEquals("stack file could not be fetched: HTTP 404", node.http.get("/api/templates/lost-stack").json().getString("unsupported"));
    assertEquals("Swarm stack templates are not supported", node.http.get("/api/templates/cockroachdb").json().getString("unsupported"));
    JsonObject plex = node.http.get("/api/templates/plex").json();
    assertEquals(new JsonArray().add("host_network"), plex.getJsonArray("risks"));
    assertEquals(1, node.http.get("/api/templates/list?source=casaos&q=jelly").json().getInteger("count"));
    assertTrue(node.http.get("/api/templates/list?category=media").json().getInteger("count") >= 4);

    // Again: the same ids, and the catalogs asked conditionally.
    assertEquals(200, node.http.post("/api/templates/refresh", "").status());
    assertEquals(first, ids(node.http.get("/api/templates/list").json()), "stable ids");
    assertTrue(catalogs.notModified.get(CatalogServer.V2).get() >= 1, "an unchanged catalog answers 304");
    assertTrue(catalogs.notModified.get(CatalogServer.CASAOS_ZIP).get() >= 1);

    // Broken catalogs: each reported with its error, its last good copy kept.
    catalogs.faults.put(CatalogServer.V2, CatalogServer.Fault.BAD_JSON);
    catalogs.faults.put(CatalogServer.V3, CatalogServer.Fault.ERROR_500);
    catalogs.faults.put(CatalogServer.LSIO, CatalogServer.Fault.TOO_LARGE);
    catalogs.faults.put(CatalogServer.CASAOS_ZIP, CatalogServer.Fault.SLOW);
    Http.Resp broken = node.http.post("/api/templates/refresh", "");
    assertEquals(200, broken.status(), broken.toString());
    JsonObject after = node.http.get("/api/templates/list").json();
    assertError(after, v2, "not JSON");
    assertError(after, catalogs.url(CatalogServer.V3), "HTTP 500");
    assertError(after, catalogs.url(CatalogServer.LSIO) + "?include_config=true", "larger than " + MAX_BYTES + " bytes");
    assertError(after, catalogs.url(CatalogServer.CASAOS_ZIP), "timed out after 2 s");
    assertTrue(source(after, catalogs.url(CatalogServer.CASAOS_FILE)).getBoolean("ok"));
    assertEquals(first, ids(after), "every template kept, under the same id");
    assertEquals(7, source(after, v2).getInteger("count"));

    // Cached in DATA_DIR, owner-only: a restart lists them before any fetch.
    List<Path> cached;
    try (Stream<Path> files = Files.list(node.dataDir.resolve("templates"))) {
      cached = files.toList();
    }
    assertEquals(5, cached.size());
    for (Path f : cached) assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    node.close();
    node = null;
    int v2Requests = catalogs.requests.get(CatalogServer.V2).get();
    node = builder(root).start();
    JsonObject restarted = node.http.get("/api/templates/list").json();
    assertEquals(first, ids(restarted));
    assertError(restarted, v2, "not JSON");
    assertEquals(v2Requests, catalogs.requests.get(CatalogServer.V2).get(), "nothing fetched at start");

    // Mended, asked asynchronously: 202 at once, progress on the feed.
    catalogs.faults.clear();
    try (Ws feed = Ws.feed(node)) {
      Http.Resp async = node.http.post("/api/templates/refresh?async=true", "");
      assertEquals(202, async.status(), async.toString());
      feed.next(m -> "template_refresh".equals(m.getString("type")) && "source_done".equals(m.getString("status"))
          && v2.equals(m.getString("url")), Duration.ofSeconds(20));
      feed.next(m -> "template_refresh".equals(m.getString("type")) && "done".equals(m.getString("status")), Duration.ofSeconds(20));
    }
    JsonObject mended = node.http.get("/api/templates/list").json();
    for (Object s : mended.getJsonArray("sources")) assertTrue(((JsonObject) s).getBoolean("ok"), mended.getJsonArray("sources").encode());
    assertEquals(first, ids(mended));

    // A catalog dropped from the settings goes, with its cache file.
    assertEquals(200, node.http.post("/api/config", new JsonObject().put("template_urls", new JsonArray().add(urls().getValue(4)))).status());
    TestNode.await(node.http, "/api/templates/list", l -> l.getJsonArray("sources").size() == 1 && !ids(l).containsKey("plex"),
        Duration.ofSeconds(10));
    try (Stream<Path> files = Files.list(node.dataDir.resolve("templates"))) {
      assertEquals(1, files.count());
    }
  }

  static void assertError(JsonObject list, String url, String expected) {
    JsonObject s = source(list, url);
    assertFalse(s.getBoolean("ok"), s.encode());
    assertTrue(s.getString("error").contains(expected), s.encode());
    assertTrue(s.getInteger("count") > 0, "last good copy kept: " + s.encode());
  }

  @Test
  void aPrivateAddressIsRefusedWithoutTemplateAllowPrivate() throws Exception {
    try (TestNode strict = TestNode.builder().waitForEngine(false).config("template_refresh", 0).start()) {
      assertEquals(200, strict.http.post("/api/config", new JsonObject().put("template_urls", new JsonArray()
          .add(new JsonObject().put("url", catalogs.url(CatalogServer.V2)).put("format", "portainer")))).status());
      int before = catalogs.requests.getOrDefault(CatalogServer.V2, new java.util.concurrent.atomic.AtomicInteger()).get();
      JsonObject answer = strict.http.post("/api/templates/refresh", "").json();
      JsonObject s = answer.getJsonArray("sources").getJsonObject(0);
      assertFalse(s.getBoolean("ok"));
      assertTrue(s.getString("error").contains("127.0.0.1 is a private, local or reserved address"), s.encode());
      assertEquals(before, catalogs.requests.getOrDefault(CatalogServer.V2, new java.util.concurrent.atomic.AtomicInteger()).get(),
          "no request reached the server");
    }
  }
}
