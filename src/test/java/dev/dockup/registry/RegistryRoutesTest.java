package dev.dockup.registry;

import dev.dockup.settings.Settings;
import dev.dockup.store.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /api/docker-hub/rate-limit} over HTTP, with the Hub URLs taken from the settings. */
class RegistryRoutesTest {
  @TempDir Path tmp;
  Vertx vertx;
  Settings settings;
  RegistryClient client;
  WebClient web;
  int apiPort;
  int hubPort;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    settings = Settings.load(vertx, tmp, SecretBox.load(tmp));
    client = new RegistryClient(vertx, RegistryClient.Options.defaults().withConfigFile(null));
    Router router = Router.router(vertx);
    dev.dockup.web.TestRoutes.mount(router, new RegistryRoutes(client, settings));
    apiPort = await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")).actualPort();
    hubPort = await(fakeHub().listen(0, "127.0.0.1")).actualPort();
    web = WebClient.create(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    web.close();
    client.close();
    await(vertx.close());
  }

  /** Docker Hub in brief: a token for anyone, the allowance for a request that shows it. */
  HttpServer fakeHub() {
    return vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/token")) {
        req.response().end(new JsonObject().put("token", "t1").put("expires_in", 300).encode());
      } else if ("Bearer t1".equals(req.getHeader("Authorization"))) {
        req.response().putHeader("ratelimit-limit", "100;w=21600").putHeader("ratelimit-remaining", "76;w=21600").end();
      } else {
        req.response().setStatusCode(401).end();
      }
    });
  }

  HttpResponse<Buffer> get() throws Exception {
    return await(web.get(apiPort, "127.0.0.1", "/api/docker-hub/rate-limit").send());
  }

  @Test
  void answersTheAllowance() throws Exception {
    await(settings.update(new JsonObject()
        .put(Settings.HUB_REGISTRY_URL, "http://127.0.0.1:" + hubPort)
        .put(Settings.HUB_AUTH_URL, "http://127.0.0.1:" + hubPort)));
    HttpResponse<Buffer> res = get();
    assertEquals(200, res.statusCode(), res.bodyAsString());
    assertEquals("application/json", res.getHeader("Content-Type"));
    assertEquals(new JsonObject("{\"limit\":100,\"remaining\":76,\"percentage\":76.0,\"window_seconds\":21600,"
        + "\"source\":null,\"unlimited\":false}"), res.bodyAsJsonObject());
  }

  @Test
  void anUnreachableHubIs503WithTheCause() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    await(settings.update(new JsonObject()
        .put(Settings.HUB_REGISTRY_URL, "http://127.0.0.1:" + closed)
        .put(Settings.HUB_AUTH_URL, "http://127.0.0.1:" + closed)));
    HttpResponse<Buffer> res = get();
    assertEquals(503, res.statusCode());
    String error = res.bodyAsJsonObject().getString("error");
    assertTrue(error.startsWith("Docker Hub unreachable: "), error);
    assertTrue(error.length() > "Docker Hub unreachable: ".length(), error);
  }

  @Test
  void aFailingHubIs503() throws Exception {
    // The registry answers, but not the v2 API: the token path is a 404.
    await(settings.update(new JsonObject()
        .put(Settings.HUB_REGISTRY_URL, "http://127.0.0.1:" + apiPort)
        .put(Settings.HUB_AUTH_URL, "http://127.0.0.1:" + apiPort)));
    HttpResponse<Buffer> res = get();
    assertEquals(503, res.statusCode());
    assertTrue(res.bodyAsJsonObject().getString("error").contains("404"), res.bodyAsString());
  }

  static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) throw cause;
      throw e;
    }
  }
}
