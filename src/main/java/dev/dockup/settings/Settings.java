package dev.dockup.settings;

import dev.dockup.bus.ApiException;
import dev.dockup.store.JsonFile;
import dev.dockup.store.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The settings of {@code GET/POST /api/config}, persisted in {@code DATA_DIR/settings.json}.
 * One instance is shared by every event loop: the values are one immutable map swapped under a
 * lock, so readers never see half an update. Notification URLs carry credentials: they are
 * sealed with the {@link SecretBox} on disk and masked in every answer.
 */
public final class Settings {
  private static final Logger LOG = LoggerFactory.getLogger(Settings.class);

  public static final String FILE = "settings.json";

  public static final String INSTANCE_NAME = "instance_name";
  public static final String TIMEZONE = "timezone";
  public static final String NOTIFICATION_ENABLED = "notification_enabled";
  public static final String NOTIFICATION_URLS = "notification_urls";
  public static final String NOTIFY_ON = "notify_on";
  public static final String DEFAULT_CRON = "default_cron";
  public static final String STATS_INTERVAL = "stats_interval";
  public static final String APPDATA_INTERVAL = "appdata_interval";
  public static final String HUB_REGISTRY_URL = "hub_registry_url";
  public static final String HUB_AUTH_URL = "hub_auth_url";
  public static final String DISCORD_API_URL = "discord_api_url";
  public static final String SLACK_API_URL = "slack_api_url";
  public static final String TEMPLATE_URLS = "template_urls";
  public static final String BACKUP_CRON = "backup_cron";
  public static final String SCAN_CRON = "scan_cron";

  /** How notification URLs are stored: never in plain text. */
  static final String NOTIFICATION_URLS_SEALED = "notification_urls_sealed";

  public static final List<String> NOTIFY_EVENTS =
      List.of("update_available", "update_applied", "update_failed", "update_blocked", "stack_unhealthy", "operation_failed");

  static final String MASK_SUFFIX = "/***";

  /** The formats a remote template catalog may be in. */
  public static final List<String> TEMPLATE_FORMATS = List.of("portainer", "linuxserver", "casaos");

  /** A remote template catalog: where it is and what it is. */
  public record TemplateUrl(String url, String format) {
    JsonObject toJson() {
      return new JsonObject().put("url", url).put("format", format);
    }
  }

  /** A key: its default and the check that turns a JSON value into the stored value. */
  private record Key(String name, Object defaultValue, Check check) {}

  @FunctionalInterface
  private interface Check {
    Object apply(Object raw) throws SettingChecks.Invalid;
  }

  private static final Map<String, Key> KEYS = keys();

  private static Map<String, Key> keys() {
    Map<String, Key> k = new LinkedHashMap<>();
    add(k, INSTANCE_NAME, "DockUp", SettingChecks::instanceName);
    add(k, TIMEZONE, "UTC", SettingChecks::zone);
    add(k, NOTIFICATION_ENABLED, false, SettingChecks::bool);
    add(k, NOTIFICATION_URLS, List.of(), SettingChecks::notificationUrls);
    add(k, NOTIFY_ON, NOTIFY_EVENTS, SettingChecks::notifyOn);
    add(k, DEFAULT_CRON, "0 3 * * *", raw -> SettingChecks.cron(raw, false));
    add(k, STATS_INTERVAL, 5, raw -> SettingChecks.whole(raw, 1, 300));
    add(k, APPDATA_INTERVAL, 3600, raw -> SettingChecks.whole(raw, 60, 604_800));
    add(k, HUB_REGISTRY_URL, "https://registry-1.docker.io", SettingChecks::httpUrl);
    add(k, HUB_AUTH_URL, "https://auth.docker.io", SettingChecks::httpUrl);
    add(k, DISCORD_API_URL, "https://discord.com/api", SettingChecks::httpUrl);
    add(k, SLACK_API_URL, "https://hooks.slack.com", SettingChecks::httpUrl);
    add(k, TEMPLATE_URLS, List.of(), SettingChecks::templateUrls);
    add(k, BACKUP_CRON, null, raw -> SettingChecks.cron(raw, true));
    add(k, SCAN_CRON, null, raw -> SettingChecks.cron(raw, true));
    return Collections.unmodifiableMap(k);
  }

  private static void add(Map<String, Key> keys, String name, Object defaultValue, Check check) {
    keys.put(name, new Key(name, defaultValue, check));
  }

  private final Vertx vertx;
  private final JsonFile file;
  private final SecretBox box;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  /** Every key's current value (notification URLs in plain text); replaced whole, never mutated. */
  private volatile Map<String, Object> values;

  private Settings(Vertx vertx, JsonFile file, SecretBox box, Map<String, Object> values) {
    this.vertx = vertx;
    this.file = file;
    this.box = box;
    this.values = values;
  }

