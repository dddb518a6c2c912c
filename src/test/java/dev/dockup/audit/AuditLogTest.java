package dev.dockup.audit;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuditLogTest {

  @TempDir Path tmp;
  private AuditLog log;

  @AfterEach
  void tearDown() {
    if (log != null) log.close();
  }

  private static JsonObject entry(int n) {
    return new JsonObject().put("n", n).put("method", "POST").put("path", "/api/stack/web/operation");
  }

  private static List<Integer> ns(List<JsonObject> entries) {
    return entries.stream().map(e -> e.getInteger("n")).toList();
  }

  private Path file(String suffix) {
    return tmp.resolve(AuditLog.FILE + suffix);
  }

  @Test
  void linesAreWrittenInOrderOwnerOnly() throws IOException {
    log = AuditLog.open(tmp, 1_000_000);
    for (int i = 0; i < 200; i++) log.append(entry(i));
    log.flush();
    List<String> lines = Files.readAllLines(file(""));
    assertEquals(200, lines.size());
    for (int i = 0; i < 200; i++) assertEquals(i, new JsonObject(lines.get(i)).getInteger("n"));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file(""))));
  }

  @Test
  void appendsFromManyThreadsAllLand() throws Exception {
    log = AuditLog.open(tmp, 1_000_000);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int base = t * 100;
      Thread thread = new Thread(() -> IntStream.range(base, base + 100).forEach(i -> log.append(entry(i))));
      thread.start();
      threads.add(thread);
    }
    for (Thread t : threads) t.join();
    log.flush();
    assertEquals(IntStream.range(0, 800).boxed().toList(), ns(log.newest(10_000)).stream().sorted().toList());
  }

  @Test
  void newestFirstWithLimit() {
    log = AuditLog.open(tmp, 1_000_000);
    assertEquals(List.of(), log.newest(10));
    for (int i = 0; i < 10; i++) log.append(entry(i));
    log.flush();
    assertEquals(List.of(9, 8, 7), ns(log.newest(3)));
    assertEquals(List.of(9, 8, 7, 6, 5, 4, 3, 2, 1, 0), ns(log.newest(100)));
    assertEquals(List.of(), log.newest(0));
  }

  @Test
  void appendingTheSameObjectTwiceKeepsEachState() {
    log = AuditLog.open(tmp, 1_000_000);
    JsonObject e = entry(1);
    log.append(e);
    e.put("n", 2);
    log.append(e);
    log.flush();
    assertEquals(List.of(2, 1), ns(log.newest(10)));
  }

  @Test
  void rotatesBySizeKeepingThreeOldFiles() throws IOException {
    int lineBytes = entry(10).encode().length() + 1;
    // Room for exactly three lines per file.
    log = AuditLog.open(tmp, lineBytes * 3L);
    for (int i = 10; i <= 40; i++) log.append(entry(i));
    log.flush();

    for (String suffix : List.of("", ".1", ".2", ".3")) {
      assertTrue(Files.exists(file(suffix)), suffix);
      assertTrue(Files.size(file(suffix)) <= lineBytes * 3L, suffix);
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file(suffix))), suffix);
    }
    assertFalse(Files.exists(file(".4")));
    assertEquals(List.of(40), ns(lines(file(""))));
    assertEquals(List.of(37, 38, 39), ns(lines(file(".1"))));
    assertEquals(List.of(34, 35, 36), ns(lines(file(".2"))));
    assertEquals(List.of(31, 32, 33), ns(lines(file(".3"))));

    // Newest first, across the files, and only what is kept.
    assertEquals(List.of(40, 39, 38, 37, 36), ns(log.newest(5)));
    assertEquals(IntStream.rangeClosed(31, 40).boxed().sorted((a, b) -> b - a).toList(), ns(log.newest(100)));
  }

  @Test
  void aLineLargerThanTheLimitIsStillKept() {
    log = AuditLog.open(tmp, 10);
    log.append(entry(1));
    log.append(entry(2));
    log.flush();
    assertEquals(List.of(2, 1), ns(log.newest(10)));
  }

  @Test
  void reopeningAppendsAndRespectsTheLimit() throws IOException {
    int lineBytes = entry(10).encode().length() + 1;
    log = AuditLog.open(tmp, lineBytes * 2L);
    log.append(entry(10));
    log.flush();
    log.close();

    log = AuditLog.open(tmp, lineBytes * 2L);
    log.append(entry(11));
    log.append(entry(12));
    log.flush();
    assertEquals(List.of(12), ns(lines(file(""))));
    assertEquals(List.of(10, 11), ns(lines(file(".1"))));
    assertEquals(List.of(12, 11, 10), ns(log.newest(10)));
  }

  @Test
  void unparsableLinesAreSkipped() throws IOException {
    Files.writeString(file(".1"), entry(1).encode() + "\nnot json\n[1,2]\n" + entry(2).encode() + "\n");
    Files.writeString(file(""), entry(3).encode() + "\n{\"n\": 4, \"cut short");
    log = AuditLog.open(tmp, 1_000_000);
    assertEquals(List.of(3, 2, 1), ns(log.newest(10)));
  }

  @Test
  void aWiderExistingFileBecomesOwnerOnly() throws IOException {
    Files.writeString(file(""), "");
    Files.setPosixFilePermissions(file(""), PosixFilePermissions.fromString("rw-r--r--"));
    log = AuditLog.open(tmp, 1_000_000);
    log.append(entry(1));
    log.flush();
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file(""))));
  }

  @Test
  void appendAfterCloseDoesNotThrow() {
    log = AuditLog.open(tmp, 1_000_000);
    log.append(entry(1));
    log.close();
    log.append(entry(2));
    log.flush();
    assertEquals(List.of(1), ns(log.newest(10)));
  }

  @Test
  void unencodableEntryDoesNotThrow() {
    log = AuditLog.open(tmp, 1_000_000);
    log.append(new JsonObject().put("bad", new Object()));
    log.append(null);
    log.append(entry(1));
    log.flush();
    assertEquals(List.of(1), ns(log.newest(10)));
  }

  @Test
  void writesOnADaemonAuditThread() {
    log = AuditLog.open(tmp, 1_000_000);
    log.append(entry(1));
    log.flush();
    Thread writer = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("dockup-audit")).findFirst().orElse(null);
    assertTrue(writer != null && writer.isDaemon());
  }

  /**
   * The file is a FIFO nobody reads yet, so the writer blocks opening it: the disk has stalled.
   * Lines beyond the queue are dropped and counted, not kept in memory; the ones queued land.
   */
  @Test
  void aStalledWriterDropsAndCountsWhatDoesNotFitItsQueue() throws Exception {
    Process mkfifo = new ProcessBuilder("mkfifo", file("").toString()).start();
    assertEquals(0, mkfifo.waitFor());
    int limit = 50;
    log = AuditLog.open(tmp, 1_000_000, limit);
    log.append(entry(0));
    // The writer takes the first line off the queue and blocks opening the file.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!writerIsOpening() && System.nanoTime() < deadline) Thread.sleep(10);
    int total = 1 + limit + 200;
    for (int i = 1; i < total; i++) log.append(entry(i));
    assertEquals(200, log.dropped());

    List<Integer> read = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file(""))) {
      while (read.size() < total - 200) read.add(new JsonObject(in.readLine()).getInteger("n"));
      log.close();
      log = null;
      assertNull(in.readLine(), "nothing beyond the queue");
    }
    assertEquals(IntStream.rangeClosed(0, limit).boxed().toList(), read, "the first line and the queued ones, in order");
  }

  private static boolean writerIsOpening() {
    return Thread.getAllStackTraces().entrySet().stream().filter(e -> e.getKey().getName().equals("dockup-audit"))
        .flatMap(e -> java.util.Arrays.stream(e.getValue())).anyMatch(f -> f.getMethodName().equals("openCurrent"));
  }

  @Test
  void routeLimit() {
    assertNull(AuditRoutes.limit("0"));
    assertNull(AuditRoutes.limit("10001"));
    assertNull(AuditRoutes.limit("abc"));
    assertNull(AuditRoutes.limit("1.5"));
    assertNull(AuditRoutes.limit("-3"));
    assertEquals(100, AuditRoutes.limit(null));
    assertEquals(10_000, AuditRoutes.limit("10000"));
  }

  private static List<JsonObject> lines(Path p) throws IOException {
    return Files.readAllLines(p).stream().map(JsonObject::new).toList();
  }
}
