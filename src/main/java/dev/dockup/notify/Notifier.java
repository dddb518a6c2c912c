package dev.dockup.notify;

import dev.dockup.bus.ApiException;
import dev.dockup.bus.Failures;
import dev.dockup.settings.Settings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.codec.BodyCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends notifications to the Shoutrrr-style URLs of the settings. Sending never blocks and never
 * fails the caller (an operation or an update must not wait for Discord): each URL is tried on
 * its own, retried with backoff, and a failure is only logged.
 *
 * <p>The URLs carry credentials, and so may anything derived from them (a request line in a
 * timeout message, a response body echoing the request): logs and test results show the masked
 * URL, a status code and a fixed description of the failure, nothing else.
 */
public final class Notifier {
  private static final Logger LOG = LoggerFactory.getLogger(Notifier.class);

  /** Waits before the 2nd, 3rd and 4th attempt. */
  public static final List<Duration> DEFAULT_BACKOFF = List.of(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(30));
  static final int CONNECT_TIMEOUT_MS = 10_000;
  static final long REQUEST_TIMEOUT_MS = 15_000;
  static final String TEST_EVENT = "test";

  private final Vertx vertx;
  private final Settings settings;
  private final List<Duration> backoff;
  private final WebClient web;
  private volatile boolean closed;

  /** The outcome of one attempt: {@code status} is null when no response came. */
  record Result(boolean ok, Integer status, String error) {
    JsonObject toJson(String maskedUrl) {
      JsonObject out = new JsonObject().put("url", maskedUrl).put("ok", ok);
      if (status != null) out.put("status", status);
      if (error != null) out.put("error", error);
      return out;
    }
  }

  public Notifier(Vertx vertx, Settings settings) {
    this(vertx, settings, DEFAULT_BACKOFF);
  }

  /** {@code backoff}: the wait before each retry; its size is the number of retries. */
  public Notifier(Vertx vertx, Settings settings, List<Duration> backoff) {
    this.vertx = vertx;
    this.settings = settings;
    this.backoff = List.copyOf(backoff);
    this.web = WebClient.create(vertx, new WebClientOptions()
        .setConnectTimeout(CONNECT_TIMEOUT_MS)
        .setUserAgent("DockUp"));
  }

  /** Stops sending: retries still waiting are dropped. */
  public void close() {
    closed = true;
    web.close();
  }

  /**
   * Sends {@code event} to every URL when notifications are on and the event is in
   * {@code notify_on}. Returns at once; callable from any thread.
   */
  public void notify(String event, String stack, String title, String message) {
    try {
      if (!settings.notificationEnabled() || !settings.notifyOn().contains(event)) return;
      Notice notice = new Notice(settings.instanceName(), event, stack, title, message);
      for (String url : settings.notificationUrls()) deliver(url, notice);
    } catch (RuntimeException e) {
      // Nothing here may reach the caller; the class name alone says enough without a URL in it.
      LOG.error("Could not send the {} notification: {}", event, e.getClass().getName());
    }
  }

  /**
   * Sends a test message to every configured URL now, whatever {@code notification_enabled}
   * and {@code notify_on} say, once each. Completes with
   * {@code {"results":[{"url":"<masked>","ok",…}]}} in the order of the settings.
   */
  public Future<JsonObject> test() {
    List<String> urls = settings.notificationUrls();
    if (urls.isEmpty()) return Future.failedFuture(new ApiException(400, "No notification URLs configured"));
    String instance = settings.instanceName();
    Notice notice = new Notice(instance, TEST_EVENT, null, "Test notification",
        "This is a test notification from DockUp (" + instance + ").");
    List<Future<JsonObject>> results = new ArrayList<>();
    for (String url : urls) {
      String masked = Settings.mask(url);
      results.add(attempt(url, notice).map(r -> r.toJson(masked)));
    }
    return Future.all(results).map(all -> {
      JsonArray out = new JsonArray();
      results.forEach(f -> out.add(f.result()));
      return new JsonObject().put("results", out);
    });
  }

  private void deliver(String url, Notice notice) {
    try {
      send(request(url, notice), Settings.mask(url), notice.event(), 0);
    } catch (UnsupportedUrl e) {
      refused(e);
    }
  }

  /** One attempt for a test; never fails. */
  private Future<Result> attempt(String url, Notice notice) {
    try {
      return send(request(url, notice));
    } catch (UnsupportedUrl e) {
      refused(e);
      return Future.succeededFuture(new Result(false, null, e.getMessage()));
    }
  }

  private Outgoing request(String url, Notice notice) throws UnsupportedUrl {
    return Formats.request(url, notice, settings.discordApiUrl(), settings.slackApiUrl());
  }

  /** The message names the scheme and the reason only. */
  private static void refused(UnsupportedUrl e) {
    LOG.warn("Notification URL not supported ({}); nothing sent", e.getMessage());
  }

  private void send(Outgoing out, String masked, String event, int retry) {
    if (closed) return;
    send(out).onSuccess(r -> {
      if (r.ok()) {
        LOG.debug("Notification {} sent to {}", event, masked);
      } else if (retry < backoff.size()) {
        long waitMs = Math.max(1, backoff.get(retry).toMillis());
        LOG.info("Notification {} to {} failed ({}); retry {} of {} in {} ms", event, masked, r.error(), retry + 1, backoff.size(), waitMs);
        vertx.setTimer(waitMs, id -> send(out, masked, event, retry + 1));
      } else {
        LOG.warn("Notification {} to {} failed after {} attempt(s): {}", event, masked, retry + 1, r.error());
      }
    });
  }

  /** One HTTP exchange; completes with its result, never fails. The response body is discarded unread. */
  private Future<Result> send(Outgoing out) {
    try {
      HttpRequest<Void> req = web.requestAbs(HttpMethod.valueOf(out.method()), out.url())
          .as(BodyCodec.none())
          .timeout(REQUEST_TIMEOUT_MS);
      out.headers().forEach(req::putHeader);
      return req.sendBuffer(Buffer.buffer(out.body()))
          .map(Notifier::result)
          .otherwise(err -> new Result(false, null, describe(err)));
    } catch (RuntimeException e) {
      return Future.succeededFuture(new Result(false, null, describe(e)));
    }
  }

  private static Result result(HttpResponse<Void> res) {
    int status = res.statusCode();
    boolean ok = status >= 200 && status < 300;
    return new Result(ok, status, ok ? null : "HTTP " + status);
  }

  /**
   * A fixed description of a failure. Exception messages are not used: Vert.x's timeout message
   * quotes the request line, which holds a token for gotify.
   */
  static String describe(Throwable t) {
    for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
      if (c instanceof IllegalArgumentException) return "invalid request";
    }
    return Failures.describe(t, "timed out");
  }
}
