package dev.dockup.peer;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.stack.StackFiles;
import dev.dockup.stack.StackListCache;
import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.dockup.web.Schema.any;
import static dev.dockup.web.Schema.array;
import static dev.dockup.web.Schema.bool;
import static dev.dockup.web.Schema.nullable;
import static dev.dockup.web.Schema.object;
import static dev.dockup.web.Schema.ref;
import static dev.dockup.web.Schema.string;

/**
 * The peer routes of the 1.3.0 API ({@code /api/peers}, {@code /api/peer/<id>/…}) and
 * {@code GET /api/stacks/all}. Managing peers is admin (the scope rules); a proxied operation is
 * operate, and the peer then applies its own token's scope.
 */
public final class PeerRoutes implements RouteGroup {
  static final long LOCAL_LIST_TIMEOUT_MS = 10_000;

  private final PeerService peers;
  private final StackListCache localList;
  private final String stacksAddress;
  private final String self;
  /** As long as a local operation may take, so a synchronous operation on the peer can finish. */
  private final long operationTimeoutMs;

  public PeerRoutes(PeerService peers, Config config, StackListCache localList) {
    this.peers = peers;
    this.localList = localList;
    this.stacksAddress = Bus.stacks(config.nodeName());
    this.self = config.nodeName();
    this.operationTimeoutMs = (config.operationTimeoutSeconds() + 60L) * 1000;
  }

