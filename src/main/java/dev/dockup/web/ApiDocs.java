package dev.dockup.web;

import dev.dockup.DockUpVersion;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /api/openapi.json}, {@code /api/openapi.yaml} and {@code /api/docs} (Swagger UI from
 * its webjar, started by a script of our own so the page keeps a strict CSP). The document is
 * made once, on first use, from the route table.
 */
public final class ApiDocs implements RouteGroup {
  /** Swagger UI sets inline styles; scripts stay strictly same-origin files. */
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
      + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/" + DockUpVersion.SWAGGER_UI + "/";
  /** The files the page needs, and where each comes from: nothing else under /api/docs is served. */
  private static final Map<String, String> FILES = Map.of(
      "swagger-ui.css", WEBJAR + "swagger-ui.css",
      "swagger-ui-bundle.js", WEBJAR + "swagger-ui-bundle.js",
      "favicon-32x32.png", WEBJAR + "favicon-32x32.png",
      "docs.js", "docs/docs.js");
  private static final Map<String, String> TYPES = Map.of(
      "css", "text/css; charset=utf-8", "js", "text/javascript; charset=utf-8", "png", "image/png",
      "html", "text/html; charset=utf-8");

  private final Supplier<RouteTable> table;
  private volatile Buffer json;
  private volatile Buffer yaml;

  public ApiDocs(Supplier<RouteTable> table) {
    this.table = table;
  }

  @Override
  public String tag() {
    return "docs";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.get("/api/openapi.json", Access.PUBLIC, "openApiJson", "This API's OpenAPI 3.1 document")
            .response(Schema.anyObject()).handle(this::json),
        Route.get("/api/openapi.yaml", Access.PUBLIC, "openApiYaml", "The same document in YAML")
            .produces("application/yaml").handle(this::yaml),
        Route.get("/api/docs", Access.PUBLIC, "apiDocs", "A readable page of the document (Swagger UI, served locally)")
            .produces("text/html").handle(ctx -> file(ctx, "docs/index.html", "html")),
        Route.get("/api/docs/{file}", Access.PUBLIC, "apiDocsFile", "The page's scripts and styles")
            .produces("text/plain").errors(404).handle(this::asset));
  }

  private void json(RoutingContext ctx) {
    if (json == null) json = document().toBuffer();
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, Route.JSON).end(json);
  }

  private void yaml(RoutingContext ctx) {
    if (yaml == null) {
      Dump dump = new Dump(DumpSettings.builder().setDefaultFlowStyle(FlowStyle.BLOCK).build());
      yaml = Buffer.buffer(dump.dumpToString(document().getMap()));
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml; charset=utf-8").end(yaml);
  }

  private JsonObject document() {
    // Through JSON and back: plain maps and lists all the way down, as the YAML dumper wants.
    return new JsonObject(OpenApi.document(table.get(), DockUpVersion.VERSION).encode());
  }

  private void asset(RoutingContext ctx) {
    String name = ctx.pathParam("file");
    String resource = FILES.get(name);
    if (resource == null) {
      Api.error(ctx, 404, "Not found");
      return;
    }
    file(ctx, resource, name.substring(name.lastIndexOf('.') + 1));
  }

  private void file(RoutingContext ctx, String resource, String extension) {
    // Small, fixed files of the jar: read on a worker, never on the event loop.
    ctx.vertx().executeBlocking(() -> read(resource), false).onComplete(ar -> {
      if (ar.failed() || ar.result() == null) {
        ctx.fail(ar.failed() ? ar.cause() : new IllegalStateException("missing resource " + resource));
        return;
      }
      ctx.response()
          .putHeader(HttpHeaders.CONTENT_TYPE, TYPES.get(extension))
          .putHeader("Content-Security-Policy", CSP)
          .putHeader("X-Content-Type-Options", "nosniff")
          .putHeader("Referrer-Policy", "no-referrer")
          .putHeader(HttpHeaders.CACHE_CONTROL, "public, max-age=3600")
          .end(ar.result());
    });
  }

  private static Buffer read(String resource) {
    try (InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(resource)) {
      return in == null ? null : Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
