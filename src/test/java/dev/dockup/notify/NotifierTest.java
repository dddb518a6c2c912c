package dev.dockup.notify;

import dev.dockup.bus.ApiException;
import dev.dockup.settings.Settings;
import dev.dockup.store.SecretBox;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class NotifierTest {
  @TempDir Path tmp;
  Vertx vertx;
  Settings settings;
  Notifier notifier;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    settings = Settings.load(vertx, tmp, SecretBox.load(tmp));
    notifier = new Notifier(vertx, settings);
  }

  @AfterEach
  void tearDown() throws Exception {
    notifier.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void testWithoutUrlsIs400() throws Exception {
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> notifier.test().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    ApiException api = assertInstanceOf(ApiException.class, e.getCause());
    assertEquals(400, api.status());
    assertEquals("No notification URLs configured", api.getMessage());
  }

  @Test
  void testReportsAnUnsupportedUrlByItsMask() throws Exception {
    settings.update(new JsonObject().put("notification_urls", new JsonArray().add("telegram://123:SECRET@telegram?chats=1")))
        .await(10, TimeUnit.SECONDS);
    JsonObject result = notifier.test().await(10, TimeUnit.SECONDS);
    JsonObject one = result.getJsonArray("results").getJsonObject(0);
    assertEquals("telegram://telegram/***", one.getString("url"));
    assertFalse(one.getBoolean("ok"));
    assertFalse(one.containsKey("status"));
    assertFalse(result.encode().contains("SECRET"), result.encode());
  }

  @Test
  void notifyNeverThrows() {
    // Disabled, unknown event, no URL: nothing to do, and nothing reaches the caller.
    notifier.notify("update_available", "web", "t", "m");
    notifier.notify("no_such_event", null, null, null);
  }

  @Test
  void failuresAreDescribedWithoutTheirMessages() {
    String secret = "POST /message?token=SECRET";
    assertEquals("timed out", Notifier.describe(new VertxException(new TimeoutException(secret))));
    assertEquals("timed out", Notifier.describe(new ConnectTimeoutException(secret)));
    assertEquals("unknown host", Notifier.describe(new UnknownHostException(secret)));
    assertEquals("connection refused or unreachable", Notifier.describe(new ConnectException(secret)));
    String other = Notifier.describe(new IllegalStateException(secret));
    assertFalse(other.contains("SECRET"), other);
  }
}