  @Override
  public String tag() {
    return "peers";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.get("/api/peers", Access.ADMIN, "listPeers", "HTTP peers (their tokens never shown)")
            .response(object("peers", array(ref("Peer")))).handle(this::list),
        Route.post("/api/peers", Access.ADMIN, "addPeer", "Add another DockUp instance reached over HTTP with a token")
            .request(ref("PeerInput")).response(201, object("success", bool(), "peer", ref("Peer"))).errors(409).handle(this::add),
        Route.get("/api/peers/{id}", Access.ADMIN, "getPeer", "One peer").response(ref("Peer")).errors(404).handle(this::get),
        Route.put("/api/peers/{id}", Access.ADMIN, "updatePeer", "Change a peer; a token left out is kept")
            .request(ref("PeerInput")).response(object("success", bool(), "peer", ref("Peer"))).errors(404, 409).handle(this::update),
        Route.delete("/api/peers/{id}", Access.ADMIN, "removePeer", "Forget a peer").errors(404).handle(this::remove),
        Route.get("/api/peers/{id}/test", Access.ADMIN, "testPeer", "Try the peer's URL and token (also for a disabled peer)")
            .response(any()).errors(404).handle(this::test),
        Route.get("/api/peer/{id}/stacks", Access.READ, "peerStacks", "A peer's stacks, tagged with the peer")
            .response(object("stacks", array(ref("StackItem")))).errors(404, 409, 502, 503).handle(this::peerStacks),
        Route.get("/api/peer/{id}/stack/{name}", Access.READ, "peerStack", "One stack of a peer")
            .response(ref("StackDetail")).errors(404, 409, 502, 503).handle(this::peerStack),
        Route.post("/api/peer/{id}/stack/{name}/operation", Access.OPERATE, "peerOperation",
                "An operation on a peer's stack (the peer applies its own token's scope)")
            .request(ref("OperationRequest"))
            .query("async", bool(), "Passed on to the peer").query("force", bool(), "Passed on to the peer")
            .response(ref("Operation")).errors(404, 409, 502, 503, 504).handle(this::peerOperation),
        Route.get("/api/stacks/all", Access.READ, "allStacks", "This node's stacks, the fleet's, then each enabled peer's")
            .response(object("stacks", array(ref("StackItem")),
                "peers", array(object("id", string(), "name", string(), "reachable", bool(), "error", nullable(string())))))
            .handle(this::all));
  }

  @Override
  public Map<String, JsonObject> schemas() {
    return Map.of(
        "Peer", object("id", string(), "name", string(), "url", string(), "enabled", bool(), "api_token_set", bool()),
        "PeerInput", object("id?", string(), "name?", string(), "url?", string(), "api_token?", string("Stored encrypted; never shown again"),
            "enabled?", bool()));
  }

  private void list(RoutingContext ctx) {
    Api.send(ctx, 200, new JsonObject().put("peers", peers.views()));
  }

  private void get(RoutingContext ctx) {
    Api.send(ctx, 200, peers.require(ctx.pathParam("id")).view());
  }

  private void add(RoutingContext ctx) {
    peers.add(Api.body(ctx)).onComplete(ar -> {
      if (ar.succeeded()) Api.send(ctx, 201, new JsonObject().put("success", true).put("peer", ar.result().view()));
      else Api.fail(ctx, ar.cause());
    });
  }

  private void update(RoutingContext ctx) {
    peers.update(ctx.pathParam("id"), Api.body(ctx)).onComplete(ar -> {
      if (ar.succeeded()) Api.send(ctx, 200, new JsonObject().put("success", true).put("peer", ar.result().view()));
      else Api.fail(ctx, ar.cause());
    });
  }

  private void remove(RoutingContext ctx) {
    peers.remove(ctx.pathParam("id")).onComplete(ar -> {
      if (ar.succeeded()) Api.send(ctx, 200, new JsonObject().put("success", true));
      else Api.fail(ctx, ar.cause());
    });
  }

  /** Works on a disabled peer too: that is how one checks it before enabling it. */
  private void test(RoutingContext ctx) {
    peers.test(peers.require(ctx.pathParam("id"))).onComplete(ar -> {
      if (ar.succeeded()) Api.send(ctx, 200, ar.result());
      else Api.fail(ctx, ar.cause());
    });
  }

  private void peerStacks(RoutingContext ctx) {
    peers.stacks(enabledPeer(ctx)).onComplete(ar -> {
      if (ar.succeeded()) Api.send(ctx, 200, new JsonObject().put("stacks", ar.result()));
      else Api.fail(ctx, ar.cause());
    });
  }

  /** The peer's answer with its status; a stack it describes is tagged with the peer. */
  private void peerStack(RoutingContext ctx) {
    Peer peer = enabledPeer(ctx);
    String name = stackName(ctx);
    peers.call(peer, HttpMethod.GET, "/api/stack/" + name, null, PeerService.REQUEST_TIMEOUT_MS).onComplete(ar -> {
      if (ar.failed()) {
        Api.fail(ctx, ar.cause());
        return;
      }
      PeerService.Reply reply = PeerService.relay(ar.result(), peer.id());
      Api.send(ctx, reply.status(), reply.body());
    });
  }

  /**
   * The same JSON body to the peer's operation endpoint, with {@code async} and {@code force}
   * passed on; answered with the peer's status and body (its refusal of our token is a 502, not
   * a 401/403 the client would take for its own).
   */
  private void peerOperation(RoutingContext ctx) {
    Peer peer = enabledPeer(ctx);
    String name = stackName(ctx);
    JsonObject body = Api.body(ctx);
    List<String> query = new ArrayList<>();
    if (Api.flag(ctx, "async")) query.add("async=true");
    if (Api.flag(ctx, "force")) query.add("force=true");
    String path = "/api/stack/" + name + "/operation" + (query.isEmpty() ? "" : "?" + String.join("&", query));
    peers.call(peer, HttpMethod.POST, path, body.toBuffer(), operationTimeoutMs).onComplete(ar -> {
      peers.invalidate(peer.id());
      if (ar.failed()) {
        Api.fail(ctx, ar.cause());
        return;
      }
      PeerService.Reply reply = PeerService.relay(ar.result(), null);
      Api.send(ctx, reply.status(), reply.body());
    });
  }

  /** The other cluster nodes' stacks (each carries its "node"), as this node last heard them; none when alone. */
  private Future<JsonArray> fleetStacks(RoutingContext ctx) {
    return Api.request(ctx, Bus.fleet(self), "fleet", new JsonObject(), 2_000).map(reply -> {
      JsonArray out = new JsonArray();
      for (Object o : ((JsonObject) reply.body()).getJsonArray("nodes", new JsonArray())) {
        JsonObject node = (JsonObject) o;
        if (self.equals(node.getString("name"))) continue;
        node.getJsonArray("stacks", new JsonArray()).forEach(st -> out.add(((JsonObject) st).copy()
            .put("node", node.getString("name")).put("reachable", node.getBoolean("reachable", false))));
      }
      return out;
    });
  }

  /**
   * Local stacks, then each enabled peer's (called in parallel, each bounded by its timeout, or
   * served from its list of the last 5 s). A peer that fails is listed with {@code reachable:
   * false} and contributes no stacks: an older list would show states we cannot vouch for.
   */
  private void all(RoutingContext ctx) {
    Future<JsonArray> local = localStacks(ctx);
    Future<JsonArray> fleet = fleetStacks(ctx);
    List<Peer> enabled = peers.list().stream().filter(Peer::enabled).toList();
    List<Future<JsonArray>> remote = enabled.stream().map(peers::stacks).toList();
    List<Future<?>> every = new ArrayList<>(remote);
    every.add(local);
    every.add(fleet);
    Future.join(every).onComplete(done -> {
      if (local.failed()) {
        Api.fail(ctx, local.cause());
        return;
      }
      JsonArray stacks = new JsonArray();
      local.result().forEach(stacks::add);
      if (fleet.succeeded()) fleet.result().forEach(stacks::add);
      JsonArray status = new JsonArray();
      for (int i = 0; i < enabled.size(); i++) {
        Peer p = enabled.get(i);
        Future<JsonArray> f = remote.get(i);
        JsonObject entry = new JsonObject().put("id", p.id()).put("name", p.name()).put("reachable", f.succeeded());
        if (f.succeeded()) {
          f.result().forEach(stacks::add);
          entry.putNull("error");
        } else {
          entry.put("error", PeerService.summary(f.cause()));
        }
        status.add(entry);
      }
      Api.send(ctx, 200, new JsonObject().put("stacks", stacks).put("peers", status));
    });
  }

  /** This node's stacks, from the shared encoded answer when it is current. */
  private Future<JsonArray> localStacks(RoutingContext ctx) {
    Buffer cached = localList.get();
    if (cached != null) return Future.succeededFuture(stacksOf(cached.toString()));
    return Api.request(ctx, stacksAddress, Bus.Stacks.LIST, new JsonObject(), LOCAL_LIST_TIMEOUT_MS).map(msg -> {
      String status = msg.headers().get(Bus.STATUS);
      if (status != null && !status.equals("200")) {
        Object b = msg.body();
        JsonObject err = b instanceof JsonObject o ? o : b instanceof String s ? new JsonObject(s) : new JsonObject();
        throw new ApiException(Integer.parseInt(status), err.getString("error", "Stack list unavailable"));
      }
      Object b = msg.body();
      return stacksOf(b instanceof JsonObject o ? o.encode() : String.valueOf(b));
    });
  }

  private static JsonArray stacksOf(String encoded) {
    JsonArray stacks = new JsonObject(encoded).getJsonArray("stacks");
    return stacks == null ? new JsonArray() : stacks;
  }

  private Peer enabledPeer(RoutingContext ctx) {
    Peer peer = peers.require(ctx.pathParam("id"));
    if (!peer.enabled()) throw ApiException.conflict("Peer is disabled");
    return peer;
  }

  private static String stackName(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    StackFiles.checkName(name);
    return name;
  }
}
