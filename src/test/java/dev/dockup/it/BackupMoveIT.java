package dev.dockup.it;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Moving a stack in a fleet of two nodes, each with its own engine (B's is a private dockerd):
 * a move to a node that is not there leaves the stack running where it was; a move to B
 * brings it up there with its volume's data, is told on the feed as a move operation, and
 * leaves nothing of it on A.
 */
class BackupMoveIT {
  @TempDir Path tmp;

  static String compose() {
    return """
        services:
          app:
            image: %s
            init: true
            command: ["sleep", "3600"]
            volumes:
              - data:/data
        volumes:
          data:
        """.formatted(Engine.IMAGE);
  }

  @Test
  void aStackWithAVolumeMovesToTheOtherNodeAndAMoveToNowhereChangesNothing() throws Exception {
    String cluster = "mv" + UUID.randomUUID().toString().substring(0, 8);
    int pa = FleetIT.freePort();
    int pb = FleetIT.freePort();
    String members = "127.0.0.1:" + pa + ",127.0.0.1:" + pb;
    String a = "mv-a-" + cluster;
    String b = "mv-b-" + cluster;
    String s = Stacks.uniqueName("moved");
    try (OwnDockerd dockerB = new OwnDockerd(tmp.resolve("engine-b")).start(); Engine engineA = Engine.shared()) {
      dockerB.loadImage(Engine.IMAGE);
      try (Engine engineB = new Engine(dockerB.host);
           TestNode na = FleetIT.member(cluster, a, pa, members).root(tmp.resolve("a")).start();
           TestNode nb = FleetIT.member(cluster, b, pb, members).root(tmp.resolve("b")).dockerHost(dockerB.host)
               .config("password", null).start()) {
        try {
          na.await("/api/nodes", v -> FleetIT.node(v, b) != null && FleetIT.node(v, b).getBoolean("reachable"), Duration.ofSeconds(30));
          assertEquals(201, na.http.post("/api/stack/" + s + "/compose", Stacks.content(compose())).status());
          assertEquals(200, na.http.put("/api/stack/" + s + "/env", Stacks.content("WHERE=moved\n")).status());
          assertEquals(200, na.http.operation(s, "up").status());
          engineA.docker.copyArchiveToContainerCmd(BackupVolumesIT.db(engineA, s)).withRemotePath("/")
              .withTarInputStream(new ByteArrayInputStream(BackupVolumesIT.volumeData())).exec();
          Map<String, String> data = BackupVolumesIT.contents(engineA, s, "/data");
          Map<String, String> files = Backups.tree(na.stacksDir.resolve(s));

          // Nowhere: refused, and A keeps running it as it was.
          Http.Resp nowhere = na.http.post("/api/stack/" + s + "/move", new JsonObject().put("node", "nowhere-" + cluster).put("volumes", true));
          assertEquals(503, nowhere.status(), nowhere.toString());
          assertEquals("running", na.http.get("/api/stack/" + s).json().getString("status"));
          assertEquals(files, Backups.tree(na.stacksDir.resolve(s)));
          assertEquals(0, engineB.containers(s).size());
          assertFalse(Files.exists(nb.stacksDir.resolve(s)));

          try (Ws feed = Ws.feed(na)) {
            Http.Resp moved = na.http.post("/api/stack/" + s + "/move", new JsonObject().put("node", b).put("volumes", true).put("up", true));
            assertEquals(200, moved.status(), moved.toString());
            assertTrue(moved.text().contains("\"success\":true"), moved.text());
            String op = moved.json().getString("operation_id");
            JsonObject line = feed.next(m -> "operation_output".equals(m.getString("type")) && op.equals(m.getString("operation_id")),
                Duration.ofSeconds(10));
            assertEquals("move", line.getString("operation"));
            assertEquals(s, line.getString("stack"));
          }

          // On B, running, with its files and its volume's data.
          nb.awaitStack(s, st -> "running".equals(st.getString("status")), Duration.ofSeconds(30));
          assertEquals(1, engineB.running(s).size());
          assertEquals(data, BackupVolumesIT.contents(engineB, s, "/data"), "the volume's data, byte for byte");
          assertEquals("WHERE=moved\n", Files.readString(nb.stacksDir.resolve(s).resolve(".env")));
          assertEquals(compose(), Files.readString(nb.stacksDir.resolve(s).resolve("compose.yaml")));

          // Gone from A: no container, no folder (it is in the trash), not listed.
          assertEquals(0, engineA.containers(s).size());
          assertFalse(Files.exists(na.stacksDir.resolve(s)));
          assertNull(Stacks.find(na.http.get("/api/stacks").json(), s));
          assertTrue(na.http.get("/api/trash").json().getJsonArray("trash").stream()
              .anyMatch(t -> s.equals(((JsonObject) t).getString("stack"))));
        } finally {
          engineA.removeProjects(s);
          engineB.removeProjects(s);
          Engine.sh("docker volume rm -f " + s + "_data >/dev/null 2>&1 || true");
        }
      }
    }
  }
}
