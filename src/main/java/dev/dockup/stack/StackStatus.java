package dev.dockup.stack;

import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A stack's {@code status} and {@code health_status}, by DESIGN.md's rules (first match wins). */
public record StackStatus(String status, String health, int containers, int running) {

  /**
   * @param services the services that should run: the compose file's, less those behind a profile
   *                 (for an external stack, those seen on its containers)
   */
  public static StackStatus of(Collection<String> services, List<JsonObject> containers) {
    List<JsonObject> cs = containers.stream().filter(c -> !c.getBoolean("oneoff", false)).toList();
    int running = (int) cs.stream().filter(StackStatus::isRunning).count();
    if (cs.isEmpty()) return new StackStatus("inactive", "stopped", 0, 0);

    Set<String> expected = new LinkedHashSet<>(services);
    Map<String, ServiceState> perService = new HashMap<>();
    for (JsonObject c : cs) {
      String svc = c.getString("service", "");
      expected.add(svc);
      perService.computeIfAbsent(svc, s -> new ServiceState()).add(c);
    }

    String status;
    if (running == 0) status = "stopped";
    else if (expected.stream().allMatch(s -> perService.getOrDefault(s, ServiceState.NONE).satisfied())) status = "running";
    else status = "partial";

    String health;
    if (running == 0) health = "stopped";
    else if (cs.stream().anyMatch(c -> "unhealthy".equals(c.getString("health")) || "restarting".equals(c.getString("state")))
        || perService.values().stream().anyMatch(ServiceState::failed)) health = "unhealthy";
    else if (cs.stream().anyMatch(c -> "starting".equals(c.getString("health")))) health = "starting";
    else health = "healthy";

    return new StackStatus(status, health, cs.size(), running);
  }

  static boolean isRunning(JsonObject c) {
    return "running".equals(c.getString("state"));
  }

  /** What a service's containers add up to. */
  private static final class ServiceState {
    static final ServiceState NONE = new ServiceState();
    boolean anyRunning;
    boolean completedOneShot;
    boolean exitedNonZero;

    void add(JsonObject c) {
      if (isRunning(c)) {
        anyRunning = true;
        return;
      }
      if ("exited".equals(c.getString("state"))) {
        long code = c.getLong("exit_code", 0L);
        String policy = c.getString("restart_policy", "no");
        if (code == 0 && ("no".equals(policy) || "on-failure".equals(policy))) completedOneShot = true;
        if (code != 0) exitedNonZero = true;
      }
    }

    /** Running, or a one-shot (restart no/on-failure) that finished cleanly. */
    boolean satisfied() { return anyRunning || completedOneShot; }

    /** No container running and the last one exited non-zero. */
    boolean failed() { return !anyRunning && exitedNonZero && !completedOneShot; }
  }
}
