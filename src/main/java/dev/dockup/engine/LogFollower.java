package dev.dockup.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Live container output for clients that follow a stack's logs: one engine log stream per
 * followed container, each line sent as a {@code log_line} message to the follower's own
 * address. Containers that start later (a restart, an {@code up}) are picked up from then on.
 * State is touched on the engine verticle's context only.
 */
final class LogFollower {
  /** {@code window}: lines sent and not yet taken by the follower; it bounds what a slow one can pile up. */
  private record Follow(String id, String project, String service, String address, Map<String, Closeable> streams,
                        Semaphore window) {}

  static final int WINDOW = 256;

  private final Vertx vertx;
  private final Context context;
  private final DockerClient docker;
  private final String node;
  private final Map<String, Follow> follows = new HashMap<>();

  LogFollower(Vertx vertx, Context context, DockerClient docker, String node) {
    this.vertx = vertx;
    this.context = context;
    this.docker = docker;
    this.node = node;
  }

  void follow(String id, String project, String service, int tail, String address, Iterable<JsonObject> containers) {
    unfollow(id);
    Follow f = new Follow(id, project, service, address, new HashMap<>(), new Semaphore(WINDOW));
    follows.put(id, f);
    for (JsonObject c : containers) {
      if (matches(f, c) && "running".equals(c.getString("state"))) open(f, c, tail, null);
    }
  }

  void unfollow(String id) {
    Follow f = follows.remove(id);
    if (f != null) f.streams().values().forEach(LogFollower::closeQuietly);
  }

  /** A container of a followed stack started: follow it from now on. */
  void started(JsonObject c) {
    for (Follow f : follows.values()) {
      if (matches(f, c) && !f.streams().containsKey(c.getString("id"))) {
        open(f, c, 0, (int) Instant.now().getEpochSecond() - 1);
      }
    }
  }

  void closeAll() {
    follows.keySet().stream().toList().forEach(this::unfollow);
  }

  private static boolean matches(Follow f, JsonObject c) {
    return f.project().equals(c.getString("project"))
        && (f.service() == null || f.service().equals(c.getString("service")));
  }

  private void open(Follow f, JsonObject c, int tail, Integer since) {
    String containerId = c.getString("id");
    f.streams().put(containerId, () -> { });
    var cmd = docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true).withFollowStream(true);
    if (since != null) cmd.withSince(since);
    else cmd.withTail(Math.max(0, tail));
    cmd.exec(new ResultCallback.Adapter<Frame>() {
      private final StringBuilder out = new StringBuilder();
      private final StringBuilder err = new StringBuilder();

      @Override
      public void onStart(Closeable stream) {
        context.runOnContext(v -> {
          if (follows.get(f.id()) == f) f.streams().put(containerId, stream);
          else closeQuietly(stream);
        });
      }

      @Override
      public void onNext(Frame frame) {
        boolean stderr = frame.getStreamType() == StreamType.STDERR;
        StringBuilder buf = stderr ? err : out;
        buf.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
        int nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          send(f, c, stderr ? "stderr" : "stdout", buf.substring(0, nl).replaceFirst("\r$", ""));
          buf.delete(0, nl + 1);
        }
      }

      @Override
      public void onComplete() {
        flush();
        context.runOnContext(v -> f.streams().remove(containerId));
      }

      @Override
      public void onError(Throwable t) {
        flush();
        context.runOnContext(v -> f.streams().remove(containerId));
      }

      private void flush() {
        if (out.length() > 0) send(f, c, "stdout", out.toString());
        if (err.length() > 0) send(f, c, "stderr", err.toString());
      }
    });
  }

  /**
   * Called on docker-java's own thread for this stream, which may wait: when the follower has
   * {@link #WINDOW} lines not yet taken, reading from the engine pauses. A follower that takes
   * nothing for 10 s, or is gone, ends the follow.
   */
  private void send(Follow f, JsonObject c, String stream, String line) {
    try {
      if (!f.window().tryAcquire(10, TimeUnit.SECONDS)) {
        context.runOnContext(v -> unfollowIfCurrent(f));
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    vertx.eventBus().request(f.address(), new JsonObject()
            .put("type", "log_line").put("node", node).put("ts", Instant.now().toString()).put("stack", f.project())
            .put("container", c.getString("name")).put("service", c.getString("service"))
            .put("stream", stream).put("line", line), TAKEN)
        .onComplete(ar -> {
          f.window().release();
          if (ar.failed()) context.runOnContext(v -> unfollowIfCurrent(f));
        });
  }

  private static final DeliveryOptions TAKEN = new DeliveryOptions().setSendTimeout(30_000);

  private void unfollowIfCurrent(Follow f) {
    if (follows.get(f.id()) == f) unfollow(f.id());
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // already closed
    }
  }
}
