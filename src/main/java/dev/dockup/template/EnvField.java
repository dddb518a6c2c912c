package dev.dockup.template;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A variable a template's compose file reads from the stack's {@code .env}, and how a deploy
 * asks for it. {@code required}: a deploy without a value is refused. {@code generate}: left
 * empty, DockUp makes a random value (a password nobody has to invent). {@code preset}: DockUp
 * sets it itself (the stack's name for CasaOS's {@code $AppID}) and takes no value for it.
 * {@code options}: the values a select offers (Portainer's {@code select}).
 */
public record EnvField(
    String name,
    String label,
    String description,
    String defaultValue,
    boolean required,
    boolean secret,
    boolean generate,
    boolean preset,
    List<Option> options) {

  /** Compose's rule for a variable it can substitute. */
  public static final Pattern NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]{0,127}$");

  public record Option(String value, String label) {}

  public EnvField {
    options = List.copyOf(options);
    label = Template.cut(label, Template.MAX_TITLE);
    description = Template.cut(description, Template.MAX_TEXT);
  }

  static EnvField simple(String name, String description, String defaultValue) {
    return new EnvField(name, null, description, defaultValue, false, false, false, false, List.of());
  }

  JsonObject toJson() {
    JsonObject out = new JsonObject()
        .put("name", name)
        .put("label", label == null ? name : label)
        .put("description", description)
        .put("default", defaultValue)
        .put("required", required)
        .put("secret", secret)
        .put("generate", generate)
        .put("preset", preset);
    if (!options.isEmpty()) {
      JsonArray opts = new JsonArray();
      options.forEach(o -> opts.add(new JsonObject().put("value", o.value()).put("label", o.label())));
      out.put("options", opts);
    }
    return out;
  }

  static EnvField fromJson(JsonObject o) {
    List<Option> options = new ArrayList<>();
    JsonArray opts = o.getJsonArray("options");
    if (opts != null) {
      for (Object item : opts) {
        if (item instanceof JsonObject j) options.add(new Option(j.getString("value"), j.getString("label")));
      }
    }
    String label = o.getString("label");
    return new EnvField(o.getString("name"), label == null || label.equals(o.getString("name")) ? null : label,
        o.getString("description"), o.getString("default"), o.getBoolean("required", false), o.getBoolean("secret", false),
        o.getBoolean("generate", false), o.getBoolean("preset", false), options);
  }
}
