package dev.dockup.engine;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import oshi.software.os.OSFileStore;
import oshi.software.os.OperatingSystem;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The host part of {@code GET /api/host/stats}: CPU, memory, the disk holding
 * {@code STACKS_DIR}, load average and uptime, all from oshi. Sampled in the background and
 * blocking, so run on a worker; the container counts are added per request from the node's
 * live state, never from a sample.
 */
final class HostStats {
  private final HostSampler cpuAndMemory = new HostSampler();
  private final OperatingSystem os = HostSampler.SYSTEM.getOperatingSystem();
  private final Path stacksDir;
  /** The file store {@code STACKS_DIR} is on, found once and refreshed by each sample. */
  private OSFileStore disk;

  HostStats(Path stacksDir) {
    this.stacksDir = stacksDir;
  }

  JsonObject sample() {
    JsonObject cm = cpuAndMemory.sample();
    long memTotal = cm.getLong("mem_total");
    long memUsed = cm.getLong("mem_used");
    return new JsonObject()
        .put("cpu_percent", cm.getDouble("cpu_percent"))
        .put("memory", new JsonObject().put("total", memTotal).put("used", memUsed).put("percent", percent(memUsed, memTotal)))
        .put("disk", disk())
        .put("load_average", loadAverage())
        .put("uptime_seconds", os.getSystemUptime())
        .put("sampled_at", Instant.now().toString());
  }

  private JsonObject disk() {
    JsonObject out = new JsonObject().put("total", 0L).put("used", 0L).put("percent", 0.0).put("path", stacksDir.toString());
    if (disk == null || !disk.updateAttributes()) disk = storeOf(stacksDir);
    if (disk == null) return out;
    long total = disk.getTotalSpace();
    long used = Math.max(0, total - disk.getFreeSpace());
    return out.put("total", total).put("used", used).put("percent", percent(used, total));
  }

  /** The mounted file store whose mount point is the longest prefix of the folder's real path. */
  private OSFileStore storeOf(Path dir) {
    Path real;
    try {
      real = dir.toRealPath();
    } catch (IOException e) {
      real = dir.toAbsolutePath().normalize();
    }
    OSFileStore best = longestMount(os.getFileSystem().getFileStores(true), real);
    // A network share is not local: only then ask about every mount.
    return best != null ? best : longestMount(os.getFileSystem().getFileStores(false), real);
  }

  static OSFileStore longestMount(List<OSFileStore> stores, Path dir) {
    OSFileStore best = null;
    int bestLength = -1;
    for (OSFileStore s : stores) {
      String mount = s.getMount();
      if (mount == null || mount.isEmpty()) continue;
      Path m = Path.of(mount);
      if (dir.startsWith(m) && m.getNameCount() > bestLength) {
        best = s;
        bestLength = m.getNameCount();
      }
    }
    return best;
  }

  private JsonArray loadAverage() {
    double[] loads;
    try {
      loads = HostSampler.SYSTEM.getHardware().getProcessor().getSystemLoadAverage(3);
    } catch (RuntimeException | LinkageError noNativeAccess) {
      // oshi asks libc through JNA here, which a host may refuse (a noexec temp folder): no figures then.
      return new JsonArray();
    }
    JsonArray out = new JsonArray();
    for (double d : loads) {
      // oshi gives a negative figure for one the platform does not have.
      if (d < 0) return new JsonArray();
      out.add(Math.round(d * 100) / 100.0);
    }
    return out;
  }

  private static double percent(long part, long whole) {
    return whole <= 0 ? 0.0 : Math.round(1000.0 * part / whole) / 10.0;
  }
}
