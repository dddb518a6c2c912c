package dev.dockup.engine;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Facts from the engine's inspect and events as it sends them (Engine API 1.41), nulls included. */
class ContainerFactsTest {
  static final String INSPECT = """
      {"Id":"abc","Created":"2026-11-30T10:00:00.1Z","Name":"/app-web-1","Image":"sha256:9",
       "State":{"Status":"running","ExitCode":0,"StartedAt":"2026-11-30T10:00:01Z","Health":{"Status":"healthy"}},
       "HostConfig":{"RestartPolicy":{"Name":"unless-stopped"},"NetworkMode":"app_default"},
       "Config":{"Image":"nginx:1","Labels":{"com.docker.compose.project":"app","com.docker.compose.service":"web",
                 "com.docker.compose.oneoff":"False"}},
       "NetworkSettings":{"Ports":{"443/tcp":null,"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"},{"HostIp":"::","HostPort":"8080"}],
                                   "53/udp":[{"HostIp":"127.0.0.1","HostPort":""}]}}}
      """;

  @Test
  void anInspectGivesTheStackModelsContainer() {
    JsonObject c = ContainerFacts.from(new JsonObject(INSPECT), false);
    assertEquals("app", ContainerFacts.project(new JsonObject(INSPECT)));
    assertEquals("abc", c.getString("id"));
    assertEquals("app-web-1", c.getString("name"));
    assertEquals("web", c.getString("service"));
    assertEquals("running", c.getString("state"));
    assertEquals("running (healthy)", c.getString("status"));
    assertEquals("healthy", c.getString("health"));
    assertEquals(0L, c.getLong("exit_code"));
    assertEquals("unless-stopped", c.getString("restart_policy"));
    assertFalse(c.getBoolean("oneoff"));
    assertEquals("nginx:1", c.getString("image"));
    assertEquals("sha256:9", c.getString("image_id"));
    assertEquals("2026-11-30T10:00:00.1Z", c.getString("created"));
    assertEquals("2026-11-30T10:00:01Z", c.getString("started_at"));
    assertEquals(new JsonArray()
        .add(new JsonObject().put("private", 443).put("type", "tcp"))
        .add(new JsonObject().put("private", 80).put("public", 8080).put("ip", "0.0.0.0").put("type", "tcp"))
        .add(new JsonObject().put("private", 80).put("public", 8080).put("ip", "::").put("type", "tcp"))
        .add(new JsonObject().put("private", 53).putNull("public").put("ip", "127.0.0.1").put("type", "udp")),
        c.getJsonArray("ports"));
    assertFalse(c.getBoolean("self"));
  }

  @Test
  void nullsWhereTheEngineHasNothingToSay() {
    JsonObject bare = new JsonObject("{\"Id\":\"x\",\"Name\":null,\"State\":null,\"HostConfig\":{\"RestartPolicy\":null},"
        + "\"Config\":{\"Labels\":null},\"NetworkSettings\":{\"Ports\":null}}");
    assertNull(ContainerFacts.project(bare));
    JsonObject c = ContainerFacts.from(bare, true);
    assertEquals("x", c.getString("name"));
    assertEquals("unknown", c.getString("state"));
    assertNull(c.getLong("exit_code"));
    assertEquals("no", c.getString("restart_policy"));
    assertEquals(new JsonArray(), c.getJsonArray("ports"));
    assertTrue(c.getBoolean("self"));
    JsonObject exited = ContainerFacts.from(new JsonObject("{\"Id\":\"y\",\"State\":{\"Status\":\"exited\",\"ExitCode\":137}}"), false);
    assertEquals("exited (137)", exited.getString("status"));
  }

  @Test
  void eventsSayWhatTheyClaim() {
    JsonObject die = new JsonObject("{\"status\":\"die\",\"id\":\"abc\",\"Type\":\"container\",\"Action\":\"die\","
        + "\"Actor\":{\"ID\":\"abc\",\"Attributes\":{\"exitCode\":\"3\",\"com.docker.compose.project\":\"app\"}}}");
    EventClaim claim = EventClaim.of(die, 0);
    assertEquals("exited", claim.state());
    assertEquals(3L, claim.exitCode());
    assertEquals("starting", EventClaim.of(new JsonObject("{\"Action\":\"health_status: starting\"}"), 0).health());
    assertEquals("running", EventClaim.of(new JsonObject("{\"status\":\"start\"}"), 0).state());
    assertNull(EventClaim.of(new JsonObject("{\"Action\":\"rename\",\"Actor\":null}"), 0));
  }
}
