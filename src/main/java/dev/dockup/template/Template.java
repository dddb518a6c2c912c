package dev.dockup.template;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Function;

/**
 * One template of the catalog: what it is (title, description, categories, logo, project),
 * where it came from ({@code source}, {@code source_id}, {@code source_url}), and what deploying
 * it writes (a compose file, and a {@code .env} made from its fields). {@code id} is given by
 * the {@link Catalog}; {@code name} is what that id is made from. A template DockUp cannot deploy
 * (a Swarm stack, a stack file that could not be fetched) keeps {@code unsupported}: why not.
 */
public record Template(
    String id,
    String name,
    String source,
    String sourceId,
    String sourceUrl,
    String title,
    String description,
    List<String> categories,
    String logo,
    String projectUrl,
    List<Port> ports,
    List<EnvField> env,
    String compose,
    String note,
    List<Risk> risks,
    String unsupported) {

  public static final String BUNDLED = "bundled";
  public static final String LINUXSERVER = "linuxserver";
  public static final String CASAOS = "casaos";
  public static final String PORTAINER = "portainer";

  static final int MAX_TITLE = 200;
  static final int MAX_TEXT = 4_000;

  /** A port the template publishes on the host: what a firewall must open. */
  public record Port(int port, String protocol, String description, String variable) {
    JsonObject toJson() {
      JsonObject out = new JsonObject().put("port", port).put("protocol", protocol);
      if (description != null) out.put("description", description);
      if (variable != null) out.put("variable", variable);
      return out;
    }

    static Port fromJson(JsonObject o) {
      return new Port(o.getInteger("port"), o.getString("protocol", "tcp"), o.getString("description"), o.getString("variable"));
    }
  }

  /**
   * A setting found risky in the compose file: {@code kind} is one of {@link Risks#KINDS}.
   */
  public record Risk(String kind, String service, String detail) {
    JsonObject toJson() {
      return new JsonObject().put("kind", kind).put("service", service).put("detail", detail);
    }

    static Risk fromJson(JsonObject o) {
      return new Risk(o.getString("kind"), o.getString("service"), o.getString("detail"));
    }
  }

  public Template {
    categories = List.copyOf(categories);
    ports = List.copyOf(ports);
    env = List.copyOf(env);
    risks = List.copyOf(risks);
    title = cut(title, MAX_TITLE);
    description = cut(description, MAX_TEXT);
    note = cut(note, MAX_TEXT);
  }

  public Template withId(String newId) {
    return new Template(newId, name, source, sourceId, sourceUrl, title, description, categories, logo, projectUrl, ports,
        env, compose, note, risks, unsupported);
  }

  public Template withEnv(List<EnvField> fields) {
    return new Template(id, name, source, sourceId, sourceUrl, title, description, categories, logo, projectUrl, ports,
        fields, compose, note, risks, unsupported);
  }

  public Template withCompose(String text, List<Risk> found) {
    return new Template(id, name, source, sourceId, sourceUrl, title, description, categories, logo, projectUrl, ports,
        env, text, note, found, null);
  }

  /** The same template refused, with the reason (its compose file is not kept). */
  public Template unsupported(String why) {
    return new Template(id, name, source, sourceId, sourceUrl, title, description, categories, logo, projectUrl, ports,
        env, null, note, List.of(), why);
  }

  public boolean deployable() {
    return unsupported == null;
  }

  /** The distinct kinds of its risks, in order. */
  public List<String> riskKinds() {
    LinkedHashSet<String> kinds = new LinkedHashSet<>();
    risks.forEach(r -> kinds.add(r.kind()));
    return List.copyOf(kinds);
  }

  /** As a list shows it: no compose text, no fields. */
  public JsonObject toItem() {
    JsonObject out = new JsonObject()
        .put("id", id)
        .put("title", title)
        .put("description", description)
        .put("categories", new JsonArray(new ArrayList<>(categories)))
        .put("logo", logo)
        .put("project_url", projectUrl)
        .put("source", source)
        .put("source_id", sourceId)
        .put("source_url", sourceUrl)
        .put("ports", array(ports, Port::toJson))
        .put("risks", new JsonArray(new ArrayList<>(riskKinds())))
        .put("deployable", deployable());
    if (unsupported != null) out.put("unsupported", unsupported);
    return out;
  }

  /** The whole template: its compose text, its fields and its risks in detail. */
  public JsonObject toDetail() {
    return toItem()
        .put("compose", compose)
        .put("env", array(env, EnvField::toJson))
        .put("note", note)
        .put("risk_details", array(risks, Risk::toJson));
  }

  /** What the cache in DATA_DIR keeps (everything but the id, which the catalog gives). */
  JsonObject toStored() {
    JsonObject out = toDetail().put("name", name);
    out.remove("id");
    out.remove("risks");
    out.remove("deployable");
    return out;
  }

  static Template fromStored(JsonObject o) {
    return new Template(null, o.getString("name"), o.getString("source"), o.getString("source_id"), o.getString("source_url"),
        o.getString("title"), o.getString("description"), strings(o.getJsonArray("categories")), o.getString("logo"),
        o.getString("project_url"), list(o.getJsonArray("ports"), Port::fromJson), list(o.getJsonArray("env"), EnvField::fromJson),
        o.getString("compose"), o.getString("note"), list(o.getJsonArray("risk_details"), Risk::fromJson), o.getString("unsupported"));
  }

  private static <T> JsonArray array(List<T> items, Function<T, JsonObject> json) {
    JsonArray out = new JsonArray();
    items.forEach(i -> out.add(json.apply(i)));
    return out;
  }

  private static <T> List<T> list(JsonArray a, Function<JsonObject, T> read) {
    List<T> out = new ArrayList<>();
    if (a != null) for (Object o : a) if (o instanceof JsonObject j) out.add(read.apply(j));
    return out;
  }

  static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    if (a != null) for (Object o : a) if (o instanceof String s) out.add(s);
    return out;
  }

  static String cut(String s, int max) {
    if (s == null) return null;
    String t = s.strip();
    return t.length() <= max ? t : t.substring(0, max - 1) + "…";
  }
}
