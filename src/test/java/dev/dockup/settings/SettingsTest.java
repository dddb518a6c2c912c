package dev.dockup.settings;

import dev.dockup.bus.ApiException;
import dev.dockup.store.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class SettingsTest {

  @TempDir Path tmp;
  private Vertx vertx;
  private SecretBox box;
  private Settings settings;

  @BeforeEach
  void setUp() throws IOException {
    vertx = Vertx.vertx();
    box = SecretBox.load(tmp);
    settings = Settings.load(vertx, tmp, box);
  }

  @AfterEach
  void tearDown() throws Exception {
    await(vertx.close());
  }

  private static <T> T await(Future<T> f) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) throw cause;
      throw e;
    }
  }

  private JsonObject update(JsonObject changes) throws Exception {
    return await(settings.update(changes));
  }

  private ApiException refused(JsonObject changes) throws Exception {
    try {
      update(changes);
    } catch (ApiException e) {
      assertEquals(400, e.status());
      return e;
    }
    fail("accepted: " + changes.encode());
    return null;
  }

  private void accepts(String key, Object value) throws Exception {
    update(new JsonObject().put(key, value));
  }

  private void refuses(String key, Object value) throws Exception {
    JsonObject before = settings.view();
    ApiException e = refused(new JsonObject().put(key, value));
    assertTrue(e.body().getJsonObject("invalid").containsKey(key), e.body().encode());
    assertTrue(e.getMessage().startsWith("Invalid settings: " + key + " ("), e.getMessage());
    assertEquals(before, settings.view(), "nothing changed after " + key + "=" + value);
  }

  private String file() throws IOException {
    return Files.readString(tmp.resolve(Settings.FILE));
  }

  private Settings reload() throws IOException {
    return Settings.load(vertx, tmp, box);
  }

  @Test
  void defaults() {
    JsonObject expected = new JsonObject()
        .put("instance_name", "DockUp")
        .put("timezone", "UTC")
        .put("notification_enabled", false)
        .put("notification_urls", new JsonArray())
        .put("notify_on", new JsonArray(List.of("update_available", "update_applied", "update_failed", "update_blocked",
            "stack_unhealthy", "operation_failed")))
        .put("default_cron", "0 3 * * *")
        .put("stats_interval", 5)
        .put("appdata_interval", 3600)
        .put("hub_registry_url", "https://registry-1.docker.io")
        .put("hub_auth_url", "https://auth.docker.io")
        .put("discord_api_url", "https://discord.com/api")
        .put("slack_api_url", "https://hooks.slack.com")
        .put("template_urls", new JsonArray())
        .putNull("backup_cron")
        .putNull("scan_cron");
    assertEquals(expected, settings.view());
    assertEquals("DockUp", settings.instanceName());
    assertEquals("UTC", settings.timezone());
    assertFalse(settings.notificationEnabled());
    assertEquals(List.of(), settings.notificationUrls());
    assertEquals(Settings.NOTIFY_EVENTS, settings.notifyOn());
    assertEquals("0 3 * * *", settings.defaultCron());
    assertEquals(5, settings.statsInterval());
    assertEquals(3600, settings.appdataInterval());
    assertEquals("https://registry-1.docker.io", settings.hubRegistryUrl());
    assertEquals("https://auth.docker.io", settings.hubAuthUrl());
    assertEquals("https://discord.com/api", settings.discordApiUrl());
    assertEquals("https://hooks.slack.com", settings.slackApiUrl());
    assertEquals(List.of(), settings.templateUrls());
    assertNull(settings.backupCron());
    assertFalse(Files.exists(tmp.resolve(Settings.FILE)), "nothing written until something changes");
  }

  @Test
  void viewIsAFreshCopy() {
    settings.view().put("instance_name", "changed").getJsonArray("notify_on").clear();
    assertEquals("DockUp", settings.view().getString("instance_name"));
    assertEquals(Settings.NOTIFY_EVENTS.size(), settings.view().getJsonArray("notify_on").size());
  }

  @Test
  void instanceName() throws Exception {
    accepts("instance_name", "Home lab");
    accepts("instance_name", "x".repeat(100));
    assertEquals("x".repeat(100), settings.instanceName());
    refuses("instance_name", "");
    refuses("instance_name", "   ");
    refuses("instance_name", "x".repeat(101));
    refuses("instance_name", 5);
    refuses("instance_name", null);
  }

  @Test
  void timezone() throws Exception {
    accepts("timezone", "Europe/Paris");
    assertEquals("Europe/Paris", settings.timezone());
    accepts("timezone", "America/Argentina/Buenos_Aires");
    accepts("timezone", "UTC");
    refuses("timezone", "Mars/Base");
    refuses("timezone", "+02:00");
    refuses("timezone", "");
    refuses("timezone", 2);
    ApiException e = refused(new JsonObject().put("timezone", "Mars/Base"));
    assertEquals("Invalid settings: timezone (unknown zone 'Mars/Base')", e.getMessage());
  }

  @Test
  void booleansMustBeJsonBooleans() throws Exception {
    accepts("notification_enabled", true);
    assertTrue(settings.notificationEnabled());
    accepts("notification_enabled", false);
    refuses("notification_enabled", "true");
    refuses("notification_enabled", 1);
    refuses("notification_enabled", null);
  }

  @Test
  void integersMustBeWholeNumbersInRange() throws Exception {
    accepts("stats_interval", 1);
    accepts("stats_interval", 300);
    accepts("stats_interval", 8L);
    assertEquals(8, settings.statsInterval());
    refuses("stats_interval", 0);
    refuses("stats_interval", 301);
    refuses("stats_interval", 8.5);
    refuses("stats_interval", "8");
    refuses("stats_interval", true);
    refuses("stats_interval", null);
    refuses("stats_interval", Double.NaN);

    accepts("appdata_interval", 60);
    accepts("appdata_interval", 604_800);
    assertEquals(604_800, settings.appdataInterval());
    refuses("appdata_interval", 59);
    refuses("appdata_interval", 604_801);
    refuses("appdata_interval", 10_000_000_000L);
  }

  @Test
  void integersFromParsedJson() throws Exception {
    update(new JsonObject("{\"stats_interval\": 7}"));
    assertEquals(7, settings.statsInterval());
    refused(new JsonObject("{\"stats_interval\": 8.5}"));
    refused(new JsonObject("{\"stats_interval\": \"8\"}"));
    refused(new JsonObject("{\"stats_interval\": 99999999999999999999999}"));
    assertEquals(7, settings.statsInterval());
  }

  @Test
  void notifyOn() throws Exception {
    accepts("notify_on", new JsonArray().add("update_failed").add("stack_unhealthy").add("update_failed"));
    assertEquals(List.of("update_failed", "stack_unhealthy"), settings.notifyOn());
    accepts("notify_on", new JsonArray());
    assertEquals(List.of(), settings.notifyOn());
    refuses("notify_on", new JsonArray().add("update_failed").add("coffee_ready"));
    refuses("notify_on", "update_failed");
    refuses("notify_on", new JsonArray().add(3));
  }

  @Test
  void crons() throws Exception {
    accepts("default_cron", "*/15 2-5 * * 1-5");
    assertEquals("*/15 2-5 * * 1-5", settings.defaultCron());
    refuses("default_cron", "0 0 3 * * ?");
    refuses("default_cron", "61 * * * *");
    refuses("default_cron", "every day");
    refuses("default_cron", "0 0 30 2 *");
    refuses("default_cron", "");
    refuses("default_cron", null);

    accepts("backup_cron", "30 4 * * 0");
    assertEquals("30 4 * * 0", settings.backupCron());
    accepts("backup_cron", null);
    assertNull(settings.backupCron());
    accepts("backup_cron", "30 4 * * 0");
    accepts("backup_cron", "");
    assertNull(settings.backupCron());
    assertNull(settings.view().getValue("backup_cron"));
    assertTrue(settings.view().containsKey("backup_cron"));
    refuses("backup_cron", "* * *");
    refuses("backup_cron", 5);

    assertNull(settings.scanCron(), "scheduled scans are off by default");
    accepts("scan_cron", "0 4 * * *");
    assertEquals("0 4 * * *", settings.scanCron());
    accepts("scan_cron", "");
    assertNull(settings.scanCron());
    refuses("scan_cron", "0 0 30 2 *");
  }

  @Test
  void httpUrls() throws Exception {
    for (String key : List.of("hub_registry_url", "hub_auth_url", "discord_api_url", "slack_api_url")) {
      accepts(key, "http://127.0.0.1:5000");
      accepts(key, "https://mirror.example.com/v2/");
      refuses(key, "ftp://example.com");
      refuses(key, "example.com");
      refuses(key, "https://");
      refuses(key, "https://user:pw@example.com");
      refuses(key, "");
      refuses(key, null);
    }
    assertEquals("https://mirror.example.com/v2/", settings.hubRegistryUrl());
    assertEquals("https://mirror.example.com/v2/", settings.slackApiUrl());
  }

  @Test
  void templateUrls() throws Exception {
    accepts("template_urls", new JsonArray()
        .add(new JsonObject().put("url", "https://example.com/templates.json").put("format", "portainer"))
        .add(new JsonObject().put("url", "http://10.0.0.2/store.zip").put("format", "casaos")));
    assertEquals(List.of(new Settings.TemplateUrl("https://example.com/templates.json", "portainer"),
        new Settings.TemplateUrl("http://10.0.0.2/store.zip", "casaos")), settings.templateUrls());
    assertEquals(new JsonObject().put("url", "http://10.0.0.2/store.zip").put("format", "casaos"),
        settings.view().getJsonArray("template_urls").getJsonObject(1));
    // A bare URL: its format guessed; the same catalog twice kept once.
    accepts("template_urls", new JsonArray().add("https://api.linuxserver.io/api/v1/images?include_config=true")
        .add("https://example.com/Apps/app/docker-compose.yml").add("https://example.com/t.json").add("https://example.com/t.json"));
    assertEquals(List.of("linuxserver", "casaos", "portainer"), settings.templateUrls().stream().map(Settings.TemplateUrl::format).toList());
    refuses("template_urls", new JsonArray().add(new JsonObject().put("url", "https://example.com/t.json").put("format", "helm")));
    refuses("template_urls", new JsonArray().add(new JsonObject().put("url", "https://example.com/t.json")));
    refuses("template_urls", new JsonArray().add(new JsonObject().put("url", "ftp://example.com/t.json").put("format", "portainer")));
    refuses("template_urls", new JsonArray().add(new JsonObject().put("url", "https://u:p@example.com/t.json").put("format", "portainer")));
    JsonArray many = new JsonArray();
    for (int i = 0; i < 21; i++) many.add("https://example.com/" + i);
    refuses("template_urls", many);
    refuses("template_urls", new JsonArray().add("gotify://host/x"));
    refuses("template_urls", "https://example.com/templates.json");
  }

  @Test
  void notificationUrlsValidation() throws Exception {
    accepts("notification_urls", new JsonArray().add("gotify://host/tokenABC").add("generic+https://example.com/hook?x=1"));
    assertEquals(List.of("gotify://host/tokenABC", "generic+https://example.com/hook?x=1"), settings.notificationUrls());
    refuses("notification_urls", new JsonArray().add("no scheme here"));
    refuses("notification_urls", new JsonArray().add("Gotify://host/x"));
    refuses("notification_urls", new JsonArray().add("gotify://"));
    refuses("notification_urls", new JsonArray().add("gotify://host/a b"));
    refuses("notification_urls", new JsonArray().add(5));
    refuses("notification_urls", "gotify://host/tokenABC");
    JsonArray many = new JsonArray();
    for (int i = 0; i < 21; i++) many.add("gotify://host/t" + i);
    refuses("notification_urls", many);
    many.remove(0);
    accepts("notification_urls", many);
    assertEquals(20, settings.notificationUrls().size());
  }

  @Test
  void refusalNeverEchoesANotificationUrl() throws Exception {
    ApiException e = refused(new JsonObject().put("notification_urls",
        new JsonArray().add("gotify://host/tokenSECRET1").add("smtp://user:SECRET2 @host")));
    assertFalse(e.body().encode().contains("SECRET"), e.body().encode());
    assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
  }

  @Test
  void unknownKeyIsRefusedWithNothingChanged() throws Exception {
    JsonObject before = settings.view();
    ApiException e = refused(new JsonObject().put("instance_name", "New").put("bogus", 1));
    assertEquals("Invalid settings: bogus (unknown key)", e.getMessage());
    assertEquals(new JsonObject().put("bogus", "unknown key"), e.body().getJsonObject("invalid"));
    assertEquals("Invalid settings: bogus (unknown key)", e.body().getString("error"));
    assertEquals(before, settings.view());
    assertFalse(Files.exists(tmp.resolve(Settings.FILE)));
  }

  @Test
  void oneBadKeyAmongSeveralAppliesNone() throws Exception {
    update(new JsonObject().put("instance_name", "Before"));
    String fileBefore = file();
    JsonObject before = settings.view();
    AtomicInteger changes = new AtomicInteger();
    settings.onChange(changes::incrementAndGet);

    ApiException e = refused(new JsonObject()
        .put("instance_name", "After")
        .put("stats_interval", 10)
        .put("timezone", "Mars/Base")
        .put("notification_urls", new JsonArray().add("gotify://host/tok"))
        .put("bogus", true));
    assertEquals("Invalid settings: timezone (unknown zone 'Mars/Base'), bogus (unknown key)", e.getMessage());
    assertEquals(Map.of("timezone", "unknown zone 'Mars/Base'", "bogus", "unknown key"), e.body().getJsonObject("invalid").getMap());
    assertEquals(before, settings.view());
    assertEquals("Before", settings.instanceName());
    assertEquals(5, settings.statsInterval());
    assertEquals(List.of(), settings.notificationUrls());
    assertEquals(fileBefore, file());
    assertEquals(0, changes.get());
  }

  @Test
  void emptyBodyIsANoOp() throws Exception {
    AtomicInteger changes = new AtomicInteger();
    settings.onChange(changes::incrementAndGet);
    assertEquals(settings.view(), update(new JsonObject()));
    assertFalse(Files.exists(tmp.resolve(Settings.FILE)));
    assertEquals(0, changes.get());
  }

  @Test
  void updateAnswersTheViewAfterSavingAndTellsListeners() throws Exception {
    List<String> seen = new ArrayList<>();
    settings.onChange(() -> {
      try {
        seen.add(new JsonObject(file()).getString("instance_name"));
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    settings.onChange(() -> { throw new IllegalStateException("a broken listener must not fail the update"); });
    JsonObject view = update(new JsonObject().put("instance_name", "Lab").put("stats_interval", 9));
    assertEquals("Lab", view.getString("instance_name"));
    assertEquals(9, view.getInteger("stats_interval"));
    assertEquals(settings.view(), view);
    assertEquals(List.of("Lab"), seen);
  }

  @Test
  void masks() {
    assertEquals("discord://id/***", Settings.mask("discord://token@id"));
    assertEquals("gotify://host/***", Settings.mask("gotify://host/tokenABC"));
    assertEquals("smtp://mail.example.com:587/***", Settings.mask("smtp://user:p%40ss@mail.example.com:587/?to=a@b.c"));
    assertEquals("telegram://telegram/***", Settings.mask("telegram://123:ABC@telegram?chats=1"));
    assertEquals("ntfy://ntfy.sh/***", Settings.mask("ntfy://ntfy.sh#frag"));
    assertEquals("generic+https://example.com/***", Settings.mask("generic+https://example.com/hook/SECRET"));
  }

  @Test
  void notificationUrlsAreMaskedInTheViewAndSealedOnDisk() throws Exception {
    JsonObject view = update(new JsonObject().put("notification_urls",
        new JsonArray().add("discord://tokenXYZ@12345").add("gotify://gotify.lan/tokenABC")));
    JsonArray expected = new JsonArray().add("discord://12345/***").add("gotify://gotify.lan/***");
    assertEquals(expected, view.getJsonArray("notification_urls"));
    assertEquals(expected, settings.view().getJsonArray("notification_urls"));
    assertEquals(List.of("discord://tokenXYZ@12345", "gotify://gotify.lan/tokenABC"), settings.notificationUrls());

    String onDisk = file();
    for (String secret : List.of("tokenXYZ", "tokenABC", "discord://", "gotify://")) {
      assertFalse(onDisk.contains(secret), "settings.json holds " + secret + ": " + onDisk);
    }
    for (String secret : List.of("tokenXYZ", "tokenABC")) {
      assertFalse(settings.view().encode().contains(secret), secret);
      assertFalse(view.encode().contains(secret), secret);
    }
    JsonObject doc = new JsonObject(onDisk);
    assertFalse(doc.containsKey("notification_urls"));
    assertEquals(2, doc.getJsonArray("notification_urls_sealed").size());
    assertEquals("discord://tokenXYZ@12345", box.decrypt(doc.getJsonArray("notification_urls_sealed").getString(0)));
  }

  @Test
  void postingTheViewBackKeepsStoredUrls() throws Exception {
    update(new JsonObject().put("notification_urls", new JsonArray()
        .add("gotify://host/tokenA").add("gotify://host/tokenB").add("discord://tok@77")));
    JsonObject read = settings.view();
    assertEquals(new JsonArray().add("gotify://host/***").add("gotify://host/***").add("discord://77/***"),
        read.getJsonArray("notification_urls"));

    JsonObject view = update(read.copy().put("instance_name", "Renamed"));
    assertEquals("Renamed", settings.instanceName());
    assertEquals(read.getJsonArray("notification_urls"), view.getJsonArray("notification_urls"));
    assertEquals(List.of("gotify://host/tokenA", "gotify://host/tokenB", "discord://tok@77"), settings.notificationUrls());

    // Keep one by its mask, drop one, add a new one.
    update(new JsonObject().put("notification_urls", new JsonArray().add("discord://77/***").add("ntfy://ntfy.sh/newtopic")));
    assertEquals(List.of("discord://tok@77", "ntfy://ntfy.sh/newtopic"), settings.notificationUrls());
  }

  @Test
  void aMaskMatchingNoStoredUrlIsRefused() throws Exception {
    update(new JsonObject().put("notification_urls", new JsonArray().add("gotify://host/tokenA")));
    refuses("notification_urls", new JsonArray().add("gotify://other/***"));
    assertEquals(List.of("gotify://host/tokenA"), settings.notificationUrls());
  }

  @Test
  void persistsAcrossReloadOwnerOnly() throws Exception {
    update(new JsonObject()
        .put("instance_name", "Persisted")
        .put("timezone", "Asia/Tokyo")
        .put("notification_enabled", true)
        .put("notification_urls", new JsonArray().add("gotify://host/tokenABC"))
        .put("notify_on", new JsonArray().add("update_failed"))
        .put("default_cron", "5 4 * * *")
        .put("stats_interval", 30)
        .put("appdata_interval", 7200)
        .put("hub_registry_url", "http://127.0.0.1:5000")
        .put("template_urls", new JsonArray().add("https://example.com/t.json"))
        .put("backup_cron", "0 2 * * *"));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve(Settings.FILE))));

    Settings again = reload();
    assertEquals(settings.view(), again.view());
    assertEquals(List.of("gotify://host/tokenABC"), again.notificationUrls());
    assertEquals("Asia/Tokyo", again.timezone());
    assertEquals(30, again.statsInterval());
    assertEquals("0 2 * * *", again.backupCron());
  }

  @Test
  void unknownAndInvalidStoredValuesAreTolerated() throws Exception {
    Files.writeString(tmp.resolve(Settings.FILE), new JsonObject()
        .put("instance_name", "Kept")
        .put("from_the_future", "whatever")
        .put("timezone", "Mars/Base")
        .put("stats_interval", 9000)
        .put("notify_on", "nonsense")
        .put("notification_urls_sealed", new JsonArray().add(box.encrypt("gotify://host/ok")).add("v1:garbage"))
        .encode());
    Settings loaded = reload();
    assertEquals("Kept", loaded.instanceName());
    assertEquals("UTC", loaded.timezone());
    assertEquals(5, loaded.statsInterval());
    assertEquals(Settings.NOTIFY_EVENTS, loaded.notifyOn());
    assertEquals(List.of("gotify://host/ok"), loaded.notificationUrls());
    assertFalse(loaded.view().containsKey("from_the_future"));
  }

  @Test
  void aHandWrittenPlainListIsSealedAtLoad() throws Exception {
    Files.writeString(tmp.resolve(Settings.FILE), new JsonObject()
        .put("notification_urls", new JsonArray().add("gotify://host/tokenPLAIN")).encode());
    Settings loaded = reload();
    assertEquals(List.of("gotify://host/tokenPLAIN"), loaded.notificationUrls());
    assertFalse(file().contains("tokenPLAIN"), file());
    assertEquals(List.of("gotify://host/tokenPLAIN"), reload().notificationUrls());
  }

  @Test
  void concurrentUpdatesAllLand() throws Exception {
    List<Future<JsonObject>> all = new ArrayList<>();
    all.add(settings.update(new JsonObject().put("instance_name", "A")));
    all.add(settings.update(new JsonObject().put("stats_interval", 11)));
    all.add(settings.update(new JsonObject().put("timezone", "Europe/Berlin")));
    await(Future.all(all));
    Settings again = reload();
    assertEquals("A", again.instanceName());
    assertEquals(11, again.statsInterval());
    assertEquals("Europe/Berlin", again.timezone());
  }

  @Test
  void updateFailureIsAnApiException() throws Exception {
    ApiException e = refused(new JsonObject().put("stats_interval", "8"));
    assertInstanceOf(JsonObject.class, e.body().getValue("invalid"));
    assertEquals("must be a whole number from 1 to 300", e.body().getJsonObject("invalid").getString("stats_interval"));
  }
}
