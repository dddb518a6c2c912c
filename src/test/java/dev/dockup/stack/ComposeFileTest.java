package dev.dockup.stack;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ComposeFileTest {

  @Test
  void extractsServicesImagesAndProfiles() throws Exception {
    ComposeFile cf = ComposeFile.parse("""
        services:
          web:
            image: nginx:1.27
          app:
            build: ./app
          debug:
            image: busybox
            profiles: [debug]
          tools:
            build: .
            profiles: []
        volumes:
          data: {}
        """);
    assertEquals(List.of("web", "app", "debug", "tools"), cf.services());
    assertEquals(List.of("web", "debug"), cf.imageServices());
    assertEquals(List.of("debug"), cf.profiledServices());
  }

  @Test
  void serviceWithoutBodyIsStillAService() throws Exception {
    ComposeFile cf = ComposeFile.parse("services:\n  web:\n  db:\n    image: postgres\n");
    assertEquals(List.of("web", "db"), cf.services());
    assertEquals(List.of("db"), cf.imageServices());
  }

  @Test
  void invalidYamlReportsOneBasedLine() {
    ComposeFile.Invalid e = assertThrows(ComposeFile.Invalid.class, () -> ComposeFile.parse("""
        services:
          web:
            image: nginx
            ports: - "80:80"
        """));
    assertEquals(4, e.line());
    assertTrue(e.getMessage().contains("line 4"), e.getMessage());
  }

  @Test
  void invalidYamlOnFirstLineIsLineOne() {
    ComposeFile.Invalid e = assertThrows(ComposeFile.Invalid.class, () -> ComposeFile.parse("services: : x: y\n"));
    assertEquals(1, e.line());
  }

  @Test
  void aliasBombIsRefusedQuickly() {
    StringBuilder y = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    char prev = 'a';
    for (char level = 'b'; level <= 'j'; level++) {
      y.append(level).append(": &").append(level).append(" [");
      for (int i = 0; i < 9; i++) y.append(i == 0 ? "" : ",").append('*').append(prev);
      y.append("]\n");
      prev = level;
    }
    y.append("services:\n  web:\n    image: nginx\n    environment: *j\n");
    String bomb = y.toString();
    assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> assertThrows(ComposeFile.Invalid.class, () -> ComposeFile.parse(bomb)));
  }

  @Test
  void aFewAliasesAreFine() throws Exception {
    ComposeFile cf = ComposeFile.parse("""
        x-common: &common
          restart: unless-stopped
        services:
          web:
            <<: *common
            image: nginx
          db:
            <<: *common
            image: postgres
        """);
    assertEquals(List.of("web", "db"), cf.services());
  }

  @Test
  void documentOverOneMebibyteIsRefused() {
    String head = "services:\n  web:\n    image: nginx\n# ";
    String big = head + "x".repeat(ComposeFile.MAX_BYTES + 1 - head.length() - 1) + "\n";
    assertEquals(ComposeFile.MAX_BYTES + 1, big.length());
    ComposeFile.Invalid e = assertThrows(ComposeFile.Invalid.class, () -> ComposeFile.parse(big));
    assertTrue(e.getMessage().contains("1 MiB"), e.getMessage());
  }

  @Test
  void documentOfExactlyOneMebibyteIsAccepted() throws Exception {
    String head = "services:\n  web:\n    image: nginx\n# ";
    String exact = head + "x".repeat(ComposeFile.MAX_BYTES - head.length() - 1) + "\n";
    assertEquals(ComposeFile.MAX_BYTES, exact.length());
    assertEquals(List.of("web"), ComposeFile.parse(exact).services());
  }

  @Test
  void duplicateKeysAreRefused() {
    assertThrows(ComposeFile.Invalid.class,
        () -> ComposeFile.parse("services:\n  web:\n    image: nginx\n  web:\n    image: httpd\n"));
    ComposeFile.Invalid e = assertThrows(ComposeFile.Invalid.class,
        () -> ComposeFile.parse("services:\n  web:\n    image: nginx\n    image: httpd\n"));
    assertEquals(4, e.line());
  }

  @Test
  void nonMappingRootIsRefused() {
    assertThrows(ComposeFile.Invalid.class, () -> ComposeFile.parse("- web\n- db\n"));
    assertThrows(ComposeFile.Invalid.class, () -> ComposeFile.parse("just a string\n"));
    assertThrows(ComposeFile.Invalid.class, () -> ComposeFile.parse(""));
  }

  @Test
  void missingOrEmptyServicesAreRefused() {
    assertThrows(ComposeFile.Invalid.class, () -> ComposeFile.parse("volumes:\n  data: {}\n"));
    assertThrows(ComposeFile.Invalid.class, () -> ComposeFile.parse("services:\n"));
    assertThrows(ComposeFile.Invalid.class, () -> ComposeFile.parse("services: {}\n"));
    assertThrows(ComposeFile.Invalid.class, () -> ComposeFile.parse("services: [web, db]\n"));
  }
}
