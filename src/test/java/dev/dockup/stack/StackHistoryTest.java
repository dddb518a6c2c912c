package dev.dockup.stack;

import dev.dockup.bus.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Who saved each kept version, and when; a text edited by hand has no known author. */
class StackHistoryTest {
  @TempDir Path stacks;
  @TempDir Path data;

  @Test
  void eachVersionSaysWhoSavedItAndWhoReplacedIt() throws Exception {
    StackFiles files = new StackFiles(stacks, data);
    files.writeCompose("app", "v1\n", "token:ci");
    Thread.sleep(2);
    files.writeCompose("app", "v2\n", "session");
    JsonArray versions = files.history().list("app", "compose.yaml").getJsonArray("versions");
    assertEquals(1, versions.size());
    JsonObject v1 = versions.getJsonObject(0);
    assertEquals("token:ci", v1.getString("by"));
    assertEquals("session", v1.getString("replaced_by"));
    assertNotNull(v1.getString("saved_at"));
    assertEquals(3, v1.getInteger("size"));
    assertEquals("v1\n", files.history().read("app", v1.getString("id")));

    // Edited by hand since: its author is not known.
    Files.writeString(stacks.resolve("app/compose.yaml"), "v3 by hand\n");
    Thread.sleep(2);
    files.writeCompose("app", "v4\n", "session");
    JsonObject byHand = files.history().list("app", "compose.yaml").getJsonArray("versions").getJsonObject(0);
    assertEquals("v3 by hand\n", files.history().read("app", byHand.getString("id")));
    assertNull(byHand.getString("by"));
  }

  @Test
  void importedVersionsJoinWithTheirAuthorsAndIdsAreChecked() throws Exception {
    StackFiles files = new StackFiles(stacks, data);
    String id = "env-20240101T000000.000Z";
    assertEquals(1, files.history().importVersions("app", Map.of(id, "A=1\n", "../x", "no"),
        new JsonObject().put(id, new JsonObject().put("by", "session").put("file", ".env"))));
    JsonObject v = files.history().list("app", "compose.yaml").getJsonArray("versions").getJsonObject(0);
    assertEquals("session", v.getString("by"));
    assertEquals(".env", v.getString("file"));
    assertEquals(0, files.history().importVersions("app", Map.of(id, "A=2\n"), null), "an id it has is kept as it is");
    assertEquals("A=1\n", files.history().read("app", id));
    assertEquals(404, assertThrows(ApiException.class, () -> files.history().read("app", "../meta.json")).status());
    assertEquals(404, assertThrows(ApiException.class, () -> files.history().read("app", "compose-20240101T000000.000Z")).status());
  }

  @Test
  void aDiffIsUnifiedAndEmptyWhenTheTextsAreTheSame() {
    String diff = StackHistory.diff("compose-x", "compose.yaml", "a\nb\nc\n", "a\nB\nc\n");
    assertTrue(diff.startsWith("--- a/compose.yaml (compose-x)\n+++ b/compose.yaml (current)\n@@ -1,3 +1,3 @@\n"), diff);
    assertTrue(diff.contains("\n-b\n+B\n"), diff);
    assertEquals("", StackHistory.diff("compose-x", "compose.yaml", "same\n", "same\n"));
  }
}
