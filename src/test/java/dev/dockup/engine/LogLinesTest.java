package dev.dockup.engine;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine's log stream, framed or raw, cut into lines whatever pieces it arrives in. */
class LogLinesTest {
  final List<String> seen = new ArrayList<>();
  final LogLines.Sink sink = (stream, text) -> seen.add(stream + ":" + text);

  static Buffer frame(int stream, String payload) {
    byte[] p = payload.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer().appendByte((byte) stream).appendBytes(new byte[3]).appendInt(p.length).appendBytes(p);
  }

  @Test
  void framesOfBothStreamsSplitAnywhereGiveWholeLines() {
    Buffer all = Buffer.buffer().appendBuffer(frame(1, "one\ntw")).appendBuffer(frame(2, "oops\r\n"))
        .appendBuffer(frame(1, "o\nthré")).appendBuffer(frame(1, "e\n"));
    LogLines lines = new LogLines();
    // Byte by byte: headers, payloads and a UTF-8 sequence all cut in pieces.
    for (int i = 0; i < all.length(); i++) assertTrue(lines.feed(all.getBuffer(i, i + 1), sink));
    lines.flush(sink);
    assertEquals(List.of("stdout:one", "stderr:oops", "stdout:two", "stdout:thrée"), seen);
  }

  @Test
  void aTtyContainersOutputIsRawAndALastLineWithoutNewlineComesAtTheEnd() {
    LogLines lines = new LogLines();
    lines.feed(Buffer.buffer("hello\nwor"), sink);
    lines.feed(Buffer.buffer("ld\nbye"), sink);
    assertEquals(List.of("stdout:hello", "stdout:world"), seen);
    lines.flush(sink);
    assertEquals("stdout:bye", seen.get(2));
  }

  @Test
  void aLineWithoutEndIsCutSoNothingGrowsWithoutBound() {
    LogLines lines = new LogLines();
    String big = "x".repeat(LogLines.MAX_LINE_BYTES * 2 + 10);
    lines.feed(frame(1, big.substring(0, 100_000)), sink);
    lines.feed(frame(1, big.substring(100_000) + "\n"), sink);
    assertEquals(3, seen.size());
    assertEquals(LogLines.MAX_LINE_BYTES, seen.get(0).length() - "stdout:".length());
    assertEquals(big, String.join("", seen.stream().map(s -> s.substring("stdout:".length())).toList()));
  }

  @Test
  void somethingThatIsNoFrameStopsTheStream() {
    Buffer bad = Buffer.buffer().appendByte((byte) 1).appendBytes(new byte[3]).appendInt(Integer.MAX_VALUE);
    assertFalse(new LogLines().feed(bad, sink));
  }
}
