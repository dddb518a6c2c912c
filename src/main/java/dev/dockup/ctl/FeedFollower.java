package dev.dockup.ctl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The live feed ({@code /ws}) as a queue of messages. It is open, and its snapshot has begun,
 * before the operation is started, so no line of the operation's output can pass unseen. The
 * queue is unbounded only in principle: the client narrows the feed to one stack, and takes the
 * messages as fast as they are printed.
 */
final class FeedFollower implements WebSocket.Listener, AutoCloseable {
  /** Put on the queue when the feed ends, whatever the reason. */
  static final JsonObject CLOSED = new JsonObject().put("type", "closed");
  private static final long FIRST_MESSAGE_MS = 10_000;

  private final BlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();
  private final StringBuilder partial = new StringBuilder();
  private WebSocket socket;

  /** The feed narrowed to {@code subscription} ({@code stack} or {@code node/stack}); null when it cannot be had. */
  static FeedFollower open(Client client, String subscription) {
    FeedFollower f = new FeedFollower();
    try {
      f.socket = client.feed(f);
      JsonObject first = f.messages.poll(FIRST_MESSAGE_MS, TimeUnit.MILLISECONDS);
      if (first == null || first == CLOSED) {
        f.close();
        return null;
      }
      f.socket.sendText(new JsonObject().put("subscribe", new JsonArray().add(subscription)).encode(), true);
      return f;
    } catch (Client.Failure | RuntimeException e) {
      f.close();
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.close();
      return null;
    }
  }

  /** The next message, or null when none came within the wait. */
  JsonObject next(long waitMs) throws InterruptedException {
    return messages.poll(waitMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      try {
        messages.add(new JsonObject(partial.toString()));
      } catch (RuntimeException e) {
        // Not a feed message: nothing to follow in it.
      }
      partial.setLength(0);
    }
    ws.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
    messages.add(CLOSED);
    return null;
  }

  @Override
  public void onError(WebSocket ws, Throwable error) {
    messages.add(CLOSED);
  }

  @Override
  public void close() {
    if (socket == null) return;
    // The command is ending: no need to wait for the server's close frame.
    socket.abort();
    socket = null;
  }
}
