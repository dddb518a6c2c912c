package dev.dockup.engine;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code GET /api/host/stats} answer: CPU, memory, the disk holding {@code STACKS_DIR},
 * container counts from the engine, load average and uptime. Sampled in the background;
 * blocking, so run on a worker.
 */
final class HostStats {
  private final HostSampler cpuAndMemory = new HostSampler();
  private final Path stacksDir;
  private final EngineHttp engine;

  HostStats(Path stacksDir, EngineHttp engine) {
    this.stacksDir = stacksDir;
    this.engine = engine;
  }

  JsonObject sample(boolean engineOk) {
    JsonObject cm = cpuAndMemory.sample();
    long memTotal = cm.getLong("mem_total");
    long memUsed = cm.getLong("mem_used");
    JsonObject out = new JsonObject()
        .put("cpu_percent", cm.getDouble("cpu_percent"))
        .put("memory", new JsonObject().put("total", memTotal).put("used", memUsed).put("percent", percent(memUsed, memTotal)))
        .put("disk", disk())
        .put("containers", containers(engineOk))
        .put("load_average", loadAverage())
        .put("uptime_seconds", uptime())
        .put("sampled_at", java.time.Instant.now().toString());
    return out;
  }

  private JsonObject disk() {
    try {
      FileStore store = Files.getFileStore(stacksDir);
      long total = store.getTotalSpace();
      long used = total - store.getUnallocatedSpace();
      return new JsonObject().put("total", total).put("used", used).put("percent", percent(used, total)).put("path", stacksDir.toString());
    } catch (IOException e) {
      return new JsonObject().put("total", 0).put("used", 0).put("percent", 0.0).put("path", stacksDir.toString());
    }
  }

  private JsonObject containers(boolean engineOk) {
    if (!engineOk) return new JsonObject().put("running", null).put("stopped", null).put("total", null);
    try {
      JsonObject info = engine.get("/info").object();
      int running = info.getInteger("ContainersRunning", 0);
      int total = info.getInteger("Containers", 0);
      return new JsonObject().put("running", running).put("stopped", total - running).put("total", total);
    } catch (RuntimeException e) {
      return new JsonObject().put("running", null).put("stopped", null).put("total", null);
    }
  }

  private static JsonArray loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return new JsonArray().add(Double.parseDouble(f[0])).add(Double.parseDouble(f[1])).add(Double.parseDouble(f[2]));
    } catch (IOException | RuntimeException e) {
      return new JsonArray();
    }
  }

  private static long uptime() {
    try {
      return (long) Double.parseDouble(Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static double percent(long part, long whole) {
    return whole <= 0 ? 0.0 : Math.round(1000.0 * part / whole) / 10.0;
  }
}
