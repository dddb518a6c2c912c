package dev.dockup.template;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The fixed list of categories every template is filed under, whatever its source called them:
 * Portainer lists say "webserver" or "Tools", LinuxServer.io "Media Servers,Music", CasaOS
 * "Utilities". Each name given is split into words and looked up; what matches nothing is "Other".
 */
public final class Categories {
  private Categories() {}

  /** In the order lists show them. */
  enum Category {
    NETWORKING("Networking"), WEB("Web"), DATABASES("Databases"), MEDIA("Media"), DOWNLOADS("Downloads"),
    MONITORING("Monitoring"), HOME_AUTOMATION("Home Automation"), DASHBOARDS("Dashboards"), SECURITY("Security"),
    DEVELOPMENT("Development"), BACKUP("Backup"), STORAGE("Storage"), PRODUCTIVITY("Productivity"),
    COMMUNICATION("Communication"), OTHER("Other");

    final String title;

    Category(String title) {
      this.title = title;
    }
  }

  public static final List<String> NAMES = java.util.Arrays.stream(Category.values()).map(c -> c.title).toList();

  private static final Pattern SPLIT = Pattern.compile("[,;/|&]|\\band\\b");
  private static final Pattern WORDS = Pattern.compile("[^a-z0-9]+");

  /** Whole names first (they may be several words), then single words. */
  private static final Map<String, Category> PHRASES = Map.ofEntries(
      Map.entry("reverse proxy", Category.NETWORKING), Map.entry("ad blocker", Category.NETWORKING),
      Map.entry("home automation", Category.HOME_AUTOMATION), Map.entry("smart home", Category.HOME_AUTOMATION),
      Map.entry("media server", Category.MEDIA), Map.entry("media servers", Category.MEDIA),
      Map.entry("media management", Category.DOWNLOADS), Map.entry("start page", Category.DASHBOARDS),
      Map.entry("password manager", Category.SECURITY), Map.entry("file sharing", Category.STORAGE),
      Map.entry("file sync", Category.STORAGE), Map.entry("developer tools", Category.DEVELOPMENT),
      Map.entry("project management", Category.PRODUCTIVITY), Map.entry("web server", Category.WEB),
      Map.entry("content management", Category.WEB));

  private static final Map<String, Category> WORD = words();

  private static Map<String, Category> words() {
    Map<Category, String> lists = Map.ofEntries(
        Map.entry(Category.NETWORKING, "network networking proxy proxies dns vpn wireguard adblock adblocker firewall "
            + "router routing tunnel gateway ingress loadbalancer traefik"),
        Map.entry(Category.WEB, "web webserver webservers cms blog blogs website websites wiki forum ecommerce php static"),
        Map.entry(Category.DATABASES, "database databases db sql nosql cache datastore"),
        Map.entry(Category.MEDIA, "media music audio audiobooks video videos photo photos pictures gallery books ebooks "
            + "comics movies tv streaming entertainment podcast podcasts radio transcoding"),
        Map.entry(Category.DOWNLOADS, "download downloads downloader downloaders torrent torrents usenet indexer indexers"),
        Map.entry(Category.MONITORING, "monitoring monitor metrics logging logs analytics observability status uptime "
            + "alerting telemetry"),
        Map.entry(Category.HOME_AUTOMATION, "iot mqtt zigbee homeautomation domotics"),
        Map.entry(Category.DASHBOARDS, "dashboard dashboards homepage startpage portal"),
        Map.entry(Category.SECURITY, "security password passwords auth authentication identity sso secrets vault "
            + "2fa certificates"),
        Map.entry(Category.DEVELOPMENT, "development developer dev git ci cd code programming ide devops"),
        Map.entry(Category.BACKUP, "backup backups snapshot snapshots archive archiving"),
        Map.entry(Category.STORAGE, "storage files file cloud sync nas s3 drive filesharing"),
        Map.entry(Category.PRODUCTIVITY, "productivity notes documents document office finance bookmarks rss recipes "
            + "calendar tasks todo organization organisation knowledge education"),
        Map.entry(Category.COMMUNICATION, "communication chat email mail messaging social voip notifications "
            + "notification"));
    Map<String, Category> out = new java.util.HashMap<>();
    lists.forEach((category, text) -> {
      for (String w : text.split(" ")) out.put(w, category);
    });
    return Map.copyOf(out);
  }

  /** The fixed names for what a source says, in the list's order; "Other" when nothing matches. */
  public static List<String> normalize(Collection<String> given) {
    Set<Category> found = EnumSet.noneOf(Category.class);
    for (String raw : given) {
      if (raw == null) continue;
      for (String part : SPLIT.split(raw.toLowerCase(Locale.ROOT))) {
        String phrase = WORDS.matcher(part).replaceAll(" ").strip();
        if (phrase.isEmpty()) continue;
        Category whole = PHRASES.get(phrase);
        Category exact = whole != null ? whole : byTitle(phrase);
        if (exact != null) {
          found.add(exact);
          continue;
        }
        for (String w : phrase.split(" ")) {
          Category c = WORD.get(w);
          if (c != null) found.add(c);
        }
      }
    }
    if (found.size() > 1) found.remove(Category.OTHER);
    if (found.isEmpty()) found.add(Category.OTHER);
    return found.stream().map(c -> c.title).collect(Collectors.toList());
  }

  private static Category byTitle(String phrase) {
    for (Category c : Category.values()) {
      if (c.title.toLowerCase(Locale.ROOT).equals(phrase)) return c;
    }
    return null;
  }

  /** The fixed name that {@code query} means, case aside; null when it is none of them. */
  public static String named(String query) {
    Category c = query == null ? null : byTitle(query.strip().toLowerCase(Locale.ROOT));
    return c == null ? null : c.title;
  }
}
