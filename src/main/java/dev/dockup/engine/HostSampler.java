package dev.dockup.engine;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Host CPU and memory from {@code /proc}: CPU busy share since the previous sample, memory in
 * use as the kernel counts it (total less available). Not thread-safe: one sampler per caller.
 */
final class HostSampler {
  private long prevIdle = -1;
  private long prevTotal = -1;

  JsonObject sample() {
    JsonObject out = new JsonObject().put("cpu_percent", cpuPercent());
    long[] mem = memory();
    return out.put("mem_used", mem[0]).put("mem_total", mem[1]);
  }

  private double cpuPercent() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
      String[] f = lines.get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
      long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
      double pct = prevTotal < 0 || total == prevTotal ? 0.0 : 100.0 * (1.0 - (double) (idle - prevIdle) / (total - prevTotal));
      prevIdle = idle;
      prevTotal = total;
      return Math.round(Math.max(0, Math.min(100, pct)) * 10) / 10.0;
    } catch (IOException | RuntimeException e) {
      return 0.0;
    }
  }

  /** {used, total} in bytes. */
  private static long[] memory() {
    long total = 0;
    long available = 0;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) total = kib(line);
        else if (line.startsWith("MemAvailable:")) available = kib(line);
      }
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
    return new long[] {Math.max(0, total - available), total};
  }

  private static long kib(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
  }
}
