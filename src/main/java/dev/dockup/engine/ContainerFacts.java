package dev.dockup.engine;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Ports;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * One container as the stack model needs it, built from an inspect. Membership in a stack is by
 * the compose project label, never by name (v1 and v2 name containers differently).
 */
public final class ContainerFacts {
  private ContainerFacts() {}

  public static final String PROJECT_LABEL = "com.docker.compose.project";
  public static final String SERVICE_LABEL = "com.docker.compose.service";
  public static final String ONEOFF_LABEL = "com.docker.compose.oneoff";

  static String project(InspectContainerResponse c) {
    Map<String, String> labels = c.getConfig() == null ? null : c.getConfig().getLabels();
    return labels == null ? null : labels.get(PROJECT_LABEL);
  }

  static JsonObject from(InspectContainerResponse c, boolean self) {
    Map<String, String> labels = c.getConfig() != null && c.getConfig().getLabels() != null
        ? c.getConfig().getLabels() : Map.of();
    var state = c.getState();
    String status = state == null || state.getStatus() == null ? "unknown" : state.getStatus();
    Long exit = state == null ? null : state.getExitCodeLong();
    String health = state == null || state.getHealth() == null ? null : state.getHealth().getStatus();
    String restart = c.getHostConfig() == null || c.getHostConfig().getRestartPolicy() == null
        ? "no" : c.getHostConfig().getRestartPolicy().getName();
    return new JsonObject()
        .put("id", c.getId())
        .put("name", c.getName() == null ? c.getId() : c.getName().replaceFirst("^/", ""))
        .put("project", labels.get(PROJECT_LABEL))
        .put("service", labels.get(SERVICE_LABEL))
        .put("state", status)
        .put("status", describe(status, exit, health))
        .put("health", health)
        .put("exit_code", exit)
        .put("restart_policy", restart == null || restart.isEmpty() ? "no" : restart)
        .put("oneoff", "True".equalsIgnoreCase(labels.get(ONEOFF_LABEL)))
        .put("image", c.getConfig() == null ? null : c.getConfig().getImage())
        .put("image_id", c.getImageId())
        .put("created", c.getCreated())
        .put("started_at", state == null ? null : state.getStartedAt())
        .put("ports", ports(c))
        .put("self", self);
  }

  /** A status text that does not go stale in a cached answer (no "5 minutes ago"). */
  /** The stable status text: answers built from it stay cacheable. */
  static String describe(String state, Long exit, String health) {
    return switch (state) {
      case "running" -> health == null ? "running" : "running (" + health + ")";
      case "exited" -> "exited (" + (exit == null ? "?" : exit) + ")";
      default -> state;
    };
  }

  private static JsonArray ports(InspectContainerResponse c) {
    JsonArray out = new JsonArray();
    if (c.getNetworkSettings() == null || c.getNetworkSettings().getPorts() == null) return out;
    for (Map.Entry<ExposedPort, Ports.Binding[]> e : c.getNetworkSettings().getPorts().getBindings().entrySet()) {
      ExposedPort p = e.getKey();
      if (e.getValue() == null) {
        out.add(new JsonObject().put("private", p.getPort()).put("type", p.getProtocol().toString()));
        continue;
      }
      for (Ports.Binding b : e.getValue()) {
        out.add(new JsonObject()
            .put("private", p.getPort())
            .put("public", parsePort(b.getHostPortSpec()))
            .put("ip", b.getHostIp())
            .put("type", p.getProtocol().toString()));
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
