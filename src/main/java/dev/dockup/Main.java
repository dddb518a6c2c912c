package dev.dockup;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code java -jar dockup.jar [--cluster]}: configuration, start, and signals (first: graceful;
 * second: at once). {@code --cds-training} is the build's: start, answer a few requests, stop
 * (run under {@code -XX:ArchiveClassesAtExit}, which records the classes used for the
 * class-data sharing archive that {@code conf/jvm.options} names).
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  /** What a start and a browser's first visit ask for: the classes they load go into the archive. */
  private static final List<String> TRAINING_PATHS = List.of(
      "/api/ping", "/api/stacks", "/api/auth/session", "/api/openapi.json", "/api/docs/", "/");

  private Main() {}

  public static void main(String[] args) throws Exception {
    Config config;
    try {
      String file = System.getenv().getOrDefault("DOCKUP_CONFIG", "conf/config.json");
      Map<String, String> env = new HashMap<>(System.getenv());
      if (Arrays.asList(args).contains("--cluster")) env.put("DOCKUP_CLUSTER", "true");
      config = Config.load(Path.of(file), env);
      if (Arrays.asList(args).contains("--cds-training")) trainingStack(config.stacksDir());
    } catch (IllegalStateException | IOException e) {
      System.err.println("DockUp cannot start: " + e.getMessage());
      System.exit(2);
      return;
    }
    CompletableFuture<DockUp> started = DockUp.start(config);
    DockUp app;
    try {
      app = started.join();
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      LOG.error("DockUp cannot start: {}", cause.getMessage());
      System.exit(2);
      return;
    }
    if (Arrays.asList(args).contains("--cds-training")) {
      train(app);
      return;
    }
    AtomicInteger signals = new AtomicInteger();
    var handler = (sun.misc.SignalHandler) sig -> {
      if (signals.incrementAndGet() > 1) {
        LOG.warn("Second signal: exiting now");
        Runtime.getRuntime().halt(130);
      }
      app.shutdown().thenRun(() -> System.exit(0));
    };
    Signal.handle(new Signal("TERM"), handler);
    Signal.handle(new Signal("INT"), handler);
  }

  /** A stack for the training start to parse, so the compose file's classes are archived too. */
  private static void trainingStack(Path stacksDir) throws IOException {
    Path dir = Files.createDirectories(stacksDir.resolve("cds-training"));
    Files.writeString(dir.resolve("compose.yaml"),
        "services:\n  app:\n    image: busybox\n    command: [\"sleep\", \"3600\"]\n    ports: [\"127.0.0.1:8080:80\"]\n");
  }

  private static void train(DockUp app) {
    HttpClient client = app.vertx().createHttpClient();
    Future<Void> all = Future.succeededFuture();
    for (String path : TRAINING_PATHS) {
      all = all.compose(v -> client.request(HttpMethod.GET, app.port(), "127.0.0.1", path)
          .compose(req -> req.send())
          .compose(res -> res.body())
          .<Void>mapEmpty()
          .otherwiseEmpty());
    }
    all.toCompletionStage().toCompletableFuture().join();
    app.shutdown().join();
    System.exit(0);
  }
}
