package dev.dockup.stack;

import dev.dockup.bus.Bus;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A stack's state is not claimed before the engine's first listing; after it, the last one seen is kept. */
class StackStateTest {
  Vertx vertx;
  Context context;
  StackState state;
  final BlockingQueue<JsonObject> published = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    vertx.eventBus().<JsonObject>consumer(Bus.EVENTS, m -> published.add(m.body())).completion()
        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    state = on(() -> new StackState("n1", context, new StackListCache()));
    ComposeFile web = ComposeFile.parse("services:\n  web:\n    image: x\n");
    StackFiles.Folder folder = new StackFiles.Folder("app", Path.of("/stacks/app"), "compose.yaml", List.of(), web, null);
    on(() -> {
      state.applyScan(new StackFiles.Scan(Map.of("app", folder), List.of()));
      return null;
    });
  }

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  <T> T on(Supplier<T> work) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        f.complete(work.get());
      } catch (RuntimeException e) {
        f.completeExceptionally(e);
      }
    });
    return f.get(5, TimeUnit.SECONDS);
  }

  JsonObject item() throws Exception {
    return on(() -> state.item("app"));
  }

  static JsonObject container(String state) {
    return new JsonObject().put("id", "c1").put("name", "app-web-1").put("service", "web").put("project", "app").put("state", state);
  }

  @Test
  void beforeTheFirstListingAStackIsUnknownNotInactive() throws Exception {
    assertEquals("unknown", item().getString("status"));
    assertEquals("unknown", item().getString("health_status"));
    assertNull(item().getValue("containers"));
    JsonObject listed = on(() -> state.list().toJsonObject()).getJsonArray("stacks").getJsonObject(0);
    assertEquals("unknown", listed.getString("status"));
    assertEquals("unknown", on(() -> state.detail("app")).getString("status"));

    // One project's change arriving before the listing is not the listing.
    on(() -> {
      state.onProjects(new JsonObject().put(Bus.PROJECT, "app").put(Bus.CONTAINERS, new JsonArray()));
      return null;
    });
    assertEquals("unknown", item().getString("status"));

    on(() -> {
      state.onProjects(new JsonObject().put("projects", new JsonObject().put("app", new JsonArray().add(container("running")))));
      state.onEngineState(new JsonObject().put(Bus.ENGINE_OK, true));
      return null;
    });
    assertEquals("running", item().getString("status"));
    assertEquals("healthy", item().getString("health_status"));
    assertEquals(1, item().getInteger("containers"));

    // What the feed said, up to the running state: never inactive.
    JsonObject m;
    do {
      m = published.poll(5, TimeUnit.SECONDS);
      assertNotNull(m, "the running state was published");
      assertTrue(!"inactive".equals(m.getString("status")), "never claimed inactive: " + m);
    } while (!"running".equals(m.getString("status")));
  }

  @Test
  void theItemCarriesTheCountsOfItsScannedImagesSummed() throws Exception {
    JsonObject a = new JsonObject().put("CRITICAL", 1).put("HIGH", 2).put("MEDIUM", 0).put("LOW", 3).put("UNKNOWN", 0);
    JsonObject b = new JsonObject().put("CRITICAL", 0).put("HIGH", 1).put("MEDIUM", 4).put("LOW", 0).put("UNKNOWN", 1);
    JsonObject web = container("running").put("image_id", "sha256:a");
    JsonObject worker = container("running").put("id", "c2").put("name", "app-worker-1").put("service", "worker").put("image_id", "sha256:b");
    JsonObject sidecar = container("running").put("id", "c3").put("name", "app-web-2").put("image_id", "sha256:a");
    on(() -> {
      state.onProjects(new JsonObject().put("projects", new JsonObject().put("app", new JsonArray().add(web).add(worker).add(sidecar))));
      return null;
    });
    assertTrue(item().containsKey("vulnerabilities"));
    assertNull(item().getValue("vulnerabilities"), "nothing scanned yet");
    on(() -> {
      state.onScanState(new JsonObject().put("images", new JsonObject().put("sha256:a", a).put("sha256:other", b)));
      return null;
    });
    assertEquals(a, item().getJsonObject("vulnerabilities"), "an image two containers run counts once");
    published.clear();
    on(() -> {
      state.onScanState(new JsonObject().put("image_id", "sha256:b").put("vulnerabilities", b));
      return null;
    });
    JsonObject both = new JsonObject().put("CRITICAL", 1).put("HIGH", 3).put("MEDIUM", 4).put("LOW", 3).put("UNKNOWN", 1);
    assertEquals(both, item().getJsonObject("vulnerabilities"));
    JsonObject status = published.poll(5, TimeUnit.SECONDS);
    assertNotNull(status);
    assertEquals("stack_status", status.getString("type"));
    assertEquals(both, status.getJsonObject("vulnerabilities"), "the feed hears the new counts");
    on(() -> {
      state.onScanState(new JsonObject().put("images", new JsonObject()));
      return null;
    });
    assertNull(item().getValue("vulnerabilities"), "results cleared");
  }

  @Test
  void theEngineGoingAwayKeepsTheLastStateSeen() throws Exception {
    on(() -> {
      state.onProjects(new JsonObject().put("projects", new JsonObject().put("app", new JsonArray().add(container("running")))));
      state.onEngineState(new JsonObject().put(Bus.ENGINE_OK, true));
      state.onEngineState(new JsonObject().put(Bus.ENGINE_OK, false));
      return null;
    });
    assertEquals("running", item().getString("status"));
    assertEquals(false, on(() -> state.list().toJsonObject()).getBoolean("engine_ok"));
  }

  @Test
  void aRemovalThroughDockUpSaysDeleted() throws Exception {
    on(() -> {
      state.onProjects(new JsonObject().put("projects", new JsonObject()));
      state.deleting("app");
      state.applyScan(new StackFiles.Scan(Map.of(), List.of()));
      return null;
    });
    JsonObject removal = null;
    for (JsonObject m = published.poll(5, TimeUnit.SECONDS); m != null; m = published.poll(200, TimeUnit.MILLISECONDS)) {
      if (Boolean.TRUE.equals(m.getValue("removed"))) removal = m;
    }
    assertNotNull(removal);
    assertEquals(true, removal.getBoolean("deleted"));
    assertNull(item());
  }
}
