package dev.dockup.web;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;

/** A feature's routes and the named schemas they refer to: the feature's part of the route table. */
public interface RouteGroup {
  /** The name the OpenAPI document groups these routes under. */
  String tag();

  List<Route> routes();

  default Map<String, JsonObject> schemas() {
    return Map.of();
  }
}
