package dev.dockup.web;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One HTTP route, declared once as data: the router mounts it with its own authorization, and
 * the OpenAPI document describes it, from this same record. {@code path} is in OpenAPI form
 * ({@code /api/stack/{name}}); a last segment {@code {x*}} takes the rest of the path, slashes
 * included (an image reference, a SockJS transport path).
 *
 * <p>Built with {@link #get}, {@link #post} and friends, which take the access level as an
 * argument: a route without one does not compile, and a null one fails at start.
 */
public record Route(
    Set<HttpMethod> methods,
    String path,
    Access access,
    String operationId,
    String summary,
    String description,
    List<Param> query,
    JsonObject request,
    int status,
    JsonObject response,
    String produces,
    List<Integer> errors,
    Set<Option> options,
    Handler<RoutingContext> handler,
    Router subRouter) {

  /** Tag under which a route is kept in the Vert.x route's metadata (tests walk the router with it). */
  public static final String METADATA = "dockup.route";
  public static final String JSON = "application/json";

  public enum Option {
    /** Also served for any node of the fleet under {@code /api/nodes/{node}}, with the same access. */
    PER_NODE,
    /** A feed door (WebSocket, SockJS): {@code ?token=} is accepted and cookies are held to the page's origin on every method. */
    FEED,
    /** Public, but a credential that is sent must be a good one, and the handler sees who sent it. */
    OPTIONAL_CREDENTIAL,
    /** Changes state but is not an audit event of its own (SockJS polls, logout of nothing). */
    NOT_AUDITED,
    /** Reads a request body (collected raw, whatever the Content-Type, up to the body limit). */
    BODY,
    /** Takes a body its handler streams itself (an upload); {@code request} is then the OpenAPI {@code content} map. */
    STREAMED_BODY
  }

  /** A documented query parameter. */
  public record Param(String name, JsonObject schema, String description) {}

  private static final Pattern VARIABLE = Pattern.compile("\\{([a-z_]+)(\\*?)}");

  public Route {
    Objects.requireNonNull(access, () -> "route " + path + " declares no access");
    Objects.requireNonNull(operationId, () -> "route " + path + " has no operation id");
    if (!path.startsWith("/")) throw new IllegalArgumentException("route path must start with /: " + path);
    if ((handler == null) == (subRouter == null)) throw new IllegalArgumentException("route " + path + " needs one handler or one sub-router");
    methods = Set.copyOf(methods);
    query = List.copyOf(query);
    errors = List.copyOf(errors);
    options = Set.copyOf(options);
  }

  public boolean has(Option option) {
    return options.contains(option);
  }

  /** The names of the path's variables, in order. */
  public List<String> pathParams() {
    List<String> names = new ArrayList<>();
    Matcher m = VARIABLE.matcher(path);
    while (m.find()) names.add(m.group(1));
    return names;
  }

  /** The path as Vert.x writes it: {@code :name} for a variable, {@code *} for the rest. */
  public String vertxPath() {
    return VARIABLE.matcher(path).replaceAll(m -> m.group(2).isEmpty() ? ":" + m.group(1) : "*");
  }

  /** Whether a request on this route changes state, so it is written to the audit log. */
  public boolean audited() {
    return !has(Option.NOT_AUDITED) && methods.stream().anyMatch(m -> m != HttpMethod.GET && m != HttpMethod.HEAD);
  }

  /** The same route under another node's prefix (for {@link Option#PER_NODE}). */
  Route onNode() {
    if (!path.startsWith("/api/")) throw new IllegalStateException("only /api routes have per-node twins: " + path);
    Set<Option> kept = new LinkedHashSet<>(options);
    kept.remove(Option.PER_NODE);
    return new Route(methods, "/api/nodes/{node}" + path.substring(4), access, operationId + "OnNode",
        summary + " (on a given node of the fleet)", description, query, request, status, response, produces,
        errors, kept, handler, subRouter);
  }

  public static Builder get(String path, Access access, String operationId, String summary) {
    return new Builder(Set.of(HttpMethod.GET), path, access, operationId, summary);
  }

  public static Builder post(String path, Access access, String operationId, String summary) {
    return new Builder(Set.of(HttpMethod.POST), path, access, operationId, summary).option(Option.BODY);
  }

  public static Builder put(String path, Access access, String operationId, String summary) {
    return new Builder(Set.of(HttpMethod.PUT), path, access, operationId, summary).option(Option.BODY);
  }

  public static Builder delete(String path, Access access, String operationId, String summary) {
    return new Builder(Set.of(HttpMethod.DELETE), path, access, operationId, summary);
  }

  /** One declaration for several methods (a SockJS transport subtree). */
  public static Builder of(Set<HttpMethod> methods, String path, Access access, String operationId, String summary) {
    return new Builder(methods, path, access, operationId, summary);
  }

  /** Everything but method, path, access and id is optional. */
  public static final class Builder {
    private final Set<HttpMethod> methods;
    private final String path;
    private final Access access;
    private final String operationId;
    private final String summary;
    private String description;
    private final List<Param> query = new ArrayList<>();
    private JsonObject request;
    private int status = 200;
    private JsonObject response = Schema.ref("Success");
    private String produces = JSON;
    private final List<Integer> errors = new ArrayList<>();
    private final Set<Option> options = new LinkedHashSet<>();

    private Builder(Set<HttpMethod> methods, String path, Access access, String operationId, String summary) {
      this.methods = methods;
      this.path = path;
      this.access = access;
      this.operationId = operationId;
      this.summary = summary;
    }

    public Builder description(String text) { description = text; return this; }

    public Builder query(String name, JsonObject schema, String text) { query.add(new Param(name, schema, text)); return this; }

    /** The JSON body's schema (accepted whatever the Content-Type, as the 1.3.0 scripts send it). */
    public Builder request(JsonObject schema) { request = schema; return option(Option.BODY); }

    /**
     * A body the handler reads itself, streaming (an upload past the body limit): documented by
     * its OpenAPI {@code content} map (media type to {@code {"schema"}}), never collected by the table.
     */
    public Builder streamedRequest(JsonObject content) { request = content; return option(Option.STREAMED_BODY); }

    public Builder response(JsonObject schema) { response = schema; return this; }

    public Builder response(int code, JsonObject schema) { status = code; response = schema; return this; }

    /** A success answer that is not JSON (a page, a stream, YAML); its schema is a string. */
    public Builder produces(String contentType) { produces = contentType; response = Schema.string(); return this; }

    /** Error statuses this route answers beyond those every route of its kind may. */
    public Builder errors(Integer... codes) { errors.addAll(List.of(codes)); return this; }

    public Builder option(Option option) { options.add(option); return this; }

    public Builder perNode() { return option(Option.PER_NODE); }

    public Route handle(Handler<RoutingContext> handler) {
      return build(handler, null);
    }

    /** The route is served by a sub-router (SockJS), after authentication and authorization. */
    public Route mount(Router subRouter) {
      return build(null, subRouter);
    }

    private Route build(Handler<RoutingContext> handler, Router subRouter) {
      return new Route(methods, path, access, operationId, summary, description, query, request, status, response,
          produces, errors, options, handler, subRouter);
    }
  }
}
