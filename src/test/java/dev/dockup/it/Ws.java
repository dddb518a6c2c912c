package dev.dockup.it;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A WebSocket client of DockUp's feed that keeps every message it receives, in order. */
public final class Ws implements AutoCloseable {
  private final BlockingQueue<JsonObject> queue;
  private final WebSocket ws;
  public final List<JsonObject> seen = new ArrayList<>();

  private Ws(WebSocket ws, BlockingQueue<JsonObject> queue) {
    this.ws = ws;
    this.queue = queue;
  }

  /** Connects to {@code path} (e.g. {@code /ws}) with the given headers (name, value, name, value...). */
  public static Ws connect(Http http, String path, String... headers) throws Exception {
    BlockingQueue<JsonObject> queue = new LinkedBlockingQueue<>();
    WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
    WebSocket socket = b.buildAsync(URI.create(http.base().replace("http://", "ws://") + path), new WebSocket.Listener() {
      private final StringBuilder partial = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
          queue.add(parse(partial.toString()));
          partial.setLength(0);
        }
        w.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onBinary(WebSocket w, java.nio.ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        partial.append(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        if (last) {
          queue.add(parse(partial.toString()));
          partial.setLength(0);
        }
        w.request(1);
        return null;
      }
    }).get(10, TimeUnit.SECONDS);
    return new Ws(socket, queue);
  }

  /** A frame that is not a JSON object is kept as {@code {"raw": text}}, so a test can say what it got. */
  private static JsonObject parse(String text) {
    try {
      return new JsonObject(text);
    } catch (RuntimeException e) {
      return new JsonObject().put("raw", text);
    }
  }

  /** The feed at {@code /ws} with the node's own credential. */
  public static Ws feed(TestNode node) throws Exception {
    return connect(node.http, "/ws", "Authorization", node.http.header("Authorization"));
  }

  public void send(JsonObject msg) throws Exception {
    ws.sendText(msg.encode(), true).get(5, TimeUnit.SECONDS);
  }

  /** The first message (from now on) that matches, or an AssertionError after the timeout. */
  public JsonObject next(Predicate<JsonObject> match, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no matching message within " + timeout + "; saw " + seen.size()
            + " messages, last: " + (seen.isEmpty() ? "none" : seen.get(seen.size() - 1)));
      }
      JsonObject m = queue.poll(left, TimeUnit.NANOSECONDS);
      if (m == null) continue;
      seen.add(m);
      if (match.test(m)) return m;
    }
  }

  @Override
  public void close() {
    ws.abort();
  }
}
