package dev.dockup.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Templates in a fleet of two clustered nodes: a catalog one node fetched is taken by the other
 * from the share; on a schedule a catalog is fetched about once per period for the whole fleet,
 * not once per node; and a deploy asked of one node writes and runs the stack on the other.
 */
class TemplateFleetIT {

  static TestNode.Builder member(String cluster, String name, int port, String members) throws Exception {
    return FleetIT.member(cluster, name, port, members).config("template_allow_private", true).config("template_refresh", 2);
  }

  static String fetchedAt(TestNode node) {
    return node.http.get("/api/templates/list").json().getJsonArray("sources").getJsonObject(0).getString("fetched_at");
  }

  @Test
  void catalogsAreSharedFetchedOncePerFleetAndDeployedOnAnotherNode() throws Exception {
    String cluster = "tpl" + UUID.randomUUID().toString().substring(0, 8);
    int pa = FleetIT.freePort();
    int pb = FleetIT.freePort();
    String members = "127.0.0.1:" + pa + ",127.0.0.1:" + pb;
    String a = "tpl-a-" + cluster;
    String b = "tpl-b-" + cluster;
    try (CatalogServer catalogs = new CatalogServer(1024 * 1024); TestNode na = member(cluster, a, pa, members).start();
         Engine engine = Engine.shared()) {
      TestNode nb = member(cluster, b, pb, members).config("password", null).start();
      String stack = "fleet-" + cluster;
      try {
        JsonObject urls = new JsonObject().put("template_urls", new JsonArray()
            .add(new JsonObject().put("url", catalogs.url(CatalogServer.V2)).put("format", "portainer")));
        assertEquals(200, na.http.post("/api/config", urls).status());
        assertEquals(200, nb.http.post("/api/config", urls).status());
        for (TestNode n : new TestNode[] {na, nb}) {
          TestNode.await(n.http, "/api/templates/hello-stack", t -> t.getBoolean("deployable"), Duration.ofSeconds(20));
        }

        // Fetched by A, taken by B: the same copy, to the millisecond.
        assertEquals(200, na.http.post("/api/templates/refresh", "").status());
        String atA = fetchedAt(na);
        TestNode.await(nb.http, "/api/templates/list",
            l -> atA.equals(l.getJsonArray("sources").getJsonObject(0).getString("fetched_at")), Duration.ofSeconds(10));

        // A 2 s period on both nodes: in 6 s the fleet fetches the list about 3 times, not 6.
        int before = catalogs.requests.get(CatalogServer.V2).get();
        Thread.sleep(6_000);
        int fetches = catalogs.requests.get(CatalogServer.V2).get() - before;
        assertTrue(fetches >= 1 && fetches <= 4, fetches + " fetches of the list in 6 s by two nodes with a 2 s period");

        // Asked of A, made on B.
        int port = FleetIT.freePort();
        Http.Resp created = na.http.post("/api/templates/hello-stack/deploy", new JsonObject().put("stack_name", stack).put("node", b)
            .put("env", new JsonObject().put("GREETING", "made on B").put("WEB_PORT", port)).put("up", true));
        assertEquals(201, created.status(), created.toString());
        assertEquals(b, created.json().getString("node"));
        assertTrue(Files.exists(nb.stacksDir.resolve(stack).resolve(".env")));
        assertFalse(Files.exists(na.stacksDir.resolve(stack)));
        assertEquals("made on B", TemplateDeployIT.get(port).strip());
        assertEquals(409, na.http.post("/api/templates/hello-stack/deploy", new JsonObject().put("stack_name", stack).put("node", b)
            .put("env", new JsonObject().put("GREETING", "again"))).status(), "the name is taken on B");
        assertEquals(200, nb.http.delete("/api/stack/" + stack).status());
      } finally {
        engine.removeProjects(stack);
        nb.close();
      }
    }
  }
}
