package dev.dockup.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A running container's figures read straight from its cgroup and from its network namespace's
 * counters, where DockUp can see them (it runs on the engine's host rather than in a container
 * of its own). That is a few small file reads, where the engine's own stats call costs the engine
 * about 2 ms of CPU per container (dockerd asks containerd, which asks the container's shim)
 * and waits up to a second for its collector. Hand-written because no library reads another
 * process's cgroup: the JDK's and oshi's read their own process's or the host's. Where a
 * container's files are not found (a rootless engine, a custom cgroup parent, DockUp in a
 * container) {@link #read} answers null and the engine is asked instead.
 *
 * <p>Cgroup v1 ({@code memory}, {@code cpuacct}) and v2 (unified), with the engine's
 * {@code cgroupfs} ({@code docker/<id>}) or {@code systemd} ({@code system.slice/docker-<id>.scope})
 * driver. Blocking: run on a worker.
 */
final class CgroupStats {
  private static final Pattern ID = Pattern.compile("^[0-9a-f]{64}$");
  /** The engine's "no limit" in cgroup v1: a huge page-aligned number. */
  private static final long V1_UNLIMITED = 1L << 62;

  /**
   * The figures of one reading: CPU as cumulative nanoseconds against a basis in nanoseconds
   * (here the wall clock; for the engine's answer the host's CPU time per CPU), which only
   * compare with a reading from the same source.
   */
  record Raw(boolean engine, long cpuNs, long basisNs, long memUsage, long memInactive, long memLimit, long rx, long tx) {}

  private final Path root;
  private final Path proc;
  private final boolean unified;
  private final long hostMemory;
  /** The layout that matched last: tried first next time (one engine uses one driver). */
  private volatile int layout;

  CgroupStats(Path root, Path proc) {
    this.root = root;
    this.proc = proc;
    this.unified = Files.exists(root.resolve("cgroup.controllers"));
    this.hostMemory = memTotal(proc.resolve("meminfo"));
  }

  static CgroupStats host() {
    return new CgroupStats(Path.of("/sys/fs/cgroup"), Path.of("/proc"));
  }

  /**
   * One reading, or null when this container's cgroup cannot be read here. {@code network}
   * false (a container on the host's network, whose counters are the host's) reads 0, as the
   * engine reports it.
   */
  Raw read(String id, boolean network) {
    if (id == null || !ID.matcher(id).matches()) return null;
    try {
      return unified ? readV2(id, network) : readV1(id, network);
    } catch (IOException | RuntimeException gone) {
      // The container stopped between the listing and the read, or the files are not ours to read.
      return null;
    }
  }

  private Raw readV1(String id, boolean network) throws IOException {
    Path memory = find(id, root.resolve("memory"));
    Path cpu = find(id, root.resolve("cpuacct"));
    if (cpu == null) cpu = find(id, root.resolve("cpu,cpuacct"));
    if (memory == null || cpu == null) return null;
    long cpuNs = number(cpu.resolve("cpuacct.usage"));
    long now = System.nanoTime();
    long usage = number(memory.resolve("memory.usage_in_bytes"));
    long limit = number(memory.resolve("memory.limit_in_bytes"));
    long inactive = statField(memory.resolve("memory.stat"), "inactive_file", "total_inactive_file");
    long[] net = network ? net(memory) : new long[2];
    if (net == null) return null;
    return new Raw(false, cpuNs, now, usage, inactive, limit(limit >= V1_UNLIMITED ? Long.MAX_VALUE : limit), net[0], net[1]);
  }

  private Raw readV2(String id, boolean network) throws IOException {
    Path dir = find(id, root);
    if (dir == null) return null;
    long cpuNs = statField(dir.resolve("cpu.stat"), "usage_usec", null) * 1000;
    long now = System.nanoTime();
    long usage = number(dir.resolve("memory.current"));
    String max = Files.readString(dir.resolve("memory.max")).trim();
    long inactive = statField(dir.resolve("memory.stat"), "inactive_file", null);
    long[] net = network ? net(dir) : new long[2];
    if (net == null) return null;
    return new Raw(false, cpuNs, now, usage, inactive, limit("max".equals(max) ? Long.MAX_VALUE : Long.parseLong(max)), net[0], net[1]);
  }

  /** As the engine reports it: a container without a limit has the host's memory. */
  private long limit(long cgroupLimit) {
    return hostMemory > 0 ? Math.min(cgroupLimit, hostMemory) : cgroupLimit;
  }

  private Path find(String id, Path base) {
    List<String> layouts = List.of("docker/" + id, "system.slice/docker-" + id + ".scope");
    int first = layout;
    for (int i = 0; i < layouts.size(); i++) {
      int k = (first + i) % layouts.size();
      Path dir = base.resolve(layouts.get(k));
      if (Files.isDirectory(dir)) {
        layout = k;
        return dir;
      }
    }
    return null;
  }

  /**
   * Bytes received and sent on the interfaces of the namespace the container's first process
   * is in, loopback left out as the engine leaves it out; null when that process is not visible.
   */
  private long[] net(Path cgroup) throws IOException {
    String procs = Files.readString(cgroup.resolve("cgroup.procs")).trim();
    if (procs.isEmpty()) return null;
    String pid = procs.lines().findFirst().orElse("").trim();
    if (!pid.chars().allMatch(Character::isDigit)) return null;
    Path dev = proc.resolve(pid).resolve("net").resolve("dev");
    if (!Files.isReadable(dev)) return null;
    long rx = 0;
    long tx = 0;
    for (String line : Files.readAllLines(dev)) {
      int colon = line.indexOf(':');
      if (colon < 0) continue;
      if (line.substring(0, colon).trim().equals("lo")) continue;
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      if (f.length < 9) continue;
      rx += Long.parseLong(f[0]);
      tx += Long.parseLong(f[8]);
    }
    return new long[] {rx, tx};
  }

  private static long number(Path file) throws IOException {
    return Long.parseLong(Files.readString(file).trim());
  }

  /** A {@code key value} line of a stat file; the first key found, else the second; 0 when neither is there. */
  static long statField(Path file, String key, String otherKey) throws IOException {
    long other = 0;
    for (String line : Files.readAllLines(file)) {
      int space = line.indexOf(' ');
      if (space < 0) continue;
      String k = line.substring(0, space);
      if (k.equals(key)) return Long.parseLong(line.substring(space + 1).trim());
      if (k.equals(otherKey)) other = Long.parseLong(line.substring(space + 1).trim());
    }
    return other;
  }

  private static long memTotal(Path meminfo) {
    try {
      for (String line : Files.readAllLines(meminfo)) {
        if (line.startsWith("MemTotal:")) return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
      }
    } catch (IOException | RuntimeException unknown) {
      // no cap then
    }
    return 0;
  }
}
