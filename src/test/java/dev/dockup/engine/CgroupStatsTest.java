package dev.dockup.engine;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A container's figures from cgroup v1 and v2 files laid out as the engine's drivers make them. */
class CgroupStatsTest {
  static final String ID = "a".repeat(64);
  static final String NET_DEV = """
      Inter-|   Receive                                                |  Transmit
       face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
          lo:  9999      10    0    0    0     0          0         0     9999      10    0    0    0     0       0          0
        eth0:  1500      12    0    0    0     0          0         0      700       8    0    0    0     0       0          0
      """;

  @TempDir
  Path tmp;

  static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
  }

  void proc(String pid) throws IOException {
    write(tmp.resolve("proc/meminfo"), "MemTotal:       2048 kB\nMemFree:         100 kB\n");
    write(tmp.resolve("proc/" + pid + "/net/dev"), NET_DEV);
  }

  @Test
  void cgroupV1WithTheCgroupfsDriver() throws IOException {
    proc("42");
    Path mem = tmp.resolve("cg/memory/docker/" + ID);
    write(mem.resolve("memory.usage_in_bytes"), "10000\n");
    write(mem.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
    write(mem.resolve("memory.stat"), "cache 500\ninactive_file 3000\ntotal_inactive_file 3100\n");
    write(mem.resolve("cgroup.procs"), "42\n43\n");
    write(tmp.resolve("cg/cpuacct/docker/" + ID + "/cpuacct.usage"), "123456789\n");
    CgroupStats cg = new CgroupStats(tmp.resolve("cg"), tmp.resolve("proc"));
    CgroupStats.Raw raw = cg.read(ID, true);
    assertNotNull(raw);
    assertEquals(123456789L, raw.cpuNs());
    assertEquals(10000L, raw.memUsage());
    assertEquals(3000L, raw.memInactive());
    assertEquals(2048L * 1024, raw.memLimit(), "no limit: the host's memory, as the engine says");
    assertEquals(1500L, raw.rx());
    assertEquals(700L, raw.tx());
    assertEquals(0L, cg.read(ID, false).rx(), "the host's network is not the container's");
    JsonObject stats = StatsSampler.toStats(new JsonObject().put("id", ID), raw, 1.5);
    assertEquals(7000L, stats.getLong("mem_bytes"));
    assertNull(cg.read("b".repeat(64), true), "no such cgroup: ask the engine");
    assertNull(cg.read("../../etc", true), "only container ids make paths");
  }

  @Test
  void cgroupV2WithTheSystemdDriver() throws IOException {
    proc("7");
    write(tmp.resolve("cg/cgroup.controllers"), "cpu memory\n");
    Path dir = tmp.resolve("cg/system.slice/docker-" + ID + ".scope");
    write(dir.resolve("cpu.stat"), "usage_usec 2000\nuser_usec 1500\n");
    write(dir.resolve("memory.current"), "8192\n");
    write(dir.resolve("memory.max"), "4096\n");
    write(dir.resolve("memory.stat"), "anon 100\ninactive_file 192\n");
    write(dir.resolve("cgroup.procs"), "7\n");
    CgroupStats.Raw raw = new CgroupStats(tmp.resolve("cg"), tmp.resolve("proc")).read(ID, true);
    assertNotNull(raw);
    assertEquals(2_000_000L, raw.cpuNs());
    assertEquals(8192L, raw.memUsage());
    assertEquals(192L, raw.memInactive());
    assertEquals(4096L, raw.memLimit());
    assertEquals(1500L, raw.rx());
  }

  @Test
  void cpuShareComesFromTwoReadingsOfTheSameSource() {
    CgroupStats.Raw a = new CgroupStats.Raw(false, 1_000_000_000L, 10_000_000_000L, 0, 0, 0, 0, 0);
    CgroupStats.Raw b = new CgroupStats.Raw(false, 1_500_000_000L, 11_000_000_000L, 0, 0, 0, 0, 0);
    assertEquals(50.0, StatsSampler.cpuPercent(a, b), 1e-9);
    CgroupStats.Raw engine = new CgroupStats.Raw(true, 1_500_000_000L, 11_000_000_000L, 0, 0, 0, 0, 0);
    assertEquals(Double.NaN, StatsSampler.cpuPercent(a, engine), "sources do not mix");
    assertEquals(Double.NaN, StatsSampler.cpuPercent(b, a), "no going back");
  }
}
