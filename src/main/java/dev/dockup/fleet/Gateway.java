package dev.dockup.fleet;

import dev.dockup.Config;
import dev.dockup.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The one clustered door to this node's services: a signed request from another node is
 * checked, handed to the named local service, and its answer sent back signed. Anything
 * unsigned, stale, replayed or aimed elsewhere is refused.
 */
public final class Gateway extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(Gateway.class);

  private final Config config;
  private final Signer signer;

  public Gateway(Config config, Signer signer) {
    this.config = config;
    this.signer = signer;
  }

  /** The services another node may ask for, by the name a request gives as its target. */
  static Map<String, String> services(String node) {
    return Map.of(
        "stacks", Bus.stacks(node),
        "engine", Bus.engine(node),
        "updates", Bus.updates(node),
        "schedules", Bus.schedules(node),
        "scans", Bus.scans(node),
        "backups", Bus.backups(node));
  }

  static final long LISTENER_CHECK_MS = 10_000;

  @Override
  public Future<?> start() {
    return vertx.eventBus().<String>consumer(Bus.remote(config.nodeName()), this::handle).completion()
        .onSuccess(v -> vertx.setPeriodic(LISTENER_CHECK_MS, id -> warnOfOtherListeners()));
  }

  /** Other nodes send nothing here while another member listens too; the operator should know why. */
  private void warnOfOtherListeners() {
    String own = BusIds.own(vertx);
    BusIds.listeners(vertx, Bus.remote(config.nodeName())).onSuccess(regs -> regs.stream()
        .map(r -> r.nodeId()).filter(id -> !id.equals(own)).distinct()
        .forEach(id -> LOG.warn("Cluster member {} also listens on this node's gateway address; other nodes send this node "
            + "nothing until it leaves. It is not a DockUp node of this fleet: check who can reach the cluster port", id)));
  }

  private void handle(Message<String> msg) {
    String body = msg.body();
    String refusal = signer.refusal(msg.headers(), config.nodeName(), body);
    String target = services(config.nodeName()).get(msg.headers().get("target"));
    if (refusal == null && target == null) refusal = "unknown target";
    String from = msg.headers().get("from") == null ? "?" : msg.headers().get("from");
    if (refusal != null) {
      LOG.warn("Refused a request from '{}': {}", from, refusal);
      answer(msg, from, 403, new JsonObject().put("error", "Refused: " + refusal));
      return;
    }
    long timeout = Long.parseLong(msg.headers().get("timeout") == null ? "60000" : msg.headers().get("timeout"));
    vertx.eventBus().<Object>request(target, new JsonObject(body),
            new DeliveryOptions().addHeader(Bus.ACTION, msg.headers().get("action")).setSendTimeout(timeout))
        .map(Remote.Answer::of)
        .onSuccess(a -> answer(msg, from, a.status(), a.body()))
        .onFailure(t -> {
          boolean timedOut = t instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT;
          answer(msg, from, timedOut ? 504 : 503, new JsonObject().put("error", timedOut ? "Operation timed out" : "Service unavailable"));
        });
  }

  private void answer(Message<String> msg, String to, int status, JsonObject body) {
    String text = body.encode();
    msg.reply(text, signer.sign(config.nodeName(), to, "reply", Integer.toString(status), text, 1_000)
        .addHeader(Bus.STATUS, Integer.toString(status)));
  }
}
