package dev.dockup.it;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A stack is usable as soon as its creation is answered, even while other stacks are being created. */
class ConcurrentCreateIT {
  @Test
  void aCreatedStackIsKnownTheMomentTheAnswerArrives() throws Exception {
    try (TestNode node = TestNode.builder().start()) {
      List<CompletableFuture<String>> created = IntStream.range(0, 12).mapToObj(i -> CompletableFuture.supplyAsync(() -> {
        String name = "concurrent-" + i;
        Http.Resp r = node.http.post("/api/stack/" + name + "/compose", Stacks.content(Stacks.twoServices("x")));
        assertEquals(201, r.status(), r.toString());
        Http.Resp get = node.http.get("/api/stack/" + name);
        assertEquals(200, get.status(), name + ": " + get);
        return name;
      })).toList();
      for (CompletableFuture<String> f : created) f.get();
      // Other projects on the shared engine show up as external; ours are the managed ones.
      long managed = node.http.get("/api/stacks").json().getJsonArray("stacks").stream()
          .map(io.vertx.core.json.JsonObject.class::cast).filter(s -> !s.getBoolean("external")).count();
      assertEquals(12, managed);
    }
  }
}
