package dev.dockup.stack;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StackStatusTest {

  private static JsonObject c(String service, String state) {
    return new JsonObject().put("service", service).put("state", state)
        .put("exit_code", 0L).put("restart_policy", "unless-stopped").put("oneoff", false);
  }

  private static JsonObject running(String service) {
    return c(service, "running");
  }

  private static JsonObject exited(String service, long code, String policy) {
    return c(service, "exited").put("exit_code", code).put("restart_policy", policy);
  }

  private static void assertStatus(String status, String health, List<String> services, JsonObject... containers) {
    StackStatus s = StackStatus.of(services, List.of(containers));
    assertEquals(status, s.status(), "status");
    assertEquals(health, s.health(), "health_status");
  }

  // ---- status ----

  @Test
  void noContainersIsInactiveAndStopped() {
    StackStatus s = StackStatus.of(List.of("web"), List.of());
    assertEquals("inactive", s.status());
    assertEquals("stopped", s.health());
    assertEquals(0, s.containers());
    assertEquals(0, s.running());
  }

  @Test
  void noneRunningIsStopped() {
    assertStatus("stopped", "stopped", List.of("web", "db"), exited("web", 0, "always"), c("db", "created"));
  }

  @Test
  void onlyCompletedOneShotsIsStopped() {
    assertStatus("stopped", "stopped", List.of("init"), exited("init", 0, "no"));
  }

  @Test
  void everyServiceRunningIsRunningAndHealthy() {
    StackStatus s = StackStatus.of(List.of("web", "db"), List.of(running("web"), running("db")));
    assertEquals("running", s.status());
    assertEquals("healthy", s.health());
    assertEquals(2, s.containers());
    assertEquals(2, s.running());
  }

  @Test
  void oneShotThatExitedZeroCountsAsSatisfied() {
    assertStatus("running", "healthy", List.of("web", "migrate"), running("web"), exited("migrate", 0, "no"));
    assertStatus("running", "healthy", List.of("web", "migrate"), running("web"), exited("migrate", 0, "on-failure"));
  }

  @Test
  void exitedZeroWithRestartingPolicyIsNotSatisfied() {
    assertStatus("partial", "healthy", List.of("web", "worker"), running("web"), exited("worker", 0, "always"));
    assertStatus("partial", "healthy", List.of("web", "worker"), running("web"), exited("worker", 0, "unless-stopped"));
  }

  @Test
  void serviceWithoutContainerIsPartial() {
    assertStatus("partial", "healthy", List.of("web", "db"), running("web"));
  }

  @Test
  void oneoffContainersAreIgnored() {
    JsonObject oneoff = running("web").put("oneoff", true);
    StackStatus s = StackStatus.of(List.of("web"), List.of(oneoff));
    assertEquals("inactive", s.status());
    assertEquals(0, s.containers());

    JsonObject failedRun = exited("web", 1, "no").put("oneoff", true);
    StackStatus t = StackStatus.of(List.of("web"), List.of(running("web"), failedRun));
    assertEquals("running", t.status());
    assertEquals("healthy", t.health());
    assertEquals(1, t.containers());
  }

  @Test
  void servicesSeenOnlyOnContainersAreExpected() {
    // an external stack passes no compose services: the containers' services are the list
    assertStatus("partial", "healthy", List.of(), running("web"), exited("db", 0, "always"));
    assertStatus("running", "healthy", List.of(), running("web"), running("db"));
  }

  // ---- health_status ----

  @Test
  void unhealthyContainerMakesStackUnhealthy() {
    assertStatus("running", "unhealthy", List.of("web", "db"),
        running("web").put("health", "unhealthy"), running("db").put("health", "starting"));
  }

  @Test
  void restartingContainerMakesStackUnhealthy() {
    assertStatus("partial", "unhealthy", List.of("web", "db"), running("web"), c("db", "restarting"));
  }

  @Test
  void serviceWhoseLastContainerExitedNonZeroIsUnhealthy() {
    assertStatus("partial", "unhealthy", List.of("web", "migrate"), running("web"), exited("migrate", 1, "no"));
    assertStatus("partial", "unhealthy", List.of("web", "worker"), running("web"), exited("worker", 137, "always"));
  }

  @Test
  void exitedNonZeroBesideARunningContainerOfTheSameServiceIsNotUnhealthy() {
    assertStatus("running", "healthy", List.of("web"), running("web"), exited("web", 1, "always"));
  }

  @Test
  void healthStartingIsStarting() {
    assertStatus("running", "starting", List.of("web", "db"), running("web").put("health", "starting"),
        running("db").put("health", "healthy"));
  }

  @Test
  void unhealthyWinsOverStarting() {
    assertStatus("running", "unhealthy", List.of("web", "db"), running("web").put("health", "starting"),
        running("db").put("health", "unhealthy"));
  }

  @Test
  void runningWithoutHealthchecksIsHealthy() {
    assertStatus("running", "healthy", List.of("web"), running("web"));
  }

  @Test
  void nothingRunningIsStoppedEvenWhenAContainerFailed() {
    assertStatus("stopped", "stopped", List.of("web"), exited("web", 1, "no").put("health", "unhealthy"));
  }
}
