package dev.dockup.engine;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Engine answers as the Engine API sends them when lists and maps are empty: {@code null}, not
 * {@code []} or {@code {}}. Each is read as empty, never as a NullPointerException.
 */
class EngineJsonTest {
  @Test
  void pruneWithNothingToPruneCountsNone() {
    JsonObject answer = new JsonObject("{\"ImagesDeleted\":null,\"SpaceReclaimed\":0}");
    assertEquals(new JsonObject().put("success", true).put("space_reclaimed", 0L).put("images_deleted", 0L), Resources.pruned(answer));
    JsonObject some = new JsonObject("{\"ImagesDeleted\":[{\"Untagged\":\"x:1\"},{\"Deleted\":\"sha256:1\"},null],\"SpaceReclaimed\":12}");
    assertEquals(1L, Resources.pruned(some).getLong("images_deleted"));
    assertEquals(0L, Resources.pruned(new JsonObject()).getLong("images_deleted"));
  }

  @Test
  void imagesWithoutTagsOrDigests() {
    JsonArray images = new JsonArray("[{\"Id\":\"sha256:1\",\"RepoTags\":null,\"RepoDigests\":null,\"Size\":null,\"Created\":null},"
        + "{\"Id\":\"sha256:2\",\"RepoTags\":[\"<none>:<none>\",\"app:1\"],\"RepoDigests\":[\"app@sha256:9\"],\"Size\":5,\"Created\":1},null,\"junk\"]");
    JsonArray out = Resources.imageList(images, Map.of("sha256:2", List.of("web-1"))).getJsonArray("images");
    assertEquals(2, out.size());
    JsonObject bare = out.getJsonObject(0);
    assertEquals(new JsonArray(), bare.getJsonArray("tags"));
    assertEquals(new JsonArray(), bare.getJsonArray("digests"));
    assertEquals(0L, bare.getLong("size"));
    assertFalse(bare.getBoolean("in_use"));
    JsonObject used = out.getJsonObject(1);
    assertEquals(new JsonArray().add("app:1"), used.getJsonArray("tags"));
    assertEquals(new JsonArray().add("web-1"), used.getJsonArray("containers"));
  }

  @Test
  void networksWithoutIpamConfigOrAttachedContainers() {
    JsonArray networks = new JsonArray("[{\"Id\":\"n1\",\"Name\":\"host\",\"IPAM\":{\"Driver\":\"default\",\"Config\":null},\"Internal\":null},"
        + "{\"Id\":\"n2\",\"Name\":\"none\",\"IPAM\":null},{\"Id\":\"n3\",\"Name\":\"x\",\"IPAM\":{\"Config\":[null]}},"
        + "{\"Id\":\"n4\",\"Name\":\"app_default\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.1.0.0/24\",\"Gateway\":\"10.1.0.1\"}]},\"Attachable\":true}]");
    JsonArray containers = new JsonArray("[{\"Id\":\"0123456789abcdef\",\"Names\":null,\"NetworkSettings\":{\"Networks\":{\"app_default\":{\"NetworkID\":\"n4\"},\"gone\":null}}},"
        + "{\"Id\":\"c2\",\"Names\":[\"/web\"],\"NetworkSettings\":null},{\"Names\":[],\"NetworkSettings\":{\"Networks\":null}}]");
    JsonArray out = Resources.networkList(networks, Resources.byNetwork(containers)).getJsonArray("networks");
    assertEquals(4, out.size());
    for (int i = 0; i < 3; i++) {
      assertNull(out.getJsonObject(i).getString("subnet"));
      assertFalse(out.getJsonObject(i).getBoolean("internal"));
    }
    JsonObject app = out.getJsonObject(3);
    assertEquals("10.1.0.0/24", app.getString("subnet"));
    assertEquals(true, app.getBoolean("attachable"));
    assertEquals(new JsonArray().add("0123456789ab"), app.getJsonArray("containers"), "named by its short id when it has no name");
    assertEquals(Map.of(), Resources.byImage(new JsonArray("[{\"ImageID\":null},null]")));
  }

  @Test
  void appdataOfContainersWithoutLabelsOrMountsAndADiskReportWithoutVolumes() {
    JsonArray containers = new JsonArray("[{\"Labels\":null,\"Mounts\":null},"
        + "{\"Labels\":{\"com.docker.compose.project\":\"app\"},\"Mounts\":null},"
        + "{\"Labels\":{\"com.docker.compose.project\":\"db\"},\"Mounts\":[null,{\"Type\":\"bind\",\"Source\":null},"
        + "{\"Type\":\"bind\",\"Source\":\"/srv/db\"},{\"Type\":\"volume\",\"Name\":\"dbdata\"}]}]");
    Map<String, Set<String>> binds = new HashMap<>();
    Map<String, Set<String>> volumes = new HashMap<>();
    Appdata.mounts(containers, binds, volumes);
    assertEquals(Map.of("app", Set.of(), "db", Set.of("/srv/db")), binds);
    assertEquals(Map.of("db", Set.of("dbdata")), volumes);
    assertEquals(Map.of(), Appdata.volumeSizes(new JsonObject("{\"Volumes\":null}")));
    assertEquals(Map.of("v", -1L), Appdata.volumeSizes(new JsonObject("{\"Volumes\":[{\"Name\":\"v\",\"UsageData\":null},null]}")));
  }

  @Test
  void statsOfAContainerWithoutNetworkOrMemoryDetail() {
    JsonObject c = new JsonObject().put("id", "c1").put("name", "web-1").put("service", "web").put("project", "app");
    JsonObject raw = new JsonObject("{\"cpu_stats\":{\"cpu_usage\":null,\"online_cpus\":null,\"system_cpu_usage\":5},\"precpu_stats\":null,"
        + "\"memory_stats\":{\"usage\":1000,\"stats\":null},\"networks\":null}");
    JsonObject s = StatsSampler.toStats(c, StatsSampler.fromEngine(raw), 0.0);
    assertEquals(0.0, s.getDouble("cpu_percent"));
    assertEquals(1000L, s.getLong("mem_bytes"));
    assertEquals(0L, s.getLong("net_rx_bytes"));
    JsonObject bare = new JsonObject("{\"cpu_stats\":{\"system_cpu_usage\":5},\"memory_stats\":null,\"networks\":{\"eth0\":null}}");
    assertEquals(0L, StatsSampler.toStats(c, StatsSampler.fromEngine(bare), 0.0).getLong("mem_bytes"));
    assertNull(StatsSampler.fromEngine(new JsonObject("{\"cpu_stats\":null}")), "a container that stopped has no figures");
  }
}
