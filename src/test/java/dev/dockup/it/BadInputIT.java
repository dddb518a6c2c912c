package dev.dockup.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile or sloppy input gets a clear error and touches nothing outside the data folders. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputIT {
  TestNode node;
  Path root;
  Path outside;

  @BeforeAll
  void start() throws Exception {
    root = Files.createTempDirectory("dockup-bad-");
    outside = Files.createDirectories(root.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "not for you");
    Files.writeString(outside.resolve("compose.yaml"), "services:\n  x:\n    image: y\n");
    node = TestNode.builder().root(root).start();
  }

  @AfterAll
  void stop() throws Exception {
    node.close();
  }

  /** Sends the request line exactly as given: clients would normalise the dots away. */
  String raw(int port, String method, String path, String body) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      String req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
          + "Authorization: " + node.http.header("Authorization") + "\r\nContent-Length: "
          + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
      out.write(req.getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  List<Path> everythingUnderRoot() throws Exception {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> !p.startsWith(node.dataDir)).sorted().toList();
    }
  }

  @Test
  void traversalNamesAreRefusedAndTouchNothing() throws Exception {
    List<Path> before = everythingUnderRoot();
    String compose = "{\"content\":\"services:\\n  a:\\n    image: x\\n\"}";
    for (String name : List.of("..%2Foutside", "..%2F..%2Fetc", "%2e%2e", "a%2Fb", "A", "-x", "x%00y", "%2E%2E%2Fdata")) {
      String resp = raw(node.app.port(), "POST", "/api/stack/" + name + "/compose", compose);
      assertTrue(resp.startsWith("HTTP/1.1 400") || resp.startsWith("HTTP/1.1 404"), name + " → " + resp);
      String env = raw(node.app.port(), "PUT", "/api/stack/" + name + "/env", "{\"content\":\"X=1\"}");
      assertTrue(env.startsWith("HTTP/1.1 400") || env.startsWith("HTTP/1.1 404"), name + " → " + env);
      String read = raw(node.app.port(), "GET", "/api/stack/" + name + "/compose", "");
      assertFalse(read.contains("not for you"), read);
    }
    for (String path : List.of("/api/stack/../outside/compose", "/api/stack/../../etc/passwd", "/api/stack/./../x")) {
      String resp = raw(node.app.port(), "GET", path, "");
      assertTrue(resp.startsWith("HTTP/1.1 404") || resp.startsWith("HTTP/1.1 400"), path + " → " + resp);
      assertFalse(resp.contains("not for you"));
    }
    assertEquals(before, everythingUnderRoot());
  }

  @Test
  void symlinksOutOfStacksDirAreNotFollowed() throws Exception {
    Files.createSymbolicLink(node.stacksDir.resolve("linked"), outside);
    Path inside = Files.createDirectories(node.stacksDir.resolve("sneaky"));
    Files.createSymbolicLink(inside.resolve("compose.yaml"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(inside.resolve(".env"), outside.resolve("secret.txt"));

    Http.Resp linked = node.http.get("/api/stack/linked/compose");
    assertTrue(linked.status() == 400 || linked.status() == 404, linked.toString());
    assertFalse(linked.text().contains("services"));
    Http.Resp sneaky = node.http.get("/api/stack/sneaky/compose");
    assertFalse(sneaky.text().contains("not for you"), sneaky.toString());
    Http.Resp env = node.http.get("/api/stack/sneaky/env");
    assertFalse(env.text().contains("not for you"), env.toString());
    Http.Resp write = node.http.put("/api/stack/sneaky/env", Stacks.content("OVERWRITTEN=1"));
    assertTrue(write.status() >= 400, write.toString());
    assertEquals("not for you", Files.readString(outside.resolve("secret.txt")));
    node.awaitList(l -> l.getJsonArray("ignored").encode().contains("linked"), java.time.Duration.ofSeconds(5));
  }

  @Test
  void oversizedBodiesGet413() throws Exception {
    String big = "{\"content\":\"" + "x".repeat(1024 * 1024 + 10) + "\"}";
    Http.Resp r = node.http.post("/api/stacks/validate", big);
    assertEquals(413, r.status(), r::toString);
  }

  @Test
  void aliasBombsAreRefused() throws Exception {
    StringBuilder bomb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    char prev = 'a';
    for (char c = 'b'; c <= 'i'; c++) {
      bomb.append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 9; i++) bomb.append(i == 0 ? "" : ",").append('*').append(prev);
      bomb.append("]\n");
      prev = c;
    }
    bomb.append("services:\n  x:\n    image: y\n    labels: *i\n");
    Http.Resp save = node.http.post("/api/stack/bomb/compose", Stacks.content(bomb.toString()));
    assertEquals(400, save.status(), save.toString());
    assertFalse(Files.exists(node.stacksDir.resolve("bomb").resolve("compose.yaml")));
    Http.Resp validate = node.http.post("/api/stacks/validate", Stacks.content(bomb.toString()));
    assertFalse(validate.json().getBoolean("valid"));
  }

  @Test
  void unknownOperationStackAndBadJsonGetClearErrors() {
    node.http.post("/api/stack/known/compose", Stacks.content("services:\n  a:\n    image: " + Engine.IMAGE + "\n"));
    Http.Resp op = node.http.post("/api/stack/known/operation", "{\"operation\":\"unknown\"}");
    assertEquals(400, op.status());
    assertEquals("{\"error\":\"Invalid operation: unknown\"}", op.text());
    Http.Resp missing = node.http.operation("nope", "up");
    assertEquals(404, missing.status());
    assertEquals("{\"error\":\"Stack not found\"}", missing.text());
    assertEquals(404, node.http.get("/api/stack/nope").status());
    assertEquals(400, node.http.post("/api/stack/known/operation", "{not json").status());
    assertEquals(400, node.http.post("/api/stack/known/operation",
        "{\"operation\":\"up\",\"services\":[\"ghost\"]}").status());
    assertEquals(400, node.http.post("/api/stack/known/compose", "{\"content\":42}").status());
  }
}
