package dev.dockup.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/** Compose files for tests: busybox images made locally, quick to stop (DESIGN.md, Tests). */
public final class Stacks {
  private Stacks() {}

  public static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
  }

  /** Two long-running services; {@code worker} prints {@code token} first. */
  public static String twoServices(String token) {
    return """
        services:
          web:
            image: %s
            init: true
            command: ["sleep", "3600"]
          worker:
            image: %s
            init: true
            command: ["sh", "-c", "echo %s; sleep 3600"]
        """.formatted(Engine.IMAGE, Engine.IMAGE, token);
  }

  /** A service that ignores SIGTERM, so a stop waits out its grace period. */
  public static String slowToStop(int graceSeconds) {
    return """
        services:
          stubborn:
            image: %s
            init: true
            stop_grace_period: %ds
            command: ["sh", "-c", "trap '' TERM; while true; do sleep 1; done"]
        """.formatted(Engine.IMAGE, graceSeconds);
  }

  public static JsonObject content(String yaml) {
    return new JsonObject().put("content", yaml);
  }

  public static JsonObject find(JsonObject list, String name) {
    JsonArray stacks = list.getJsonArray("stacks");
    for (int i = 0; i < stacks.size(); i++) {
      if (name.equals(stacks.getJsonObject(i).getString("name"))) return stacks.getJsonObject(i);
    }
    return null;
  }
}
