package dev.dockup.schedule;

import dev.dockup.Config;
import dev.dockup.bus.Bus;
import dev.dockup.settings.Settings;
import dev.dockup.store.SecretBox;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;

import static dev.dockup.schedule.ScheduleVerticleTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The schedule routes over HTTP, in front of a real schedule verticle and a fake update service. */
class ScheduleRoutesTest {
  @TempDir Path tmp;
  Vertx vertx;
  WebClient web;
  int port;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    Settings settings = Settings.load(vertx, tmp, SecretBox.load(tmp));
    Config config = Config.fromJson(Config.defaults()
        .put("data_dir", tmp.toString())
        .put("stacks_dir", tmp.resolve("stacks").toString())
        .put("node_name", "t1"));
    await(vertx.deployVerticle(new ScheduleVerticle(config, settings, new MutableClock(Instant.parse("2024-01-15T12:00:00Z")))));
    await(vertx.eventBus().<JsonObject>consumer(Bus.updates("t1"),
        (Message<JsonObject> m) -> m.reply(new JsonObject().put("success", true).put("stack", m.body().getString("stack")))).completion());

    Router router = Router.router(vertx);
    dev.dockup.web.TestRoutes.mount(router, new ScheduleRoutes(config, null));
    port = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")).actualPort();
    web = WebClient.create(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    web.close();
    await(vertx.close());
  }

  HttpResponse<Buffer> call(HttpMethod method, String path, String body) throws Exception {
    var req = web.request(method, port, "127.0.0.1", path);
    return await(body == null ? req.send() : req.sendBuffer(Buffer.buffer(body)));
  }

  @Test
  void getPostPutAndRun() throws Exception {
    HttpResponse<Buffer> res = call(HttpMethod.GET, "/api/stack/nginx-proxy/schedule", null);
    assertEquals(200, res.statusCode());
    assertEquals("off", res.bodyAsJsonObject().getString("mode"));

    // The 1.3.0 document's own example (curl sends it as a form: no JSON Content-Type needed).
    res = call(HttpMethod.POST, "/api/stack/nginx-proxy/schedule",
        "{\"enabled\": true, \"schedule\": \"0 3 * * *\", \"timezone\": \"America/New_York\"}");
    assertEquals(200, res.statusCode(), res.bodyAsString());
    assertEquals("application/json", res.getHeader("Content-Type"));
    assertEquals("{\"stack\":\"nginx-proxy\",\"mode\":\"auto\",\"cron\":\"0 3 * * *\",\"timezone\":\"America/New_York\","
        + "\"enabled\":true,\"schedule\":\"0 3 * * *\",\"scan_gate\":\"off\",\"next_run\":\"2024-01-16T03:00:00-05:00\"}",
        res.bodyAsString());

    res = call(HttpMethod.PUT, "/api/stack/nginx-proxy/schedule", "{\"mode\":\"check\"}");
    assertEquals(200, res.statusCode(), res.bodyAsString());
    assertEquals("check", call(HttpMethod.GET, "/api/stack/nginx-proxy/schedule", null).bodyAsJsonObject().getString("mode"));

    res = call(HttpMethod.POST, "/api/stack/nginx-proxy/schedule/run", null);
    assertEquals(200, res.statusCode(), res.bodyAsString());
    assertEquals("{\"success\":true,\"stack\":\"nginx-proxy\"}", res.bodyAsString());
  }

  @Test
  void badInputIs400() throws Exception {
    HttpResponse<Buffer> res = call(HttpMethod.POST, "/api/stack/web/schedule", "{\"cron\":\"0 25 * * *\"}");
    assertEquals(400, res.statusCode());
    assertEquals("Invalid cron: 0 25 * * *", res.bodyAsJsonObject().getString("error"));
    res = call(HttpMethod.POST, "/api/stack/web/schedule", "{\"timezone\":\"Europe/Atlantis\"}");
    assertEquals(400, res.statusCode());
    assertEquals("Invalid timezone: Europe/Atlantis", res.bodyAsJsonObject().getString("error"));
    assertEquals(400, call(HttpMethod.POST, "/api/stack/web/schedule", "not json").statusCode());
    res = call(HttpMethod.GET, "/api/stack/Bad_Name!/schedule", null);
    assertEquals(400, res.statusCode());
    assertEquals("Invalid stack name", res.bodyAsJsonObject().getString("error"));
    assertEquals(400, call(HttpMethod.POST, "/api/stack/-x/schedule/run", null).statusCode());
  }
}
