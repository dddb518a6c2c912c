package dev.dockup.template;

import dev.dockup.stack.ComposeFile;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * CasaOS app-store compose files: the app's title, tagline, description, category, icon, main
 * service and web port in its {@code x-casaos} block. A catalog is a store archive (a zip with
 * {@code Apps/<App>/docker-compose.yml}, as CasaOS itself downloads it) or one compose file.
 *
 * <p>The file is made to work outside CasaOS: data under {@code /DATA/AppData/$AppID} goes to the
 * stack's own folder, long-syntax binds become short ones (which create a missing folder where
 * the long form fails), {@code container_name} and {@code name} go (the stack's name rules), and
 * the store's placeholders {@code $AppID}, {@code $TZ}, {@code $PUID}, {@code $PGID} become
 * variables of the stack's {@code .env}, filled at deploy.
 */
final class CasaOsFormat {
  private CasaOsFormat() {}

  static final int MAX_APPS = 5_000;
  /**
   * Everything an archive unpacks to, the entries skipped included (skipping a deflated entry
   * inflates it): a small archive can unpack to gigabytes.
   */
  static final long MAX_UNPACKED = 256L * 1024 * 1024;
  /** The compose files kept from one archive, all together: they stay in memory as the catalog. */
  static final long MAX_COMPOSE_TOTAL = 32L * 1024 * 1024;
  private static final Set<String> COMPOSE_NAMES = Set.of("docker-compose.yml", "docker-compose.yaml", "compose.yaml", "compose.yml");
  private static final List<String> APPDATA = List.of("/DATA/AppData/$AppID", "/DATA/AppData/${AppID}");

  static List<Template> parse(byte[] body, String sourceUrl) throws Unreadable {
    if (body.length >= 4 && body[0] == 'P' && body[1] == 'K' && body[2] == 3 && body[3] == 4) return archive(body, sourceUrl);
    String text = new String(body, StandardCharsets.UTF_8);
    Template t = app(text, null, sourceUrl);
    if (t.unsupported() != null && t.unsupported().startsWith("compose file refused")) throw new Unreadable(t.unsupported());
    return List.of(t);
  }

  private static List<Template> archive(byte[] body, String sourceUrl) throws Unreadable {
    List<Template> out = new ArrayList<>();
    long unpacked = 0;
    long kept = 0;
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(body))) {
      byte[] buf = new byte[8192];
      for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
        String[] path = e.getName().split("/");
        boolean compose = !e.isDirectory() && path.length >= 2 && COMPOSE_NAMES.contains(path[path.length - 1]);
        if (compose && out.size() >= MAX_APPS) throw new Unreadable("more than " + MAX_APPS + " apps");
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        for (int n; (n = zip.read(buf)) > 0; ) {
          unpacked += n;
          if (unpacked > MAX_UNPACKED) throw new Unreadable("archive unpacks to more than " + MAX_UNPACKED / (1024 * 1024) + " MiB");
          if (compose && file.size() <= ComposeFile.MAX_BYTES) file.write(buf, 0, n);
        }
        if (!compose) continue;
        String folder = path[path.length - 2];
        if (file.size() > ComposeFile.MAX_BYTES) {
          out.add(placeholder(folder, sourceUrl).unsupported("compose file larger than 1 MiB"));
          continue;
        }
        kept += file.size();
        if (kept > MAX_COMPOSE_TOTAL) throw new Unreadable("compose files of more than " + MAX_COMPOSE_TOTAL / (1024 * 1024) + " MiB in all");
        out.add(app(file.toString(StandardCharsets.UTF_8), folder, sourceUrl));
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new Unreadable("not a readable zip archive");
    }
    if (out.isEmpty()) throw new Unreadable("no docker-compose.yml in the archive");
    return out;
  }

  private static Template placeholder(String sourceId, String sourceUrl) {
    return new Template(null, sourceId, Template.CASAOS, sourceId, sourceUrl, sourceId, null, List.of("Other"), null, null,
        List.of(), List.of(), null, null, List.of(), null);
  }

  /** One app; {@code folder} is its folder in a store archive, null for a single file. */
  static Template app(String text, String folder, String sourceUrl) {
    Map<String, Object> tree;
    try {
      tree = ComposeYaml.load(text);
    } catch (ComposeFile.Invalid e) {
      return placeholder(folder == null ? "app" : folder, sourceUrl).unsupported("compose file refused: " + e.getMessage());
    }
    Map<?, ?> x = tree.get("x-casaos") instanceof Map<?, ?> m ? m : Map.of();
    String main = scalar(x.get("main"));
    String sourceId = folder != null ? folder : firstOf(scalar(x.get("store_app_id")), main, "app");
    String title = firstOf(localized(x.get("title")), sourceId);
    String tagline = localized(x.get("tagline"));
    String description = localized(x.get("description"));
    List<String> categories = new ArrayList<>();
    if (scalar(x.get("category")) != null) categories.add(scalar(x.get("category")));
    String project = PortainerFormat.httpUrl(firstOf(scalar(x.get("website")), scalar(x.get("project_url")), scalar(x.get("repo"))));
    Template base = new Template(null, title, Template.CASAOS, sourceId, sourceUrl, title, tagline != null ? tagline : description,
        Categories.normalize(categories), PortainerFormat.httpUrl(x.get("icon")), project, List.of(), List.of(), null,
        description, List.of(), null);
    if (x.isEmpty()) return base.unsupported("no x-casaos metadata: not a CasaOS app");

    tree.remove("x-casaos");
    tree.remove("name");
    if (tree.get("services") instanceof Map<?, ?> services) {
      services.values().forEach(s -> {
        if (s instanceof Map<?, ?> svc) adapt(PortainerFormat.asMap(svc));
      });
    }
    String compose = ComposeYaml.write(tree);
    List<EnvField> env = new ArrayList<>();
    for (String var : ComposeYaml.variables(compose)) env.add(field(var));
    try {
      return PortainerFormat.finish(base.withEnv(env), compose, ports(tree, main, scalar(x.get("port_map"))));
    } catch (ContainerSpec.Refused e) {
      return base.unsupported(e.getMessage());
    }
  }

  private static EnvField field(String var) {
    return switch (var) {
      case "AppID" -> new EnvField(var, "App ID", "The stack's name (CasaOS's app id)", null, false, false, false, true, List.of());
      case "TZ" -> EnvField.simple(var, "Time zone (IANA); empty: the instance's time zone setting", "");
      case "PUID" -> EnvField.simple(var, "User id the app runs as", "1000");
      case "PGID" -> EnvField.simple(var, "Group id the app runs as", "1000");
      default -> EnvField.simple(var, "Used by the compose file", "");
    };
  }

  /** What CasaOS needs and other hosts do not: its metadata, fixed names, and paths only CasaOS has. */
  private static void adapt(Map<String, Object> svc) {
    svc.remove("x-casaos");
    svc.remove("container_name");
    if (!(svc.get("volumes") instanceof List<?> volumes)) return;
    List<Object> out = new ArrayList<>();
    for (Object v : volumes) {
      if (v instanceof String s) {
        int colon = s.indexOf(':');
        out.add(colon > 0 ? appData(s.substring(0, colon)) + s.substring(colon) : s);
      } else if (v instanceof Map<?, ?> m && shortable(m)) {
        String ro = Boolean.TRUE.equals(m.get("read_only")) ? ":ro" : "";
        out.add(appData(String.valueOf(m.get("source"))) + ":" + m.get("target") + ro);
      } else {
        out.add(v);
      }
    }
    svc.put("volumes", out);
  }

  /** A bind of the long syntax with nothing the short syntax cannot say. */
  private static boolean shortable(Map<?, ?> m) {
    return "bind".equals(m.get("type")) && m.get("source") instanceof String source && m.get("target") instanceof String target
        && source.indexOf(':') < 0 && target.indexOf(':') < 0
        && Set.of("type", "source", "target", "read_only").containsAll(m.keySet().stream().map(String::valueOf).toList());
  }

  private static String appData(String source) {
    for (String prefix : APPDATA) {
      if (source.equals(prefix)) return "./data";
      if (source.startsWith(prefix + "/")) return "./" + source.substring(prefix.length() + 1);
    }
    return source;
  }

  /** The main service's published ports, and the web UI's port first. */
  private static List<Template.Port> ports(Map<String, Object> tree, String main, String portMap) {
    List<Template.Port> out = new ArrayList<>();
    Map<Integer, Template.Port> seen = new LinkedHashMap<>();
    if (portMap != null && portMap.matches("\\d{1,5}")) {
      seen.put(Integer.parseInt(portMap), new Template.Port(Integer.parseInt(portMap), "tcp", "Web UI", null));
    }
    Object services = tree.get("services");
    Object svc = services instanceof Map<?, ?> m && main != null ? m.get(main) : null;
    if (svc instanceof Map<?, ?> s && s.get("ports") instanceof List<?> ports) {
      for (Object p : ports) {
        String published = p instanceof Map<?, ?> pm ? scalar(pm.get("published")) : null;
        String protocol = p instanceof Map<?, ?> pm && scalar(pm.get("protocol")) != null ? scalar(pm.get("protocol")) : "tcp";
        if (p instanceof String ps) {
          var match = ContainerSpec.PORT.matcher(ps);
          if (match.matches()) {
            published = match.group(2);
            protocol = match.group(4) == null ? "tcp" : match.group(4);
          }
        }
        if (published != null && published.matches("\\d{1,5}")) {
          seen.putIfAbsent(Integer.parseInt(published), new Template.Port(Integer.parseInt(published), protocol, null, null));
        }
      }
    }
    out.addAll(seen.values());
    return out;
  }

  /** English first ({@code en_us}, {@code en_US}, {@code en_GB}), then {@code custom}, then any. */
  static String localized(Object value) {
    if (value instanceof String s) return s.isBlank() ? null : s;
    if (!(value instanceof Map<?, ?> m) || m.isEmpty()) return null;
    String en = null;
    String custom = null;
    String any = null;
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String key = String.valueOf(e.getKey()).toLowerCase(Locale.ROOT);
      String text = scalar(e.getValue());
      if (text == null || text.isBlank()) continue;
      if (key.equals("en_us")) return text;
      if (en == null && key.startsWith("en")) en = text;
      if (key.equals("custom")) custom = text;
      if (any == null) any = text;
    }
    return firstOf(en, custom, any);
  }

  private static String scalar(Object v) {
    return v == null || v instanceof Map<?, ?> || v instanceof List<?> ? null : String.valueOf(v);
  }

  private static String firstOf(String... values) {
    for (String v : values) if (v != null && !v.isBlank()) return v;
    return null;
  }
}
