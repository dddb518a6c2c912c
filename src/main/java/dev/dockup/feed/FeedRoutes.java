package dev.dockup.feed;

import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.InternalError;
import dev.dockup.fleet.NodeTarget;
import dev.dockup.fleet.Remote;
import dev.dockup.metrics.Meters;
import dev.dockup.stack.StackFiles;
import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import dev.dockup.web.Schema;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

/**
 * The live feed's doors: {@code /ws} (plain WebSocket), {@code /eventbus} (the SockJS bridge;
 * clients may register for {@code dockup.events} only and send nothing) and
 * {@code GET /api[/nodes/<node>]/stack/<name>/logs?follow=true} (Server-Sent Events, from this
 * node's engine or, through its gateway, another node's; the stack routes declare that path and
 * hand {@code ?follow=true} to {@link #followLogs}). Authentication runs before these routes.
 */
public final class FeedRoutes implements RouteGroup {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FeedRoutes.class);
  private static final long SSE_KEEPALIVE_MS = 15_000;

  private final Vertx vertx;
  private final String node;
  private final Remote remote;
  private final FeedHub hub;
  /** Whether a followed stack exists is asked of its own node. */
  private final NodeTarget stacks;

  /** {@code remote} (null when not clustered) lets a client follow logs of a stack on another node. */
  public FeedRoutes(Vertx vertx, String node, Remote remote) {
    this.vertx = vertx;
    this.node = node;
    this.remote = remote;
    this.hub = new FeedHub(vertx);
    this.stacks = new NodeTarget(node, remote, "stacks", Bus.stacks(node));
  }

  @Override
  public String tag() {
    return "feed";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.get("/ws", Access.READ, "feedWebSocket", "The live feed as a plain WebSocket: a snapshot, then changes")
            .option(Route.Option.FEED).produces("application/json")
            .description("Upgrade to a WebSocket; every message is one JSON text frame (see the README's live feed).")
            .handle(this::webSocket),
        // SockJS's fallback transports poll and send with POST: reading the feed is not a change to audit.
        Route.of(Set.of(HttpMethod.GET, HttpMethod.POST), "/eventbus/{path*}", Access.READ, "feedSockJs",
                "The live feed over the Vert.x SockJS event-bus bridge (register for dockup.events only)")
            .option(Route.Option.FEED).option(Route.Option.NOT_AUDITED).response(Schema.any())
            .mount(sockJs()));
  }

  /**
   * The SockJS bridge. A client that registers for the feed gets the snapshot first; what the
   * feed says meanwhile is held for that client and sent after it, in order, so it loses
   * nothing and ends on the newest state.
   */
  private Router sockJs() {
    SockJSBridgeOptions bridge = new SockJSBridgeOptions()
        .addOutboundPermitted(new PermittedOptions().setAddress(Bus.EVENTS));
    Map<SockJSSocket, Held> snapshotting = new HashMap<>();
    return SockJSHandler.create(vertx).bridge(bridge, event -> {
      SockJSSocket socket = event.socket();
      switch (event.type()) {
        case SOCKET_CREATED -> hub.sockJsOpened();
        case SOCKET_CLOSED -> {
          hub.sockJsClosed();
          snapshotting.remove(socket);
        }
        case REGISTER -> snapshotting.put(socket, new Held());
        case REGISTERED -> sockJsSnapshot(socket, snapshotting);
        case RECEIVE -> {
          Held held = snapshotting.get(socket);
          if (held != null) {
            if (!held.add(event.getRawMessage().encode())) socket.close();
            event.complete(false);
            return;
          }
        }
        default -> { }
      }
      event.complete(true);
    });
  }

  /** Feed frames held for one SockJS client while its snapshot is made; bounded like a client's queue. */
  private static final class Held {
    final List<String> frames = new ArrayList<>();
    long bytes;

    boolean add(String frame) {
      bytes += frame.length();
      frames.add(frame);
      return bytes <= FeedClient.MAX_QUEUE_BYTES;
    }
  }

  private void webSocket(RoutingContext ctx) {
    HttpConnection connection = ctx.request().connection();
    ctx.request().toWebSocket()
        .onSuccess(ws -> new FeedClient(vertx, hub, ws, connection, node, remote))
        .onFailure(t -> Api.error(ctx, 400, "WebSocket upgrade required"));
  }

  private void sockJsSnapshot(SockJSSocket socket, Map<SockJSSocket, Held> snapshotting) {
    Snapshot.of(vertx, node).onComplete(ar -> {
      Held held = snapshotting.remove(socket);
      if (held == null) return;
      if (ar.succeeded()) {
        ar.result().forEach(m -> socket.write(Buffer.buffer(
            new JsonObject().put("type", "rec").put("address", Bus.EVENTS).put("body", m).encode())));
      }
      held.frames.forEach(f -> socket.write(Buffer.buffer(f)));
    });
  }

  /** {@code ?follow=true} on the logs route: Server-Sent Events of {@code log_line}. */
  public void followLogs(RoutingContext ctx) {
    String stack = ctx.pathParam("name");
    StackFiles.checkName(stack);
    int tail = tail(ctx);
    String owner = stacks.node(ctx);
    stacks.ask(ctx, Bus.Stacks.GET, new JsonObject().put(Bus.NAME, stack), 10_000)
        .onSuccess(answer -> {
          if (answer.status() != 200) Api.send(ctx, answer.status(), answer.body());
          else streamLogs(ctx, stack, tail, LogStream.EngineCall.of(vertx, node, remote, owner));
        })
        .onFailure(t -> Api.fail(ctx, t));
  }

  private void streamLogs(RoutingContext ctx, String stack, int tail, LogStream.EngineCall engine) {
    HttpServerResponse res = ctx.response();
    res.setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no");
    res.setWriteQueueMaxSize(FeedClient.MAX_QUEUE_BYTES);
    res.write(": following " + stack + "\n\n");
    LogStream.start(vertx, engine, stack, ctx.request().getParam("service"), tail, line -> {
          if (res.ended() || res.closed()) return;
          if (res.writeQueueFull()) res.reset();
          else res.write("event: log_line\ndata: " + line.encode() + "\n\n");
        })
        .onSuccess(stream -> {
          long keepalive = vertx.setPeriodic(SSE_KEEPALIVE_MS, id -> {
            if (!res.closed() && !res.ended()) res.write(": keepalive\n\n");
          });
          Meters.of(vertx).feedClient("sse", 1);
          Runnable ended = () -> {
            vertx.cancelTimer(keepalive);
            stream.stop();
            Meters.of(vertx).feedClient("sse", -1);
          };
          res.closeHandler(v -> ended.run());
          if (res.closed()) ended.run();
        })
        .onFailure(t -> {
          JsonObject error = t instanceof ApiException api ? api.body() : InternalError.answer(LOG, "following logs of " + stack, t);
          res.write("event: error\ndata: " + error.encode() + "\n\n");
          res.end();
        });
  }

  private static int tail(RoutingContext ctx) {
    String v = ctx.request().getParam("lines");
    if (v == null || v.isBlank()) return 100;
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= 0 && n <= 5_000) return n;
    } catch (NumberFormatException e) {
      // fall through
    }
    throw ApiException.badRequest("lines must be a whole number from 0 to 5000");
  }
}
