package dev.dockup.settings;

import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static dev.dockup.web.Schema.array;
import static dev.dockup.web.Schema.bool;
import static dev.dockup.web.Schema.integer;
import static dev.dockup.web.Schema.object;
import static dev.dockup.web.Schema.ref;
import static dev.dockup.web.Schema.string;

/** {@code GET/POST/PUT /api/config}: settings, admin only (notification URLs hold secrets, even masked). */
public final class SettingsRoutes implements RouteGroup {
  /** Read-only: it is in every answer, so a client posting back what it read sends it too. */
  static final String API_TOKEN_SET = "api_token_set";

  private final Settings settings;
  private final BooleanSupplier apiTokenSet;

  public SettingsRoutes(Settings settings, BooleanSupplier apiTokenSet) {
    this.settings = settings;
    this.apiTokenSet = apiTokenSet;
  }

  @Override
  public String tag() {
    return "settings";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.get("/api/config", Access.ADMIN, "getSettings", "Settings (notification URLs masked)")
            .response(ref("Settings")).handle(this::get),
        Route.post("/api/config", Access.ADMIN, "updateSettings", "Change some settings; unknown or invalid keys change nothing (400)")
            .request(ref("Settings")).response(ref("Settings")).handle(this::update),
        Route.put("/api/config", Access.ADMIN, "replaceSettings", "The same as POST")
            .request(ref("Settings")).response(ref("Settings")).handle(this::update));
  }

  @Override
  public Map<String, JsonObject> schemas() {
    return Map.of("Settings", object("instance_name?", string(), "timezone?", string("An IANA zone"),
        "notification_enabled?", bool(), "notification_urls?", array(string("Shoutrrr-style; shown masked, a masked value posted back keeps the stored one")),
        "notify_on?", array(string()), "default_cron?", string(), "stats_interval?", integer("Seconds, 1-300"),
        "appdata_interval?", integer("Seconds"), "hub_registry_url?", string(), "hub_auth_url?", string(),
        "discord_api_url?", string(), "slack_api_url?", string(), "api_token_set?", bool("Read-only")));
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
