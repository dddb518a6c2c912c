package dev.dockup.scan;

import dev.dockup.bus.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Scans waiting and running: at most {@code concurrency} at once, the rest queued in order (and
 * visible), at most one per image however many ask for it. Confined to the scan verticle's event
 * loop; the scan itself is {@code execute}'s business.
 */
final class ScanQueue {
  static final String QUEUED = "queued";
  static final String SCANNING = "scanning";

  /** What to scan: stored under {@code key} (the image id, or the reference of an image not pulled). */
  record Target(String key, String image, String imageId, boolean remote) {}

  static final class Job {
    final Target target;
    final String trigger;
    final String container;
    final Instant queuedAt = Instant.now();
    Instant startedAt;
    String status = QUEUED;
    private final List<Promise<JsonObject>> waiters = new ArrayList<>();

    Job(Target target, String trigger, String container) {
      this.target = target;
      this.trigger = trigger;
      this.container = container;
    }

    /** Completes with the stored result's summary once this scan is over. */
    Future<JsonObject> done() {
      Promise<JsonObject> p = Promise.promise();
      waiters.add(p);
      return p.future();
    }
  }

  private final int concurrency;
  private final int maxQueued;
  private final Function<Job, Future<JsonObject>> execute;
  private final Consumer<Job> onStart;
  private final BiConsumer<Job, JsonObject> onDone;
  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private final ArrayDeque<Job> waiting = new ArrayDeque<>();
  private int running;

  ScanQueue(int concurrency, int maxQueued, Function<Job, Future<JsonObject>> execute, Consumer<Job> onStart,
            BiConsumer<Job, JsonObject> onDone) {
    this.concurrency = concurrency;
    this.maxQueued = maxQueued;
    this.execute = execute;
    this.onStart = onStart;
    this.onDone = onDone;
  }

  /** The job of this key, waiting or running; null when there is none. */
  Job find(String key) {
    return jobs.get(key);
  }

  /** The key's job: the one already there, or a new one (started at once when a slot is free). */
  Job submit(Target target, String trigger, String container) {
    Job existing = jobs.get(target.key());
    if (existing != null) return existing;
    if (waiting.size() >= maxQueued) throw ApiException.unavailable("Scan queue is full (" + maxQueued + " waiting)");
    Job job = new Job(target, trigger, container);
    jobs.put(target.key(), job);
    waiting.addLast(job);
    pump();
    return job;
  }

  /** 1 for the next to start; 0 when the job is not waiting. */
  int position(Job job) {
    int i = 1;
    for (Job j : waiting) {
      if (j == job) return i;
      i++;
    }
    return 0;
  }

  /** Running ones first, then the waiting ones in order. */
  List<Job> all() {
    List<Job> out = new ArrayList<>();
    jobs.values().forEach(j -> {
      if (j.status.equals(SCANNING)) out.add(j);
    });
    out.addAll(waiting);
    return out;
  }

  int runningCount() {
    return running;
  }

  int waitingCount() {
    return waiting.size();
  }

  private void pump() {
    while (running < concurrency && !waiting.isEmpty()) start(waiting.pollFirst());
  }

  private void start(Job job) {
    running++;
    job.status = SCANNING;
    job.startedAt = Instant.now();
    onStart.accept(job);
    Future<JsonObject> result;
    try {
      result = execute.apply(job);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      running--;
      jobs.remove(job.target.key(), job);
      JsonObject summary = ar.succeeded() ? ar.result() : null;
      onDone.accept(job, summary);
      job.waiters.forEach(w -> {
        if (ar.succeeded()) w.tryComplete(summary);
        else w.tryFail(ar.cause());
      });
      pump();
    });
  }
}
