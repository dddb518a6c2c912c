package dev.dockup.web;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/** The OpenAPI 3.1 document of a route table: the same entries the router mounts, nothing else. */
public final class OpenApi {
  private OpenApi() {}

  private static final Map<Integer, String> ERRORS = Map.ofEntries(
      Map.entry(400, "Bad input"),
      Map.entry(401, "Authentication required, or the credential was refused"),
      Map.entry(403, "Insufficient scope, or a cookie request from a foreign origin"),
      Map.entry(404, "Not found"),
      Map.entry(409, "Conflict: an operation already running, not managed by DockUp, or in use"),
      Map.entry(413, "Request body too large"),
      Map.entry(429, "Too many failed attempts (see Retry-After)"),
      Map.entry(500, "A compose or engine failure (with its output), or an unexpected failure (with a ref)"),
      Map.entry(502, "A peer refused or failed"),
      Map.entry(503, "The engine or the node is unreachable (see Retry-After)"),
      Map.entry(504, "Operation timed out"));

  private static final String INTRO = """
      The API of one DockUp node (compatible with the DockUp 1.3.0 document). Every route is \
      listed here with the scope it needs (`x-dockup-scope`: public, read, operate or admin); a \
      path that is not listed is refused (404, after authentication). Credentials: the `session` \
      cookie from `POST /api/auth/login`, `X-API-Token`, or `Authorization: Bearer <JWT>` from \
      `POST /api/auth/token`; the feed's doors also take `?token=`. Bodies are JSON whatever the \
      Content-Type.""";

  public static JsonObject document(RouteTable table, String version) {
    JsonObject paths = new JsonObject();
    TreeSet<String> tags = new TreeSet<>();
    for (RouteTable.Entry e : table.entries()) {
      Route r = e.route();
      tags.add(e.tag());
      String path = r.path().replace("*}", "}");
      JsonObject item = paths.getJsonObject(path);
      if (item == null) paths.put(path, item = new JsonObject());
      for (HttpMethod m : r.methods()) {
        String id = r.methods().size() == 1 ? r.operationId() : r.operationId() + capitalized(m.name());
        item.put(m.name().toLowerCase(Locale.ROOT), operation(e.tag(), r, id));
      }
    }
    JsonArray tagList = new JsonArray();
    tags.forEach(t -> tagList.add(new JsonObject().put("name", t)));
    return new JsonObject()
        .put("openapi", "3.1.0")
        .put("info", new JsonObject().put("title", "DockUp").put("version", version).put("description", INTRO))
        .put("tags", tagList)
        .put("paths", paths)
        .put("components", new JsonObject()
            .put("schemas", new JsonObject(new java.util.LinkedHashMap<>(table.schemas())))
            .put("securitySchemes", securitySchemes()));
  }

  private static JsonObject operation(String tag, Route r, String id) {
    String scopeLine = r.access() == Access.PUBLIC ? "Public." : "Needs scope `" + r.access().id() + "`.";
    JsonObject op = new JsonObject()
        .put("operationId", id)
        .put("summary", r.summary())
        .put("description", r.description() == null ? scopeLine : scopeLine + " " + r.description())
        .put("tags", new JsonArray().add(tag))
        .put("x-dockup-scope", r.access().id());
    JsonArray params = new JsonArray();
    for (String name : r.pathParams()) {
      params.add(new JsonObject().put("name", name).put("in", "path").put("required", true)
          .put("description", pathParamText(name)).put("schema", Schema.string()));
    }
    for (Route.Param q : r.query()) {
      params.add(new JsonObject().put("name", q.name()).put("in", "query").put("required", false)
          .put("description", q.description()).put("schema", q.schema()));
    }
    if (!params.isEmpty()) op.put("parameters", params);
    if (r.request() != null) {
      JsonObject content = r.has(Route.Option.STREAMED_BODY) ? r.request()
          : new JsonObject().put(Route.JSON, new JsonObject().put("schema", r.request()));
      op.put("requestBody", new JsonObject().put("required", true).put("content", content));
    }
    op.put("responses", responses(r));
    op.put("security", security(r));
    return op;
  }

  private static JsonObject responses(Route r) {
    JsonObject out = new JsonObject();
    out.put(Integer.toString(r.status()), new JsonObject().put("description", "Success")
        .put("content", new JsonObject().put(r.produces(), new JsonObject().put("schema", r.response()))));
    TreeSet<Integer> codes = new TreeSet<>(r.errors());
    if (r.request() != null || !r.query().isEmpty() || !r.pathParams().isEmpty()) codes.add(400);
    if (r.has(Route.Option.BODY) || r.has(Route.Option.STREAMED_BODY)) codes.add(413);
    if (r.access() != Access.PUBLIC) {
      codes.add(401);
      codes.add(403);
    } else if (r.has(Route.Option.OPTIONAL_CREDENTIAL)) {
      codes.add(401);
    }
    codes.add(500);
    for (int code : codes) {
      out.put(Integer.toString(code), new JsonObject().put("description", ERRORS.getOrDefault(code, "Error"))
          .put("content", new JsonObject().put(Route.JSON, new JsonObject().put("schema", Schema.ref("Error")))));
    }
    return out;
  }

  /** Public: none. Optional: none or any. Otherwise any one of the credentials (the feed's doors: also ?token=). */
  private static JsonArray security(Route r) {
    JsonArray any = new JsonArray();
    if (r.access() == Access.PUBLIC && !r.has(Route.Option.OPTIONAL_CREDENTIAL)) return any;
    if (r.access() == Access.PUBLIC) any.add(new JsonObject());
    for (String scheme : List.of("session", "apiToken", "bearer")) any.add(new JsonObject().put(scheme, new JsonArray()));
    if (r.has(Route.Option.FEED)) any.add(new JsonObject().put("queryToken", new JsonArray()));
    return any;
  }

  private static JsonObject securitySchemes() {
    return new JsonObject()
        .put("session", new JsonObject().put("type", "apiKey").put("in", "cookie").put("name", "session")
            .put("description", "Set by POST /api/auth/login or /api/auth/setup; admin scope"))
        .put("apiToken", new JsonObject().put("type", "apiKey").put("in", "header").put("name", "X-API-Token")
            .put("description", "An API token from POST /api/tokens (its own scope) or the instance token"))
        .put("bearer", new JsonObject().put("type", "http").put("scheme", "bearer").put("bearerFormat", "JWT")
            .put("description", "A JWT from POST /api/auth/token"))
        .put("queryToken", new JsonObject().put("type", "apiKey").put("in", "query").put("name", "token")
            .put("description", "An API token or a JWT, on the feed's doors only (/ws, /eventbus)"));
  }

  private static String pathParamText(String name) {
    return switch (name) {
      case "node" -> "A node of the fleet (this node's own name works too)";
      case "name" -> "A stack name: ^[a-z0-9][a-z0-9_-]{0,62}$";
      case "ref" -> "An image id (sha256:…) or reference; may contain slashes";
      case "path" -> "The rest of the path (one or more segments)";
      default -> "The " + name.replace('_', ' ');
    };
  }

  private static String capitalized(String s) {
    return s.charAt(0) + s.substring(1).toLowerCase(Locale.ROOT);
  }
}
