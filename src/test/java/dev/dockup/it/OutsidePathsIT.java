package dev.dockup.it;

import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compose reads nothing outside the stack's folder unless ALLOW_OUTSIDE_PATHS says so, and what
 * it says of a file outside never reaches a client.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OutsidePathsIT {
  TestNode node;
  /** A file outside every stack folder that stands for /etc/shadow when that is unreadable here. */
  Path secret;
  List<String> secretLines;

  @BeforeAll
  void start() throws Exception {
    Path root = Files.createTempDirectory("dockup-outside-");
    Path shadow = Path.of("/etc/shadow");
    secret = Files.isReadable(shadow) ? shadow : Files.writeString(root.resolve("secret.yaml"), "root:$y$j9T$secret:19000:0:99999:7:::\n");
    secretLines = Files.readAllLines(secret).stream().filter(l -> !l.isBlank()).toList();
    node = TestNode.builder().root(root).start();
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) node.close();
  }

  void quotesNothingOf(Http.Resp r) {
    for (String line : secretLines) assertFalse(r.text().contains(line), "the answer quotes the file: " + r);
    assertFalse(r.text().contains(":99999:"), r.toString());
  }

  static String service(String extra) {
    return "services:\n  web:\n    image: " + Engine.IMAGE + "\n" + extra;
  }

  @Test
  void includeOfAFileOutsideIsRefusedWithoutQuotingIt() {
    for (String yaml : List.of("include: [" + secret + "]\n" + service(""), "include: " + secret + "\n" + service(""),
        "include:\n  - path: ../../" + secret.getFileName() + "\n" + service(""))) {
      for (int i = 0; i < 5; i++) {
        Http.Resp validate = node.http.post("/api/stacks/validate", Stacks.content(yaml));
        assertEquals(400, validate.status(), validate.toString());
        assertFalse(validate.json().getBoolean("valid"));
        assertTrue(validate.json().getString("error").contains("outside the stack's folder"), validate.toString());
        quotesNothingOf(validate);
      }
      String name = Stacks.uniqueName("outside");
      Http.Resp save = node.http.post("/api/stack/" + name + "/compose", Stacks.content(yaml));
      assertEquals(400, save.status(), save.toString());
      quotesNothingOf(save);
      assertFalse(Files.exists(node.stacksDir.resolve(name)));
    }
  }

  @Test
  void everyPathComposeReadsIsChecked() {
    for (String extra : List.of("    env_file: ../other/.env\n", "    env_file: [{path: /etc/hostname, required: false}]\n",
        "    extends: {file: /etc/passwd, service: root}\n", "    build: {context: /etc}\n",
        "secrets:\n  s: {file: /etc/shadow}\n", "configs:\n  c: {file: ~/.ssh/id_rsa}\n")) {
      Http.Resp r = node.http.post("/api/stacks/validate", Stacks.content(service(extra)).put("stack", "checked"));
      assertEquals(400, r.status(), extra + " → " + r);
    }
    Http.Resp inside = node.http.post("/api/stacks/validate", Stacks.content(service("    env_file: [{path: ./app.env, required: false}]\n")));
    assertEquals(200, inside.status(), inside.toString());
    assertTrue(inside.json().getBoolean("valid"), inside.toString());
  }

  @Test
  void aDotenvThatWouldLeadAPathOutsideIsRefused() throws Exception {
    String name = Stacks.uniqueName("envpath");
    Http.Resp create = node.http.post("/api/stack/" + name + "/compose",
        Stacks.content(service("    env_file: [{path: \"${ENV_DIR:-.}/app.env\", required: false}]\n")));
    assertEquals(201, create.status(), create.toString());
    assertEquals(200, node.http.put("/api/stack/" + name + "/env", Stacks.content("ENV_DIR=./conf\n")).status());
    Http.Resp outside = node.http.put("/api/stack/" + name + "/env", Stacks.content("ENV_DIR=/etc\n"));
    assertEquals(400, outside.status(), outside.toString());
    assertEquals("ENV_DIR=./conf\n", Files.readString(node.stacksDir.resolve(name + "/.env")));
  }

  @Test
  void anAllowedFolderMayBeReadButComposeOutputAboutItIsWithheld() throws Exception {
    Path root = Files.createTempDirectory("dockup-allowed-");
    Path shared = Files.createDirectories(root.resolve("shared"));
    Path notCompose = Files.writeString(shared.resolve("users.yaml"), "root:$y$j9T$hash:19000:0:99999:7:::\n");
    Path common = Files.writeString(shared.resolve("common.env"), "A=1\n");
    try (TestNode allowing = TestNode.builder().root(root)
        .config("allow_outside_paths", new JsonArray().add(shared.toString())).start()) {
      Http.Resp r = allowing.http.post("/api/stacks/validate", Stacks.content("include: [" + notCompose + "]\n" + service("")));
      assertEquals(200, r.status(), r.toString());
      assertFalse(r.json().getBoolean("valid"));
      assertTrue(r.json().getString("error").contains("not shown"), r.toString());
      assertFalse(r.text().contains("99999"), r.toString());

      Http.Resp ok = allowing.http.post("/api/stacks/validate", Stacks.content(service("    env_file: " + common + "\n")));
      assertTrue(ok.json().getBoolean("valid"), ok.toString());
      // Allowed is not everything.
      assertEquals(400, allowing.http.post("/api/stacks/validate", Stacks.content("include: [" + secret + "]\n" + service(""))).status());
    }
  }
}
