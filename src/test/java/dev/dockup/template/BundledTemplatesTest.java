package dev.dockup.template;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundled catalog, as the jar holds it: every folder listed, complete and consistent (every
 * variable the compose file reads is in .env.example with a description, and nothing more;
 * categories from the fixed list; the declared risks are those found). Compose's own check of
 * each file is BundledTemplatesIT.
 */
class BundledTemplatesTest {
  static final Path FOLDER = Path.of("src/main/resources/templates");

  @Test
  void atLeastThirtyCommonAppsEachInAFolderOfItsOwnAndListed() throws Exception {
    Bundled bundled = Bundled.load();
    List<String> ids = bundled.templates().stream().map(Template::id).toList();
    assertTrue(ids.size() >= 30, ids.size() + " bundled templates");
    Set<String> folders = new TreeSet<>();
    try (Stream<Path> s = Files.list(FOLDER)) {
      s.filter(Files::isDirectory).forEach(p -> folders.add(p.getFileName().toString()));
    }
    assertEquals(folders, new TreeSet<>(ids), "index.txt lists every folder, and only them");
    for (String must : List.of("nginx-proxy-manager", "traefik", "caddy", "postgres", "jellyfin", "uptime-kuma", "home-assistant",
        "homepage", "vaultwarden", "gitea", "duplicati")) {
      assertTrue(ids.contains(must), must);
    }
    Set<String> categories = new TreeSet<>();
    bundled.templates().forEach(t -> categories.addAll(t.categories()));
    assertTrue(categories.size() >= 12, "many kinds of apps: " + categories);
  }

  @Test
  void everyTemplateIsCompleteAndConsistent() throws Exception {
    List<String> wrong = new ArrayList<>();
    Bundled bundled = Bundled.load();
    for (Template t : bundled.templates()) {
      String id = t.id();
      Path dir = FOLDER.resolve(id);
      JsonObject meta = new JsonObject(Files.readString(dir.resolve("meta.json")));
      for (String key : List.of("title", "description", "categories", "project_url", "ports", "risks")) {
        if (!meta.containsKey(key)) wrong.add(id + ": meta.json has no " + key);
      }
      if (!Slugs.ID.matcher(id).matches()) wrong.add(id + ": bad id");
      if (!t.projectUrl().startsWith("https://")) wrong.add(id + ": project URL " + t.projectUrl());
      if (!Template.strings(meta.getJsonArray("categories")).equals(t.categories())) wrong.add(id + ": categories not from the fixed list");
      if (!Template.strings(meta.getJsonArray("risks")).equals(t.riskKinds())) {
        wrong.add(id + ": declares risks " + meta.getJsonArray("risks") + " but has " + t.riskKinds());
      }
      Set<String> used = new LinkedHashSet<>(ComposeYaml.variables(t.compose()));
      Set<String> declared = new LinkedHashSet<>();
      t.env().forEach(f -> declared.add(f.name()));
      if (!used.equals(declared)) wrong.add(id + ": compose reads " + used + ", .env.example declares " + declared);
      t.env().stream().filter(f -> f.description() == null || f.description().length() < 10)
          .forEach(f -> wrong.add(id + ": " + f.name() + " is not described"));
      for (Template.Port p : t.ports()) {
        if (p.variable() != null && !declared.contains(p.variable())) wrong.add(id + ": port variable " + p.variable() + " unknown");
      }
      if (!t.compose().contains("restart: unless-stopped")) wrong.add(id + ": no restart policy");
      String svg = Files.readString(dir.resolve("logo.svg"));
      if (!svg.startsWith("<svg") || svg.contains("<script") || svg.contains("href") || svg.length() > 2048) wrong.add(id + ": logo");
      assertEquals(svg, bundled.logo(id));
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  @Test
  void riskyTemplatesSayWhy() throws Exception {
    Bundled bundled = Bundled.load();
    Template ha = bundled.templates().stream().filter(t -> t.id().equals("home-assistant")).findFirst().orElseThrow();
    assertEquals(List.of("privileged", "host_network", "host_path"), ha.riskKinds());
    Template kuma = bundled.templates().stream().filter(t -> t.id().equals("uptime-kuma")).findFirst().orElseThrow();
    assertFalse(kuma.riskKinds().iterator().hasNext());
  }
}
