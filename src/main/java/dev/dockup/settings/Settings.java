package dev.dockup.settings;

import dev.dockup.schedule.CronSchedule;
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
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

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

  static final int MAX_URLS = 20;
  static final int MAX_URL_LENGTH = 2048;
  private static final String MASK_SUFFIX = "/***";
  private static final Pattern SCHEME_URL = Pattern.compile("^[a-z][a-z0-9+.-]*://\\S+$");

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
    Object apply(Object raw) throws Invalid;
  }

  /** Why a value is refused; the reason is shown to the client, so it never holds a credential. */
  private static final class Invalid extends Exception {
    Invalid(String reason) {
      super(reason, null, false, false);
    }
  }

  private static final Map<String, Key> KEYS = keys();

  private static Map<String, Key> keys() {
    Map<String, Key> k = new LinkedHashMap<>();
    add(k, INSTANCE_NAME, "DockUp", Settings::instanceNameValue);
    add(k, TIMEZONE, "UTC", Settings::zoneValue);
    add(k, NOTIFICATION_ENABLED, false, Settings::booleanValue);
    add(k, NOTIFICATION_URLS, List.of(), Settings::notificationUrlsValue);
    add(k, NOTIFY_ON, NOTIFY_EVENTS, Settings::notifyOnValue);
    add(k, DEFAULT_CRON, "0 3 * * *", raw -> cronValue(raw, false));
    add(k, STATS_INTERVAL, 5, raw -> wholeValue(raw, 1, 300));
    add(k, APPDATA_INTERVAL, 3600, raw -> wholeValue(raw, 60, 604_800));
    add(k, HUB_REGISTRY_URL, "https://registry-1.docker.io", Settings::httpUrlValue);
    add(k, HUB_AUTH_URL, "https://auth.docker.io", Settings::httpUrlValue);
    add(k, DISCORD_API_URL, "https://discord.com/api", Settings::httpUrlValue);
    add(k, SLACK_API_URL, "https://hooks.slack.com", Settings::httpUrlValue);
    add(k, TEMPLATE_URLS, List.of(), Settings::templateUrlsValue);
    add(k, BACKUP_CRON, null, raw -> cronValue(raw, true));
    add(k, SCAN_CRON, null, raw -> cronValue(raw, true));
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
    } catch (Invalid e) {
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
      return notificationUrlsValue(new JsonArray(new ArrayList<>(plain)));
    } catch (Invalid e) {
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
          accepted.put(name, name.equals(NOTIFICATION_URLS) ? notificationUrlsValue(unmask(raw, urls(before.get(name)))) : key.check().apply(raw));
        } catch (Invalid e) {
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

  // --- checks: each returns the value to store or throws Invalid with the reason ---

  private static String instanceNameValue(Object raw) throws Invalid {
    if (!(raw instanceof String s) || s.isBlank() || s.length() > 100) {
      throw new Invalid("must be a non-blank string of 1 to 100 characters");
    }
    return s;
  }

  private static String zoneValue(Object raw) throws Invalid {
    if (!(raw instanceof String s)) throw new Invalid("must be an IANA zone name such as Europe/Paris");
    String shown = s.length() > 64 ? s.substring(0, 64) + "…" : s;
    ZoneId zone;
    try {
      zone = ZoneId.of(s);
    } catch (DateTimeException e) {
      throw new Invalid("unknown zone '" + shown + "'");
    }
    // An offset has no daylight-saving rules: schedules would drift by an hour twice a year.
    if (zone instanceof ZoneOffset) throw new Invalid("'" + shown + "' is an offset, not a zone; use a name such as Europe/Paris");
    return zone.getId();
  }

  private static Boolean booleanValue(Object raw) throws Invalid {
    if (!(raw instanceof Boolean b)) throw new Invalid("must be true or false");
    return b;
  }

  private static Integer wholeValue(Object raw, int min, int max) throws Invalid {
    String rule = "must be a whole number from " + min + " to " + max;
    if (!(raw instanceof Number n)) throw new Invalid(rule);
    BigDecimal value;
    try {
      value = n instanceof BigDecimal d ? d
          : n instanceof BigInteger i ? new BigDecimal(i)
          : n instanceof Double || n instanceof Float ? BigDecimal.valueOf(n.doubleValue())
          : BigDecimal.valueOf(n.longValue());
    } catch (NumberFormatException e) {
      throw new Invalid(rule); // NaN, infinity
    }
    if (value.stripTrailingZeros().scale() > 0) throw new Invalid(rule);
    if (value.compareTo(BigDecimal.valueOf(min)) < 0 || value.compareTo(BigDecimal.valueOf(max)) > 0) throw new Invalid(rule);
    return value.intValueExact();
  }

  private static String cronValue(Object raw, boolean optional) throws Invalid {
    if (optional && (raw == null || (raw instanceof String s && s.isBlank()))) return null;
    String rule = optional ? "must be a 5-field cron expression, or null or \"\" for off" : "must be a 5-field cron expression";
    if (!(raw instanceof String s)) throw new Invalid(rule);
    String cron = s.trim();
    try {
      // The schedules' own rules: a default they would refuse (one that never runs) is no default.
      CronSchedule.parse(cron, "UTC");
    } catch (IllegalArgumentException e) {
      throw new Invalid(rule + ": " + e.getMessage());
    }
    return cron;
  }

  private static List<String> notifyOnValue(Object raw) throws Invalid {
    String rule = "must be a list of " + String.join(", ", NOTIFY_EVENTS);
    if (!(raw instanceof JsonArray a)) throw new Invalid(rule);
    LinkedHashSet<String> events = new LinkedHashSet<>();
    for (Object item : a) {
      if (!(item instanceof String s) || !NOTIFY_EVENTS.contains(s)) throw new Invalid(rule);
      events.add(s);
    }
    return List.copyOf(events);
  }

  /** Reasons name items by position only: the URL itself is a credential. */
  private static List<String> notificationUrlsValue(Object raw) throws Invalid {
    if (!(raw instanceof JsonArray a)) throw new Invalid("must be a list of URLs");
    if (a.size() > MAX_URLS) throw new Invalid("at most " + MAX_URLS + " URLs");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      String item = a.getValue(i) instanceof String s ? s : null;
      String at = "item " + (i + 1);
      if (item == null || !SCHEME_URL.matcher(item).matches()) throw new Invalid(at + " is not a URL with a scheme (scheme://...)");
      if (item.length() > MAX_URL_LENGTH) throw new Invalid(at + " is longer than " + MAX_URL_LENGTH + " characters");
      // A mask that matched no stored URL would otherwise replace the credential with "***".
      if (item.endsWith(MASK_SUFFIX)) throw new Invalid(at + " is a masked value that matches no stored URL; send the full URL");
      out.add(item);
    }
    return List.copyOf(out);
  }

  private static String httpUrlValue(Object raw) throws Invalid {
    return httpUrl(raw, "must be an http:// or https:// URL");
  }

  private static String httpUrl(Object raw, String rule) throws Invalid {
    if (!(raw instanceof String s) || s.length() > MAX_URL_LENGTH) throw new Invalid(rule);
    URI uri;
    try {
      uri = new URI(s);
    } catch (URISyntaxException e) {
      throw new Invalid(rule);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) throw new Invalid(rule);
    // These URLs are shown in full: credentials have no place in them.
    if (uri.getRawUserInfo() != null) throw new Invalid(rule + " without user:password@");
    return s;
  }

  /**
   * A list of {@code {url, format}}. A bare URL is taken too, its format guessed from its shape
   * (the LinuxServer.io API, a CasaOS store archive or compose file, else a Portainer list); the
   * same catalog twice is kept once.
   */
  private static List<TemplateUrl> templateUrlsValue(Object raw) throws Invalid {
    String rule = "must be a list of {url, format} (format: " + String.join(", ", TEMPLATE_FORMATS) + ")";
    if (!(raw instanceof JsonArray a)) throw new Invalid(rule);
    if (a.size() > MAX_URLS) throw new Invalid("at most " + MAX_URLS + " URLs");
    LinkedHashSet<TemplateUrl> out = new LinkedHashSet<>();
    for (int i = 0; i < a.size(); i++) {
      String at = "item " + (i + 1);
      Object item = a.getValue(i);
      if (item instanceof String s) {
        String url = httpUrl(s, at + " must be an http:// or https:// URL");
        out.add(new TemplateUrl(url, guessFormat(url)));
      } else if (item instanceof JsonObject o && o.size() == 2 && o.getValue("format") instanceof String f) {
        if (!TEMPLATE_FORMATS.contains(f)) throw new Invalid(at + " has an unknown format; " + rule);
        out.add(new TemplateUrl(httpUrl(o.getValue("url"), at + " must have an http:// or https:// url"), f));
      } else {
        throw new Invalid(at + " must be {url, format} or a URL");
      }
    }
    return List.copyOf(out);
  }

  private static String guessFormat(String url) {
    String path = URI.create(url).getPath().toLowerCase(Locale.ROOT);
    if (url.contains("api.linuxserver.io") || path.endsWith("/api/v1/images")) return "linuxserver";
    if (path.endsWith(".zip") || path.endsWith(".yml") || path.endsWith(".yaml")) return "casaos";
    return "portainer";
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
