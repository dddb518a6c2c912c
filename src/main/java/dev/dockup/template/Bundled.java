package dev.dockup.template;

import dev.dockup.stack.ComposeFile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The templates in the jar, under {@code templates/<id>/}: {@code compose.yaml},
 * {@code .env.example} (every variable described), {@code meta.json} (title, description,
 * categories, project URL, ports to open, risks, note) and {@code logo.svg}. The ids are listed
 * in {@code templates/index.txt}. They need no network: they deploy as they are.
 */
final class Bundled {
  static final String ROOT = "templates/";
  static final String INDEX = ROOT + "index.txt";

  private final List<Template> templates;
  private final Map<String, String> logos;

  private Bundled(List<Template> templates, Map<String, String> logos) {
    this.templates = List.copyOf(templates);
    this.logos = Map.copyOf(logos);
  }

  List<Template> templates() {
    return templates;
  }

  /** The SVG text of a bundled template's logo; null for any other id. */
  String logo(String id) {
    return logos.get(id);
  }

  /** Blocking (reads the jar). A broken bundled template is a build mistake: it fails the start. */
  static Bundled load() throws IOException {
    List<Template> out = new ArrayList<>();
    Map<String, String> logos = new LinkedHashMap<>();
    for (String line : read(INDEX).split("\n")) {
      String id = line.strip();
      if (id.isEmpty() || id.startsWith("#")) continue;
      if (!Slugs.ID.matcher(id).matches() || Catalog.RESERVED.contains(id)) throw new IllegalStateException("bad bundled template id " + id);
      out.add(template(id));
      logos.put(id, read(ROOT + id + "/logo.svg"));
    }
    return new Bundled(out, logos);
  }

  static Template template(String id) throws IOException {
    String dir = ROOT + id + "/";
    JsonObject meta = new JsonObject(read(dir + "meta.json"));
    String compose = read(dir + "compose.yaml");
    List<EnvField> env = EnvFile.parseExample(read(dir + ".env.example"));
    List<Template.Port> ports = new ArrayList<>();
    for (Object p : meta.getJsonArray("ports", new JsonArray())) ports.add(Template.Port.fromJson((JsonObject) p));
    List<Template.Risk> risks;
    try {
      risks = Risks.of(PortainerFormat.asMap(ComposeYaml.interpolateTree(ComposeYaml.load(compose), PortainerFormat.defaults(env))));
    } catch (ComposeFile.Invalid e) {
      throw new IllegalStateException("bundled template " + id + ": " + e.getMessage());
    }
    return new Template(id, id, Template.BUNDLED, id, null, meta.getString("title"), meta.getString("description"),
        Categories.normalize(Template.strings(meta.getJsonArray("categories"))), "/api/templates/" + id + "/logo",
        meta.getString("project_url"), ports, env, compose, meta.getString("note"), risks, null);
  }

  static String read(String resource) throws IOException {
    try (InputStream in = Bundled.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) throw new IOException("missing resource " + resource);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
