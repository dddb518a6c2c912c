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

  public static final String PASSWORD = "test-password-1";

  private TestNode(DockUp app, Path stacksDir, Path dataDir, Http http) {
    this.app = app;
    this.stacksDir = stacksDir;
    this.dataDir = dataDir;
    this.http = http;
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
    private final io.vertx.core.json.JsonObject extra = new io.vertx.core.json.JsonObject();

    public Builder dockerHost(String v) { dockerHost = v; return this; }
    public Builder compose(String v) { compose = v; return this; }
    public Builder operationTimeout(int seconds) { timeout = seconds; return this; }
    public Builder root(Path v) { root = v; return this; }
    public Builder waitForEngine(boolean v) { waitForEngine = v; return this; }
    /** Any other configuration key (as in conf/config.json); {@code password: null} leaves it unset. */
    public Builder config(String key, Object value) { extra.put(key, value); return this; }

    public TestNode start() throws Exception {
      Path dir = root != null ? root : Files.createTempDirectory("dockup-it-");
      Path stacks = dir.resolve("stacks");
      Path data = dir.resolve("data");
      JsonObject json = Config.defaults()
          .put("port", 0).put("host", "127.0.0.1")
          .put("stacks_dir", stacks.toString()).put("data_dir", data.toString())
          .put("docker_host", dockerHost).put("node_name", "it-" + UUID.randomUUID().toString().substring(0, 8))
          .put("compose_command", compose).put("operation_timeout", timeout)
          .put("password", PASSWORD)
          .mergeIn(extra);
      DockUp app = DockUp.start(Config.fromJson(json)).get(60, TimeUnit.SECONDS);
      Http anonymous = new Http(app.port());
      // Scripts of the 1.3.0 document log in; API clients use a JWT. Tests act as the latter.
      Http http = anonymous;
      // A fleet member without a password of its own may have taken the fleet's.
      if (json.getValue("password") != null || json.getBoolean("cluster", false)) {
        String jwt = anonymous.post("/api/auth/token", new JsonObject().put("password", PASSWORD)).json().getString("token");
        http = anonymous.with("Authorization", "Bearer " + jwt);
      }
      TestNode node = new TestNode(app, stacks.toRealPath(), data.toRealPath(), http);
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
    return await(http, path, until, timeout);
  }

  /** The same with another client (another credential). */
  public static JsonObject await(Http http, String path, Predicate<JsonObject> until, Duration timeout) throws InterruptedException {
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
