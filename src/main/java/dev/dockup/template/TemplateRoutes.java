package dev.dockup.template;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Services;
import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Map;

import static dev.dockup.web.Schema.array;
import static dev.dockup.web.Schema.bool;
import static dev.dockup.web.Schema.integer;
import static dev.dockup.web.Schema.mapOf;
import static dev.dockup.web.Schema.object;
import static dev.dockup.web.Schema.ref;
import static dev.dockup.web.Schema.string;

/**
 * {@code /api/templates}: the catalog (read), its refresh and deploys (admin: a deploy writes a
 * stack, a refresh makes DockUp fetch URLs). Each route is one request to this node's template
 * service; a deploy names the node its stack goes to in its body.
 */
public final class TemplateRoutes implements RouteGroup {
  private final String address;
  private final long deployTimeoutMs;
  /** A synchronous refresh answers 504 past this and goes on; ?async=true is for long lists. */
  static final long REFRESH_TIMEOUT_MS = 600_000;

  public TemplateRoutes(Config config) {
    this.address = Bus.templates(config.nodeName());
    this.deployTimeoutMs = Deployer.timeoutMs(config) + 10_000;
  }

  @Override
  public String tag() {
    return "templates";
  }

  @Override
  public List<Route> routes() {
    // The fixed paths come before {id}: the router tries routes in order.
    return List.of(
        Route.get("/api/templates/list", Access.READ, "listTemplates", "The catalog: bundled templates and those of the remote catalogs")
            .query("category", string(), "One of the fixed categories (see /api/templates/categories)")
            .query("q", string(), "Words to find in the id, title, description or categories")
            .query("source", string(), "bundled, linuxserver, casaos, portainer, or a catalog's URL")
            .response(ref("TemplateList"))
            .handle(ctx -> Api.forward(ctx, address, Bus.Templates.LIST, new JsonObject()
                .put("category", ctx.request().getParam("category")).put("q", ctx.request().getParam("q"))
                .put("source", ctx.request().getParam("source")))),
        Route.get("/api/templates/categories", Access.READ, "templateCategories", "The fixed categories, with how many templates each has")
            .response(object("categories", array(object("name", string(), "count", integer())), "counts", mapOf(integer())))
            .handle(ctx -> Api.forward(ctx, address, Bus.Templates.CATEGORIES, new JsonObject())),
        Route.post("/api/templates/refresh", Access.ADMIN, "refreshTemplates",
                "Fetch every remote catalog of the template_urls setting now (conditionally); a catalog that fails keeps its last good copy")
            .query("async", bool(), "Answer 202 at once; progress comes on the feed as template_refresh messages")
            .response(object("success", bool(), "count?", integer(), "status?", string("running: the 202 answer"),
                "sources?", array(ref("TemplateSource"))))
            .handle(ctx -> Api.forward(ctx, address, Bus.Templates.REFRESH, new JsonObject().put(Bus.ASYNC, Api.flag(ctx, "async")),
                REFRESH_TIMEOUT_MS)),
        Route.get("/api/templates/{id}", Access.READ, "getTemplate", "A template with its compose file and its variables")
            .response(ref("TemplateDetail")).errors(404)
            .handle(ctx -> Api.forward(ctx, address, Bus.Templates.GET, id(ctx))),
        Route.get("/api/templates/{id}/logo", Access.READ, "templateLogo", "A bundled template's logo (remote templates link theirs)")
            .produces("image/svg+xml").errors(404)
            .handle(this::logo),
        Route.post("/api/templates/{id}/deploy", Access.ADMIN, "deployTemplate",
                "Create a stack from a template: the values go to its .env; risky settings need accept_risks")
            .request(ref("DeployRequest"))
            .response(201, ref("DeployResult")).errors(404, 409, 500, 503, 504)
            .handle(ctx -> Api.forward(ctx, address, Bus.Templates.DEPLOY, id(ctx).put("body", Api.body(ctx)), deployTimeoutMs)));
  }

  @Override
  public Map<String, JsonObject> schemas() {
    return TemplateSchemas.all();
  }

  private static JsonObject id(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (id == null || !Slugs.ID.matcher(id).matches()) throw ApiException.notFound("Template not found");
    return new JsonObject().put(Bus.ID, id);
  }

  /** Our own file, still served as a document that can run nothing: an SVG may hold script. */
  private void logo(RoutingContext ctx) {
    Services.request(ctx.vertx(), address, Bus.Templates.LOGO, id(ctx), Api.DEFAULT_TIMEOUT_MS)
        .onFailure(t -> Api.fail(ctx, t))
        .onSuccess(body -> ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, "image/svg+xml")
            .putHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
            .putHeader("X-Content-Type-Options", "nosniff")
            .putHeader(HttpHeaders.CACHE_CONTROL, "max-age=86400")
            .end(body.getString("svg")));
  }
}
