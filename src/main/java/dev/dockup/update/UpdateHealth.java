package dev.dockup.update;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Whether updated services came up well: every container healthy, or (without a healthcheck)
 * running, unrestarted, for the grace period. A container that exits, restarts or turns
 * unhealthy fails at once, with {@link Unhealthy}; so does one not well in time. Not being able
 * to look (the stack's details did not come) fails with that cause instead: it says nothing
 * about the image.
 */
final class UpdateHealth {
  private UpdateHealth() {}

  /** The gate's own verdict: the new image did not come up well. */
  static final class Unhealthy extends RuntimeException {
    Unhealthy(String message) {
      super(message, null, false, false);
    }
  }

  static final long POLL_MS = 500;

  static Future<Void> await(Vertx vertx, Supplier<Future<JsonObject>> detail, List<String> services, long graceMs, long timeoutMs) {
    Promise<Void> done = Promise.promise();
    long deadline = System.currentTimeMillis() + Math.max(timeoutMs, graceMs + 10_000);
    Map<String, Long> runningSince = new HashMap<>();
    poll(vertx, detail, services, graceMs, deadline, runningSince, done);
    return done.future();
  }

  private static void poll(Vertx vertx, Supplier<Future<JsonObject>> detail, List<String> services, long graceMs,
                           long deadline, Map<String, Long> runningSince, Promise<Void> done) {
    detail.get().onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
        return;
      }
      String verdict = judge(ar.result().getJsonArray("container_list", new JsonArray()), services, graceMs, runningSince);
      if (verdict == null) {
        done.complete();
      } else if (verdict.startsWith("!")) {
        done.fail(new Unhealthy(verdict.substring(1)));
      } else if (System.currentTimeMillis() > deadline) {
        done.fail(new Unhealthy("Not healthy in time: " + verdict));
      } else {
        vertx.setTimer(POLL_MS, t -> poll(vertx, detail, services, graceMs, deadline, runningSince, done));
      }
    });
  }

  /** null when all is well; "!reason" when it failed; otherwise what is still awaited. */
  static String judge(JsonArray containers, List<String> services, long graceMs, Map<String, Long> runningSince) {
    long now = System.currentTimeMillis();
    for (String service : services) {
      List<JsonObject> cs = containers.stream().map(JsonObject.class::cast)
          .filter(c -> service.equals(c.getString("service"))).toList();
      if (cs.isEmpty()) return service + " has no container yet";
      for (JsonObject c : cs) {
        String state = c.getString("state");
        String health = c.getString("health");
        if ("exited".equals(state) || "dead".equals(state)) {
          return "!" + service + " exited with code " + c.getValue("exit_code");
        }
        if ("restarting".equals(state)) return "!" + service + " keeps restarting";
        if ("unhealthy".equals(health)) return "!" + service + " is unhealthy";
        if (!"running".equals(state)) return service + " is " + state;
        if (health != null) {
          if (!"healthy".equals(health)) return service + " is " + health;
          continue;
        }
        String key = c.getString("id") + "@" + c.getString("started_at");
        long since = runningSince.computeIfAbsent(key, k -> now);
        if (now - since < graceMs) return service + " has run " + (now - since) / 1000 + " s of " + graceMs / 1000 + " s";
      }
    }
    return null;
  }
}
