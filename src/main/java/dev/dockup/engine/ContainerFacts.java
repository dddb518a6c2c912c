package dev.dockup.engine;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Objects;

/**
 * One container as the stack model needs it, built from an inspect. Membership in a stack is by
 * the compose project label, never by name (v1 and v2 name containers differently).
 */
public final class ContainerFacts {
  private ContainerFacts() {}

  public static final String PROJECT_LABEL = "com.docker.compose.project";
  public static final String SERVICE_LABEL = "com.docker.compose.service";
  public static final String ONEOFF_LABEL = "com.docker.compose.oneoff";

  /** The compose project of an inspect ({@code GET /containers/<id>/json}); null when it has none. */
  static String project(JsonObject inspect) {
    return EngineJson.string(EngineJson.object(EngineJson.object(inspect, "Config"), "Labels"), PROJECT_LABEL);
  }

  /** The engine sends {@code null} for empty maps and lists: every field is read null-safely. */
  static JsonObject from(JsonObject c, boolean self) {
    JsonObject config = EngineJson.object(c, "Config");
    JsonObject labels = EngineJson.object(config, "Labels");
    JsonObject state = EngineJson.object(c, "State");
    String status = Objects.requireNonNullElse(EngineJson.string(state, "Status"), "unknown");
    Long exit = state.getValue("ExitCode") instanceof Number n ? n.longValue() : null;
    String health = EngineJson.string(EngineJson.object(state, "Health"), "Status");
    String restart = EngineJson.string(EngineJson.object(EngineJson.object(c, "HostConfig"), "RestartPolicy"), "Name");
    String id = EngineJson.string(c, "Id");
    String name = EngineJson.string(c, "Name");
    return new JsonObject()
        .put("id", id)
        .put("name", name == null ? id : name.replaceFirst("^/", ""))
        .put("project", EngineJson.string(labels, PROJECT_LABEL))
        .put("service", EngineJson.string(labels, SERVICE_LABEL))
        .put("state", status)
        .put("status", describe(status, exit, health))
        .put("health", health)
        .put("exit_code", exit)
        .put("restart_policy", restart == null || restart.isEmpty() ? "no" : restart)
        .put("oneoff", "True".equalsIgnoreCase(EngineJson.string(labels, ONEOFF_LABEL)))
        .put("image", EngineJson.string(config, "Image"))
        .put("image_id", EngineJson.string(c, "Image"))
        .put("created", EngineJson.string(c, "Created"))
        .put("started_at", EngineJson.string(state, "StartedAt"))
        .put("ports", ports(EngineJson.object(EngineJson.object(c, "NetworkSettings"), "Ports")))
        .put("self", self);
  }

  /** A status text that does not go stale in a cached answer (no "5 minutes ago"). */
  static String describe(String state, Long exit, String health) {
    return switch (state) {
      case "running" -> health == null ? "running" : "running (" + health + ")";
      case "exited" -> "exited (" + (exit == null ? "?" : exit) + ")";
      default -> state;
    };
  }

  /** {@code {"80/tcp": [{"HostIp", "HostPort"}] or null (exposed, not published)}}, in the engine's order. */
  static JsonArray ports(JsonObject ports) {
    JsonArray out = new JsonArray();
    for (String key : ports.fieldNames()) {
      String[] portAndType = key.split("/", 2);
      Integer port = parsePort(portAndType[0]);
      String type = portAndType.length > 1 ? portAndType[1] : "tcp";
      if (!(ports.getValue(key) instanceof JsonArray bindings)) {
        out.add(new JsonObject().put("private", port).put("type", type));
        continue;
      }
      for (JsonObject b : EngineJson.objects(bindings)) {
        out.add(new JsonObject()
            .put("private", port)
            .put("public", parsePort(EngineJson.string(b, "HostPort")))
            .put("ip", EngineJson.string(b, "HostIp"))
            .put("type", type));
      }
    }
    return out;
  }

  private static Integer parsePort(String spec) {
    try {
      return spec == null ? null : Integer.valueOf(spec);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
