package dev.dockup.web;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * JSON Schema (2020-12, as OpenAPI 3.1 uses it) for the route table, written as short
 * expressions. Every call returns a new object: the document generator may embed them anywhere.
 */
public final class Schema {
  private Schema() {}

  public static JsonObject ref(String component) {
    return new JsonObject().put("$ref", "#/components/schemas/" + component);
  }

  public static JsonObject string() { return type("string"); }

  public static JsonObject string(String description) { return string().put("description", description); }

  public static JsonObject integer() { return type("integer"); }

  public static JsonObject integer(String description) { return integer().put("description", description); }

  public static JsonObject number() { return type("number"); }

  public static JsonObject bool() { return type("boolean"); }

  public static JsonObject bool(String description) { return bool().put("description", description); }

  public static JsonObject dateTime() { return string().put("format", "date-time"); }

  /** Any JSON value (a passed-through engine or peer answer). */
  public static JsonObject any() { return new JsonObject(); }

  public static JsonObject anyObject() { return type("object"); }

  public static JsonObject oneOf(String... values) {
    return string().put("enum", new JsonArray(java.util.List.of((Object[]) values)));
  }

  public static JsonObject array(JsonObject items) {
    return type("array").put("items", items);
  }

  /** The schema or {@code null}. */
  public static JsonObject nullable(JsonObject schema) {
    return new JsonObject().put("oneOf", new JsonArray().add(schema).add(type("null")));
  }

  /** A map with string keys and values of one schema. */
  public static JsonObject mapOf(JsonObject values) {
    return type("object").put("additionalProperties", values);
  }

  /** An object; {@code props} alternates names and schemas. Names ending in {@code ?} are optional. */
  public static JsonObject object(Object... props) {
    if (props.length % 2 != 0) throw new IllegalArgumentException("object() takes name/schema pairs");
    JsonObject properties = new JsonObject();
    JsonArray required = new JsonArray();
    for (int i = 0; i < props.length; i += 2) {
      String name = (String) props[i];
      boolean optional = name.endsWith("?");
      if (optional) name = name.substring(0, name.length() - 1);
      else required.add(name);
      properties.put(name, props[i + 1]);
    }
    JsonObject out = type("object").put("properties", properties);
    if (!required.isEmpty()) out.put("required", required);
    return out;
  }

  /** The same object shape, described. */
  public static JsonObject described(JsonObject schema, String description) {
    return schema.put("description", description);
  }

  /** Shapes every route may answer with; referenced by name from the whole table. */
  public static Map<String, JsonObject> common() {
    return Map.of(
        "Error", described(object("error", string(), "ref?", string("Reference of an unexpected failure in DockUp's log")),
            "Every refusal and failure"),
        "Success", object("success", bool()));
  }

  private static JsonObject type(String type) {
    return new JsonObject().put("type", type);
  }
}
