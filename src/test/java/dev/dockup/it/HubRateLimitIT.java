package dev.dockup.it;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code GET /api/docker-hub/rate-limit} against a loopback server speaking Docker Hub's protocol. */
class HubRateLimitIT {
  @Test
  void theRateLimitComesFromTheHubHeadersAndAnUnreachableHubIs503() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestNode node = TestNode.builder().start()) {
      HttpServer hub = vertx.createHttpServer().requestHandler(req -> {
        if (req.path().equals("/token")) {
          req.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("token", "t1").put("expires_in", 300).encode());
        } else if (req.method() == HttpMethod.HEAD && req.path().equals("/v2/ratelimitpreview/test/manifests/latest")) {
          if (!"Bearer t1".equals(req.getHeader("Authorization"))) {
            req.response().setStatusCode(401).end();
            return;
          }
          req.response().putHeader("ratelimit-limit", "100;w=21600").putHeader("ratelimit-remaining", "76;w=21600")
              .putHeader("docker-ratelimit-source", "203.0.113.9")
              .putHeader("Docker-Content-Digest", "sha256:" + "a".repeat(64)).end();
        } else {
          req.response().setStatusCode(404).end();
        }
      }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      String base = "http://127.0.0.1:" + hub.actualPort();
      assertEquals(200, node.http.post("/api/config", new JsonObject().put("hub_registry_url", base).put("hub_auth_url", base)).status());

      Http.Resp r = node.http.get("/api/docker-hub/rate-limit");
      assertEquals(200, r.status(), r.toString());
      JsonObject limit = r.json();
      assertEquals(100, limit.getInteger("limit"));
      assertEquals(76, limit.getInteger("remaining"));
      assertEquals(76.0, limit.getDouble("percentage"));
      assertEquals(21600, limit.getInteger("window_seconds"));
      assertEquals(false, limit.getBoolean("unlimited"));

      hub.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      Http.Resp down = node.http.get("/api/docker-hub/rate-limit");
      assertEquals(503, down.status(), down.toString());
      assertTrue(down.json().getString("error").startsWith("Docker Hub unreachable"), down.toString());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
