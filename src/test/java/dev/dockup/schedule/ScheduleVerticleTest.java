package dev.dockup.schedule;

import dev.dockup.Config;
import dev.dockup.bus.Bus;
import dev.dockup.settings.Settings;
import dev.dockup.store.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScheduleVerticleTest {
  @TempDir Path tmp;
  Vertx vertx;
  Settings settings;
  Config config;
  MutableClock clock;
  String deployment;
  /** What the fake update service received: the body with the action header added as {@code _action}. */
  final BlockingQueue<JsonObject> updates = new LinkedBlockingQueue<>();
  MessageConsumer<JsonObject> updateService;

  /** A reply from the schedule service: status and body. */
  record Answer(int status, JsonObject body) {}

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    settings = Settings.load(vertx, tmp, SecretBox.load(tmp));
    config = Config.fromJson(Config.defaults()
        .put("data_dir", tmp.toString())
        .put("stacks_dir", tmp.resolve("stacks").toString())
        .put("node_name", "t1"));
    clock = new MutableClock(Instant.parse("2024-01-15T12:00:00Z"));
    deploy();
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  void deploy() throws Exception {
    deployment = await(vertx.deployVerticle(new ScheduleVerticle(config, settings, clock)));
  }

  void redeploy() throws Exception {
    await(vertx.undeploy(deployment));
    deploy();
  }

  /** A fake update service answering {@code reply} with {@code status} (200: no header). */
  void updateService(int status, JsonObject reply) throws Exception {
    updateService = vertx.eventBus().consumer(Bus.updates("t1"), (Message<JsonObject> m) -> {
      updates.add(m.body().copy().put("_action", m.headers().get(Bus.ACTION)));
      DeliveryOptions opts = new DeliveryOptions();
      if (status != 200) opts.addHeader(Bus.STATUS, Integer.toString(status));
      m.reply(reply, opts);
    });
    await(updateService.completion());
  }

  Answer send(String action, JsonObject payload) throws Exception {
    Message<Object> m = await(vertx.eventBus().request(Bus.schedules("t1"), payload,
        new DeliveryOptions().addHeader(Bus.ACTION, action)));
    String status = m.headers().get(Bus.STATUS);
    return new Answer(status == null ? 200 : Integer.parseInt(status), (JsonObject) m.body());
  }

  Answer get(String name) throws Exception {
    return send(Bus.Schedules.GET, new JsonObject().put(Bus.NAME, name));
  }

  Answer put(String name, JsonObject body) throws Exception {
    return send(Bus.Schedules.PUT, new JsonObject().put(Bus.NAME, name).put("body", body));
  }

  JsonObject ok(Answer a) {
    assertEquals(200, a.status(), () -> a.body().encode());
    return a.body();
  }

  @Test
  void aStackWithoutAScheduleIsOffWithTheDefaults() throws Exception {
    JsonObject s = ok(get("web"));
    assertEquals(new JsonObject().put("stack", "web").put("mode", "off").put("cron", "0 3 * * *").put("timezone", "UTC")
        .put("enabled", false).put("schedule", "0 3 * * *").put("scan_gate", "off").putNull("next_run"), s);

    await(settings.update(new JsonObject().put(Settings.TIMEZONE, "Europe/Berlin").put(Settings.DEFAULT_CRON, "0 4 * * 0")));
    s = ok(get("web"));
    assertEquals("Europe/Berlin", s.getString("timezone"));
    assertEquals("0 4 * * 0", s.getString("cron"));
    assertEquals("0 4 * * 0", s.getString("schedule"));
  }

  @Test
  void theForm130IsAnsweredInBothForms() throws Exception {
    JsonObject s = ok(put("nginx-proxy", new JsonObject().put("enabled", true).put("schedule", "0 3 * * *")
        .put("timezone", "America/New_York")));
    assertEquals(new JsonObject().put("stack", "nginx-proxy").put("mode", "auto").put("cron", "0 3 * * *")
        .put("timezone", "America/New_York").put("enabled", true).put("schedule", "0 3 * * *").put("scan_gate", "off")
        .put("next_run", "2024-01-16T03:00:00-05:00"), s);
    assertEquals(s, ok(get("nginx-proxy")));

    // A 1.3.0 client that writes back what it read changes nothing, in check mode too.
    ok(put("nginx-proxy", new JsonObject().put("mode", "check")));
    JsonObject read = ok(get("nginx-proxy"));
    assertEquals(read, ok(put("nginx-proxy", new JsonObject().put("enabled", read.getBoolean("enabled"))
        .put("schedule", read.getString("schedule")).put("timezone", read.getString("timezone")))));
    assertEquals(read, ok(put("nginx-proxy", read)));
    assertEquals("check", read.getString("mode"));
  }

  @Test
  void theModeFormAndHowEnabledMapsToModes() throws Exception {
    JsonObject s = ok(put("web", new JsonObject().put("mode", "check").put("cron", "30 9 * * 1-5").put("timezone", "Asia/Kolkata")));
    assertEquals("check", s.getString("mode"));
    assertTrue(s.getBoolean("enabled"));
    assertEquals("30 9 * * 1-5", s.getString("schedule"));
    assertEquals("2024-01-16T09:30:00+05:30", s.getString("next_run"));

    assertEquals("check", ok(put("web", new JsonObject().put("enabled", true))).getString("mode"));
    s = ok(put("web", new JsonObject().put("enabled", false)));
    assertEquals("off", s.getString("mode"));
    assertFalse(s.getBoolean("enabled"));
    assertNull(s.getValue("next_run"));
    assertTrue(s.containsKey("next_run"));
    assertEquals("30 9 * * 1-5", s.getString("cron"), "turning off keeps the cron");
    assertEquals("Asia/Kolkata", s.getString("timezone"), "and the zone");
    assertEquals("auto", ok(put("web", new JsonObject().put("enabled", true))).getString("mode"));

    // Both forms: mode and cron win.
    s = ok(put("web", new JsonObject().put("mode", "check").put("enabled", false).put("cron", "0 4 * * *").put("schedule", "0 5 * * *")));
    assertEquals("check", s.getString("mode"));
    assertEquals("0 4 * * *", s.getString("cron"));
    assertEquals("0 4 * * *", s.getString("schedule"));
    s = ok(put("web", new JsonObject().put("mode", "off").put("enabled", true)));
    assertEquals("off", s.getString("mode"));
    assertFalse(s.getBoolean("enabled"));
  }

  @Test
  void missingFieldsTakeTheCurrentValuesOrTheDefaults() throws Exception {
    await(settings.update(new JsonObject().put(Settings.TIMEZONE, "Europe/Berlin").put(Settings.DEFAULT_CRON, "15 4 * * *")));
    JsonObject s = ok(put("web", new JsonObject().put("enabled", true)));
    assertEquals("auto", s.getString("mode"));
    assertEquals("15 4 * * *", s.getString("cron"));
    assertEquals("Europe/Berlin", s.getString("timezone"));
    assertEquals("2024-01-16T04:15:00+01:00", s.getString("next_run"));

    s = ok(put("web", new JsonObject().put("timezone", "UTC")));
    assertEquals("auto", s.getString("mode"));
    assertEquals("15 4 * * *", s.getString("cron"));
    assertEquals("2024-01-16T04:15:00Z", s.getString("next_run"));

    s = ok(put("web", new JsonObject().put("cron", "0 13 * * *")));
    assertEquals("UTC", s.getString("timezone"));
    assertEquals("2024-01-15T13:00:00Z", s.getString("next_run"));
  }

  @Test
  void badInputIs400AndChangesNothing() throws Exception {
    JsonObject before = ok(put("web", new JsonObject().put("mode", "check").put("cron", "0 3 * * *").put("timezone", "UTC")));
    assertBad(put("web", new JsonObject().put("cron", "61 * * * *")), "Invalid cron: 61 * * * *");
    assertBad(put("web", new JsonObject().put("schedule", "every day")), "Invalid cron: every day");
    assertBad(put("web", new JsonObject().put("mode", "auto").put("cron", "")), "Invalid cron: ");
    assertBad(put("web", new JsonObject().put("cron", 5)), "Invalid cron: 5");
    assertBad(put("web", new JsonObject().put("timezone", "Mars/Olympus")), "Invalid timezone: Mars/Olympus");
    assertBad(put("web", new JsonObject().put("timezone", "+02:00")), "Invalid timezone: +02:00");
    assertEquals(400, put("web", new JsonObject().put("mode", "sometimes")).status());
    assertEquals(400, put("web", new JsonObject().put("mode", true)).status());
    assertEquals(400, put("web", new JsonObject().put("enabled", "yes")).status());
    assertEquals(400, put("web", new JsonObject().put("enabled", 1)).status());
    assertEquals(400, send(Bus.Schedules.PUT, new JsonObject().put(Bus.NAME, "web").put("body", "x")).status());
    assertEquals(before, ok(get("web")));

    for (String name : new String[] {"../etc", "Web", "", ".trash", "a/b"}) {
      assertBad(get(name), "Invalid stack name");
      assertBad(put(name, new JsonObject().put("mode", "auto")), "Invalid stack name");
      assertBad(send(Bus.Schedules.RUN, new JsonObject().put(Bus.NAME, name)), "Invalid stack name");
    }
    assertBad(send(Bus.Schedules.GET, new JsonObject()), "Invalid stack name");
  }

  void assertBad(Answer a, String error) {
    assertEquals(400, a.status(), () -> a.body().encode());
    assertEquals(error, a.body().getString("error"));
  }

  @Test
  void schedulesSurviveARedeploy() throws Exception {
    JsonObject web = ok(put("web", new JsonObject().put("mode", "check").put("cron", "0 2 * * 0").put("timezone", "Europe/Berlin")));
    JsonObject db = ok(put("db", new JsonObject().put("enabled", true).put("schedule", "0 1 1 * *").put("timezone", "Asia/Kolkata")));
    JsonObject off = ok(put("old", new JsonObject().put("mode", "off").put("cron", "5 5 * * *")));
    Path file = tmp.resolve("schedules.json");
    assertTrue(Files.exists(file));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));

    redeploy();
    assertEquals(web, ok(get("web")));
    assertEquals(db, ok(get("db")));
    assertEquals(off, ok(get("old")));
    assertEquals("2024-01-21T02:00:00+01:00", web.getString("next_run"));
    assertEquals("2024-02-01T01:00:00+05:30", db.getString("next_run"));
  }

  @Test
  void aBrokenEntryInTheFileIsDroppedNotFatal() throws Exception {
    await(vertx.undeploy(deployment));
    Files.writeString(tmp.resolve("schedules.json"), new JsonObject().put("schedules", new JsonObject()
        .put("web", new JsonObject().put("mode", "auto").put("cron", "0 3 * * *").put("timezone", "UTC"))
        .put("bad", new JsonObject().put("mode", "auto").put("cron", "0 3 * * *").put("timezone", "Nowhere/Town"))
        .put("../x", new JsonObject().put("mode", "auto").put("cron", "0 3 * * *").put("timezone", "UTC"))).encode());
    deploy();
    assertEquals("auto", ok(get("web")).getString("mode"));
    assertEquals("off", ok(get("bad")).getString("mode"));
  }

  @Test
  void runSendsTheJobAndAnswersWithItsReply() throws Exception {
    updateService(200, new JsonObject().put("success", true));
    JsonObject run = ok(send(Bus.Schedules.RUN, new JsonObject().put(Bus.NAME, "web")));
    assertEquals(new JsonObject().put("success", true), run);
    assertEquals(new JsonObject().put("stack", "web").put("mode", "check").put("trigger", "manual").put("scan_gate", "off").put("_action", Bus.Updates.RUN),
        updates.poll(5, TimeUnit.SECONDS), "a stack whose schedule is off is checked");

    ok(put("web", new JsonObject().put("mode", "auto")));
    ok(send(Bus.Schedules.RUN, new JsonObject().put(Bus.NAME, "web")));
    assertEquals(new JsonObject().put("stack", "web").put("mode", "auto").put("trigger", "manual").put("scan_gate", "off").put("_action", Bus.Updates.RUN),
        updates.poll(5, TimeUnit.SECONDS));
  }

  @Test
  void runPassesTheUpdateServiceStatusThrough() throws Exception {
    updateService(409, new JsonObject().put("error", "An update is already running"));
    Answer a = send(Bus.Schedules.RUN, new JsonObject().put(Bus.NAME, "web"));
    assertEquals(409, a.status());
    assertEquals("An update is already running", a.body().getString("error"));
  }

  @Test
  void runWithoutAnUpdateServiceIs503() throws Exception {
    Answer a = send(Bus.Schedules.RUN, new JsonObject().put(Bus.NAME, "web"));
    assertEquals(503, a.status(), a.body().encode());
  }

  @Test
  void aManualRunWhileOneIsGoingIs409() throws Exception {
    // An update service that answers only when told to.
    BlockingQueue<Message<JsonObject>> pending = new LinkedBlockingQueue<>();
    await(vertx.eventBus().<JsonObject>consumer(Bus.updates("t1"), pending::add).completion());
    Future<Message<Object>> first = vertx.eventBus().request(Bus.schedules("t1"), new JsonObject().put(Bus.NAME, "web"),
        new DeliveryOptions().addHeader(Bus.ACTION, Bus.Schedules.RUN));
    Message<JsonObject> job = pending.poll(5, TimeUnit.SECONDS);
    assertNotNull(job);
    assertEquals(409, send(Bus.Schedules.RUN, new JsonObject().put(Bus.NAME, "web")).status());
    // Another stack is not blocked.
    Future<Message<Object>> other = vertx.eventBus().request(Bus.schedules("t1"), new JsonObject().put(Bus.NAME, "other"),
        new DeliveryOptions().addHeader(Bus.ACTION, Bus.Schedules.RUN));
    Message<JsonObject> otherJob = pending.poll(5, TimeUnit.SECONDS);
    assertNotNull(otherJob);
    assertEquals("other", otherJob.body().getString("stack"));
    otherJob.reply(new JsonObject().put("success", true));
    assertEquals(new JsonObject().put("success", true), await(other).body());
    job.reply(new JsonObject().put("success", true));
    assertEquals(new JsonObject().put("success", true), await(first).body());
    // Done: the stack can run again.
    Future<Message<Object>> again = vertx.eventBus().request(Bus.schedules("t1"), new JsonObject().put(Bus.NAME, "web"),
        new DeliveryOptions().addHeader(Bus.ACTION, Bus.Schedules.RUN));
    Message<JsonObject> againJob = pending.poll(5, TimeUnit.SECONDS);
    assertNotNull(againJob);
    againJob.reply(new JsonObject().put("success", true));
    assertEquals(new JsonObject().put("success", true), await(again).body());
  }

  @Test
  void theTimerFiresAtTheCronMinute() throws Exception {
    updateService(200, new JsonObject().put("success", true));
    clock.set(Instant.parse("2024-06-01T10:59:58Z"));
    JsonObject s = ok(put("web", new JsonObject().put("mode", "auto").put("cron", "0 11 * * *").put("timezone", "UTC")));
    assertEquals("2024-06-01T11:00:00Z", s.getString("next_run"));
    JsonObject job = updates.poll(6, TimeUnit.SECONDS);
    assertEquals(new JsonObject().put("stack", "web").put("mode", "auto").put("trigger", "schedule").put("scan_gate", "off").put("_action", Bus.Updates.RUN), job);
    assertTrue(clock.instant().isAfter(Instant.parse("2024-06-01T10:59:59.9Z")), "not before its time");
    // Re-armed for the next day.
    assertEquals("2024-06-02T11:00:00Z", ok(get("web")).getString("next_run"));
    assertNull(updates.poll(1500, TimeUnit.MILLISECONDS), "once");
  }

  @Test
  void aScanGateIsKeptAndSentWithEachRun() throws Exception {
    updateService(200, new JsonObject().put("success", true));
    JsonObject s = ok(put("web", new JsonObject().put("mode", "auto").put("scan_gate", "no_new_critical")));
    assertEquals("no_new_critical", s.getString("scan_gate"));
    assertEquals("no_new_critical", ok(put("web", new JsonObject().put("cron", "0 5 * * *"))).getString("scan_gate"), "kept when not sent");
    assertEquals(400, put("web", new JsonObject().put("scan_gate", "no_new_medium")).status());
    assertEquals(400, put("web", new JsonObject().put("scan_gate", true)).status());
    redeploy();
    assertEquals("no_new_critical", ok(get("web")).getString("scan_gate"), "stored");
    send(Bus.Schedules.RUN, new JsonObject().put(Bus.NAME, "web"));
    JsonObject job = updates.poll(5, TimeUnit.SECONDS);
    assertNotNull(job);
    assertEquals("no_new_critical", job.getString("scan_gate"));
  }

  @Test
  void scanCronScansEveryImageAtItsMinuteUnlessCleared() throws Exception {
    BlockingQueue<JsonObject> scans = new LinkedBlockingQueue<>();
    await(vertx.eventBus().<JsonObject>consumer(Bus.scans("t1"), m -> {
      scans.add(m.body().copy().put("_action", m.headers().get(Bus.ACTION)));
      m.reply(new JsonObject().put("queued", 2));
    }).completion());
    clock.set(Instant.parse("2024-06-01T10:59:55Z"));
    await(settings.update(new JsonObject().put("scan_cron", "0 11 * * *")));
    await(settings.update(new JsonObject().put("scan_cron", "")));
    assertNull(scans.poll(3000, TimeUnit.MILLISECONDS), "cleared before its minute: off");
    await(settings.update(new JsonObject().put("scan_cron", "0 11 * * *")));
    JsonObject asked = scans.poll(6, TimeUnit.SECONDS);
    assertEquals(new JsonObject().put("trigger", "schedule").put("_action", Bus.Scans.SCAN_ALL), asked);
    assertTrue(clock.instant().isAfter(Instant.parse("2024-06-01T10:59:59.9Z")), "not before its time");
    assertNull(scans.poll(1500, TimeUnit.MILLISECONDS), "once");
  }

  @Test
  void backupCronMakesABackupAtItsMinuteInTheInstancesZone() throws Exception {
    BlockingQueue<JsonObject> backups = new LinkedBlockingQueue<>();
    await(vertx.eventBus().<JsonObject>consumer(Bus.backups("t1"), m -> {
      backups.add(m.body().copy().put("_action", m.headers().get(Bus.ACTION)));
      m.reply(new JsonObject().put("success", true).put("backup_file", "backup_20240601_090000.tar.gz"));
    }).completion());
    // 11:00 in Berlin (summer time) is 09:00 UTC.
    clock.set(Instant.parse("2024-06-01T08:59:57Z"));
    await(settings.update(new JsonObject().put("timezone", "Europe/Berlin").put("backup_cron", "0 11 * * *")));
    JsonObject asked = backups.poll(6, TimeUnit.SECONDS);
    assertEquals(new JsonObject().put("trigger", "schedule").put("_action", Bus.Backups.CREATE), asked);
    assertTrue(clock.instant().isAfter(Instant.parse("2024-06-01T08:59:59.9Z")), "not before its time");
    assertNull(backups.poll(1500, TimeUnit.MILLISECONDS), "once");
    await(settings.update(new JsonObject().put("backup_cron", "")));
    clock.set(Instant.parse("2024-06-02T08:59:58Z"));
    redeploy();
    assertNull(backups.poll(3000, TimeUnit.MILLISECONDS), "off once cleared");
  }

  @Test
  void theTimerUsesTheSchedulesZone() throws Exception {
    updateService(200, new JsonObject().put("success", true));
    // 11:00 in Berlin (summer time) is 09:00 UTC.
    clock.set(Instant.parse("2024-06-01T08:59:58Z"));
    JsonObject s = ok(put("web", new JsonObject().put("enabled", true).put("schedule", "0 11 * * *").put("timezone", "Europe/Berlin")));
    assertEquals("2024-06-01T11:00:00+02:00", s.getString("next_run"));
    JsonObject job = updates.poll(6, TimeUnit.SECONDS);
    assertNotNull(job);
    assertEquals("schedule", job.getString("trigger"));
    assertEquals("auto", job.getString("mode"));
  }

  @Test
  void aRestoredScheduleIsArmedAtStart() throws Exception {
    updateService(200, new JsonObject().put("success", true));
    ok(put("web", new JsonObject().put("mode", "check").put("cron", "0 11 * * *").put("timezone", "UTC")));
    await(vertx.undeploy(deployment));
    clock.set(Instant.parse("2024-06-01T10:59:58Z"));
    deploy();
    JsonObject job = updates.poll(6, TimeUnit.SECONDS);
    assertNotNull(job);
    assertEquals("check", job.getString("mode"));
    assertEquals("schedule", job.getString("trigger"));
  }

  @Test
  void aScheduleTurnedOffDoesNotFire() throws Exception {
    updateService(200, new JsonObject().put("success", true));
    clock.set(Instant.parse("2024-06-01T10:59:58Z"));
    ok(put("web", new JsonObject().put("mode", "check").put("cron", "0 11 * * *").put("timezone", "UTC")));
    ok(put("web", new JsonObject().put("enabled", false)));
    assertNull(updates.poll(3500, TimeUnit.MILLISECONDS));
  }

  /** A fake stacks service: GET answers {@code status} with {@code body}. */
  void stacksService(int status, JsonObject body) throws Exception {
    MessageConsumer<JsonObject> c = vertx.eventBus().consumer(Bus.stacks("t1"), (Message<JsonObject> m) -> {
      DeliveryOptions opts = new DeliveryOptions();
      if (status != 200) opts.addHeader(Bus.STATUS, Integer.toString(status));
      m.reply(body, opts);
    });
    await(c.completion());
  }

  JsonObject savedSchedules() throws Exception {
    return new JsonObject(Files.readString(tmp.resolve(ScheduleVerticle.FILE))).getJsonObject("schedules");
  }

  @Test
  void aStackDeletedThroughDockUpLosesItsScheduleAndNeverRuns() throws Exception {
    updateService(200, new JsonObject().put("success", true));
    clock.set(Instant.parse("2024-06-01T10:59:57Z"));
    ok(put("web", new JsonObject().put("mode", "auto").put("cron", "0 11 * * *").put("timezone", "UTC")));
    ok(put("db", new JsonObject().put("mode", "auto").put("cron", "0 12 * * *").put("timezone", "UTC")));
    // Another node's stack of the same name, and a folder that merely went, change nothing.
    vertx.eventBus().publish(Bus.EVENTS, new JsonObject().put("type", "stack_status").put("node", "t2").put("stack", "web")
        .put("removed", true).put("deleted", true));
    vertx.eventBus().publish(Bus.EVENTS, new JsonObject().put("type", "stack_status").put("node", "t1").put("stack", "db")
        .put("removed", true));
    vertx.eventBus().publish(Bus.EVENTS, new JsonObject().put("type", "stack_status").put("node", "t1").put("stack", "web")
        .put("removed", true).put("deleted", true));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!"off".equals(ok(get("web")).getString("mode")) && System.nanoTime() < deadline) Thread.sleep(20);
    assertEquals("off", ok(get("web")).getString("mode"));
    assertEquals("auto", ok(get("db")).getString("mode"));
    assertNull(updates.poll(4, TimeUnit.SECONDS), "the deleted stack's run never came");
    assertFalse(savedSchedules().containsKey("web"));
    assertTrue(savedSchedules().containsKey("db"));
  }

  @Test
  void aStackGoneWhenItsRunIsDueIsNotUpdatedAndLosesItsSchedule() throws Exception {
    updateService(200, new JsonObject().put("success", true));
    stacksService(404, new JsonObject().put("error", "Stack not found"));
    clock.set(Instant.parse("2024-06-01T10:59:58Z"));
    ok(put("web", new JsonObject().put("mode", "auto").put("cron", "0 11 * * *").put("timezone", "UTC")));
    assertNull(updates.poll(4, TimeUnit.SECONDS), "no update of a stack that is gone");
    assertEquals("off", ok(get("web")).getString("mode"));
    assertFalse(savedSchedules().containsKey("web"));
  }

  @Test
  void aStackOnlyTheEngineStillKnowsIsSkippedButKeepsItsSchedule() throws Exception {
    updateService(200, new JsonObject().put("success", true));
    stacksService(200, new JsonObject().put("name", "web").put("external", true));
    clock.set(Instant.parse("2024-06-01T10:59:58Z"));
    ok(put("web", new JsonObject().put("mode", "check").put("cron", "0 11 * * *").put("timezone", "UTC")));
    assertNull(updates.poll(4, TimeUnit.SECONDS));
    assertEquals("check", ok(get("web")).getString("mode"));
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
