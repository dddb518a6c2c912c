package dev.dockup.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Vert.x's HTTP meters through this registry: labelled by route template, never by what a client sent. */
class MetersTest {
  Meters meters;
  Vertx vertx;
  HttpServer server;
  HttpClient client;

  @BeforeEach
  void start() {
    meters = Meters.create("unit");
    vertx = meters.attach(meters.builder(new VertxOptions()).build());
    Router router = Router.router(vertx);
    router.route().handler(ctx -> ctx.next());
    router.get("/x/:id").handler(ctx -> ctx.end("x"));
    router.route("/api/*").handler(ctx -> ctx.response().setStatusCode(404).end());
    router.route().handler(ctx -> ctx.response().setStatusCode(404).end());
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void ofFindsTheAttachedRegistryAndANoOpOtherwise() {
    assertSame(meters, Meters.of(vertx));
    Vertx plain = Vertx.vertx();
    try {
      Meters none = Meters.of(plain);
      none.update("applied");
      assertEquals("", none.scrape());
    } finally {
      plain.close().await();
    }
  }

  @Test
  void routeLabelsAreTemplatesAndRandomPathsOrMethodsMakeNoNewSeries() {
    flood(50);
    Set<String> first = httpSeries(PrometheusText.parse(meters.scrape()));
    flood(50);
    PrometheusText after = PrometheusText.parse(meters.scrape());
    assertEquals(first, httpSeries(after), "a second flood of other random paths and methods added series");
    Set<String> routes = new TreeSet<>();
    Set<String> methods = new TreeSet<>();
    after.samples().stream().filter(s -> s.name().startsWith("vertx_http_server_requests")).forEach(s -> {
      routes.add(s.label("route"));
      methods.add(s.label("method"));
    });
    assertEquals(Set.of("/x/:id", "/api/", "none"), routes);
    assertEquals(Set.of("GET", "POST", "OTHER"), methods);
    assertTrue(after.sum("vertx_http_server_response_time_seconds_count", Map.of("route", "/x/:id", "code", "200")) >= 100);
    assertTrue(after.find("vertx_http_server_response_time_seconds_bucket", Map.of("route", "/x/:id", "le", "0.005")).size() == 1);
    assertEquals("unit", after.find("jvm_memory_used_bytes", Map.of()).get(0).label("node"));
    assertTrue(after.sum("process_files_open_files", Map.of()) > 0);
  }

  @Test
  void routeKeepsTheFirstTemplate() {
    assertEquals("none", Meters.route(""));
    assertEquals("none", Meters.route(null));
    assertEquals("/eventbus/*", Meters.route("/eventbus/*>/eventbus/*>^\\/[^\\/\\.]+\\/([^\\/\\.]+)\\/xhr_send$"));
  }

  @Test
  void hookLabelsAreBounded() {
    meters.update("whatever-a-client-said");
    meters.updateCheck(null);
    meters.operation("rm -rf", "exploded", 5);
    meters.forwarded("stacks/../x", true, System.nanoTime());
    PrometheusText t = PrometheusText.parse(meters.scrape());
    assertEquals(1, t.sum("dockup_updates_total", Map.of("result", "other")));
    assertEquals(1, t.sum("dockup_update_checks_total", Map.of("result", "other")));
    assertEquals(1, t.sum("dockup_operation_duration_seconds_count", Map.of("operation", "other", "result", "other")));
    assertEquals(1, t.sum("dockup_forward_duration_seconds_count", Map.of("target", "other", "outcome", "ok")));
  }

  /** Requests to random paths under each route, with standard and made-up methods. */
  private void flood(int n) {
    for (int i = 0; i < n; i++) {
      String r = UUID.randomUUID().toString();
      send(HttpMethod.GET, "/x/" + r);
      send(HttpMethod.GET, "/api/" + r + "/" + r);
      send(HttpMethod.POST, "/" + r);
      send(HttpMethod.valueOf("M" + r.substring(0, 8).toUpperCase().replaceAll("[^A-Z0-9]", "X")), "/x/" + r);
    }
  }

  private void send(HttpMethod method, String path) {
    client.request(method, server.actualPort(), "127.0.0.1", path)
        .compose(req -> req.send().compose(HttpClientResponse::body)).await();
  }

  /** Every HTTP server series by name and labels, values left out. */
  private static Set<String> httpSeries(PrometheusText t) {
    Set<String> out = new TreeSet<>();
    t.samples().stream().filter(s -> s.name().startsWith("vertx_http_server")).forEach(s -> out.add(s.name() + s.labels()));
    return out;
  }
}
