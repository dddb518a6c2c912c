package dev.dockup.template;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * LinuxServer.io's images API ({@code /api/v1/images?include_config=true}): for each image its
 * name, description, category and, in {@code config}, its environment variables, volumes,
 * ports, devices and capabilities. What the API marks optional is left out, as LinuxServer.io's
 * own compose examples comment it out. Deprecated images are skipped.
 */
final class LinuxServerFormat {
  private LinuxServerFormat() {}

  static final String REGISTRY = "lscr.io/linuxserver/";
  private static final Pattern IMAGE_NAME = Pattern.compile("^[a-z0-9][a-z0-9._-]{0,127}$");
  /** Host paths of the API's examples, to be chosen by the user: they become folders of the stack. */
  private static final Pattern PLACEHOLDER = Pattern.compile("^/path/to\\b.*|.*[{<].*");
  private static final Pattern COMPOSE_KEY = Pattern.compile("^[a-z_]{1,40}$");

  static List<Template> parse(String text, String sourceUrl) throws Unreadable {
    JsonObject doc;
    try {
      doc = new JsonObject(text);
    } catch (DecodeException e) {
      throw new Unreadable("not JSON");
    }
    JsonObject data = doc.getValue("data") instanceof JsonObject d ? d : null;
    JsonObject repos = data != null && data.getValue("repositories") instanceof JsonObject r ? r : null;
    if (repos == null || !(repos.getValue("linuxserver") instanceof JsonArray images)) {
      throw new Unreadable("not a LinuxServer.io images list: no data.repositories.linuxserver");
    }
    if (images.size() > PortainerFormat.MAX_TEMPLATES) throw new Unreadable("more than " + PortainerFormat.MAX_TEMPLATES + " images");
    List<Template> out = new ArrayList<>();
    for (Object item : images) {
      if (!(item instanceof JsonObject image) || !(image.getValue("name") instanceof String name)) continue;
      if (Boolean.TRUE.equals(image.getValue("deprecated")) || !IMAGE_NAME.matcher(name).matches()) continue;
      out.add(template(image, name, sourceUrl));
    }
    return out;
  }

  private static Template template(JsonObject image, String name, String sourceUrl) {
    List<String> categories = new ArrayList<>();
    if (image.getValue("category") instanceof String c) categories.add(c);
    String project = PortainerFormat.httpUrl(image.getValue("project_url"));
    if (project == null) project = PortainerFormat.httpUrl(image.getValue("github_url"));
    JsonObject config = image.getValue("config") instanceof JsonObject c ? c : null;
    String title = name.substring(0, 1).toUpperCase(Locale.ROOT) + name.substring(1);
    Template base = new Template(null, name, Template.LINUXSERVER, name, sourceUrl, title, text(image, "description"),
        Categories.normalize(categories), PortainerFormat.httpUrl(image.getValue("project_logo")), project, List.of(), List.of(),
        null, config == null ? null : text(config, "application_setup"), List.of(), null);
    if (config == null) return base.unsupported("LinuxServer.io publishes no configuration for this image");
    try {
      return build(base, name, config);
    } catch (ContainerSpec.Refused e) {
      return base.unsupported(e.getMessage());
    }
  }

  private static Template build(Template base, String name, JsonObject config) throws ContainerSpec.Refused {
    List<EnvField> env = new ArrayList<>();
    for (JsonObject e : required(config, "env_vars")) {
      String var = ContainerSpec.checkVariable(text(e, "name"));
      String value = e.getValue("value") == null ? "" : String.valueOf(e.getValue("value"));
      env.add(new EnvField(var, null, text(e, "desc"), value, value.isEmpty(), false, false, false, List.of()));
    }
    List<String> binds = new ArrayList<>();
    for (JsonObject v : required(config, "volumes")) {
      String path = ContainerSpec.checkPath(text(v, "path"));
      String host = text(v, "host_path");
      binds.add((host == null || PLACEHOLDER.matcher(host).matches() ? "./" + folderOf(path) : ContainerSpec.checkPath(host)) + ":" + path);
    }
    List<String> ports = new ArrayList<>();
    Map<String, String> portText = new LinkedHashMap<>();
    for (JsonObject p : required(config, "ports")) {
      String external = text(p, "external");
      String port = ContainerSpec.checkPort((external == null || external.isBlank() ? "" : external.strip() + ":") + text(p, "internal"));
      ports.add(port);
      portText.put(port, text(p, "desc"));
    }
    List<String> devices = new ArrayList<>();
    for (JsonObject d : required(config, "devices")) {
      devices.add(ContainerSpec.checkPath(text(d, "host_path")) + ":" + ContainerSpec.checkPath(text(d, "path")));
    }
    List<String> caps = new ArrayList<>();
    for (JsonObject c : required(config, "caps")) {
      String cap = text(c, "cap_add");
      if (cap == null || !cap.matches("[A-Z_]{1,40}")) throw new ContainerSpec.Refused("invalid capability: " + ContainerSpec.shown(cap));
      caps.add(cap);
    }
    List<String> securityOpt = new ArrayList<>();
    for (JsonObject o : required(config, "security_opt")) {
      if (text(o, "compose_var") != null) securityOpt.add(text(o, "compose_var"));
    }
    Map<String, Object> extra = new LinkedHashMap<>();
    for (JsonObject c : required(config, "custom")) {
      String key = text(c, "name_compose");
      Object value = c.getValue("value");
      if (key == null || !COMPOSE_KEY.matcher(key).matches()) continue;
      if (value instanceof String s) extra.put(key, s);
      else if (value instanceof JsonArray a) extra.put(key, new ArrayList<>(a.getList()));
    }
    String hostname = config.getValue("hostname") instanceof JsonObject h && !Boolean.TRUE.equals(h.getValue("optional"))
        ? text(h, "hostname") : null;
    String network = "host".equals(text(config, "networking")) ? "host" : null;
    ContainerSpec spec = new ContainerSpec(ContainerSpec.serviceName(name), REGISTRY + name + ":latest", null, "unless-stopped",
        hostname, Boolean.TRUE.equals(config.getValue("privileged")), false, network, env.stream().map(EnvField::name).toList(),
        ports, binds, List.of(), Map.of(), devices, caps, securityOpt, extra);
    return PortainerFormat.finish(base.withEnv(env), spec.compose(), ContainerSpec.hostPorts(ports, portText));
  }

  /** The entries of a config list that are not optional. */
  private static List<JsonObject> required(JsonObject config, String key) {
    List<JsonObject> out = new ArrayList<>();
    if (config.getValue(key) instanceof JsonArray a) {
      for (Object o : a) {
        if (o instanceof JsonObject j && !Boolean.TRUE.equals(j.getValue("optional"))) out.add(j);
      }
    }
    return out;
  }

  /** {@code /config} → {@code config}; the last segment of a container path, a folder of the stack. */
  private static String folderOf(String containerPath) {
    String[] parts = containerPath.split("/");
    String last = parts.length == 0 ? "" : parts[parts.length - 1].replaceAll("[^A-Za-z0-9._-]", "");
    return last.isEmpty() || last.startsWith(".") ? "data" : last;
  }

  private static String text(JsonObject o, String key) {
    Object v = o.getValue(key);
    return v == null ? null : String.valueOf(v);
  }
}
