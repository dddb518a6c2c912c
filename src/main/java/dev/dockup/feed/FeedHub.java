package dev.dockup.feed;

import dev.dockup.bus.Bus;
import dev.dockup.metrics.Meters;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * One per HTTP verticle: takes the live feed ({@code dockup.events}, from every node) and hands
 * each message, encoded once, to this verticle's WebSocket clients. While anyone listens
 * (WebSocket or SockJS) it says so on {@link Bus#FEED_DEMAND} every 2 s, with what they watch:
 * {@code {hub, all: true}} when a client takes every stack (no subscription, or SockJS, which
 * cannot narrow), else {@code {hub, stacks: [name or node/name]}}. Nodes read stats for those
 * stacks only, and none while nobody listens.
 */
final class FeedHub {
  private final Vertx vertx;
  private final String id = UUID.randomUUID().toString();
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
    JsonObject demand = new JsonObject().put("hub", id);
    Set<String> stacks = new TreeSet<>();
    boolean all = sockJsClients > 0;
    for (FeedClient c : clients) {
      if (all) break;
      if (c.subscriptions().isEmpty()) all = true;
      else stacks.addAll(c.subscriptions());
    }
    if (all) demand.put("all", true);
    else demand.put("stacks", new JsonArray(List.copyOf(stacks)));
    vertx.eventBus().publish(Bus.FEED_DEMAND, demand);
  }

  private void dispatch(JsonObject msg) {
    if (clients.isEmpty()) return;
    String text = msg.encode();
    for (FeedClient c : clients.toArray(FeedClient[]::new)) c.offer(msg, text);
  }
}
