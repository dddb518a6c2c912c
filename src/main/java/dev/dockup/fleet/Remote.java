package dev.dockup.fleet;

import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.metrics.Meters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A request to another node's service through its {@link Gateway}, signed both ways. */
public final class Remote {
  private static final Logger LOG = LoggerFactory.getLogger(Remote.class);
  /** The answer of the remote service: its status and body. */
  public record Answer(int status, JsonObject body) {
    /** A local service's reply: its status header (none means 200) and its body, JSON or JSON text. */
    public static Answer of(Message<?> reply) {
      String status = reply.headers().get(Bus.STATUS);
      Object b = reply.body();
      return new Answer(status == null ? 200 : Integer.parseInt(status), b instanceof JsonObject o ? o : new JsonObject(String.valueOf(b)));
    }
  }

  private final Vertx vertx;
  private final String self;
  private final Signer signer;
  private final BusIds busIds;

  public Remote(Vertx vertx, String self, Signer signer, BusIds busIds) {
    this.vertx = vertx;
    this.self = self;
    this.signer = signer;
    this.busIds = busIds;
  }

  /**
   * Sent only when the node alone listens on its gateway address: a member that listens there
   * too would be handed the signed request, and could hold it back and deliver it later.
   */
  public Future<Answer> request(String node, String target, String action, JsonObject payload, long timeoutMs) {
    String address = Bus.remote(node);
    return busIds.onlyNodeListens(vertx, node, address)
        .recover(t -> Future.succeededFuture("cluster unavailable: " + t.getMessage()))
        .compose(refusal -> {
          if (refusal == null) return send(node, address, target, action, payload, timeoutMs);
          if (refusal.startsWith("another")) LOG.warn("Request to node '{}' not sent: {}", node, refusal);
          return Future.failedFuture(ApiException.unavailable("Node unreachable"));
        });
  }

  private Future<Answer> send(String node, String address, String target, String action, JsonObject payload, long timeoutMs) {
    String body = payload.encode();
    var options = signer.sign(self, node, target, action, body, timeoutMs + 5_000)
        .addHeader("timeout", Long.toString(timeoutMs));
    long sent = System.nanoTime();
    return vertx.eventBus().<String>request(address, body, options)
        .andThen(ar -> Meters.of(vertx).forwarded(target, ar.succeeded(), sent))
        .recover(t -> Future.failedFuture(t instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT
            ? new ApiException(504, "Operation timed out") : ApiException.unavailable("Node unreachable")))
        .map(reply -> {
          String why = signer.refusal(reply.headers(), self, reply.body());
          if (why != null || !"reply".equals(reply.headers().get("target"))) {
            throw new ApiException(502, "Unsigned or forged answer from node " + node);
          }
          return new Answer(Integer.parseInt(reply.headers().get("action")), new JsonObject(reply.body()));
        });
  }
}
