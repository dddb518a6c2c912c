package dev.dockup.webhook;

import dev.dockup.Config;
import dev.dockup.audit.AuditLog;
import dev.dockup.auth.Throttle;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Reply;
import dev.dockup.bus.Services;
import dev.dockup.fleet.Remote;
import dev.dockup.stack.StackFiles;
import dev.dockup.store.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The webhooks of this node: their store, and the calls to {@code POST /hooks/<id>}. A call is
 * checked here (secret or signature, then the hook's rate), run by the {@link Runner}, and
 * written to the audit log, whatever its outcome. One instance, so one rate count per hook.
 */
public final class WebhookVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookVerticle.class);
  static final int MAX_OPERATIONS = 5;
  /** Calls a hook may take per window; the next one is refused with 429 and runs nothing. */
  static final int CALLS_PER_WINDOW = 10;
  static final long WINDOW_SECONDS = 60;
  /** Refused calls written to the audit log per minute; past that they are counted and logged once a minute. */
  static final int REFUSALS_AUDITED_PER_MINUTE = 60;
  static final String REFUSED = "Invalid webhook secret or signature";
  /** Keys the HMAC of a call to an unknown hook, so it costs what a known one does. */
  private static final String DECOY = "0".repeat(64);

  public static final class Actions {
    private Actions() {}
    public static final String CREATE = "create";
    public static final String LIST = "list";
    public static final String DELETE = "delete";
    public static final String CALL = "call";
  }

  private final Config config;
  private final AuditLog audit;
  private final Remote remote;
  /** Seals the hooks' secrets on disk: the process's one box, read at start. */
  private final SecretBox box;
  private final Throttle rate = new Throttle(CALLS_PER_WINDOW, WINDOW_SECONDS);
  private WebhookStore store;
  private Runner runner;
  private long refusalMinute;
  private int refusalsAudited;
  private long refusalsSkipped;

  public WebhookVerticle(Config config, AuditLog audit, Remote remote, SecretBox box) {
    this.config = config;
    this.audit = audit;
    this.remote = remote;
    this.box = box;
  }

  /** How long the HTTP route waits for a call: every operation at its longest, and an update with its scans. */
  public static long callTimeoutMs(Config config) {
    return MAX_OPERATIONS * Math.max(operationTimeoutMs(config), updateTimeoutMs(config)) + 30_000;
  }

  static long operationTimeoutMs(Config config) {
    return (config.operationTimeoutSeconds() + 60L) * 1000;
  }

  /** A pull and an up, and scans of the old and new images when the stack has a scan gate. */
  static long updateTimeoutMs(Config config) {
    return 2 * operationTimeoutMs(config) + (4L * config.scan().timeoutSeconds() + 180) * 1000;
  }

  @Override
  public Future<?> start() {
    runner = new Runner(vertx, config.nodeName(), remote, operationTimeoutMs(config), updateTimeoutMs(config));
    Map<String, Function<JsonObject, Future<?>>> actions = Map.of(
        Actions.CREATE, this::create,
        Actions.LIST, req -> Future.succeededFuture(new JsonObject()
            .put("webhooks", new JsonArray(store.all().stream().map(Webhook::view).toList()))),
        Actions.DELETE, this::delete,
        Actions.CALL, this::call);
    return vertx.executeBlocking(() -> WebhookStore.load(config.dataDir(), box), false)
        .compose(loaded -> {
          store = loaded;
          return vertx.eventBus().<JsonObject>localConsumer(Bus.webhooks(config.nodeName()), m -> Services.serve(m, actions))
              .completion();
        });
  }

  // ---- create, delete ----

  private Future<Object> create(JsonObject req) {
    String stack = req.getValue("stack") instanceof String s ? s : null;
    StackFiles.checkName(stack);
    List<String> operations = operations(req.getValue("operations"));
    String node = node(req.getValue("node"));
    if (store.size() >= WebhookStore.MAX_HOOKS) {
      throw ApiException.conflict("At most " + WebhookStore.MAX_HOOKS + " webhooks; delete one first");
    }
    return runner.stack(node, stack).compose(found -> {
      if (found.status() != 200) throw new ApiException(found.status(), found.body().getString("error", "Stack not found"));
      // Every call would be refused: said now, while someone is there to read it.
      if (found.body().getBoolean("external", false)) throw ApiException.conflict("Stack is not managed by DockUp");
      // Checked again: another create may have filled the store while the stack was looked up.
      if (store.size() >= WebhookStore.MAX_HOOKS) {
        throw ApiException.conflict("At most " + WebhookStore.MAX_HOOKS + " webhooks; delete one first");
      }
      WebhookStore.Created c = store.add(stack, node, operations, req.getString(Bus.BY));
      return store.save(vertx)
          .recover(t -> {
            store.remove(c.hook().id());
            return Future.failedFuture(t);
          })
          .map(v -> (Object) new Reply(201, c.hook().view().put("secret", c.secret())));
    });
  }

  /** A non-empty list of known operations, run in the order given. */
  static List<String> operations(Object raw) {
    if (!(raw instanceof JsonArray arr) || arr.isEmpty() || arr.size() > MAX_OPERATIONS) {
      throw ApiException.badRequest("operations must be a list of 1 to " + MAX_OPERATIONS + " operations");
    }
    List<String> out = new ArrayList<>();
    for (Object o : arr) {
      if (!(o instanceof String op) || !Runner.allowed(op)) {
        throw ApiException.badRequest("Invalid operation: " + (o instanceof String s && s.length() <= 40 ? s : "(not a name)")
            + " (pull, up, down, stop, restart, update)");
      }
      out.add(op);
    }
    return out;
  }

  /** This node unless another is named; another exists only in a fleet. */
  private String node(Object raw) {
    if (raw == null) return config.nodeName();
    if (!(raw instanceof String n) || !Config.NODE_NAME.matcher(n).matches()) throw ApiException.badRequest("Invalid node name");
    if (remote == null && !n.equals(config.nodeName())) throw ApiException.badRequest("Unknown node: this node is not in a fleet");
    return n;
  }

  private Future<Object> delete(JsonObject req) {
    Webhook gone = store.remove(req.getString(Bus.ID));
    if (gone == null) throw ApiException.notFound("Webhook not found");
    return store.save(vertx).map(v -> new JsonObject().put("success", true).put("id", gone.id()));
  }

  // ---- a call ----

  /**
   * {@code id, client, secret?, signature?, event?, body} (base64). An unknown hook is refused
   * exactly as a wrong secret is, after the same work, so the answer says nothing of which ids
   * exist; the rate is counted only for calls that passed, so no stranger can use up a hook's.
   */
  private Future<Object> call(JsonObject req) {
    String id = req.getString(Bus.ID);
    Webhook h = id != null && Webhook.ID.matcher(id).matches() ? store.get(id) : null;
    byte[] body = Base64.getDecoder().decode(req.getString("body", ""));
    String client = req.getString("client");
    boolean ok;
    try {
      ok = Signatures.accepted(h == null ? DECOY : store.secret(h), req.getString("secret"), req.getString("signature"), body)
          && h != null;
    } catch (IllegalArgumentException e) {
      ok = false;
    }
    if (!ok) {
      refused(h, client);
      throw new ApiException(401, REFUSED);
    }
    long now = System.currentTimeMillis();
    long retry = rate.retryAfterSeconds(h.id(), now);
    if (retry > 0) {
      audit(h, client, 429, "throttled");
      throw new ApiException(429, "Too many calls to this webhook; retry in " + retry + " s",
          new JsonObject().put("retry_after", retry));
    }
    // The throttle's "failure" is, here, one call taken.
    rate.failed(h.id(), now);
    // A Git host's test delivery when the hook is added: answered, nothing runs.
    if ("ping".equalsIgnoreCase(req.getString("event"))) {
      audit(h, client, 200, "ping");
      return Future.succeededFuture(new JsonObject().put("success", true).put("hook", h.id()).put("ping", true));
    }
    return runner.run(h).map(out -> {
      audit(h, client, out.status(), out.status() == 200 ? "ran" : "failed");
      return out.status() == 200 ? out.body() : new Reply(out.status(), out.body());
    });
  }

  private void audit(Webhook h, String client, int status, String outcome) {
    audit.append(new JsonObject()
        .put("time", Instant.now().toString())
        .put("credential", "webhook:" + h.id())
        .put("client", client)
        .put("method", "POST")
        .put("path", h.path())
        .put("stack", h.stack())
        .put("node", h.node())
        .put("operations", new JsonArray(h.operations()))
        .put("webhook", outcome)
        .put("status", status));
  }

  /**
   * A refused call is audited with the hook it named (an id that names none is not repeated:
   * strangers choose it), up to {@link #REFUSALS_AUDITED_PER_MINUTE} a minute so a flood of
   * guesses cannot push the real entries out of the rotated log.
   */
  private void refused(Webhook h, String client) {
    long minute = System.currentTimeMillis() / 60_000;
    if (minute != refusalMinute) {
      if (refusalsSkipped > 0) LOG.info("{} refused webhook calls were not written to the audit log in the last minute", refusalsSkipped);
      refusalMinute = minute;
      refusalsAudited = 0;
      refusalsSkipped = 0;
    }
    if (refusalsAudited >= REFUSALS_AUDITED_PER_MINUTE) {
      refusalsSkipped++;
      return;
    }
    refusalsAudited++;
    audit.append(new JsonObject()
        .put("time", Instant.now().toString())
        .put("credential", null)
        .put("client", client)
        .put("method", "POST")
        .put("path", h != null ? h.path() : "/hooks/(unknown)")
        .put("stack", h != null ? h.stack() : null)
        .put("webhook", h != null ? "bad secret or signature" : "unknown id")
        .put("status", 401));
  }
}
