package dev.dockup.feed;

import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.fleet.NodeTarget;
import dev.dockup.fleet.Remote;
import dev.dockup.stack.StackFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@code /ws} client: a snapshot first, then the feed, narrowed to the stacks it subscribed
 * to, plus the logs it follows. Its outgoing queue is bounded: a client that does not read
 * is dropped, so it never holds back anyone else.
 */
final class FeedClient {
  private static final Logger LOG = LoggerFactory.getLogger(FeedClient.class);
  static final int MAX_QUEUE_BYTES = 1024 * 1024;
  /** Each follow is an engine stream: a client gets a few, not one per stack of the fleet. */
  static final int MAX_FOLLOWS = 16;

  private final Vertx vertx;
  private final FeedHub hub;
  private final ServerWebSocket ws;
  private final HttpConnection connection;
  private final String node;
  private final Remote remote;
  private final NodeTarget stacks;
  private final Set<String> subscriptions = new HashSet<>();
  private final Map<String, LogStream> follows = new HashMap<>();
  /** What the feed said while the snapshot was being made; null once the snapshot is sent. */
  private List<String> pending = new ArrayList<>();
  private long pendingBytes;
  private boolean closed;

  FeedClient(Vertx vertx, FeedHub hub, ServerWebSocket ws, HttpConnection connection, String node, Remote remote) {
    this.vertx = vertx;
    this.hub = hub;
    this.ws = ws;
    this.connection = connection;
    this.node = node;
    this.remote = remote;
    this.stacks = new NodeTarget(node, remote, "stacks", Bus.stacks(node));
    ws.setWriteQueueMaxSize(MAX_QUEUE_BYTES);
    ws.textMessageHandler(this::onText);
    ws.closeHandler(v -> close());
    ws.exceptionHandler(t -> close());
    // Listening before the snapshot is asked for: a change made while it is being built is
    // kept and sent after it, so the client ends on the newest state and loses nothing.
    hub.add(this);
    Snapshot.of(vertx, node).onComplete(ar -> {
      if (closed) return;
      if (ar.succeeded()) ar.result().forEach(m -> send(m.encode()));
      else send(error("Snapshot unavailable"));
      List<String> held = pending;
      pending = null;
      held.forEach(this::send);
    });
  }

  void offer(JsonObject msg, String text) {
    if (!wanted(msg)) return;
    if (pending == null) {
      send(text);
    } else if (pendingBytes + text.length() > MAX_QUEUE_BYTES) {
      drop("too much happened while its snapshot was made");
    } else {
      pending.add(text);
      pendingBytes += text.length();
    }
  }

  /** The stack names and node/stack pairs it narrowed the feed to; empty means everything. */
  Set<String> subscriptions() {
    return java.util.Collections.unmodifiableSet(subscriptions);
  }

  private boolean wanted(JsonObject msg) {
    String stack = msg.getString("stack");
    if (stack == null || subscriptions.isEmpty()) return true;
    return subscriptions.contains(stack) || subscriptions.contains(msg.getString("node") + "/" + stack);
  }

  private void send(String text) {
    if (closed) return;
    if (ws.writeQueueFull()) drop("it does not keep up");
    else ws.writeTextMessage(text);
  }

  /**
   * Ends a client for good. A close frame would wait behind the megabytes it has not read, so
   * the connection itself is closed and what was queued for it is thrown away.
   */
  private void drop(String why) {
    LOG.info("Dropping feed client {}: {}", ws.remoteAddress(), why);
    close();
    connection.close();
  }

  private void onText(String text) {
    JsonObject msg;
    try {
      msg = new JsonObject(text);
    } catch (RuntimeException e) {
      send(error("Messages must be JSON objects"));
      return;
    }
    if (msg.containsKey("subscribe")) subscribe(msg.getValue("subscribe"));
    else if (msg.getValue("follow_logs") instanceof JsonObject f) followLogs(f);
    else if (msg.getValue("unfollow_logs") instanceof JsonObject f) unfollowLogs(f);
    else send(error("Unknown message: expected subscribe, follow_logs or unfollow_logs"));
  }

  /** A list of stack names or node/stack pairs; empty (or null) means everything. */
  private void subscribe(Object value) {
    subscriptions.clear();
    if (value instanceof JsonArray list) list.forEach(s -> subscriptions.add(String.valueOf(s)));
    else if (value != null) send(error("subscribe takes a list of stack names"));
  }

  /**
   * {@code {stack, node?, service?, tail?}}: a stack on this node, or on another node of the
   * fleet, that its node knows; at most {@link #MAX_FOLLOWS} at a time.
   */
  private void followLogs(JsonObject f) {
    String stack = f.getValue("stack") instanceof String s ? s : null;
    if (stack == null || !StackFiles.NAME.matcher(stack).matches()) {
      send(error("Invalid stack name"));
      return;
    }
    String on = f.getValue("node") instanceof String n ? n : node;
    LogStream.EngineCall engine = LogStream.EngineCall.of(vertx, node, remote, on);
    if (engine == null) {
      send(error("Node unreachable: " + on));
      return;
    }
    int tail = f.getValue("tail") instanceof Number n ? Math.max(0, Math.min(5_000, n.intValue())) : 0;
    String service = f.getValue("service") instanceof String s ? s : null;
    String key = on + "/" + stack;
    if (!follows.containsKey(key) && follows.size() >= MAX_FOLLOWS) {
      send(error("At most " + MAX_FOLLOWS + " log streams at a time: unfollow one first"));
      return;
    }
    unfollow(key);
    stacks.ask(vertx, on, Bus.Stacks.GET, new JsonObject().put(Bus.NAME, stack), 10_000)
        .compose(answer -> answer.status() == 200 ? Future.succeededFuture()
            : Future.failedFuture(new ApiException(answer.status(), answer.body().getString("error", "Stack not found"))))
        .compose(v -> LogStream.start(vertx, engine, stack, service, tail, line -> send(line.encode())))
        .onSuccess(s -> {
          if (closed || follows.size() >= MAX_FOLLOWS) s.stop();
          else follows.put(key, s);
        })
        .onFailure(t -> send(error("Cannot follow logs of " + stack + ": "
            + (t instanceof ApiException a ? a.getMessage() : "unavailable"))));
  }

  private void unfollowLogs(JsonObject f) {
    unfollow((f.getValue("node") instanceof String n ? n : node) + "/" + f.getString("stack"));
  }

  private void unfollow(String key) {
    LogStream s = follows.remove(key);
    if (s != null) s.stop();
  }

  private void close() {
    if (closed) return;
    closed = true;
    hub.remove(this);
    follows.values().forEach(LogStream::stop);
    follows.clear();
  }

  private static String error(String message) {
    return new JsonObject().put("type", "error").put("error", message).encode();
  }
}
