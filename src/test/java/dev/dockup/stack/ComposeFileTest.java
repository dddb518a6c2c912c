package dev.dockup.stack;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

  // ---- limits (issue 12): refused quickly, as refusals rather than mistakes ----

  private static ComposeFile.Invalid refusedWithinASecond(String yaml) {
    ComposeFile.Invalid e = assertTimeoutPreemptively(Duration.ofSeconds(1),
        () -> assertThrows(ComposeFile.Invalid.class, () -> ComposeFile.parse(yaml)));
    assertTrue(e.refused(), e.getMessage());
    return e;
  }

  @Test
  void deepNestingIsRefusedNotOverflowed() {
    String deep = "services:\n  web:\n    image: x\nx-deep: " + "[".repeat(3000) + "]".repeat(3000) + "\n";
    ComposeFile.Invalid e = refusedWithinASecond(deep);
    assertTrue(e.getMessage().contains("nested deeper than"), e.getMessage());
    assertEquals(4, e.line());
  }

  @Test
  void fiftyAliasesThatDoubleAreRefused() {
    StringBuilder y = new StringBuilder("x-0: &a0 [1,1]\n");
    for (int i = 1; i <= 25; i++) y.append("x-").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(",*a").append(i - 1).append("]\n");
    y.append("services:\n  web:\n    image: x\n");
    assertTrue(y.length() < 600, "a small file: " + y.length());
    ComposeFile.Invalid e = refusedWithinASecond(y.toString());
    assertTrue(e.getMessage().contains("aliases expand"), e.getMessage());
  }

  @Test
  void aMergeKeyChainIsRefused() {
    StringBuilder y = new StringBuilder("x-0: &m0 {k0: v}\n");
    for (int i = 1; i <= 12; i++) y.append("x-").append(i).append(": &m").append(i).append(" {<<: *m").append(i - 1).append(", k").append(i).append(": v}\n");
    y.append("services:\n  web:\n    image: x\n    labels: *m12\n");
    ComposeFile.Invalid e = refusedWithinASecond(y.toString());
    assertTrue(e.getMessage().contains("merge keys"), e.getMessage());
  }

  @Test
  void aDoublingMergeChainIsRefused() {
    StringBuilder y = new StringBuilder("x-0: &m0 {k0: v}\n");
    for (int i = 1; i <= 24; i++) y.append("x-").append(i).append(": &m").append(i).append(" {<<: [*m").append(i - 1).append(", *m").append(i - 1).append("], k").append(i).append(": v}\n");
    y.append("services:\n  web:\n    image: x\n");
    refusedWithinASecond(y.toString());
  }

  @Test
  void anAliasOfAnOpenCollectionIsRefused() {
    refusedWithinASecond("services:\n  web:\n    image: x\nx-loop: &loop [1, *loop]\n");
  }

  @Test
  void tooManyNodesAreRefused() {
    String many = "services:\n  web:\n    image: x\nx-many: [" + "1,".repeat(100_001) + "1]\n";
    ComposeFile.Invalid e = refusedWithinASecond(many);
    assertTrue(e.getMessage().contains("nodes"), e.getMessage());
  }

  @Test
  void ordinaryUseOfAnchorsAndMergeKeysIsFine() throws Exception {
    ComposeFile cf = ComposeFile.parse("""
        x-logging: &logging
          driver: json-file
          options: {max-size: 10m}
        x-base: &base
          restart: unless-stopped
          logging: *logging
        x-web: &web
          <<: *base
          init: true
        services:
          a: {<<: *web, image: nginx}
          b: {<<: *web, image: httpd}
          c: {<<: *base, image: redis, logging: *logging}
        """);
    assertEquals(List.of("a", "b", "c"), cf.services());
  }

  @Test
  void aSyntaxErrorIsAMistakeNotARefusal() {
    ComposeFile.Invalid e = assertThrows(ComposeFile.Invalid.class, () -> ComposeFile.parse("services: : x\n"));
    assertFalse(e.refused());
  }

  @Test
  void expectedServicesLeaveOutProfiles() throws Exception {
    ComposeFile cf = ComposeFile.parse("services:\n  a: {image: x}\n  b: {image: x, profiles: [p]}\n  c: {build: .}\n");
    assertEquals(List.of("a", "c"), cf.expectedServices());
    assertTrue(cf.hasService("b"));
    assertTrue(cf.hasImage("b"));
    assertFalse(cf.hasImage("c"));
  }

  // ---- paths that make compose read files ----

  @Test
  void everyPathComposeReadsIsFound() throws Exception {
    ComposeFile cf = ComposeFile.parse("""
        include:
          - shared.yaml
          - path: [a/one.yaml, a/two.yaml]
            project_directory: a
            env_file: a/.env
        services:
          web:
            image: x
            env_file:
              - web.env
              - path: optional.env
                required: false
            label_file: labels.txt
            extends: {file: base.yaml, service: web}
          app:
            build:
              context: ./app
              dockerfile: Containerfile
              additional_contexts:
                lib: ../lib
                img: docker-image://alpine
          other:
            build: ./other
            env_file: other.env
            extends: web
        secrets:
          token: {file: ./token.txt}
          external: {external: true}
        configs:
          conf: {file: conf.ini}
        """);
    List<String> found = cf.references().stream().map(r -> r.field() + "=" + r.path() + ":" + r.kind()
        + (r.dir() == null ? "" : "@" + r.dir())).toList();
    assertEquals(List.of(
        "include=shared.yaml:INCLUDE",
        "include.project_directory=a:FOLDER",
        "include.path=a/one.yaml:INCLUDE@a",
        "include.path=a/two.yaml:INCLUDE@a",
        "include.env_file=a/.env:FILE",
        "services.web.env_file=web.env:FILE",
        "services.web.env_file=optional.env:FILE",
        "services.web.label_file=labels.txt:FILE",
        "services.web.extends.file=base.yaml:EXTENDS",
        "services.app.build.context=./app:CONTEXT",
        "services.app.build.dockerfile=Containerfile:FILE@./app",
        "services.app.build.additional_contexts.lib=../lib:CONTEXT",
        "services.app.build.additional_contexts.img=docker-image://alpine:CONTEXT",
        "services.other.env_file=other.env:FILE",
        "services.other.build=./other:CONTEXT",
        "secrets.token.file=./token.txt:FILE",
        "configs.conf.file=conf.ini:FILE"), found);
  }
}
