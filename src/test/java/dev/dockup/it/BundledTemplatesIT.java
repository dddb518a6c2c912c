package dev.dockup.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every bundled template's compose file, with its .env.example's values, passes the compose
 * CLI's own check, with compose v2 and with v1 (both are supported): as it is in the jar.
 */
class BundledTemplatesIT {

  static String resource(String name) throws IOException {
    try (InputStream in = BundledTemplatesIT.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IOException("missing " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void everyBundledComposeFilePassesComposeConfigWithItsExampleValues() throws Exception {
    List<String> ids = resource("templates/index.txt").lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertTrue(ids.size() >= 30);
    Path dir = Files.createTempDirectory("dockup-bundled-");
    List<String> failed = new ArrayList<>();
    for (String id : ids) {
      Path folder = Files.createDirectories(dir.resolve(id));
      Files.writeString(folder.resolve("compose.yaml"), resource("templates/" + id + "/compose.yaml"));
      Files.writeString(folder.resolve(".env"), resource("templates/" + id + "/.env.example"));
      for (String compose : List.of("docker compose", "docker-compose")) {
        try {
          // -q prints nothing when the file is valid; warnings (an unset variable) would be printed.
          String out = Engine.sh("cd " + folder + " && " + compose + " -p " + id + " -f compose.yaml config -q 2>&1");
          if (!out.isBlank()) failed.add(id + " (" + compose + "): " + out.strip());
        } catch (IllegalStateException e) {
          failed.add(id + " (" + compose + "): " + e.getMessage());
        }
      }
    }
    assertTrue(failed.isEmpty(), String.join("\n", failed));
  }
}