  /**
   * Blocking, at start. Unknown keys in the file are ignored (a newer DockUp may have written
   * them); a stored value that no longer passes its check falls back to the default.
   */
  public static Settings load(Vertx vertx, Path dataDir, SecretBox box) throws IOException {
    JsonFile file = new JsonFile(dataDir.resolve(FILE));
    JsonObject doc = file.read();
    Map<String, Object> values = new LinkedHashMap<>();
    for (Key key : KEYS.values()) {
      values.put(key.name(), key.name().equals(NOTIFICATION_URLS) ? storedUrls(doc, box) : stored(doc, key));
    }
    Settings settings = new Settings(vertx, file, box, Collections.unmodifiableMap(values));
    // A hand-written plain list is adopted once and sealed at once, so the file stops holding it.
    if (doc.containsKey(NOTIFICATION_URLS)) settings.file.write(settings.document());
    return settings;
  }

  private static Object stored(JsonObject doc, Key key) {
    if (!doc.containsKey(key.name())) return key.defaultValue();
    try {
      return key.check().apply(doc.getValue(key.name()));
    } catch (SettingChecks.Invalid e) {
      LOG.warn("{}: {} is invalid ({}); using the default", FILE, key.name(), e.getMessage());
      return key.defaultValue();
    }
  }

  private static List<String> storedUrls(JsonObject doc, SecretBox box) {
    List<String> plain = new ArrayList<>();
    if (doc.getValue(NOTIFICATION_URLS_SEALED) instanceof JsonArray sealed) {
      int lost = 0;
      for (Object item : sealed) {
        try {
          plain.add(box.decrypt(item instanceof String s ? s : null));
        } catch (IllegalArgumentException e) {
          lost++;
        }
      }
      if (lost > 0) {
        LOG.warn("{}: {} notification URL(s) cannot be decrypted with {} (was it replaced?); they are dropped",
            FILE, lost, SecretBox.FILE);
      }
    } else if (doc.containsKey(NOTIFICATION_URLS)) {
      plain.addAll(stringsOrEmpty(doc.getValue(NOTIFICATION_URLS)));
    }
    try {
      return SettingChecks.notificationUrls(new JsonArray(new ArrayList<>(plain)));
    } catch (SettingChecks.Invalid e) {
      LOG.warn("{}: {} are invalid ({}); using none", FILE, NOTIFICATION_URLS, e.getMessage());
      return List.of();
    }
  }

  private static List<String> stringsOrEmpty(Object raw) {
    List<String> out = new ArrayList<>();
    if (raw instanceof JsonArray a) a.forEach(v -> { if (v instanceof String s) out.add(s); });
    return out;
  }

  /** What is written to disk: the values, with the notification URLs sealed. */
  private JsonObject document() {
    JsonObject doc = new JsonObject();
    values.forEach((name, value) -> {
      if (name.equals(NOTIFICATION_URLS)) {
        JsonArray sealed = new JsonArray();
        urls(value).forEach(url -> sealed.add(box.encrypt(url)));
        doc.put(NOTIFICATION_URLS_SEALED, sealed);
      } else {
        doc.put(name, json(value));
      }
    });
    return doc;
  }

  /** Every key with its current value, notification URLs masked; a fresh copy. */
  public JsonObject view() {
    JsonObject out = new JsonObject();
    values.forEach((name, value) -> {
      if (name.equals(NOTIFICATION_URLS)) {
        JsonArray masked = new JsonArray();
        urls(value).forEach(url -> masked.add(mask(url)));
        out.put(name, masked);
      } else {
        out.put(name, json(value));
      }
    });
    return out;
  }

