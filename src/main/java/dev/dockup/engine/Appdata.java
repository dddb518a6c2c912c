package dev.dockup.engine;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Bytes each stack keeps on disk: its containers' bind-mount sources (walked, links not
 * followed) and named volumes (as the engine measures them). Slow on big trees, so only ever
 * run in the background; blocking.
 */
final class Appdata {
  private static final long MAX_FILES_PER_PATH = 2_000_000;

  private final EngineHttp engine;

  Appdata(EngineHttp engine) {
    this.engine = engine;
  }

  JsonObject compute() {
    Map<String, Set<String>> binds = new HashMap<>();
    Map<String, Set<String>> volumes = new HashMap<>();
    mounts(engine.get("/containers/json?all=1").array(), binds, volumes);
    Map<String, Long> volumeSizes = volumeSizes();
    JsonObject stacks = new JsonObject();
    for (String project : binds.keySet()) {
      long total = 0;
      JsonArray paths = new JsonArray();
      for (String source : binds.get(project)) {
        long bytes = walk(Path.of(source));
        total += Math.max(0, bytes);
        paths.add(new JsonObject().put("path", source).put("bytes", bytes));
      }
      JsonArray vols = new JsonArray();
      for (String name : volumes.getOrDefault(project, Set.of())) {
        long bytes = volumeSizes.getOrDefault(name, -1L);
        total += Math.max(0, bytes);
        vols.add(new JsonObject().put("name", name).put("bytes", bytes));
      }
      stacks.put(project, new JsonObject().put("bytes", total).put("paths", paths).put("volumes", vols));
    }
    return new JsonObject().put("updated_at", Instant.now().toString()).put("stacks", stacks);
  }

  /** Each compose project's bind-mount sources and named volumes, from a container listing. */
  static void mounts(JsonArray containers, Map<String, Set<String>> binds, Map<String, Set<String>> volumes) {
    for (JsonObject c : EngineJson.objects(containers)) {
      String project = EngineJson.string(EngineJson.object(c, "Labels"), ContainerFacts.PROJECT_LABEL);
      if (project == null) continue;
      binds.computeIfAbsent(project, p -> new LinkedHashSet<>());
      for (JsonObject mount : EngineJson.objects(EngineJson.array(c, "Mounts"))) {
        String type = EngineJson.string(mount, "Type");
        String source = EngineJson.string(mount, "Source");
        String name = EngineJson.string(mount, "Name");
        if ("bind".equals(type) && source != null) binds.get(project).add(source);
        else if ("volume".equals(type) && name != null) volumes.computeIfAbsent(project, p -> new LinkedHashSet<>()).add(name);
      }
    }
  }

  private Map<String, Long> volumeSizes() {
    return volumeSizes(engine.get("/system/df").object());
  }

  /** Named volume sizes from the engine's disk-usage report ({@code -1} when it does not know). */
  static Map<String, Long> volumeSizes(JsonObject df) {
    Map<String, Long> out = new HashMap<>();
    for (JsonObject v : EngineJson.objects(EngineJson.array(df, "Volumes"))) {
      String name = EngineJson.string(v, "Name");
      if (name != null) out.put(name, EngineJson.number(EngineJson.object(v, "UsageData"), "Size", -1));
    }
    return out;
  }

  /** Total size of regular files under {@code root}; {@code -1} when it cannot be read from here. */
  static long walk(Path root) {
    if (!Files.exists(root)) return -1;
    long[] total = {0, 0};
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isRegularFile()) total[0] += attrs.size();
          return ++total[1] > MAX_FILES_PER_PATH ? FileVisitResult.TERMINATE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException exc) {
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      return total[0];
    }
    return total[0];
  }
}
