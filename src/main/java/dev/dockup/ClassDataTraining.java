package dev.dockup;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The build's start of DockUp ({@code --cds-training}, under {@code -XX:ArchiveClassesAtExit}):
 * it parses a stack, answers what a dashboard asks for first (signed in with
 * {@code DOCKUP_PASSWORD}, the list, a stack, host stats, the live feed) and stops. The classes
 * that loaded go into the class-data sharing archive {@code conf/jvm.options} names, so a real
 * start, and a dashboard's first visit, find them already parsed. No engine is needed.
 */
final class ClassDataTraining {
  private static final String STACK = "cds-training";
  /** The requests take about two seconds; one that hangs must not hang the build. */
  private static final long TIMEOUT_S = 60;
  private static final List<String> PUBLIC = List.of("/api/ping", "/api/openapi.json", "/api/docs/", "/");
  private static final List<String> SIGNED_IN = List.of(
      "/api/stacks", "/api/stack/" + STACK, "/api/stack/" + STACK + "/compose", "/api/host/stats", "/api/config",
      "/api/operations", "/api/auth/session");

  private ClassDataTraining() {}

  /** Before the start: a stack to parse. */
  static void prepare(Path stacksDir) throws IOException {
    Path dir = Files.createDirectories(stacksDir.resolve(STACK));
    Files.writeString(dir.resolve("compose.yaml"),
        "services:\n  app:\n    image: busybox\n    command: [\"sleep\", \"3600\"]\n    ports: [\"127.0.0.1:8080:80\"]\n");
  }

  /** After the start: the requests, then a graceful stop; the JVM writes the archive as it exits. */
  static void run(DockUp app, String password) {
    Vertx vertx = app.vertx();
    HttpClient client = vertx.createHttpClient();
    Future<Void> all = Future.succeededFuture();
    for (String path : PUBLIC) all = all.compose(v -> get(client, app.port(), path, null));
    if (password != null) {
      all = all.compose(v -> client.request(HttpMethod.POST, app.port(), "127.0.0.1", "/api/auth/token")
              .compose(req -> req.send(new JsonObject().put("password", password).toBuffer()))
              .compose(res -> res.body()))
          .compose(body -> {
            String bearer = "Bearer " + new JsonObject(body).getString("token");
            Future<Void> signedIn = Future.succeededFuture();
            for (String path : SIGNED_IN) signedIn = signedIn.compose(v -> get(client, app.port(), path, bearer));
            return signedIn.compose(v -> feed(vertx, app.port(), bearer));
          });
    }
    all.timeout(TIMEOUT_S, TimeUnit.SECONDS).otherwiseEmpty().toCompletionStage().toCompletableFuture().join();
    app.shutdown().join();
    System.exit(0);
  }

  private static Future<Void> get(HttpClient client, int port, String path, String authorization) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setPort(port).setHost("127.0.0.1").setURI(path);
    if (authorization != null) options.setHeaders(MultiMap.caseInsensitiveMultiMap().add("Authorization", authorization));
    return client.request(options).compose(req -> req.send()).compose(res -> res.body()).<Void>mapEmpty().otherwiseEmpty();
  }

  /** The live feed as the dashboard takes it: its snapshot, a subscription, a moment of changes. */
  private static Future<Void> feed(Vertx vertx, int port, String authorization) {
    return vertx.createWebSocketClient().connect(new WebSocketConnectOptions().setPort(port).setHost("127.0.0.1")
            .setURI("/ws").addHeader("Authorization", authorization))
        .compose(ws -> {
          Promise<Void> done = Promise.promise();
          // Decoded as the dashboard's store does, so the archive holds the feed's JSON classes too.
          ws.textMessageHandler(text -> new JsonObject(text));
          ws.writeTextMessage(new JsonObject().put("subscribe", new io.vertx.core.json.JsonArray()).encode());
          vertx.setTimer(1_000, id -> ws.close().onComplete(ar -> done.complete()));
          return done.future();
        })
        .otherwiseEmpty();
  }
}
