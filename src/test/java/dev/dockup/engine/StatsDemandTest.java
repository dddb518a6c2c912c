package dev.dockup.engine;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stats are read for the stacks some client watches, while one does. */
class StatsDemandTest {
  @Test
  void stacksByNameOrNodeAndNameUntilTheHubFallsSilent() {
    StatsDemand d = new StatsDemand();
    assertFalse(d.active(0, 6_000));
    d.heard(new JsonObject().put("hub", "h1").put("stacks", new JsonArray().add("web").add("n2/db")), 1_000);
    assertTrue(d.active(2_000, 6_000));
    assertTrue(d.wants("n1", "web"));
    assertTrue(d.wants("n2", "db"));
    assertFalse(d.wants("n1", "db"), "db of another node");
    assertFalse(d.wants("n1", "mail"));
    d.heard(new JsonObject().put("hub", "h2").put("all", true), 5_000);
    assertTrue(d.wants("n1", "mail"), "an overview client watches every stack");
    assertTrue(d.active(8_000, 6_000));
    assertFalse(d.active(12_000, 6_000), "both hubs silent for longer than the window");
    assertFalse(d.wants("n1", "web"));
  }

  @Test
  void anOlderNodesDemandWithoutDetailMeansEverything() {
    StatsDemand d = new StatsDemand();
    d.heard(new JsonObject(), 0);
    assertTrue(d.wants("n1", "anything"));
  }

  @Test
  void madeUpHubsCannotGrowItWithoutBound() {
    StatsDemand d = new StatsDemand();
    for (int i = 0; i < StatsDemand.MAX_HUBS * 3; i++) d.heard(new JsonObject().put("hub", "h" + i).put("stacks", new JsonArray()), 0);
    d.heard(new JsonObject().put("hub", "real").put("stacks", new JsonArray().add("web")), 0);
    assertTrue(d.wants("n1", "web"));
  }
}
