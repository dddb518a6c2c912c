package dev.dockup.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deploying templates on the real engine: the stack is made through the stacks service, its
 * .env holds the values (the compose file does not), it runs; a missing required value, an
 * unknown variable, a taken name and a risky template without accept_risks are refused before
 * anything is written. Some bundled templates deploy and run with stand-in images: their image
 * references are tags of an image built here from the busybox test image, which serves HTTP on
 * the templates' ports (80, 3001) and stops on SIGTERM.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TemplateDeployIT {
  static final String PREFIX = "tpl" + UUID.randomUUID().toString().substring(0, 6);
  static final List<String> STAND_INS = List.of("nginx:1.27-alpine", "louislam/uptime-kuma:1", "redis:7-alpine");
  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  TestNode node;
  CatalogServer catalogs;
  final Engine engine = Engine.shared();

  @BeforeAll
  void start() throws Exception {
    catalogs = new CatalogServer(1024 * 1024);
    node = TestNode.builder().config("template_allow_private", true).config("template_refresh", 0).start();
    assertEquals(200, node.http.post("/api/config", new JsonObject().put("template_urls", new JsonArray()
        .add(new JsonObject().put("url", catalogs.url(CatalogServer.V2)).put("format", "portainer")))).status());
    Http.Resp r = node.http.post("/api/templates/refresh", "");
    assertTrue(r.json().getJsonArray("sources").getJsonObject(0).getBoolean("ok"), r.toString());
    for (String image : STAND_INS) {
      // Built from the local busybox image: no RUN step, so no network and no registry.
      Engine.sh("printf '%s\\n' 'FROM " + Engine.IMAGE + "' "
          + "'ENTRYPOINT [\"sh\", \"-c\", \"trap \\\"exit 0\\\" TERM; for p in 80 3001; do httpd -f -p $p -h /www & done; wait\"]' "
          + "| docker build -q -t " + image + " -");
    }
  }

  @AfterAll
  void stop() throws Exception {
    engine.removeProjects(PREFIX);
    for (String image : STAND_INS) Engine.sh("docker rmi " + image + " >/dev/null 2>&1 || true");
    if (node != null) node.close();
    catalogs.close();
    engine.close();
  }

  static JsonObject deploy(String stack, JsonObject env) {
    return new JsonObject().put("stack_name", stack).put("env", env);
  }

  static int freePort() throws Exception {
    return FleetIT.freePort();
  }

  static String get(int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) return r.body();
      } catch (Exception e) {
        last = e;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("nothing answered on port " + port, last);
  }

  @Test
  void aRemoteTemplateDeploysARunnableStackWithItsValuesInEnv() throws Exception {
    String stack = PREFIX + "-hello";
    int port = freePort();
    Path folder = node.stacksDir.resolve(stack);

    Http.Resp missing = node.http.post("/api/templates/hello-stack/deploy", deploy(stack, new JsonObject().put("WEB_PORT", "" + port)));
    assertEquals(400, missing.status(), missing.toString());
    assertEquals("Missing required values: GREETING", missing.json().getString("error"));
    assertEquals(new JsonArray().add("GREETING"), missing.json().getJsonArray("missing"));
    Http.Resp unknown = node.http.post("/api/templates/hello-stack/deploy",
        deploy(stack, new JsonObject().put("GREETING", "x").put("NOT_A_FIELD", "y")));
    assertEquals(400, unknown.status());
    assertEquals("Unknown variables: NOT_A_FIELD", unknown.json().getString("error"));
    assertEquals(400, node.http.post("/api/templates/hello-stack/deploy", deploy("Bad Name", new JsonObject())).status());
    assertFalse(Files.exists(folder), "nothing written by a refused deploy");

    String greeting = "Hello from a template: $HOME # stays as written";
    Http.Resp created = node.http.post("/api/templates/hello-stack/deploy",
        deploy(stack, new JsonObject().put("GREETING", greeting).put("WEB_PORT", port)).put("up", true));
    assertEquals(201, created.status(), created.toString());
    JsonObject body = created.json();
    assertTrue(body.getBoolean("success"));
    assertEquals(stack, body.getString("stack"));
    assertEquals(node.app.config().nodeName(), body.getString("node"));
    assertEquals("hello-stack", body.getString("template"));
    assertTrue(body.getJsonObject("operation").getBoolean("success"), body.encode());

    String env = Files.readString(folder.resolve(".env"));
    assertTrue(env.contains("\nGREETING='" + greeting + "'\n"), env);
    assertTrue(env.contains("\nWEB_PORT=" + port + "\n"), env);
    String compose = Files.readString(folder.resolve("compose.yaml"));
    assertFalse(compose.contains("Hello from a template"), "values stay in .env");
    assertTrue(compose.contains("${GREETING}"));
    assertEquals(greeting, get(port).strip(), "the stack runs, with the value as given");

    Http.Resp taken = node.http.post("/api/templates/hello-stack/deploy", deploy(stack, new JsonObject().put("GREETING", "again")));
    assertEquals(409, taken.status(), taken.toString());
    assertEquals("Stack " + stack + " already exists", taken.json().getString("error"));
    assertEquals(greeting, get(port).strip(), "the running stack untouched");
    assertEquals(200, node.http.delete("/api/stack/" + stack).status());
  }

  @Test
  void aPrivilegedTemplateNeedsAcceptRisks() throws Exception {
    String stack = PREFIX + "-ha";
    Http.Resp refused = node.http.post("/api/templates/home-assistant/deploy", deploy(stack, new JsonObject()));
    assertEquals(400, refused.status(), refused.toString());
    JsonObject body = refused.json();
    assertTrue(body.getBoolean("accept_risks_required"));
    assertEquals(new JsonArray().add("privileged").add("host_network").add("host_path"), body.getJsonArray("risks"));
    assertEquals("mounts the host's /run/dbus", body.getJsonArray("risk_details").getJsonObject(2).getString("detail"));
    assertFalse(Files.exists(node.stacksDir.resolve(stack)));

    Http.Resp accepted = node.http.post("/api/templates/home-assistant/deploy", deploy(stack, new JsonObject()).put("accept_risks", true));
    assertEquals(201, accepted.status(), accepted.toString());
    assertEquals(new JsonArray().add("privileged").add("host_network").add("host_path"), accepted.json().getJsonArray("risks"));
    String env = Files.readString(node.stacksDir.resolve(stack).resolve(".env"));
    assertTrue(env.contains("\nTZ=UTC\n"), "TZ from the instance's time zone setting: " + env);
    assertEquals(200, node.http.delete("/api/stack/" + stack).status());
  }

  @Test
  void bundledTemplatesDeployAndRun() throws Exception {
    int nginxPort = freePort();
    int kumaPort = freePort();
    int redisPort = freePort();
    String nginx = PREFIX + "-nginx";
    String kuma = PREFIX + "-kuma";
    String redis = PREFIX + "-redis";
    Http.Resp a = node.http.post("/api/templates/nginx/deploy", deploy(nginx, new JsonObject().put("HTTP_PORT", nginxPort)).put("up", true));
    assertEquals(201, a.status(), a.toString());
    Http.Resp b = node.http.post("/api/templates/uptime-kuma/deploy", deploy(kuma, new JsonObject().put("WEB_PORT", kumaPort)).put("up", true));
    assertEquals(201, b.status(), b.toString());
    Http.Resp c = node.http.post("/api/templates/redis/deploy", deploy(redis, new JsonObject().put("REDIS_PORT", redisPort)).put("up", true));
    assertEquals(201, c.status(), c.toString());
    assertEquals(new JsonArray().add("REDIS_PASSWORD"), c.json().getJsonArray("generated"));
    String redisEnv = Files.readString(node.stacksDir.resolve(redis).resolve(".env"));
    assertTrue(redisEnv.matches("(?s).*\nREDIS_PASSWORD=[A-Za-z0-9_-]{32}\n.*"), redisEnv);

    assertTrue(get(nginxPort).contains("dockup test image"));
    assertTrue(get(kumaPort).contains("dockup test image"));
    node.awaitStack(redis, s -> "running".equals(s.getString("status")), Duration.ofSeconds(20));
    for (String s : List.of(nginx, kuma, redis)) assertEquals(200, node.http.delete("/api/stack/" + s).status(), s);
  }
}
