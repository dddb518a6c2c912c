package dev.dockup.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Images, networks, host stats and appdata sizes against the real engine. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EngineResourcesIT {
  TestNode node;
  Engine engine;
  Http http;
  final String prefix = Stacks.uniqueName("res");

  @BeforeAll
  void start() throws Exception {
    engine = Engine.shared();
    node = TestNode.builder().start();
    http = node.http;
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
    engine.removeProjects(prefix);
    engine.close();
  }

  /** A small image of its own (its own id), made like the test images. */
  static String uniqueImage(String host, String tag) {
    Engine.sh("d=$(mktemp -d) && mkdir -p $d/bin && cp /bin/busybox $d/bin/ && for a in sh sleep echo; do ln -s busybox $d/bin/$a; done"
        + " && echo " + UUID.randomUUID() + " > $d/id && tar -C $d -c . | docker -H " + host
        + " import -c 'CMD [\"sleep\",\"3600\"]' - " + tag + " >/dev/null && rm -rf $d");
    return tag;
  }

  static JsonObject byTag(JsonObject images, String tag) {
    return images.getJsonArray("images").stream().map(JsonObject.class::cast)
        .filter(i -> i.getJsonArray("tags").contains(tag)).findFirst().orElse(null);
  }

  String stackOn(String label, String image, String extra) {
    String name = prefix + "-" + label;
    String yaml = """
        services:
          app:
            image: %s
            init: true
            command: ["sleep", "3600"]
        %s""".formatted(image, extra);
    assertEquals(201, http.post("/api/stack/" + name + "/compose", Stacks.content(yaml)).status());
    return name;
  }

  @Test
  void imagesShowWhoUsesThemAndAnInUseImageIsOnlyDeletedWhenForced() {
    String tag = uniqueImage(engine.host, "dockup-test/" + prefix + "-img:1");
    String name = stackOn("img", tag, "");
    assertEquals(200, http.operation(name, "up").status());
    assertEquals(200, http.operation(name, "stop").status());

    JsonObject image = byTag(http.get("/api/images").json(), tag);
    assertNotNull(image);
    assertTrue(image.getBoolean("in_use"));
    String container = engine.containers(name).get(0).getNames()[0].substring(1);
    assertEquals(new JsonArray().add(container), image.getJsonArray("containers"));
    assertTrue(image.getLong("size") > 0);

    Http.Resp refused = http.delete("/api/images/" + image.getString("id"));
    assertEquals(409, refused.status(), refused.toString());
    assertEquals(new JsonArray().add(container), refused.json().getJsonArray("containers"));
    Http.Resp forced = http.delete("/api/images/" + image.getString("id") + "?force=true");
    assertEquals(200, forced.status(), forced.toString());
    assertNull(byTag(http.get("/api/images").json(), tag));
    assertEquals(404, http.delete("/api/images/sha256:" + "0".repeat(64)).status());
  }

  @Test
  void pruneReportsWhatItRemovedAndKeepsImagesInUse() {
    String tag = "dockup-test/" + prefix + "-dangling:1";
    uniqueImage(engine.host, tag);
    String first = engine.docker.inspectImageCmd(tag).exec().getId();
    uniqueImage(engine.host, tag); // the tag moves: the first image is now dangling
    Http.Resp pruned = http.post("/api/images/prune", "");
    assertEquals(200, pruned.status(), pruned.toString());
    assertTrue(pruned.text().startsWith("{\"success\":true"));
    assertTrue(pruned.json().getLong("images_deleted") >= 1, pruned.toString());
    assertTrue(pruned.json().getLong("space_reclaimed") >= 0);
    assertTrue(http.get("/api/images").json().getJsonArray("images").stream().map(JsonObject.class::cast)
        .noneMatch(i -> first.equals(i.getString("id"))));
    assertNotNull(byTag(http.get("/api/images").json(), tag), "the tagged image stays");
    engine.docker.removeImageCmd(tag).withForce(true).exec();
  }

  @Test
  void pruneAllRemovesEveryUnusedImageButNoneInUseAndNothingToPruneIsNoError(@TempDir Path tmp) throws Exception {
    try (OwnDockerd dockerd = new OwnDockerd(tmp.resolve("engine")).start()) {
      dockerd.loadImage(Engine.IMAGE);
      String unused = uniqueImage(dockerd.host, "dockup-test/unused:1");
      try (TestNode own = TestNode.builder().dockerHost(dockerd.host).root(tmp.resolve("node")).start()) {
        String name = "prune-all";
        assertEquals(201, own.http.post("/api/stack/" + name + "/compose", Stacks.content(Stacks.twoServices("x"))).status());
        assertEquals(200, own.http.operation(name, "up").status());
        Http.Resp pruned = own.http.post("/api/images/prune?all=true", "");
        assertEquals(200, pruned.status(), pruned.toString());
        assertTrue(pruned.json().getLong("images_deleted") >= 1);
        JsonObject images = own.http.get("/api/images").json();
        assertNull(byTag(images, unused));
        assertNotNull(byTag(images, Engine.IMAGE), "in use, kept");

        // Nothing left to prune: the engine answers "ImagesDeleted": null.
        Http.Resp nothing = own.http.post("/api/images/prune", "");
        assertEquals(200, nothing.status(), nothing.toString());
        assertEquals(0L, nothing.json().getLong("images_deleted"), nothing.toString());
        assertEquals(0L, nothing.json().getLong("space_reclaimed"));

        // This engine runs only this stack: the host's counts are its containers, as the node sees them now.
        own.awaitStack(name, s -> s.getInteger("running") == 2, Duration.ofSeconds(10));
        JsonObject counts = own.http.get("/api/host/stats").json().getJsonObject("containers");
        assertEquals(new JsonObject().put("running", 2).put("stopped", 0).put("total", 2), counts);
        assertEquals(200, own.http.operation(name, "stop").status());
        own.awaitStack(name, s -> s.getInteger("running") == 0, Duration.ofSeconds(10));
        counts = own.http.get("/api/host/stats").json().getJsonObject("containers");
        assertEquals(new JsonObject().put("running", 0).put("stopped", 2).put("total", 2), counts);
        assertEquals(200, own.http.operation(name, "down").status());
      }
    }
  }

  @Test
  void aNetworkIsCreatedListedRefusedWhileInUseAndDeleted() {
    String net = prefix + "-net";
    Http.Resp created = http.post("/api/network", new JsonObject().put("name", net).put("driver", "bridge")
        .put("internal", false).put("attachable", true).put("subnet", "10.222.250.0/24").put("gateway", "10.222.250.1"));
    assertEquals(201, created.status(), created.toString());
    assertTrue(created.json().getBoolean("success"));
    String id = created.json().getString("id");
    assertEquals(409, http.post("/api/network", new JsonObject().put("name", net)).status());
    assertEquals(400, http.post("/api/network", new JsonObject().put("name", "bad name!")).status());

    JsonObject listed = http.get("/api/networks").json().getJsonArray("networks").stream().map(JsonObject.class::cast)
        .filter(n -> net.equals(n.getString("name"))).findFirst().orElseThrow();
    assertEquals("10.222.250.0/24", listed.getString("subnet"));
    assertEquals("10.222.250.1", listed.getString("gateway"));
    assertTrue(listed.getBoolean("attachable"));
    assertEquals(new JsonArray(), listed.getJsonArray("containers"));

    String name = stackOn("net", Engine.IMAGE, """
        networks:
          default:
            external: true
            name: %s
        """.formatted(net));
    assertEquals(200, http.operation(name, "up").status());
    Http.Resp busy = http.delete("/api/network/" + id);
    assertEquals(409, busy.status(), busy.toString());
    assertEquals(1, busy.json().getJsonArray("containers").size());
    assertEquals(200, http.operation(name, "down").status());
    assertEquals(200, http.delete("/api/network/" + id).status());
    assertEquals(404, http.delete("/api/network/" + id).status());
    for (String builtIn : new String[] {"bridge", "host", "none"}) {
      if (engine.docker.listNetworksCmd().withNameFilter(builtIn).exec().stream().anyMatch(n -> builtIn.equals(n.getName()))) {
        assertEquals(400, http.delete("/api/network/" + builtIn).status(), builtIn);
      }
    }
  }

  @Test
  void hostStatsAreWithinSaneBounds() {
    JsonObject s = http.get("/api/host/stats").json();
    double cpu = s.getDouble("cpu_percent");
    assertTrue(cpu >= 0 && cpu <= 100, s.encode());
    JsonObject mem = s.getJsonObject("memory");
    assertTrue(mem.getLong("total") > 0 && mem.getLong("used") > 0 && mem.getLong("used") <= mem.getLong("total"));
    assertTrue(mem.getDouble("percent") > 0 && mem.getDouble("percent") <= 100);
    JsonObject disk = s.getJsonObject("disk");
    assertTrue(disk.getLong("total") > 0 && disk.getLong("used") <= disk.getLong("total"));
    JsonObject cs = s.getJsonObject("containers");
    assertEquals((int) cs.getInteger("total"), cs.getInteger("running") + cs.getInteger("stopped"));
    assertEquals(3, s.getJsonArray("load_average").size());
    assertTrue(s.getLong("uptime_seconds") > 0);
  }

  @Test
  void appdataSizesCountABindMountOfKnownSize() throws Exception {
    String name = stackOn("data", Engine.IMAGE, "");
    Path dir = node.stacksDir.resolve(name);
    Files.writeString(dir.resolve("compose.yaml"), Files.readString(dir.resolve("compose.yaml"))
        .replace("    command: [\"sleep\", \"3600\"]\n", "    command: [\"sleep\", \"3600\"]\n    volumes: [\"./data:/data\"]\n"));
    Files.createDirectories(dir.resolve("data/sub"));
    Files.write(dir.resolve("data/a.bin"), new byte[12_000]);
    Files.write(dir.resolve("data/sub/b.bin"), new byte[345]);
    assertEquals(200, http.operation(name, "up").status());
    long t0 = System.nanoTime();
    JsonObject first = http.get("/api/appdata/sizes?refresh=true").json();
    assertTrue((System.nanoTime() - t0) / 1_000_000 < 2_000, "the request does not wait for the walk");
    assertNotNull(first.getJsonObject("stacks"));
    JsonObject sizes = node.await("/api/appdata/sizes", s -> s.getJsonObject("stacks").containsKey(name), Duration.ofSeconds(30));
    JsonObject stack = sizes.getJsonObject("stacks").getJsonObject(name);
    assertEquals(12_345, stack.getLong("bytes"), stack.encode());
    assertEquals(dir.resolve("data").toString(), stack.getJsonArray("paths").getJsonObject(0).getString("path"));
    assertFalse(sizes.getString("updated_at").isEmpty());
  }

  @Test
  void versionNamesTheEngine() {
    JsonObject v = http.get("/api/version").json();
    assertEquals("linux", v.getString("engine_os"));
    assertNotNull(v.getString("engine_arch"));
    assertNotNull(v.getString("api_version"));
  }
}
