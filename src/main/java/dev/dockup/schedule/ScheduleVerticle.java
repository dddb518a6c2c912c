package dev.dockup.schedule;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Services;
import dev.dockup.settings.Settings;
import dev.dockup.stack.StackFiles;
import dev.dockup.store.JsonFile;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * One update schedule per stack ({@code mode: off|check|auto}, a Unix cron, an IANA zone),
 * persisted in {@code DATA_DIR/schedules.json}. A stack whose mode is {@code check} or
 * {@code auto} has a timer to its next run (never longer than an hour: then the next run is
 * computed again, so clock changes and long waits behave); a run is a request to the update
 * service, one at a time per stack. Accepts both the 1.3.0 form ({@code enabled, schedule}) and
 * the newer one ({@code mode, cron}) and answers with both. A stack deleted through DockUp loses
 * its schedule; one that is gone when its run is due (removed by hand) loses it then.
 */
public final class ScheduleVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ScheduleVerticle.class);

  public static final String FILE = "schedules.json";
  public static final List<String> MODES = List.of("off", "check", "auto");
  /** What an automatic update may bring in that the running image does not have (see the update verticle). */
  public static final List<String> SCAN_GATES = List.of("off", "no_new_critical", "no_new_high");
  /** The longest timer: after it the next run is computed again from the clock. */
  static final long MAX_TIMER_MS = Duration.ofHours(1).toMillis();
  static final long RUN_TIMEOUT_MS = Duration.ofMinutes(15).toMillis();
  static final long BACKUP_TIMEOUT_MS = Duration.ofHours(6).toMillis();

  /** Request and answer fields. */
  static final String BODY = "body";
  static final String MODE = "mode";
  static final String CRON = "cron";
  static final String TIMEZONE = "timezone";
  static final String ENABLED = "enabled";
  static final String SCHEDULE = "schedule";
  static final String NEXT_RUN = "next_run";
  static final String TRIGGER = "trigger";
  static final String SCAN_GATE = "scan_gate";
  private static final String SCHEDULES = "schedules";

  /** A stack's schedule; {@code when} is parsed, so every stored schedule can run. */
  private record Schedule(String mode, CronSchedule when, String scanGate) {
    boolean enabled() { return !mode.equals("off"); }
    String cron() { return when.cron(); }
    String timezone() { return when.zone().getId(); }
    JsonObject json() {
      return new JsonObject().put(MODE, mode).put(CRON, cron()).put(TIMEZONE, timezone()).put(SCAN_GATE, scanGate);
    }
  }

  private final Config config;
  private final Settings settings;
  private final Clock clock;
  private JsonFile file;

  private final Map<String, Schedule> schedules = new TreeMap<>();
  /** What the file should hold: rebuilt on every change, read by the saving worker. */
  private volatile JsonObject document = new JsonObject();
  private final Map<String, Long> timers = new HashMap<>();
  /** The last scheduled run started per stack, so a clock that stands still never repeats it. */
  private final Map<String, Instant> lastDue = new HashMap<>();
  private final Set<String> running = new HashSet<>();
  private SettingCron scanCron;
  private SettingCron backupCron;
  /** How long a run may take: the update with its pull and health wait, and the gate's two scans, each of which may wait for another. */
  private final long runTimeoutMs;

  public ScheduleVerticle(Config config, Settings settings, Clock clock) {
    this.config = config;
    this.settings = settings;
    this.clock = clock;
    this.runTimeoutMs = runTimeoutMs(config);
  }

  static long runTimeoutMs(Config config) {
    return RUN_TIMEOUT_MS + (4L * config.scan().timeoutSeconds() + 120) * 1000;
  }

  @Override
  public Future<?> start() throws Exception {
    file = new JsonFile(config.dataDir().resolve(FILE));

    Map<String, Function<JsonObject, Future<?>>> actions = new HashMap<>();
    actions.put(Bus.Schedules.GET, this::get);
    actions.put(Bus.Schedules.PUT, this::put);
    actions.put(Bus.Schedules.RUN, this::runNow);

    return vertx.executeBlocking(file::read, false)
        .onSuccess(this::load)
        .compose(doc -> vertx.eventBus().<JsonObject>localConsumer(Bus.schedules(config.nodeName()), m -> Services.serve(m, actions)).completion())
        .compose(v -> vertx.eventBus().<JsonObject>consumer(Bus.EVENTS, m -> onEvent(m.body())).completion())
        .onSuccess(v -> {
          schedules.keySet().forEach(this::arm);
          scanCron = new SettingCron(context, settings, clock, Settings.SCAN_CRON, settings::scanCron, this::scanAll);
          scanCron.start();
          backupCron = new SettingCron(context, settings, clock, Settings.BACKUP_CRON, settings::backupCron, this::backup);
          backupCron.start();
        });
  }

  @Override
  public Future<?> stop() {
    timers.values().forEach(vertx::cancelTimer);
    timers.clear();
    if (scanCron != null) scanCron.close();
    if (backupCron != null) backupCron.close();
    return Future.succeededFuture();
  }

  // ---- the file ----

  /** Entries that no longer parse (a zone gone from the time-zone database) are dropped with a warning. */
  private void load(JsonObject doc) {
    JsonObject stored = doc.getValue(SCHEDULES) instanceof JsonObject o ? o : new JsonObject();
    stored.forEach(e -> {
      try {
        StackFiles.checkName(e.getKey());
        JsonObject s = (JsonObject) e.getValue();
        String mode = s.getString(MODE);
        if (!MODES.contains(mode)) throw new IllegalArgumentException("Invalid mode: " + mode);
        String gate = s.getString(SCAN_GATE, "off");
        if (!SCAN_GATES.contains(gate)) throw new IllegalArgumentException("Invalid scan gate: " + gate);
        schedules.put(e.getKey(), new Schedule(mode, CronSchedule.parse(s.getString(CRON), s.getString(TIMEZONE)), gate));
      } catch (RuntimeException ex) {
        LOG.warn("{}: the schedule of {} is dropped: {}", FILE, e.getKey(), ex.getMessage());
      }
    });
    LOG.info("{} schedule(s) loaded", schedules.size());
  }

  private JsonObject document() {
    JsonObject all = new JsonObject();
    schedules.forEach((name, s) -> all.put(name, s.json()));
    return new JsonObject().put(SCHEDULES, all);
  }

  // ---- actions ----

  private Future<JsonObject> get(JsonObject req) {
    return Future.succeededFuture(view(name(req)));
  }

  /** The schedule in both forms plus {@code next_run}; a stack without one is off with the defaults. */
  private JsonObject view(String name) {
    Schedule s = schedules.get(name);
    String mode = s == null ? "off" : s.mode();
    String cron = s == null ? settings.defaultCron() : s.cron();
    ZonedDateTime next = s != null && s.enabled() ? s.when().next(clock.instant()) : null;
    return new JsonObject()
        .put(Bus.STACK, name)
        .put(MODE, mode)
        .put(CRON, cron)
        .put(TIMEZONE, s == null ? settings.timezone() : s.timezone())
        .put(ENABLED, !mode.equals("off"))
        .put(SCHEDULE, cron)
        .put(SCAN_GATE, s == null ? "off" : s.scanGate())
        .put(NEXT_RUN, next == null ? null : next.truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
  }

  private Future<JsonObject> put(JsonObject req) {
    String name = name(req);
    if (!(req.getValue(BODY) instanceof JsonObject body)) throw ApiException.badRequest("Request body must be a JSON object");
    Schedule after = merge(schedules.get(name), body);
    Schedule before = schedules.put(name, after);
    document = document();
    return file.save(vertx, () -> document)
        .recover(err -> {
          // Memory must not claim what the disk lost, unless a newer change has replaced it already.
          if (schedules.get(name) == after) {
            if (before == null) schedules.remove(name);
            else schedules.put(name, before);
            document = document();
          }
          LOG.error("Could not save {}: {}", file.path(), err.toString());
          return Future.failedFuture(new ApiException(500, "Schedule could not be saved: " + err.getMessage()));
        })
        .map(v -> {
          LOG.info("Schedule of {}: {} {} {}", name, after.mode(), after.cron(), after.timezone());
          lastDue.remove(name);
          arm(name);
          return view(name);
        });
  }

  /**
   * Both request forms; {@code mode} wins over {@code enabled} and {@code cron} over
   * {@code schedule}. What is not sent stays as it is (or takes the instance's defaults).
   */
  private Schedule merge(Schedule current, JsonObject body) {
    String currentMode = current == null ? "off" : current.mode();
    Object enabled = body.getValue(ENABLED);
    if (enabled != null && !(enabled instanceof Boolean)) throw ApiException.badRequest("enabled must be true or false");

    String mode;
    Object rawMode = body.getValue(MODE);
    if (rawMode != null) {
      if (!(rawMode instanceof String m) || !MODES.contains(m)) {
        throw ApiException.badRequest("Invalid mode: " + rawMode + " (off, check or auto)");
      }
      mode = m;
    } else if (enabled != null) {
      mode = !(Boolean) enabled ? "off" : currentMode.equals("off") ? "auto" : currentMode;
    } else {
      mode = currentMode;
    }

    Object rawCron = body.getValue(CRON) != null ? body.getValue(CRON) : body.getValue(SCHEDULE);
    // Turning a schedule off with an empty cron keeps the one it had.
    if (mode.equals("off") && rawCron instanceof String s && s.isBlank()) rawCron = null;
    String cron = rawCron == null ? (current == null ? settings.defaultCron() : current.cron())
        : rawCron instanceof String s ? s : String.valueOf(rawCron);
    if (rawCron != null && !(rawCron instanceof String)) throw ApiException.badRequest("Invalid cron: " + cron);

    Object rawZone = body.getValue(TIMEZONE);
    String zone = rawZone == null ? (current == null ? settings.timezone() : current.timezone())
        : rawZone instanceof String s ? s : String.valueOf(rawZone);
    if (rawZone != null && !(rawZone instanceof String)) throw ApiException.badRequest("Invalid timezone: " + zone);

    Object rawGate = body.getValue(SCAN_GATE);
    String gate = rawGate == null ? (current == null ? "off" : current.scanGate()) : String.valueOf(rawGate);
    if (rawGate != null && (!(rawGate instanceof String) || !SCAN_GATES.contains(gate))) {
      throw ApiException.badRequest("Invalid scan_gate: " + gate + " (off, no_new_critical or no_new_high)");
    }

    try {
      return new Schedule(mode, CronSchedule.parse(cron, zone), gate);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }

  /** Runs the job now, whatever the mode ({@code off} checks); answers with the update service's reply. */
  private Future<JsonObject> runNow(JsonObject req) {
    String name = name(req);
    if (running.contains(name)) throw ApiException.conflict("An update run is already in progress for " + name);
    Schedule s = schedules.get(name);
    String mode = s == null || !s.enabled() ? "check" : s.mode();
    // A refusal of the update service (ApiException) is passed on with its status and body.
    return run(name, mode, "manual").recover(t -> Future.failedFuture(t instanceof ApiException a ? a : apiError(t)));
  }

  private static ApiException apiError(Throwable t) {
    if (t instanceof ReplyException re) {
      return switch (re.failureType()) {
        case NO_HANDLERS -> ApiException.unavailable("Update service unavailable");
        case TIMEOUT -> new ApiException(504, "Update run timed out");
        default -> new ApiException(re.failureCode() >= 400 && re.failureCode() < 600 ? re.failureCode() : 500,
            String.valueOf(re.getMessage()));
      };
    }
    return new ApiException(500, String.valueOf(t.getMessage()));
  }

  /** One request to the update service; the stack counts as running until its reply. */
  private Future<JsonObject> run(String name, String mode, String trigger) {
    running.add(name);
    Schedule s = schedules.get(name);
    JsonObject payload = new JsonObject().put(Bus.STACK, name).put(MODE, mode).put(TRIGGER, trigger)
        .put(SCAN_GATE, s == null ? "off" : s.scanGate());
    return Services.request(vertx, Bus.updates(config.nodeName()), Bus.Updates.RUN, payload, runTimeoutMs)
        .andThen(ar -> running.remove(name));
  }

  private static String name(JsonObject req) {
    Object name = req.getValue(Bus.NAME);
    if (!(name instanceof String s)) throw ApiException.badRequest("Invalid stack name");
    StackFiles.checkName(s);
    return s;
  }

  // ---- node-wide jobs of the settings ----

  private void scanAll() {
    Services.request(vertx, Bus.scans(config.nodeName()), Bus.Scans.SCAN_ALL, new JsonObject().put(TRIGGER, "schedule"), 60_000)
        .onSuccess(r -> LOG.info("Scheduled scan: {} image(s) queued", r.getInteger("queued")))
        .onFailure(t -> LOG.warn("Scheduled scan not started{}: {}",
            t instanceof ApiException a ? " (" + a.status() + ")" : "", t.getMessage()));
  }

  /** A backup of every stack's configuration, kept with the others (BACKUP_KEEP applies). */
  private void backup() {
    Services.request(vertx, Bus.backups(config.nodeName()), Bus.Backups.CREATE, new JsonObject().put(TRIGGER, "schedule"), BACKUP_TIMEOUT_MS)
        .onSuccess(r -> LOG.info("Scheduled backup made: {}", r.getString("backup_file")))
        .onFailure(t -> LOG.warn("Scheduled backup not made{}: {}",
            t instanceof ApiException a ? " (" + a.status() + ")" : "", t.getMessage()));
  }

  // ---- stacks that go ----

  /** The feed says when one of this node's stacks was deleted through DockUp. */
  private void onEvent(JsonObject msg) {
    if (msg != null && "stack_status".equals(msg.getValue("type")) && config.nodeName().equals(msg.getValue(Bus.NODE))
        && Boolean.TRUE.equals(msg.getValue("removed")) && Boolean.TRUE.equals(msg.getValue("deleted"))
        && msg.getValue(Bus.STACK) instanceof String name) {
      drop(name, "the stack was deleted");
    }
  }

  private void drop(String name, String why) {
    Long timer = timers.remove(name);
    if (timer != null) vertx.cancelTimer(timer);
    lastDue.remove(name);
    if (schedules.remove(name) == null) return;
    LOG.info("Schedule of {} removed: {}", name, why);
    document = document();
    file.save(vertx, () -> document).onFailure(t -> LOG.error("Could not save {}: {}", file.path(), t.toString()));
  }

  /**
   * Whether the stack is still there to update: a stack unknown to this node loses its schedule;
   * one that only the engine knows (its folder gone) is skipped. When the stacks service cannot
   * say, the run goes ahead and the update service decides.
   */
  private Future<Boolean> stillThere(String name) {
    return Services.request(vertx, Bus.stacks(config.nodeName()), Bus.Stacks.GET, new JsonObject().put(Bus.NAME, name), 10_000)
        .map(stack -> {
          if (!stack.getBoolean("external", false)) return true;
          LOG.warn("Scheduled run of {} skipped: its folder is gone", name);
          return false;
        })
        .recover(t -> {
          if (t instanceof ApiException a && a.status() == 404) {
            drop(name, "the stack no longer exists");
            return Future.succeededFuture(false);
          }
          return Future.succeededFuture(true);
        });
  }

  // ---- timers ----

  /** (Re)arms the stack's timer from its schedule, or drops it when the schedule is off. */
  private void arm(String name) {
    Long old = timers.remove(name);
    if (old != null) vertx.cancelTimer(old);
    Schedule s = schedules.get(name);
    if (s == null || !s.enabled()) return;
    Instant now = clock.instant();
    Instant last = lastDue.get(name);
    ZonedDateTime due = s.when().next(last != null && last.isAfter(now) ? last : now);
    if (due == null) return;
    long delay = Duration.between(now, due.toInstant()).toMillis();
    if (delay > MAX_TIMER_MS) {
      timers.put(name, vertx.setTimer(MAX_TIMER_MS, id -> {
        if (Long.valueOf(id).equals(timers.get(name))) arm(name);
      }));
    } else {
      timers.put(name, vertx.setTimer(Math.max(1, delay), id -> {
        if (Long.valueOf(id).equals(timers.get(name))) fire(name, s, due);
      }));
    }
  }

  /** A due run: the next one is armed at once; this one is skipped while the last is still going. */
  private void fire(String name, Schedule s, ZonedDateTime due) {
    timers.remove(name);
    lastDue.put(name, due.toInstant());
    arm(name);
    if (running.contains(name)) {
      LOG.warn("Scheduled {} of {} at {} skipped: the previous run is still going", s.mode(), name, due);
      return;
    }
    running.add(name);
    stillThere(name).onComplete(there -> {
      running.remove(name);
      if (!there.result()) return;
      LOG.info("Scheduled {} of {} ({} {})", s.mode(), name, s.cron(), s.timezone());
      run(name, s.mode(), "schedule").onFailure(t -> LOG.warn("Scheduled {} of {} failed{}: {}", s.mode(), name,
          t instanceof ApiException a ? " (" + a.status() + ")" : "", t.getMessage()));
    });
  }
}
