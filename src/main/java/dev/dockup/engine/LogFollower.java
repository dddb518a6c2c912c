package dev.dockup.engine;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

/**
 * Live container output for clients that follow a stack's logs: one engine log stream per
 * followed container (a connection through {@link EngineClient}, no thread), each line sent as a
 * {@code log_line} message to the follower's own address. Containers that start later (a
 * restart, an {@code up}) are picked up from then on. Everything runs on the engine verticle's
 * event loop.
 *
 * <p>A follower has at most {@link #WINDOW} lines sent and not yet taken; beyond that its
 * streams are paused, so the engine (and the container's log driver) hold the rest, and what
 * waits here is at most the lines of the last piece each stream delivered. A follower that takes
 * nothing for {@link #STALL_MS}, or is gone, ends the follow.
 */
final class LogFollower {
  static final int WINDOW = 256;
  /** Lines one piece of a stream can hold when they are empty; only a flood gets here, and loses its oldest lines. */
  static final int MAX_WAITING = 4 * WINDOW;
  static final long STALL_MS = 10_000;
  private static final DeliveryOptions TAKEN = new DeliveryOptions().setSendTimeout(30_000);

  private final Vertx vertx;
  private final EngineClient engine;
  private final String node;
  private final Map<String, Follow> follows = new HashMap<>();

  /** One subscription: its open streams by container id, and the lines waiting for its window. */
  private static final class Follow {
    final String id;
    final String project;
    final String service;
    final String address;
    final Map<String, EngineClient.Stream> streams = new HashMap<>();
    final Queue<JsonObject> waiting = new ArrayDeque<>();
    int unacked;
    int skipped;
    boolean paused;
    long lastTakenMs = System.currentTimeMillis();
    long stallTimer = -1;

    Follow(String id, String project, String service, String address) {
      this.id = id;
      this.project = project;
      this.service = service;
      this.address = address;
    }
  }

  LogFollower(Vertx vertx, EngineClient engine, String node) {
    this.vertx = vertx;
    this.engine = engine;
    this.node = node;
  }

  void follow(String id, String project, String service, int tail, String address, Iterable<JsonObject> containers) {
    unfollow(id);
    Follow f = new Follow(id, project, service, address);
    follows.put(id, f);
    for (JsonObject c : containers) {
      if (matches(f, c) && "running".equals(c.getString("state"))) open(f, c, "tail=" + Math.max(0, tail));
    }
  }

  void unfollow(String id) {
    Follow f = follows.remove(id);
    if (f == null) return;
    f.streams.values().forEach(s -> {
      if (s != null) s.close();
    });
    f.streams.clear();
    f.waiting.clear();
    if (f.stallTimer >= 0) vertx.cancelTimer(f.stallTimer);
  }

  /** A container of a followed stack started: follow it from now on. */
  void started(JsonObject c) {
    for (Follow f : follows.values()) {
      if (matches(f, c) && !f.streams.containsKey(c.getString("id"))) {
        open(f, c, "since=" + (Instant.now().getEpochSecond() - 1));
      }
    }
  }

  void closeAll() {
    follows.keySet().stream().toList().forEach(this::unfollow);
  }

  /** Open streams, over every follow: what the thread-count test and the benchmark look at. */
  int streams() {
    return follows.values().stream().mapToInt(f -> f.streams.size()).sum();
  }

  private static boolean matches(Follow f, JsonObject c) {
    return f.project.equals(c.getString("project"))
        && (f.service == null || f.service.equals(c.getString("service")));
  }

  private void open(Follow f, JsonObject c, String from) {
    String containerId = c.getString("id");
    LogLines lines = new LogLines();
    LogLines.Sink sink = (stream, text) -> {
      if (f.waiting.size() >= MAX_WAITING) {
        f.waiting.poll();
        f.skipped++;
      }
      f.waiting.add(message(f, c, stream, text));
    };
    // A placeholder until the engine answers, so a start event meanwhile opens no second stream.
    EngineClient.Stream[] opened = new EngineClient.Stream[1];
    f.streams.put(containerId, null);
    engine.stream("/containers/" + EngineHttp.encode(containerId) + "/logs?follow=1&stdout=1&stderr=1&" + from,
            chunk -> {
              if (follows.get(f.id) != f) return;
              if (!lines.feed(chunk, sink)) {
                ended(f, containerId, opened[0]);
                return;
              }
              drain(f);
            },
            t -> {
              lines.flush(sink);
              ended(f, containerId, opened[0]);
              drain(f);
            })
        .onSuccess(stream -> {
          opened[0] = stream;
          if (follows.get(f.id) == f && f.streams.containsKey(containerId) && f.streams.get(containerId) == null) {
            f.streams.put(containerId, stream);
            if (f.paused) stream.pause();
          } else {
            stream.close();
          }
        })
        .onFailure(t -> {
          if (f.streams.get(containerId) == null) f.streams.remove(containerId);
        });
  }

  private void ended(Follow f, String containerId, EngineClient.Stream stream) {
    if (stream != null) stream.close();
    if (f.streams.get(containerId) == stream) f.streams.remove(containerId);
  }

  private JsonObject message(Follow f, JsonObject c, String stream, String line) {
    return new JsonObject()
        .put("type", "log_line").put("node", node).put("ts", Instant.now().toString()).put("stack", f.project)
        .put("container", c.getString("name")).put("service", c.getString("service"))
        .put("stream", stream).put("line", line);
  }

  /** Sends what the window allows; pauses the follow's streams while lines wait, resumes them once none do. */
  private void drain(Follow f) {
    if (follows.get(f.id) != f) return;
    while (f.unacked < WINDOW && !f.waiting.isEmpty()) {
      f.unacked++;
      JsonObject next = f.waiting.poll();
      if (f.skipped > 0) {
        next = next.copy().put("line", "[" + f.skipped + " lines skipped: they came faster than the client took them] "
            + next.getString("line"));
        f.skipped = 0;
      }
      vertx.eventBus().request(f.address, next, TAKEN).onComplete(ar -> {
        f.unacked--;
        if (ar.failed()) {
          unfollowIfCurrent(f);
          return;
        }
        f.lastTakenMs = System.currentTimeMillis();
        drain(f);
      });
    }
    boolean pause = !f.waiting.isEmpty();
    if (pause == f.paused) return;
    f.paused = pause;
    for (EngineClient.Stream s : f.streams.values()) {
      if (s == null) continue;
      if (pause) s.pause();
      else s.resume();
    }
    if (pause && f.stallTimer < 0) watchStall(f);
  }

  private void watchStall(Follow f) {
    f.stallTimer = vertx.setTimer(STALL_MS, id -> {
      f.stallTimer = -1;
      if (!f.paused) return;
      if (System.currentTimeMillis() - f.lastTakenMs >= STALL_MS) unfollowIfCurrent(f);
      else watchStall(f);
    });
  }

  private void unfollowIfCurrent(Follow f) {
    if (follows.get(f.id) == f) unfollow(f.id);
  }
}
