package dev.dockup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigTest {

  @TempDir Path dir;

  private static void assertRefused(Map<String, String> env, String... mentions) {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Config.load(null, env));
    for (String m : mentions) {
      assertTrue(e.getMessage().toLowerCase().contains(m.toLowerCase()), e.getMessage() + " should mention " + m);
    }
  }

  @Test
  void defaults() {
    Config c = Config.load(dir.resolve("missing.json"), Map.of());
    assertEquals(5000, c.port());
    assertEquals("0.0.0.0", c.host());
    assertEquals(Path.of("stacks").toAbsolutePath(), c.stacksDir());
    assertEquals(Path.of("data").toAbsolutePath(), c.dataDir());
    assertEquals(600, c.operationTimeoutSeconds());
    assertNull(c.composeCommand());
    assertEquals(Config.defaultNodeName(), c.nodeName());
  }

  @Test
  void environmentOverridesDefaults() {
    Config c = Config.load(null, Map.of(
        "PORT", "8080", "HOST", "127.0.0.1", "STACKS_DIR", "/srv/stacks", "DATA_DIR", "/srv/data/",
        "DOCKUP_NODE_NAME", "node-1", "COMPOSE_COMMAND", "docker-compose", "OPERATION_TIMEOUT", " 30 "));
    assertEquals(8080, c.port());
    assertEquals("127.0.0.1", c.host());
    assertEquals(Path.of("/srv/stacks"), c.stacksDir());
    assertEquals(Path.of("/srv/data"), c.dataDir());
    assertEquals("node-1", c.nodeName());
    assertEquals("docker-compose", c.composeCommand());
    assertEquals(30, c.operationTimeoutSeconds());
  }

  @Test
  void templateCatalogSettings() {
    Config.Templates d = Config.load(null, Map.of()).templates();
    assertEquals(new Config.Templates(false, 30, 16 * 1024 * 1024, 86_400), d);
    Config.Templates set = Config.load(null, Map.of("TEMPLATE_ALLOW_PRIVATE", "true", "TEMPLATE_TIMEOUT", "5",
        "TEMPLATE_MAX_BYTES", "100000", "TEMPLATE_REFRESH", "0")).templates();
    assertEquals(new Config.Templates(true, 5, 100_000, 0), set);
    assertRefused(Map.of("TEMPLATE_TIMEOUT", "0"), "template_timeout");
    assertRefused(Map.of("TEMPLATE_MAX_BYTES", "10"), "template_max_bytes");
    assertRefused(Map.of("TEMPLATE_ALLOW_PRIVATE", "maybe"), "template_allow_private");
  }

  @Test
  void allowOutsidePathsIsAListOfFolders() throws IOException {
    assertEquals(java.util.List.of(), Config.load(null, Map.of()).allowOutsidePaths());
    Config fromEnv = Config.load(null, Map.of("ALLOW_OUTSIDE_PATHS", "/srv/shared/, /opt/certs"));
    assertEquals(java.util.List.of(Path.of("/srv/shared"), Path.of("/opt/certs")), fromEnv.allowOutsidePaths());
    Path file = Files.writeString(dir.resolve("config.json"), "{\"allow_outside_paths\": [\"/srv/a/../b\"]}");
    assertEquals(java.util.List.of(Path.of("/srv/b")), Config.load(file, Map.of()).allowOutsidePaths());
  }

  @Test
  void scanSettingsHaveDefaultsAndTheTokenIsNeverShown() {
    Config.Scan d = Config.load(null, Map.of()).scan();
    assertEquals(new Config.Scan("auto", 1, 900, 24, null, null), d);
    Config c = Config.load(null, Map.of("SCANNER", "Grype", "SCAN_CONCURRENCY", "3", "SCAN_TIMEOUT", "60",
        "SCAN_CACHE_HOURS", "0", "TRIVY_SERVER", "http://10.0.0.5:4954/", "TRIVY_TOKEN", "s3cret-token"));
    assertEquals(new Config.Scan("grype", 3, 60, 0, "http://10.0.0.5:4954", "s3cret-token"), c.scan());
    assertTrue(!c.toString().contains("s3cret-token") && c.toString().contains("trivyToken=***"), c.toString());
    assertRefused(Map.of("SCANNER", "clair"), "SCANNER");
    assertRefused(Map.of("SCAN_CONCURRENCY", "0"), "scan_concurrency");
    assertRefused(Map.of("TRIVY_SERVER", "http://user:pw@host:4954"), "TRIVY_SERVER");
    assertRefused(Map.of("TRIVY_SERVER", "ftp://host"), "TRIVY_SERVER");
  }

  @Test
  void blankEnvironmentValuesAreIgnored() {
    Config c = Config.load(null, Map.of("PORT", " ", "DOCKUP_NODE_NAME", ""));
    assertEquals(5000, c.port());
    assertEquals(Config.defaultNodeName(), c.nodeName());
  }

  @Test
  void configFileOverridesDefaultsAndEnvironmentOverridesFile() throws IOException {
    Path file = Files.writeString(dir.resolve("config.json"),
        "{\"port\": 7000, \"stacks_dir\": \"/opt/stacks\", \"operation_timeout\": 120, \"node_name\": \"from-file\"}");

    Config fromFile = Config.load(file, Map.of());
    assertEquals(7000, fromFile.port());
    assertEquals(Path.of("/opt/stacks"), fromFile.stacksDir());
    assertEquals(120, fromFile.operationTimeoutSeconds());
    assertEquals("from-file", fromFile.nodeName());
    assertEquals(Path.of("data").toAbsolutePath(), fromFile.dataDir());

    Config both = Config.load(file, Map.of("PORT", "9000"));
    assertEquals(9000, both.port());
    assertEquals(120, both.operationTimeoutSeconds());
  }

  @Test
  void unreadableConfigFileIsAClearError() throws IOException {
    Path file = Files.writeString(dir.resolve("config.json"), "{not json");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Config.load(file, Map.of()));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
  }

  @Test
  void invalidPortIsRefused() {
    assertRefused(Map.of("PORT", "abc"), "port", "abc");
    assertRefused(Map.of("PORT", "65536"), "port", "65536");
    assertRefused(Map.of("PORT", "-1"), "port");
  }

  @Test
  void nonIntegerOrOverflowingPortInConfigFileIsRefused() throws IOException {
    Path overflow = Files.writeString(dir.resolve("overflow.json"), "{\"port\": 4294972296}"); // 2^32 + 5000
    assertThrows(IllegalStateException.class, () -> Config.load(overflow, Map.of()));
    Path fraction = Files.writeString(dir.resolve("fraction.json"), "{\"port\": 8080.5}");
    assertThrows(IllegalStateException.class, () -> Config.load(fraction, Map.of()));
  }

  @Test
  void invalidOperationTimeoutIsRefused() {
    assertRefused(Map.of("OPERATION_TIMEOUT", "ten"), "operation_timeout", "ten");
    assertRefused(Map.of("OPERATION_TIMEOUT", "0"), "operation_timeout");
    assertRefused(Map.of("OPERATION_TIMEOUT", "-5"), "operation_timeout");
  }

  @Test
  void invalidNodeNameIsRefused() {
    for (String bad : new String[] {"Node1", "-node", "node_1", "node.local", "a".repeat(64)}) {
      assertRefused(Map.of("DOCKUP_NODE_NAME", bad), "DOCKUP_NODE_NAME", bad);
    }
    assertEquals("a".repeat(63), Config.load(null, Map.of("DOCKUP_NODE_NAME", "a".repeat(63))).nodeName());
  }

  @Test
  void defaultNodeNameMatchesTheRule() {
    String name = Config.defaultNodeName();
    assertTrue(name.matches("^[a-z0-9][a-z0-9-]{0,62}$"), name);
    assertTrue(Config.NODE_NAME.matcher(name).matches(), name);
  }
}
