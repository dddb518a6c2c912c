package dev.dockup.webhook;

import dev.dockup.Config;
import dev.dockup.auth.Gate;
import dev.dockup.auth.Principal;
import dev.dockup.bus.Bus;
import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.dockup.web.Schema.any;
import static dev.dockup.web.Schema.array;
import static dev.dockup.web.Schema.bool;
import static dev.dockup.web.Schema.nullable;
import static dev.dockup.web.Schema.object;
import static dev.dockup.web.Schema.oneOf;
import static dev.dockup.web.Schema.ref;
import static dev.dockup.web.Schema.string;

/**
 * {@code /api/webhooks} (admin) and {@code POST /hooks/<id>}: public on the route table, since
 * a Git host or CI sends no DockUp credential; the webhook service checks the hook's own secret
 * or signature, and audits the call itself (the gate audits only callers it knows).
 */
public final class WebhookRoutes implements RouteGroup {
  static final String SECRET_HEADER = "X-Webhook-Secret";
  static final String SIGNATURE_HEADER = "X-Hub-Signature-256";

  private final String address;
  private final long callTimeoutMs;

  public WebhookRoutes(Config config) {
    this.address = Bus.webhooks(config.nodeName());
    this.callTimeoutMs = WebhookVerticle.callTimeoutMs(config);
  }

  @Override
  public String tag() {
    return "webhooks";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.post("/api/webhooks", Access.ADMIN, "createWebhook",
                "A URL that runs operations on a stack when called with its secret (shown in this answer only)")
            .request(object("stack", string(), "operations", array(oneOf("pull", "up", "down", "stop", "restart", "update")),
                "node?", string("The stack's node in a fleet; this node by default")))
            .response(201, ref("NewWebhook")).errors(404, 409, 503).handle(this::create),
        Route.get("/api/webhooks", Access.ADMIN, "listWebhooks", "This node's webhooks, without their secrets")
            .response(object("webhooks", array(ref("Webhook")))).handle(ctx -> Api.forward(ctx, address,
                WebhookVerticle.Actions.LIST, new JsonObject())),
        Route.delete("/api/webhooks/{id}", Access.ADMIN, "deleteWebhook", "Remove a webhook; its URL answers 401 from then on")
            .response(object("success", bool(), "id", string())).errors(404)
            .handle(ctx -> Api.forward(ctx, address, WebhookVerticle.Actions.DELETE,
                new JsonObject().put(Bus.ID, ctx.pathParam("id")))),
        Route.post("/hooks/{id}", Access.PUBLIC, "callWebhook", "Run the hook's operations in order, stopping at the first failure")
            .description("Needs `" + SECRET_HEADER + ": <secret>` or `" + SIGNATURE_HEADER + ": sha256=<hex HMAC-SHA256 of the body>`"
                + " (as GitHub, Gitea and Forgejo send it); the body is not read otherwise. A wrong or missing secret, and an"
                + " unknown id, get 401 and run nothing; the 11th call within a minute gets 429 with Retry-After. A GitHub"
                + " `ping` event is answered without running anything.")
            .option(Route.Option.NOT_AUDITED)
            .response(ref("WebhookRun")).errors(401, 404, 409, 429, 500, 503, 504).handle(this::call));
  }

  @Override
  public Map<String, JsonObject> schemas() {
    return Map.of(
        "Webhook", hook(),
        "NewWebhook", hook("secret", string("Shown in this answer only; stored encrypted"),
            "url?", string("The absolute URL, as this request reached DockUp")),
        "WebhookRun", object("success", bool(), "hook", string(), "stack?", string(), "node?", string(),
            "results?", array(any()), "ping?", bool(), "error?", string()));
  }

  private static JsonObject hook(Object... more) {
    List<Object> props = new java.util.ArrayList<>(List.of("id", string(), "stack", string(), "node", string(),
        "operations", array(string()), "path", string("Where calls go, on this node"), "created_at", string(),
        "created_by", nullable(string())));
    props.addAll(List.of(more));
    return object(props.toArray());
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Api.body(ctx);
    Principal p = Principal.of(ctx);
    JsonObject req = new JsonObject().put("stack", body.getValue("stack")).put("operations", body.getValue("operations"))
        .put("node", body.getValue("node")).put(Bus.BY, p == null ? null : p.credential());
    Api.request(ctx, address, WebhookVerticle.Actions.CREATE, req, 60_000).onComplete(ar -> {
      if (ar.failed()) {
        Api.fail(ctx, ar.cause());
        return;
      }
      Object reply = ar.result().body();
      String authority = ctx.request().authority() == null ? null : ctx.request().authority().toString();
      if (reply instanceof JsonObject o && o.containsKey("secret") && authority != null) {
        o.put("url", ctx.request().scheme() + "://" + authority + o.getString("path"));
      }
      Api.reply(ctx, ar.result());
    });
  }

  private void call(RoutingContext ctx) {
    var req = ctx.request();
    String event = req.getHeader("X-GitHub-Event") != null ? req.getHeader("X-GitHub-Event") : req.getHeader("X-Gitea-Event");
    JsonObject payload = new JsonObject()
        .put(Bus.ID, ctx.pathParam("id"))
        .put("client", ctx.<String>get(Gate.CLIENT))
        .put("secret", req.getHeader(SECRET_HEADER))
        .put("signature", req.getHeader(SIGNATURE_HEADER))
        .put("event", event)
        .put("body", Base64.getEncoder().encodeToString(Api.rawBody(ctx).getBytes()));
    Api.request(ctx, address, WebhookVerticle.Actions.CALL, payload, callTimeoutMs).onComplete(ar -> {
      if (ar.failed()) {
        Api.fail(ctx, ar.cause());
        return;
      }
      if (ar.result().body() instanceof JsonObject o && o.getValue("retry_after") instanceof Number n) {
        ctx.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(n.longValue()));
      }
      Api.reply(ctx, ar.result());
    });
  }
}
