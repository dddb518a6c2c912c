package dev.dockup.stack;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a compose file makes compose read, and the variables that decide it. */
class ComposePathsTest {
  @TempDir Path root;
  Path stack;
  Path allowed;

  @BeforeEach
  void setUp() throws IOException {
    stack = Files.createDirectories(root.resolve("stacks/app"));
    allowed = Files.createDirectories(root.resolve("shared"));
  }

  ComposePaths.Outcome check(String yaml, String dotenv, List<Path> allow) throws Exception {
    return new ComposePaths(stack, allow, "/home/me").check(ComposeFile.parse(yaml).references(),
        ComposeVariables.of(Map.of("HOME", "/home/me"), dotenv));
  }

  ComposePaths.Outcome check(String yaml) throws Exception {
    return check(yaml, null, List.of());
  }

  static String service(String extra) {
    return "services:\n  web:\n    image: x\n" + extra;
  }

  @Test
  void pathsInsideTheFolderAreFine() throws Exception {
    Files.createDirectories(stack.resolve("app"));
    ComposePaths.Outcome o = check(service("    env_file: [web.env, ./conf/more.env]\n    build: ./app\n")
        + "secrets:\n  s: {file: ./secret.txt}\n");
    assertTrue(o.ok(), o.refused()::toString);
    assertFalse(o.readsOutside());
  }

  @Test
  void includeOfEtcShadowIsRefusedByItsPathOnly() throws Exception {
    ComposePaths.Outcome o = check("include: [/etc/shadow]\n" + service(""));
    assertEquals(List.of("include: '/etc/shadow' is outside the stack's folder"), o.refused());
  }

  @Test
  void everyKindOfPathOutsideIsRefused() throws Exception {
    ComposePaths.Outcome o = check(service("""
            env_file: ../other/.env
            label_file: /etc/hostname
            extends: {file: ../other/compose.yaml, service: web}
            build: {context: .., dockerfile: Dockerfile}
        secrets:
          s: {file: ~/.ssh/id_rsa}
        configs:
          c: {file: /etc/passwd}
        """));
    assertEquals(7, o.refused().size(), o.refused()::toString);
  }

  @Test
  void aDockerfileIsFoundInItsContext() throws Exception {
    assertFalse(check(service("    build: {context: ., dockerfile: ../../Dockerfile}\n")).ok());
    assertTrue(check(service("    build: {context: ./app, dockerfile: ../Dockerfile}\n")).ok());
  }

  @Test
  void remoteBuildContextsReadNothingHereButRemoteIncludesAreRefused() throws Exception {
    assertTrue(check(service("    build: https://github.com/example/app.git#main\n")).ok());
    assertTrue(check(service("    build: {context: ., additional_contexts: {base: docker-image://alpine, svc: service:web}}\n")).ok());
    assertFalse(check("include: [oci://example.com/compose:1]\n" + service("")).ok());
  }

  @Test
  void allowedFoldersMayBeReadAndAreMarked() throws Exception {
    ComposePaths.Outcome o = check(service("    env_file: " + allowed.resolve("common.env") + "\n"), null, List.of(allowed));
    assertTrue(o.ok(), o.refused()::toString);
    assertTrue(o.readsOutside());
  }

  @Test
  void symbolicLinksAreFollowedAsTheSystemWould() throws Exception {
    Path outside = Files.createDirectories(root.resolve("outside/deep"));
    Files.createSymbolicLink(stack.resolve("link"), outside);
    // Lexically inside; to the system, the parent of outside/deep.
    assertFalse(check(service("    env_file: link/../x.env\n")).ok());
    assertFalse(check(service("    env_file: link/x.env\n")).ok());
    Files.createSymbolicLink(stack.resolve("innocent.env"), Path.of("/etc/shadow"));
    assertFalse(check(service("    env_file: innocent.env\n")).ok());
  }

  @Test
  void variablesAreResolvedFromTheDotenv() throws Exception {
    String yaml = "include: [\"${DIR}/extra.yaml\"]\n" + service("");
    assertFalse(check(yaml, "DIR=/etc\n", List.of()).ok());
    assertTrue(check(yaml, "DIR=./sub\n", List.of()).ok());
    // Unset: compose substitutes nothing, so "/extra.yaml".
    assertFalse(check(yaml, "", List.of()).ok());
    assertTrue(check("include: [\"${DIR:-.}/extra.yaml\"]\n" + service(""), "", List.of()).ok());
    assertFalse(check("include: [\"${DIR:-/etc}/shadow\"]\n" + service(""), "", List.of()).ok());
    // A value DockUp cannot tell is refused, not guessed.
    ComposePaths.Outcome o = check(yaml, "DIR=\"${OTHER}\"\n", List.of());
    assertTrue(o.refused().get(0).contains("cannot resolve"), o.refused()::toString);
    assertTrue(check("include: [\"$$x.yaml\"]\n" + service(""), "", List.of()).ok());
  }

