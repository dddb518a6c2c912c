package dev.dockup.template;

import dev.dockup.stack.ComposeFile;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Portainer's app-template lists, v2 and v3 ({@code {"version", "templates": [...]}}; a bare
 * array of v1 is read too). {@code type} 1 (a container) becomes a generated compose file;
 * {@code type} 3 (a compose stack) names a file in a Git repository, fetched afterwards as a raw
 * file ({@link #rawUrl}); Swarm ({@code 2}) and Edge ({@code 4}) stacks are listed as unsupported.
 */
final class PortainerFormat {
  private PortainerFormat() {}

  static final int MAX_TEMPLATES = 5_000;

  /** A template, and for a compose stack the raw URL of its file (still to fetch). */
  record Entry(Template template, String stackfileUrl) {}

  static List<Entry> parse(String text, String sourceUrl) throws Unreadable {
    Object doc;
    try {
      doc = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw new Unreadable("not JSON");
    }
    JsonArray items;
    if (doc instanceof JsonObject o && o.getValue("templates") instanceof JsonArray a) items = a;
    else if (doc instanceof JsonArray a) items = a;
    else throw new Unreadable("not a Portainer template list: no \"templates\" array");
    if (items.size() > MAX_TEMPLATES) throw new Unreadable("more than " + MAX_TEMPLATES + " templates");
    List<Entry> out = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (Object item : items) {
      if (!(item instanceof JsonObject t) || !(t.getValue("title") instanceof String title) || title.isBlank()) continue;
      String sourceId = t.getValue("id") != null ? String.valueOf(t.getValue("id")) : title;
      int n = seen.merge(sourceId, 1, Integer::sum);
      if (n > 1) sourceId = sourceId + "#" + n;
      out.add(entry(t, title, sourceId, sourceUrl));
    }
    return out;
  }

  private static Entry entry(JsonObject t, String title, String sourceId, String sourceUrl) {
    List<String> categories = new ArrayList<>();
    if (t.getValue("categories") instanceof JsonArray a) a.forEach(c -> categories.add(String.valueOf(c)));
    String logo = httpUrl(t.getValue("logo"));
    Template base = new Template(null, title, Template.PORTAINER, sourceId, sourceUrl, title, text(t, "description"),
        Categories.normalize(categories), logo, null, List.of(), List.of(), null, text(t, "note"), List.of(), null);
    int type = type(t.getValue("type"));
    if (type == 2) return new Entry(base.unsupported("Swarm stack templates are not supported"), null);
    if (type == 4) return new Entry(base.unsupported("Edge stack templates are not supported"), null);
    if (type != 1 && type != 3) return new Entry(base.unsupported("unknown template type " + t.getValue("type")), null);
    try {
      Template withEnv = base.withEnv(env(t.getValue("env")));
      return type == 1 ? new Entry(container(t, withEnv), null) : new Entry(withEnv, stackfile(t));
    } catch (ContainerSpec.Refused e) {
      return new Entry(base.unsupported(e.getMessage()), null);
    }
  }

  /** 1 when absent: Portainer's v1 lists had container templates only. Strings ("3") are taken too. */
  private static int type(Object raw) {
    if (raw == null) return 1;
    try {
      return Integer.parseInt(String.valueOf(raw).strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static List<EnvField> env(Object raw) throws ContainerSpec.Refused {
    List<EnvField> out = new ArrayList<>();
    if (!(raw instanceof JsonArray a)) return out;
    for (Object item : a) {
      if (!(item instanceof JsonObject e)) continue;
      String name = ContainerSpec.checkVariable(e.getString("name"));
      List<EnvField.Option> options = new ArrayList<>();
      String chosen = e.getValue("default") == null ? null : String.valueOf(e.getValue("default"));
      if (e.getValue("select") instanceof JsonArray select) {
        for (Object o : select) {
          if (!(o instanceof JsonObject opt) || opt.getValue("value") == null) continue;
          String value = String.valueOf(opt.getValue("value"));
          options.add(new EnvField.Option(value, opt.getValue("text") == null ? value : String.valueOf(opt.getValue("text"))));
          if (Boolean.TRUE.equals(opt.getValue("default")) && chosen == null) chosen = value;
        }
      }
      boolean preset = Boolean.TRUE.equals(e.getValue("preset"));
      boolean required = !preset && options.isEmpty() && (chosen == null || chosen.isEmpty());
      out.add(new EnvField(name, text(e, "label"), text(e, "description"), chosen, required, false, false, preset, options));
    }
    return out;
  }

  private static Template container(JsonObject t, Template base) throws ContainerSpec.Refused {
    String image = text(t, "image");
    if (image == null || image.isBlank() || image.chars().anyMatch(Character::isWhitespace)) {
      throw new ContainerSpec.Refused("no valid image");
    }
    String registry = text(t, "registry");
    if (registry != null && !registry.isBlank()) image = registry.strip().replaceAll("/+$", "") + "/" + image;
    List<String> ports = new ArrayList<>();
    if (t.getValue("ports") instanceof JsonArray a) for (Object p : a) ports.add(ContainerSpec.checkPort(String.valueOf(p)));
    List<String> binds = new ArrayList<>();
    List<String> named = new ArrayList<>();
    if (t.getValue("volumes") instanceof JsonArray a) {
      for (Object v : a) {
        if (!(v instanceof JsonObject vol)) continue;
        String container = ContainerSpec.checkPath(vol.getString("container"));
        String ro = Boolean.TRUE.equals(vol.getValue("readonly")) ? ":ro" : "";
        if (vol.getValue("bind") != null) binds.add(ContainerSpec.checkPath(String.valueOf(vol.getValue("bind"))) + ":" + container + ro);
        else named.add(container + ro);
      }
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (t.getValue("labels") instanceof JsonArray a) {
      for (Object l : a) {
        if (l instanceof JsonObject label && label.getValue("name") != null) {
          labels.put(String.valueOf(label.getValue("name")), label.getValue("value") == null ? "" : String.valueOf(label.getValue("value")));
        }
      }
    }
    String network = text(t, "network");
    String restart = text(t, "restart_policy");
    if (restart != null && !List.of("always", "no", "on-failure", "unless-stopped").contains(restart)) restart = null;
    ContainerSpec spec = new ContainerSpec(ContainerSpec.serviceName(t.getString("name", base.title())), image, text(t, "command"),
        restart, text(t, "hostname"), Boolean.TRUE.equals(t.getValue("privileged")), Boolean.TRUE.equals(t.getValue("interactive")),
        "host".equals(network) ? "host" : null, base.env().stream().map(EnvField::name).toList(), ports, binds, named, labels,
        List.of(), List.of(), List.of(), Map.of());
    return finish(base, spec.compose(), ContainerSpec.hostPorts(ports, Map.of()));
  }

  /** A compose file for the template: checked as any compose file is, its risks found with its defaults. */
  static Template finish(Template base, String compose, List<Template.Port> ports) throws ContainerSpec.Refused {
    List<Template.Risk> risks;
    try {
      risks = Risks.of(asMap(ComposeYaml.interpolateTree(ComposeYaml.load(compose), defaults(base.env()))));
    } catch (ComposeFile.Invalid e) {
      throw new ContainerSpec.Refused("compose file refused: " + e.getMessage());
    }
    return new Template(null, base.name(), base.source(), base.sourceId(), base.sourceUrl(), base.title(), base.description(),
        base.categories(), base.logo(), base.projectUrl(), ports, base.env(), compose, base.note(), risks, null);
  }

  /** A compose stack's file, fetched: the template complete, or refused with why. */
  static Template withStackfile(Template base, String compose) {
    try {
      return finish(base, compose, List.of());
    } catch (ContainerSpec.Refused e) {
      return base.unsupported(e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> asMap(Object tree) {
    return (Map<String, Object>) tree;
  }

  static Map<String, String> defaults(List<EnvField> env) {
    Map<String, String> out = new HashMap<>();
    env.forEach(f -> out.put(f.name(), f.defaultValue() == null ? "" : f.defaultValue()));
    return out;
  }

  private static String stackfile(JsonObject t) throws ContainerSpec.Refused {
    if (!(t.getValue("repository") instanceof JsonObject repo)) throw new ContainerSpec.Refused("no repository");
    String url = rawUrl(repo.getString("url"), repo.getString("stackfile"));
    if (url == null) throw new ContainerSpec.Refused("repository is not a GitHub, GitLab or Gitea URL with a stack file");
    return url;
  }

  /**
   * The raw file of a Git repository on its default branch: GitHub's raw host, GitLab's
   * {@code /-/raw/HEAD/}, and for any other host Gitea's (and Forgejo's) {@code /raw/<path>},
   * which redirects to the default branch. Null when the URL or the path is not usable.
   */
  static String rawUrl(String repository, String stackfile) {
    if (repository == null || stackfile == null) return null;
    URI uri;
    try {
      uri = new URI(repository.strip());
    } catch (URISyntaxException e) {
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null || uri.getRawUserInfo() != null) return null;
    String repoPath = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "").replaceAll("\\.git$", "");
    if (repoPath.split("/").length < 3) return null;
    String file = stackfile.strip().replaceFirst("^(\\./)+", "").replaceFirst("^/+", "");
    if (file.isEmpty() || !file.matches("[A-Za-z0-9._/ -]+") || List.of(file.split("/")).contains("..")) return null;
    file = file.replace(" ", "%20");
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
    if (host.equals("github.com") || host.equals("www.github.com")) {
      return "https://raw.githubusercontent.com" + repoPath + "/HEAD/" + file;
    }
    if (host.contains("gitlab")) return scheme + "://" + host + port + repoPath + "/-/raw/HEAD/" + file;
    return scheme + "://" + host + port + repoPath + "/raw/" + file;
  }

  static String httpUrl(Object raw) {
    if (!(raw instanceof String s)) return null;
    String t = s.strip();
    return (t.startsWith("https://") || t.startsWith("http://")) && t.length() <= 2048 && t.chars().noneMatch(Character::isWhitespace)
        ? t : null;
  }

  private static String text(JsonObject o, String key) {
    Object v = o.getValue(key);
    return v instanceof String s ? s : null;
  }
}
