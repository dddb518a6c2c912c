package dev.dockup.settings;

import dev.dockup.web.Api;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.function.BooleanSupplier;

/** {@code GET/POST/PUT /api/config}. Authentication and scope are checked before these routes. */
public final class SettingsRoutes {
  /** Read-only: it is in every answer, so a client posting back what it read sends it too. */
  static final String API_TOKEN_SET = "api_token_set";

  private final Settings settings;
  private final BooleanSupplier apiTokenSet;

  private SettingsRoutes(Settings settings, BooleanSupplier apiTokenSet) {
    this.settings = settings;
    this.apiTokenSet = apiTokenSet;
  }

  public static void mount(Router router, Settings settings, BooleanSupplier apiTokenSet) {
    SettingsRoutes r = new SettingsRoutes(settings, apiTokenSet);
    router.get("/api/config").handler(r::get);
    router.post("/api/config").handler(r::update);
    router.put("/api/config").handler(r::update);
  }

  private void get(RoutingContext ctx) {
    Api.send(ctx, 200, answer(settings.view()));
  }

  private void update(RoutingContext ctx) {
    JsonObject body = Api.body(ctx);
    body.remove(API_TOKEN_SET);
    settings.update(body).onComplete(ar -> {
      if (ar.succeeded()) Api.send(ctx, 200, answer(ar.result()));
      else Api.fail(ctx, ar.cause());
    });
  }

  private JsonObject answer(JsonObject view) {
    return view.put(API_TOKEN_SET, apiTokenSet.getAsBoolean());
  }
}
