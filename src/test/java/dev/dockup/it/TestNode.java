package dev.dockup.it;

import dev.dockup.Config;
import dev.dockup.DockUp;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A DockUp node started in this JVM on a free loopback port, with its own folders. */
public final class TestNode implements AutoCloseable {
  public final DockUp app;
  public final Path stacksDir;
  public final Path dataDir;
  public final Http http;

  private TestNode(DockUp app, Path stacksDir, Path dataDir) {
    this.app = app;
    this.stacksDir = stacksDir;
    this.dataDir = dataDir;
    this.http = new Http(app.port());
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private String dockerHost = Engine.shared().host;
    private String compose;
    private int timeout = 120;
    private Path root;
    private boolean waitForEngine = true;

    public Builder dockerHost(String v) { dockerHost = v; return this; }
    public Builder compose(String v) { compose = v; return this; }
    public Builder operationTimeout(int seconds) { timeout = seconds; return this; }
    public Builder root(Path v) { root = v; return this; }
    public Builder waitForEngine(boolean v) { waitForEngine = v; return this; }

    public TestNode start() throws Exception {
      Path dir = root != null ? root : Files.createTempDirectory("dockup-it-");
      Path stacks = dir.resolve("stacks");
      Path data = dir.resolve("data");
      Config config = new Config(0, "127.0.0.1", stacks, data, dockerHost,
          "it-" + UUID.randomUUID().toString().substring(0, 8), compose, timeout);
      DockUp app = DockUp.start(config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      TestNode node = new TestNode(app, stacks.toRealPath(), data.toRealPath());
      if (waitForEngine) node.awaitList(l -> l.getBoolean("engine_ok"), Duration.ofSeconds(20));
      return node;
    }
  }

  /** Polls {@code GET /api/stacks} until the predicate holds; fails after the timeout. */
  public JsonObject awaitList(Predicate<JsonObject> until, Duration timeout) throws InterruptedException {
    return await("/api/stacks", until, timeout);
  }

  public JsonObject awaitStack(String name, Predicate<JsonObject> until, Duration timeout) throws InterruptedException {
    return await("/api/stack/" + name, until, timeout);
  }

  public JsonObject await(String path, Predicate<JsonObject> until, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Http.Resp last = null;
    while (System.nanoTime() < deadline) {
      last = http.get(path);
      if (last.status() == 200 && until.test(last.json())) return last.json();
      Thread.sleep(20);
    }
    throw new AssertionError("condition not met within " + timeout + " on " + path + "; last answer: " + last);
  }

  @Override
  public void close() throws Exception {
    app.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
