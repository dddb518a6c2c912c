package dev.dockup.settings;

import dev.dockup.schedule.CronSchedule;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** The checks of the settings' values: each returns the value to store or throws Invalid with the reason. */
final class SettingChecks {
  static final int MAX_URLS = 20;
  static final int MAX_URL_LENGTH = 2048;
  private static final Pattern SCHEME_URL = Pattern.compile("^[a-z][a-z0-9+.-]*://\\S+$");

  private SettingChecks() {}

  /** Why a value is refused; the reason is shown to the client, so it never holds a credential. */
  static final class Invalid extends Exception {
    Invalid(String reason) {
      super(reason, null, false, false);
    }
  }

  static String instanceName(Object raw) throws Invalid {
    if (!(raw instanceof String s) || s.isBlank() || s.length() > 100) {
      throw new Invalid("must be a non-blank string of 1 to 100 characters");
    }
    return s;
  }

  static String zone(Object raw) throws Invalid {
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

  static Boolean bool(Object raw) throws Invalid {
    if (!(raw instanceof Boolean b)) throw new Invalid("must be true or false");
    return b;
  }

  static Integer whole(Object raw, int min, int max) throws Invalid {
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

  static String cron(Object raw, boolean optional) throws Invalid {
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

  static List<String> notifyOn(Object raw) throws Invalid {
    String rule = "must be a list of " + String.join(", ", Settings.NOTIFY_EVENTS);
    if (!(raw instanceof JsonArray a)) throw new Invalid(rule);
    LinkedHashSet<String> events = new LinkedHashSet<>();
    for (Object item : a) {
      if (!(item instanceof String s) || !Settings.NOTIFY_EVENTS.contains(s)) throw new Invalid(rule);
      events.add(s);
    }
    return List.copyOf(events);
  }

  /** Reasons name items by position only: the URL itself is a credential. */
  static List<String> notificationUrls(Object raw) throws Invalid {
    if (!(raw instanceof JsonArray a)) throw new Invalid("must be a list of URLs");
    if (a.size() > MAX_URLS) throw new Invalid("at most " + MAX_URLS + " URLs");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      String item = a.getValue(i) instanceof String s ? s : null;
      String at = "item " + (i + 1);
      if (item == null || !SCHEME_URL.matcher(item).matches()) throw new Invalid(at + " is not a URL with a scheme (scheme://...)");
      if (item.length() > MAX_URL_LENGTH) throw new Invalid(at + " is longer than " + MAX_URL_LENGTH + " characters");
      // A mask that matched no stored URL would otherwise replace the credential with "***".
      if (item.endsWith(Settings.MASK_SUFFIX)) throw new Invalid(at + " is a masked value that matches no stored URL; send the full URL");
      out.add(item);
    }
    return List.copyOf(out);
  }

  static String httpUrl(Object raw) throws Invalid {
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
  static List<Settings.TemplateUrl> templateUrls(Object raw) throws Invalid {
    String rule = "must be a list of {url, format} (format: " + String.join(", ", Settings.TEMPLATE_FORMATS) + ")";
    if (!(raw instanceof JsonArray a)) throw new Invalid(rule);
    if (a.size() > MAX_URLS) throw new Invalid("at most " + MAX_URLS + " URLs");
    LinkedHashSet<Settings.TemplateUrl> out = new LinkedHashSet<>();
    for (int i = 0; i < a.size(); i++) {
      String at = "item " + (i + 1);
      Object item = a.getValue(i);
      if (item instanceof String s) {
        String url = httpUrl(s, at + " must be an http:// or https:// URL");
        out.add(new Settings.TemplateUrl(url, guessFormat(url)));
      } else if (item instanceof JsonObject o && o.size() == 2 && o.getValue("format") instanceof String f) {
        if (!Settings.TEMPLATE_FORMATS.contains(f)) throw new Invalid(at + " has an unknown format; " + rule);
        out.add(new Settings.TemplateUrl(httpUrl(o.getValue("url"), at + " must have an http:// or https:// url"), f));
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
}
