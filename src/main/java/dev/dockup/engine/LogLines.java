package dev.dockup.engine;

import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The lines of one container's log stream, as the engine sends it: frames of
 * {@code [stream, 0, 0, 0, size (4 bytes, big-endian)]} then the payload, unless the container
 * has a TTY, whose output comes raw. As docker-java does, a first byte that names no stream
 * (0 stdin, 1 stdout, 2 stderr) means raw. Lines are split on the byte {@code \n} (never inside
 * a UTF-8 sequence) before decoding; a line longer than {@link #MAX_LINE_BYTES} is cut there, so
 * a container that never prints a newline cannot grow a buffer without bound. Not thread-safe.
 */
final class LogLines {
  static final int MAX_LINE_BYTES = 64 * 1024;
  /** The engine writes frames of one log message or less; anything bigger is not a frame. */
  static final int MAX_FRAME_BYTES = 1024 * 1024;
  private static final int HEADER = 8;

  interface Sink {
    void line(String stream, String text);
  }

  private Boolean raw;
  private Buffer frames = Buffer.buffer();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /** Splits what arrived; false when it cannot be read as frames (then stop reading the stream). */
  boolean feed(Buffer chunk, Sink sink) {
    if (chunk.length() == 0) return true;
    if (raw == null) {
      byte first = chunk.getByte(0);
      raw = first < 0 || first > 2;
    }
    if (raw) {
      lines(out, chunk.getBytes(), "stdout", sink);
      return true;
    }
    frames.appendBuffer(chunk);
    int at = 0;
    while (frames.length() - at >= HEADER) {
      int size = frames.getInt(at + 4);
      if (size < 0 || size > MAX_FRAME_BYTES) return false;
      if (frames.length() - at - HEADER < size) break;
      boolean stderr = frames.getByte(at) == 2;
      lines(stderr ? err : out, frames.getBytes(at + HEADER, at + HEADER + size), stderr ? "stderr" : "stdout", sink);
      at += HEADER + size;
    }
    if (at > 0) frames = frames.getBuffer(at, frames.length());
    return true;
  }

  /** The stream ended: what is left without a newline is a last line. */
  void flush(Sink sink) {
    if (out.size() > 0) sink.line("stdout", take(out));
    if (err.size() > 0) sink.line("stderr", take(err));
    frames = Buffer.buffer();
  }

  private static void lines(ByteArrayOutputStream pending, byte[] payload, String stream, Sink sink) {
    int start = 0;
    for (int i = 0; i < payload.length; i++) {
      if (payload[i] != '\n') continue;
      write(pending, payload, start, i - start, stream, sink);
      sink.line(stream, take(pending));
      start = i + 1;
    }
    write(pending, payload, start, payload.length - start, stream, sink);
  }

  /** Appends, cutting a line at {@link #MAX_LINE_BYTES}. */
  private static void write(ByteArrayOutputStream pending, byte[] bytes, int from, int length, String stream, Sink sink) {
    while (length > 0) {
      int room = MAX_LINE_BYTES - pending.size();
      int n = Math.min(room, length);
      pending.write(bytes, from, n);
      from += n;
      length -= n;
      if (pending.size() >= MAX_LINE_BYTES) sink.line(stream, take(pending));
    }
  }

  /** The pending bytes as text, without a trailing CR (CRLF line ends); emptied for the next line. */
  private static String take(ByteArrayOutputStream pending) {
    byte[] b = pending.toByteArray();
    pending.reset();
    int end = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
    return new String(b, 0, end, StandardCharsets.UTF_8);
  }
}
