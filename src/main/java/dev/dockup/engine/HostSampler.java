package dev.dockup.engine;

import io.vertx.core.json.JsonObject;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;

/**
 * Host CPU and memory, from oshi: the CPU's busy share since this sampler's previous sample,
 * memory in use as the kernel counts it (total less available). Not thread-safe: one sampler
 * per caller, each with its own previous sample.
 */
final class HostSampler {
  /** oshi reads the platform once and keeps what does not change: one for the process. */
  static final SystemInfo SYSTEM = new SystemInfo();

  private final CentralProcessor cpu = SYSTEM.getHardware().getProcessor();
  private final GlobalMemory memory = SYSTEM.getHardware().getMemory();
  private long[] previousTicks;

  /** Blocking (reads {@code /proc}): run on a worker. */
  JsonObject sample() {
    long total = memory.getTotal();
    long used = Math.max(0, total - memory.getAvailable());
    return new JsonObject().put("cpu_percent", cpuPercent()).put("mem_used", used).put("mem_total", total);
  }

  private double cpuPercent() {
    long[] ticks = cpu.getSystemCpuLoadTicks();
    double share = previousTicks == null ? 0.0 : cpu.getSystemCpuLoadBetweenTicks(previousTicks);
    previousTicks = ticks;
    return Math.round(Math.max(0, Math.min(1, share)) * 1000) / 10.0;
  }
}
