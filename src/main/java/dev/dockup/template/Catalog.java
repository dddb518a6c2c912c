package dev.dockup.template;

import dev.dockup.bus.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The bundled templates and every remote catalog's, merged under ids of their own: a template
 * keeps the slug of its name unless a source of higher priority has it (bundled, then
 * LinuxServer.io, CasaOS, Portainer lists, each kind in the order of the settings); the others
 * get their source's name as a suffix. Given the same catalogs, the same ids, refresh after
 * refresh. Immutable: a refresh builds a new one (on a worker: thousands of templates).
 */
final class Catalog {
  /** Paths of the API under {@code /api/templates/}: no template may be named so. */
  static final Set<String> RESERVED = Set.of("list", "categories", "refresh");
  static final List<String> PRIORITY = List.of(Template.LINUXSERVER, Template.CASAOS, Template.PORTAINER);
  static final int MAX_QUERY = 200;

  private final List<Template> sorted;
  private final Map<String, Template> byId;
  private final List<SourceState> sources;
  /** The answer without filters, encoded once: the list a dashboard asks for. */
  private final String all;

  private Catalog(List<Template> sorted, Map<String, Template> byId, List<SourceState> sources) {
    this.sorted = sorted;
    this.byId = byId;
    this.sources = sources;
    this.all = list(null, null, null).encode();
  }

  /** {@code sources} in the order of the settings. */
  static Catalog build(List<Template> bundled, List<SourceState> sources) {
    Set<String> taken = new HashSet<>(RESERVED);
    Map<String, Template> byId = new LinkedHashMap<>();
    for (Template t : bundled) {
      taken.add(t.id());
      byId.put(t.id(), t);
    }
    Map<String, Integer> seenOfFormat = new HashMap<>();
    for (String format : PRIORITY) {
      for (SourceState s : sources) {
        if (!s.format().equals(format)) continue;
        int nth = seenOfFormat.merge(format, 1, Integer::sum);
        String suffix = "-" + format + (nth == 1 ? "" : "-" + nth);
        for (Template t : s.templates()) {
          String base = Slugs.of(t.name());
          if (base.isEmpty()) base = "app-" + Slugs.digest(t.sourceId());
          String id = base;
          for (int n = 2; taken.contains(id); n++) id = Slugs.withSuffix(base, n == 2 ? suffix : suffix + "-" + (n - 1));
          taken.add(id);
          byId.put(id, t.withId(id));
        }
      }
    }
    List<Template> sorted = new ArrayList<>(byId.values());
    sorted.sort(Comparator.comparing((Template t) -> t.title().toLowerCase(Locale.ROOT)).thenComparing(Template::id));
    return new Catalog(List.copyOf(sorted), Map.copyOf(byId), List.copyOf(sources));
  }

  Template get(String id) {
    return id == null ? null : byId.get(id);
  }

  int size() {
    return sorted.size();
  }

  /** {@link #list} encoded; the whole list from memory. */
  String listText(String category, String query, String source) {
    boolean none = (category == null || category.isBlank()) && (query == null || query.isBlank()) && (source == null || source.isBlank());
    return none ? all : list(category, query, source).encode();
  }

  /** {@code {templates, count, sources}}, narrowed by category, words and source (each optional). */
  JsonObject list(String category, String query, String source) {
    String cat = null;
    if (category != null && !category.isBlank()) {
      cat = Categories.named(category);
      if (cat == null) throw ApiException.badRequest("Unknown category; one of: " + String.join(", ", Categories.NAMES));
    }
    String q = query == null || query.isBlank() ? null : query.strip().toLowerCase(Locale.ROOT);
    if (q != null && q.length() > MAX_QUERY) throw ApiException.badRequest("q is longer than " + MAX_QUERY + " characters");
    String src = source == null || source.isBlank() ? null : source.strip();
    if (src != null && !src.equals(Template.BUNDLED) && !PRIORITY.contains(src)
        && sources.stream().noneMatch(s -> s.url().equals(source.strip()))) {
      throw ApiException.badRequest("Unknown source; one of: bundled, linuxserver, casaos, portainer, or a catalog's URL");
    }
    JsonArray items = new JsonArray();
    for (Template t : sorted) {
      if (cat != null && !t.categories().contains(cat)) continue;
      if (src != null && !src.equals(t.source()) && !src.equals(t.sourceUrl())) continue;
      if (q != null && !matches(t, q)) continue;
      items.add(t.toItem());
    }
    JsonArray status = new JsonArray();
    sources.forEach(s -> status.add(s.status()));
    return new JsonObject().put("templates", items).put("count", items.size()).put("sources", status);
  }

  private static boolean matches(Template t, String q) {
    if (t.id().contains(q) || t.title().toLowerCase(Locale.ROOT).contains(q)) return true;
    if (t.description() != null && t.description().toLowerCase(Locale.ROOT).contains(q)) return true;
    return t.categories().stream().anyMatch(c -> c.toLowerCase(Locale.ROOT).contains(q));
  }

  /** Every fixed category with how many templates are filed under it (a template may be under two). */
  JsonObject categories() {
    Map<String, Integer> counts = new LinkedHashMap<>();
    Categories.NAMES.forEach(n -> counts.put(n, 0));
    for (Template t : sorted) t.categories().forEach(c -> counts.merge(c, 1, Integer::sum));
    JsonArray list = new JsonArray();
    JsonObject byName = new JsonObject();
    counts.forEach((name, n) -> {
      list.add(new JsonObject().put("name", name).put("count", n));
      byName.put(name, n);
    });
    return new JsonObject().put("categories", list).put("counts", byName);
  }
}
