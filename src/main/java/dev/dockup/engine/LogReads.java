package dev.dockup.engine;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import dev.dockup.bus.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One-shot log reads ({@code GET /api/stack/<name>/logs}). They run on a pool of their own, so
 * a burst of big reads never delays the inspects that keep the node's state, and they are
 * bounded: at most {@link #MAX_PENDING} containers' reads wait or run at once (a request beyond
 * that is refused with 503 and may be retried), and each read stops at {@link #MAX_CHARS} or
 * {@link #READ_TIMEOUT_S}. Called on the engine verticle's event loop only.
 */
final class LogReads {
  private static final Logger LOG = LoggerFactory.getLogger(LogReads.class);
  static final int THREADS = 4;
  static final int MAX_PENDING = 64;
  static final int MAX_LINES = 10_000;
  static final int MAX_CHARS = 4 * 1024 * 1024;
  static final long READ_TIMEOUT_S = 60;

  private final Docker docker;
  private final WorkerExecutor pool;
  private int pending;

  LogReads(Vertx vertx, Docker docker) {
    this.docker = docker;
    this.pool = vertx.createSharedWorkerExecutor("dockup-engine-logs", THREADS, READ_TIMEOUT_S + 10, TimeUnit.SECONDS);
  }

  /** {@code containers: [{id, name}]} → {@code {logs: {name: text}}}. */
  Future<JsonObject> read(JsonArray containers, int lines) {
    List<JsonObject> wanted = EngineJson.objects(containers);
    // A request alone is let in whatever its size, so a big stack can always read its logs.
    if (pending > 0 && pending + wanted.size() > MAX_PENDING) {
      throw ApiException.unavailable("Too many log reads at once; try again shortly");
    }
    int tail = Math.max(0, Math.min(MAX_LINES, lines));
    pending += wanted.size();
    List<Future<String>> parts = new ArrayList<>();
    for (JsonObject c : wanted) {
      String id = c.getString("id");
      parts.add(pool.<String>executeBlocking(() -> logsOf(id, tail), false)
          .andThen(ar -> pending--));
    }
    return Future.join(parts).transform(ignored -> {
      JsonObject logs = new JsonObject();
      for (int i = 0; i < parts.size(); i++) {
        Future<String> f = parts.get(i);
        if (f.failed()) LOG.debug("Logs of {} unavailable", wanted.get(i).getString("id"), f.cause());
        logs.put(wanted.get(i).getString("name"), f.succeeded() ? f.result() : "(logs unavailable)");
      }
      return Future.succeededFuture(new JsonObject().put("logs", logs));
    });
  }

  private String logsOf(String id, int tail) throws Exception {
    StringBuilder text = new StringBuilder();
    ResultCallback.Adapter<Frame> reader = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Frame frame) {
        synchronized (text) {
          if (text.length() < MAX_CHARS) text.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
          if (text.length() < MAX_CHARS) return;
        }
        // Enough: the engine need not send the rest.
        closeQuietly(this);
      }
    };
    boolean whole;
    try (reader) {
      docker.api().logContainerCmd(id).withStdOut(true).withStdErr(true).withTail(tail).exec(reader);
      whole = reader.awaitCompletion(READ_TIMEOUT_S, TimeUnit.SECONDS);
    }
    synchronized (text) {
      if (!whole || text.length() >= MAX_CHARS) {
        text.setLength(MAX_CHARS);
        text.append("\n(truncated)\n");
      }
      return text.toString();
    }
  }

  private static void closeQuietly(ResultCallback.Adapter<Frame> reader) {
    try {
      reader.close();
    } catch (Exception alreadyClosed) {
      // the read ends either way
    }
  }

  Future<Void> close() {
    return pool.close();
  }
}
