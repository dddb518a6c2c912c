package dev.dockup.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Save and delete of one stack take turns: no 500, no stray file, and a deleted stack never comes
 * back by a save that was meant for it (only a save that comes after the delete creates it anew).
 */
class SaveDeleteRaceIT {
  @Test
  void fortyRoundsOfSaveRacingDelete() throws Exception {
    try (TestNode node = TestNode.builder().start()) {
      for (int round = 0; round < 40; round++) {
        String name = "race-" + round;
        assertEquals(201, node.http.post("/api/stack/" + name + "/compose", Stacks.content(Stacks.twoServices("v1"))).status());
        assertEquals(200, node.http.put("/api/stack/" + name + "/env", Stacks.content("SECRET=" + round + "\n")).status());

        CompletableFuture<Http.Resp> save = CompletableFuture.supplyAsync(
            () -> node.http.put("/api/stack/" + name + "/compose", Stacks.content(Stacks.twoServices("v2"))));
        CompletableFuture<Http.Resp> delete = CompletableFuture.supplyAsync(() -> node.http.delete("/api/stack/" + name));
        Http.Resp saved = save.get(60, TimeUnit.SECONDS);
        Http.Resp deleted = delete.get(60, TimeUnit.SECONDS);

        assertTrue(Set.of(200, 201, 409).contains(saved.status()), "round " + round + " save: " + saved);
        assertEquals(200, deleted.status(), "round " + round + " delete: " + deleted);
        Path folder = node.stacksDir.resolve(name);
        if (saved.status() == 201) {
          // The save came after the delete: a new stack, with nothing of the old one.
          assertEquals(200, node.http.get("/api/stack/" + name).status());
          assertTrue(Files.notExists(folder.resolve(".env")), "round " + round);
        } else {
          assertEquals(404, node.http.get("/api/stack/" + name).status(), "round " + round + ": " + saved);
          assertTrue(Files.notExists(folder), "round " + round + ": the deleted stack came back after " + saved);
        }
      }
      try (Stream<Path> all = Files.walk(node.stacksDir)) {
        List<Path> stray = all.filter(Files::isRegularFile)
            .filter(p -> !Set.of("compose.yaml", ".env").contains(p.getFileName().toString())).toList();
        assertEquals(List.of(), stray);
      }
    }
  }
}
