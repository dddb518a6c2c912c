package dev.dockup.feed;

import dev.dockup.bus.Bus;
import dev.dockup.metrics.Meters;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One per HTTP verticle: takes the live feed ({@code dockup.events}, from every node) and hands
 * each message, encoded once, to this verticle's WebSocket clients. While anyone listens
 * (WebSocket or SockJS) it says so on {@link Bus#FEED_DEMAND}, which is what makes nodes sample
 * stats at all.
 */
final class FeedHub {
  private final Vertx vertx;
  private final Set<FeedClient> clients = new LinkedHashSet<>();
  private int sockJsClients;

  FeedHub(Vertx vertx) {
    this.vertx = vertx;
    vertx.eventBus().<JsonObject>consumer(Bus.EVENTS, m -> dispatch(m.body()));
    vertx.setPeriodic(2_000, id -> {
      if (listening()) announceDemand();
    });
  }

  void add(FeedClient client) {
    if (clients.add(client)) Meters.of(vertx).feedClient("websocket", 1);
    announceDemand();
  }

  void remove(FeedClient client) {
    if (clients.remove(client)) Meters.of(vertx).feedClient("websocket", -1);
  }

  void sockJsOpened() {
    sockJsClients++;
    Meters.of(vertx).feedClient("sockjs", 1);
    announceDemand();
  }

  void sockJsClosed() {
    if (sockJsClients == 0) return;
    sockJsClients--;
    Meters.of(vertx).feedClient("sockjs", -1);
  }

  private boolean listening() {
    return !clients.isEmpty() || sockJsClients > 0;
  }

  private void announceDemand() {
    vertx.eventBus().publish(Bus.FEED_DEMAND, new JsonObject());
  }

  private void dispatch(JsonObject msg) {
    if (clients.isEmpty()) return;
    String text = msg.encode();
    for (FeedClient c : clients.toArray(FeedClient[]::new)) c.offer(msg, text);
  }
}
