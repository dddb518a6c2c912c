package dev.dockup.it;

import dev.dockup.Config;
import dev.dockup.DockUp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Startup: folders made when missing, clear errors when unusable, and no engine is no reason not to start. */
class StartupIT {
  @TempDir
  Path tmp;

  Config config(Path stacks, Path data, String dockerHost) {
    return Config.fromJson(Config.defaults().put("port", 0).put("host", "127.0.0.1")
        .put("stacks_dir", stacks.toString()).put("data_dir", data.toString())
        .put("docker_host", dockerHost).put("node_name", "startup-test").put("operation_timeout", 60));
  }

  String failure(Config config) {
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> DockUp.start(config).get(30, TimeUnit.SECONDS));
    return e.getCause().getMessage();
  }

  @Test
  void missingFoldersAreCreated() throws Exception {
    Path stacks = tmp.resolve("a/b/stacks");
    Path data = tmp.resolve("c/data");
    DockUp app = DockUp.start(config(stacks, data, Engine.shared().host)).get(30, TimeUnit.SECONDS);
    try {
      assertTrue(Files.isDirectory(stacks));
      assertTrue(Files.isRegularFile(data.resolve("format-version")));
    } finally {
      app.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aDataDirOfANewerFormatIsAClearStartupError() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("format-version"), "99\n");
    String message = failure(config(tmp.resolve("stacks"), data, Engine.shared().host));
    assertTrue(message.contains("newer DockUp"), message);
  }

  @Test
  void aStacksDirThatIsAFileIsAClearStartupError() throws Exception {
    Path file = Files.writeString(tmp.resolve("not-a-folder"), "x");
    String message = failure(config(file, tmp.resolve("data"), Engine.shared().host));
    assertTrue(message.contains("STACKS_DIR") && message.contains("not a folder"), message);
  }

  @Test
  void withoutAReachableEngineDockUpStartsAndSaysSo() throws Exception {
    Path stacks = Files.createDirectories(tmp.resolve("stacks/hand-made"));
    Files.writeString(stacks.resolve("compose.yaml"), Stacks.twoServices("x"));
    try (TestNode node = TestNode.builder().root(tmp).dockerHost("unix://" + tmp.resolve("no-engine.sock"))
        .waitForEngine(false).start()) {
      var list = node.awaitList(l -> Stacks.find(l, "hand-made") != null, Duration.ofSeconds(5));
      assertFalse(list.getBoolean("engine_ok"));
      assertEquals(503, node.http.operation("hand-made", "up").status());
      var version = node.http.get("/api/version").json();
      assertFalse(version.getBoolean("engine_ok"));
      assertEquals(200, node.http.get("/api/ping").status());
    }
  }
}