  private static Object json(Object value) {
    if (!(value instanceof List<?> list)) return value;
    JsonArray out = new JsonArray();
    list.forEach(item -> out.add(item instanceof TemplateUrl t ? t.toJson() : item));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<String> urls(Object value) {
    return (List<String>) value;
  }

  /**
   * Checks every key, then applies all or none. Completes with {@link #view()} once the file is
   * written; a refused request fails with a 400 naming each bad key.
   */
  public Future<JsonObject> update(JsonObject changes) {
    if (changes == null || changes.isEmpty()) return Future.succeededFuture(view());
    Map<String, Object> before;
    Map<String, Object> after;
    synchronized (lock) {
      before = values;
      Map<String, Object> accepted = new LinkedHashMap<>();
      Map<String, String> invalid = new LinkedHashMap<>();
      for (String name : changes.fieldNames()) {
        Key key = KEYS.get(name);
        if (key == null) {
          invalid.put(name, "unknown key");
          continue;
        }
        try {
          Object raw = changes.getValue(name);
          accepted.put(name, name.equals(NOTIFICATION_URLS) ? SettingChecks.notificationUrls(unmask(raw, urls(before.get(name)))) : key.check().apply(raw));
        } catch (SettingChecks.Invalid e) {
          invalid.put(name, e.getMessage());
        }
      }
      if (!invalid.isEmpty()) return Future.failedFuture(refusal(invalid));
      Map<String, Object> next = new LinkedHashMap<>(before);
      next.putAll(accepted);
      after = Collections.unmodifiableMap(next);
      values = after;
    }
    LOG.info("Settings changed: {}", String.join(", ", changes.fieldNames()));
    return file.save(vertx, this::document)
        .recover(err -> {
          // Memory must not claim what the disk lost, unless a newer update has replaced it already.
          synchronized (lock) {
            if (values == after) values = before;
          }
          LOG.error("Could not save {}: {}", file.path(), err.toString());
          return Future.failedFuture(new ApiException(500, "Settings could not be saved: " + err.getMessage()));
        })
        .map(v -> {
          notifyListeners();
          return view();
        });
  }

  private static ApiException refusal(Map<String, String> invalid) {
    StringJoiner names = new StringJoiner(", ", "Invalid settings: ", "");
    JsonObject reasons = new JsonObject();
    invalid.forEach((name, reason) -> {
      String shown = name.length() > 100 ? name.substring(0, 100) + "…" : name;
      names.add(shown + " (" + reason + ")");
      reasons.put(shown, reason);
    });
    return new ApiException(400, names.toString(), new JsonObject().put("invalid", reasons));
  }

  private void notifyListeners() {
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        LOG.error("A settings listener failed", e);
      }
    }
  }

  /** Called on the updating thread after each saved update. */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  // --- masking ---

  /**
   * {@code <scheme>://<host>/***}: the host is what follows {@code ://} up to the first
   * {@code /}, {@code ?} or {@code #}, without any {@code user:pass@} or {@code token@} part.
   */
  public static String mask(String url) {
    int sep = url.indexOf("://");
    if (sep < 0) return "***";
    String rest = url.substring(sep + 3);
    int end = rest.length();
    for (char c : new char[] {'/', '?', '#'}) {
      int i = rest.indexOf(c);
      if (i >= 0 && i < end) end = i;
    }
    String host = rest.substring(0, end);
    host = host.substring(host.lastIndexOf('@') + 1);
    return url.substring(0, sep) + "://" + host + MASK_SUFFIX;
  }

  /**
   * Replaces each posted mask by the stored URL it stands for, so a client can post back what it
   * read. Two stored URLs with the same mask are matched in order.
   */
  private static Object unmask(Object raw, List<String> stored) {
    if (!(raw instanceof JsonArray posted)) return raw;
    Map<String, Deque<String>> byMask = new HashMap<>();
    stored.forEach(url -> byMask.computeIfAbsent(mask(url), m -> new ArrayDeque<>()).add(url));
    JsonArray out = new JsonArray();
    for (Object item : posted) {
      Deque<String> matches = item instanceof String s ? byMask.get(s) : null;
      out.add(matches != null && !matches.isEmpty() ? matches.poll() : item);
    }
    return out;
  }

  // --- getters for the features that use the settings ---

  public String instanceName() { return (String) values.get(INSTANCE_NAME); }
  public String timezone() { return (String) values.get(TIMEZONE); }
  public boolean notificationEnabled() { return (Boolean) values.get(NOTIFICATION_ENABLED); }
  /** Decrypted: for the notifier only, never for an answer or a log line. */
  public List<String> notificationUrls() { return urls(values.get(NOTIFICATION_URLS)); }
  public List<String> notifyOn() { return urls(values.get(NOTIFY_ON)); }
  public String defaultCron() { return (String) values.get(DEFAULT_CRON); }
  public int statsInterval() { return (Integer) values.get(STATS_INTERVAL); }
  public int appdataInterval() { return (Integer) values.get(APPDATA_INTERVAL); }
  public String hubRegistryUrl() { return (String) values.get(HUB_REGISTRY_URL); }
  public String hubAuthUrl() { return (String) values.get(HUB_AUTH_URL); }
  public String discordApiUrl() { return (String) values.get(DISCORD_API_URL); }
  public String slackApiUrl() { return (String) values.get(SLACK_API_URL); }
  @SuppressWarnings("unchecked")
  public List<TemplateUrl> templateUrls() { return (List<TemplateUrl>) values.get(TEMPLATE_URLS); }
  /** Null when backups are off. */
  public String backupCron() { return (String) values.get(BACKUP_CRON); }
  /** Null when scheduled scans are off (the default). */
  public String scanCron() { return (String) values.get(SCAN_CRON); }
}