  @Test
  void includedFilesAreFollowedWithTheirOwnPaths() throws Exception {
    Files.writeString(stack.resolve("inner.yaml"), "include: [/etc/shadow]\n");
    ComposePaths.Outcome o = check("include: [inner.yaml]\n" + service(""));
    assertEquals(List.of("include: '/etc/shadow' is outside the stack's folder"), o.refused());

    Files.createDirectories(stack.resolve("sub"));
    Files.writeString(stack.resolve("sub/compose.yaml"), "services:\n  db:\n    image: x\n    env_file: ../../secret.env\n");
    assertFalse(check("include: [sub/compose.yaml]\n" + service("")).ok());
    Files.writeString(stack.resolve("sub/compose.yaml"), "services:\n  db:\n    image: x\n    env_file: ../ok.env\n");
    assertTrue(check("include: [sub/compose.yaml]\n" + service("")).ok());
  }

  @Test
  void anIncludedFilesPathsStartFromItsProjectDirectory() throws Exception {
    Files.createDirectories(stack.resolve("sub/deeper"));
    Files.writeString(stack.resolve("sub/compose.yaml"), "services:\n  db:\n    image: x\n    env_file: ../../db.env\n");
    // From sub/deeper, ../../db.env is the stack's own; from sub (the file's folder) it would be outside.
    assertTrue(check("include:\n  - path: sub/compose.yaml\n    project_directory: ${SUB}/deeper\n" + service(""), "SUB=sub\n", List.of()).ok());
    assertFalse(check("include: [sub/compose.yaml]\n" + service("")).ok());
    assertFalse(check("include:\n  - path: sub/compose.yaml\n    project_directory: /tmp\n" + service("")).ok());
  }

  @Test
  void includeCyclesEndAndBombsInIncludedFilesAreRefused() throws Exception {
    Files.writeString(stack.resolve("a.yaml"), "include: [b.yaml]\n");
    Files.writeString(stack.resolve("b.yaml"), "include: [a.yaml]\n");
    assertTrue(check("include: [a.yaml]\n" + service("")).ok());
    Files.writeString(stack.resolve("deep.yaml"), "x: " + "[".repeat(3000) + "]".repeat(3000) + "\n");
    ComposePaths.Outcome o = check("include: [deep.yaml]\n" + service(""));
    assertTrue(o.refused().get(0).contains("nested deeper"), o.refused()::toString);
  }

  @Test
  void outputNamingAFileOutsideIsSpotted() {
    List<Path> folders = List.of(stack);
    assertTrue(ComposePaths.namesFileOutside("validating /etc/shadow: (root) Additional property root:x", folders));
    assertTrue(ComposePaths.namesFileOutside("open '" + root.resolve("stacks/other/.env") + "': denied", folders));
    assertFalse(ComposePaths.namesFileOutside("env file " + stack.resolve("web.env") + " not found", folders));
    assertFalse(ComposePaths.namesFileOutside("yaml: line 4: did not find expected node content", folders));
    assertFalse(ComposePaths.namesFileOutside("unix:///var/run/docker.sock is fine", folders));
  }

  @Test
  void dotenvAndInterpolationForms() {
    ComposeVariables v = ComposeVariables.of(Map.of("HOME", "/root"), """
        # comment
        export A=one
        B='two $x'
        C="three"
        D=four # comment
        E=
        F="$A"
        G=multi \\
        """);
    assertEquals(Optional.of("one/two $x/three/four"), v.interpolate("$A/${B}/${C}/${D}"));
    assertEquals(Optional.of("dflt|set|"), v.interpolate("${E:-dflt}|${E-set}set|${E:+alt}"));
    assertEquals(Optional.of("/root/x"), v.interpolate("${HOME}/x"));
    assertEquals(Optional.of("nested"), v.interpolate("${NOPE:-${NADA:-nested}}"));
    assertEquals(Optional.empty(), v.interpolate("${F}"));
    assertEquals(Optional.empty(), v.interpolate("${G}"));
    assertEquals(Optional.empty(), v.interpolate("${NOPE:?required}"));
    assertEquals(Optional.empty(), v.interpolate("$-x"));
    assertEquals(Optional.of("plain"), ComposeVariables.none().interpolate("plain"));
    assertEquals(Optional.empty(), ComposeVariables.none().interpolate("${A}"));
  }
}
