package dev.dockup.it;

import dev.dockup.metrics.PrometheusText;
import dev.dockup.web.Access;
import dev.dockup.web.Route;
import dev.dockup.web.RouteTable;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /metrics} on a node with the real engine: after operations (one failing), a check
 * for updates, a backup, a feed client and a deleted stack, the text parses strictly and shows each with
 * its labels; random paths add no series; a scrape needs a read credential unless
 * METRICS_PUBLIC=true, which opens that route and no other.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsIT {
  TestNode node;
  Http reader;
  String name;

  @BeforeAll
  void start() throws Exception {
    node = TestNode.builder().start();
    Http.Resp token = node.http.post("/api/tokens", new JsonObject().put("name", "scraper").put("scope", "read"));
    assertEquals(201, token.status(), token.toString());
    reader = node.http.anonymous().with("X-API-Token", token.json().getString("token"));
    name = node.app.config().nodeName();
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  @Test
  void operationsChecksAndStacksShowWithTheirLabels() throws Exception {
    String kept = Stacks.uniqueName("mkept");
    String gone = Stacks.uniqueName("mgone");
    String broken = Stacks.uniqueName("mbroken");
    try (Ws feed = Ws.feed(node)) {
      assertEquals(201, node.http.post("/api/stack/" + kept + "/compose", Stacks.content(Stacks.twoServices("k"))).status());
      assertEquals(201, node.http.post("/api/stack/" + gone + "/compose", Stacks.content(Stacks.twoServices("g"))).status());
      // An image the loopback registry does not have: compose fails at once.
      assertEquals(201, node.http.post("/api/stack/" + broken + "/compose", Stacks.content("""
          services:
            missing:
              image: 127.0.0.1:%d/dockup-test/missing:1
          """.formatted(Engine.REGISTRY_PORT))).status());
      ok(node.http.operation(kept, "up"));
      ok(node.http.operation(gone, "up"));
      ok(node.http.operation(gone, "down"));
      assertEquals(500, node.http.operation(broken, "up").status());
      ok(node.http.post("/api/stack/" + kept + "/check-updates", ""));
      ok(node.http.post("/api/backup/create", new JsonObject().put("stacks", new JsonArray().add(kept))));
      node.awaitStack(kept, s -> "running".equals(s.getString("status")) && "healthy".equals(s.getString("health_status")),
          Duration.ofSeconds(30));

      PrometheusText t = scrape(reader);
      Map<String, String> here = Map.of("node", name);
      assertTrue(t.sum("dockup_operation_duration_seconds_count", Map.of("operation", "up", "result", "succeeded")) >= 2, "ups");
      assertTrue(t.sum("dockup_operation_duration_seconds_count", Map.of("operation", "down", "result", "succeeded")) >= 1, "down");
      assertTrue(t.sum("dockup_operation_duration_seconds_count", Map.of("operation", "up", "result", "failed")) >= 1, "failed up");
      assertEquals(1, t.find("dockup_operation_duration_seconds_bucket",
          Map.of("operation", "up", "result", "failed", "le", "+Inf")).size(), "a histogram of durations");
      assertEquals("histogram", t.families().get("dockup_operation_duration_seconds").type());
      assertTrue(t.sum("dockup_update_checks_total", Map.of("result", "up_to_date")) >= 1, "the check");
      assertEquals("counter", t.families().get("dockup_update_checks_total").type());
      assertEquals(1, t.sum("dockup_backups_total", Map.of("kind", "create", "result", "succeeded")));
      assertTrue(t.sum("dockup_backup_last_success_timestamp_seconds", Map.of("kind", "create")) > 1.7e9);

      assertEquals(1, t.sum("dockup_stack_state", Map.of("stack", kept, "status", "running", "health", "healthy")));
      assertEquals(2, t.sum("dockup_stack_containers_running", Map.of("stack", kept)));
      assertTrue(t.sum("dockup_stacks", Map.of("status", "running", "health", "healthy")) >= 1);
      assertEquals(1, t.sum("dockup_stack_state", Map.of("stack", gone, "status", "inactive")));
      assertEquals(1, t.sum("dockup_engine_up", here));
      assertEquals(1, t.sum("dockup_cluster_members", here));
      assertTrue(t.sum("dockup_feed_clients", Map.of("transport", "websocket")) >= 1, "the open feed");

      // The operation route by its template and status, with latencies.
      Map<String, String> opRoute = Map.of("route", "/api/stack/:name/operation", "method", "POST");
      assertTrue(t.sum("vertx_http_server_requests_total", with(opRoute, "code", "200")) >= 3);
      assertTrue(t.sum("vertx_http_server_requests_total", with(opRoute, "code", "500")) >= 1);
      assertTrue(t.find("vertx_http_server_response_time_seconds_bucket", with(with(opRoute, "code", "200"), "le", "+Inf")).size() == 1);
      // JVM and process (GC pauses appear only once a collection has run: not asserted).
      for (String jvm : new String[] {"jvm_memory_used_bytes", "jvm_threads_live_threads", "jvm_gc_max_data_size_bytes",
          "process_cpu_usage", "process_uptime_seconds", "process_files_open_files", "system_cpu_count"}) {
        assertFalse(t.find(jvm, here).isEmpty(), jvm);
      }
      // Every series says which node it is from.
      t.samples().forEach(s -> assertEquals(name, s.label("node"), s.toString()));

      // A deleted stack's series go with it.
      assertEquals(200, node.http.delete("/api/stack/" + gone).status());
      node.awaitList(l -> Stacks.find(l, gone) == null, Duration.ofSeconds(20));
      PrometheusText after = scrape(reader);
      assertTrue(after.samples().stream().noneMatch(s -> gone.equals(s.label("stack"))), "series of the deleted stack");
      assertEquals(1, after.sum("dockup_stack_state", Map.of("stack", kept)));
    } finally {
      for (String s : new String[] {kept, broken}) {
        node.http.operation(s, "down");
        node.http.delete("/api/stack/" + s);
      }
    }
    // The feed client has gone.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (scrape(reader).sum("dockup_feed_clients", Map.of("transport", "websocket")) != 0) {
      assertTrue(System.nanoTime() < deadline, "the closed feed client is still counted");
      Thread.sleep(50);
    }
  }

  @Test
  void aFloodOfRandomPathsAndMethodsMakesNoNewSeries() {
    flood("first");
    Set<String> before = httpSeries(scrape(reader));
    flood("second");
    PrometheusText after = scrape(reader);
    assertEquals(before, httpSeries(after), "the second flood, on other paths, added series");
    after.samples().forEach(s -> s.labels().values().forEach(v -> assertFalse(v.contains("flood-"), s.toString())));
  }

  @Test
  void anUnauthenticatedScrapeIsRefused() {
    Http anon = node.http.anonymous();
    Http.Resp r = anon.get("/metrics");
    assertEquals(401, r.status());
    assertEquals("{\"error\":\"Authentication required\"}", r.text());
    assertEquals(401, anon.with("X-API-Token", "not-a-token").get("/metrics").status());
    Http.Resp ok = reader.get("/metrics");
    assertEquals(200, ok.status());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", ok.headers().firstValue("content-type").orElseThrow());
  }

  @Test
  void metricsPublicOpensThatRouteAndNoOther() throws Exception {
    try (TestNode open = TestNode.builder().dockerHost("unix:///nonexistent/docker.sock").waitForEngine(false)
        .config("metrics_public", true).start()) {
      Http anon = open.http.anonymous();
      Http.Resp r = anon.get("/metrics");
      assertEquals(200, r.status(), r.toString());
      PrometheusText t = PrometheusText.parse(r.text());
      assertEquals(0, t.sum("dockup_engine_up", Map.of()), "its engine is unreachable");
      assertEquals(401, anon.get("/api/stacks").status());
      assertEquals(401, anon.get("/api/metrics").status());
      // The two tables differ in the access of /metrics alone.
      Map<String, Access> closed = access(node.app.http().table());
      Map<String, Access> opened = access(open.app.http().table());
      assertEquals(Access.READ, closed.remove("GET /metrics"));
      assertEquals(Access.PUBLIC, opened.remove("GET /metrics"));
      assertEquals(closed, opened);
      // And the document says so.
      JsonObject doc = anon.get("/api/openapi.json").json().getJsonObject("paths").getJsonObject("/metrics").getJsonObject("get");
      assertEquals("public", doc.getString("x-dockup-scope"));
      assertTrue(doc.getJsonObject("responses").getJsonObject("200").getJsonObject("content").containsKey("text/plain"));
    }
  }

  // ---- helpers ----

  PrometheusText scrape(Http client) {
    Http.Resp r = client.get("/metrics");
    assertEquals(200, r.status(), r.toString());
    return PrometheusText.parse(r.text());
  }

  /** Requests nobody declared, as a stranger and as the reader, with made-up methods too. */
  void flood(String round) {
    Http anon = node.http.anonymous();
    for (int i = 0; i < 40; i++) {
      String r = "flood-" + round + "-" + UUID.randomUUID();
      for (Http client : new Http[] {anon, reader}) {
        client.get("/" + r);
        client.get("/api/" + r);
        client.get("/api/stack/" + r);
        client.get("/ui/" + r + "/x.js");
        client.send(HttpRequest.newBuilder(URI.create(client.base() + "/api/stack/" + r))
            .method("X" + Integer.toHexString(i).toUpperCase() + round.toUpperCase(), HttpRequest.BodyPublishers.noBody()));
      }
    }
  }

  static Set<String> httpSeries(PrometheusText t) {
    Set<String> out = new TreeSet<>();
    t.samples().stream().filter(s -> s.name().startsWith("vertx_http_server")).forEach(s -> out.add(s.name() + s.labels()));
    return out;
  }

  static Map<String, Access> access(RouteTable table) {
    Map<String, Access> out = new TreeMap<>();
    for (RouteTable.Entry e : table.entries()) {
      Route r = e.route();
      r.methods().forEach(m -> out.put(m.name() + " " + r.path(), r.access()));
    }
    return out;
  }

  static Map<String, String> with(Map<String, String> labels, String key, String value) {
    Map<String, String> out = new TreeMap<>(labels);
    out.put(key, value);
    return out;
  }

  static void ok(Http.Resp r) {
    assertEquals(200, r.status(), r.toString());
  }
}
