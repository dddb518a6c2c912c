package dev.dockup;

import dev.dockup.audit.AuditLog;
import dev.dockup.auth.AuthService;
import dev.dockup.backup.BackupVerticle;
import dev.dockup.auth.FileAuthStore;
import dev.dockup.auth.SigningKey;
import dev.dockup.bus.Bus;
import dev.dockup.notify.Notifier;
import dev.dockup.notify.NotifyVerticle;
import dev.dockup.peer.PeerService;
import dev.dockup.registry.RegistryClient;
import dev.dockup.scan.ScanVerticle;
import dev.dockup.schedule.ScheduleVerticle;
import dev.dockup.update.UpdateVerticle;
import dev.dockup.settings.Settings;
import dev.dockup.store.SecretBox;
import dev.dockup.engine.EngineVerticle;
import dev.dockup.fleet.BusIds;
import dev.dockup.fleet.Clustering;
import dev.dockup.fleet.FleetAuthStore;
import dev.dockup.fleet.FleetVerticle;
import dev.dockup.fleet.Gateway;
import dev.dockup.fleet.Remote;
import dev.dockup.fleet.Signer;
import dev.dockup.metrics.MetricsVerticle;
import dev.dockup.stack.StackListCache;
import dev.dockup.stack.StacksVerticle;
import dev.dockup.store.DataDir;
import dev.dockup.template.TemplateVerticle;
import dev.dockup.web.HttpVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** One DockUp node: its folders checked, its verticles deployed, and its graceful shutdown. */
public final class DockUp {
  private static final Logger LOG = LoggerFactory.getLogger(DockUp.class);
  static final long SHUTDOWN_GRACE_MS = 30_000;
  static final long AUDIT_MAX_BYTES = 10L * 1024 * 1024;
  /** Vert.x's shared worker pool: settings, auth (bcrypt), audit and file reads; the compose CLI and the engine have pools of their own. */
  static final int WORKER_THREADS = 8;
  /** Vert.x's own blocking work (its file system calls, static files). */
  static final int INTERNAL_BLOCKING_THREADS = 4;

  private final Vertx vertx;
  private final Config config;
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final StackListCache stackList = new StackListCache();
  private final List<HttpVerticle> http = new ArrayList<>();
  private AuditLog audit;
  private final Signer signer;
  private final BusIds busIds = new BusIds();

  private DockUp(Vertx vertx, Config config) {
    this.vertx = vertx;
    this.config = config;
    this.signer = config.cluster().enabled() ? new Signer(config.cluster().secret()) : null;
  }

  /**
   * Prepares STACKS_DIR and DATA_DIR (clear errors when unusable), then deploys. A start that
   * fails closes what it opened and reports why; the result is completed outside Vert.x, since
   * a future tied to a context that has closed would never report.
   */
  public static CompletableFuture<DockUp> start(Config config) {
    CompletableFuture<DockUp> result = new CompletableFuture<>();
    try {
      DataDir.ensureUsableDirectory(config.stacksDir(), "STACKS_DIR");
      DataDir.prepare(config.dataDir());
    } catch (Exception e) {
      result.completeExceptionally(e);
      return result;
    }
    Clustering.vertx(config, vertxOptions()).onComplete(started -> {
      if (started.failed()) {
        result.completeExceptionally(started.cause());
        return;
      }
      DockUp app = new DockUp(started.result(), config);
      // The name is checked before this node touches the fleet's shared state.
      FleetVerticle.nameIsFree(app.vertx, config)
          .compose(v -> app.loadShared())
          .compose(shared -> shared.auth().initialize().map(shared))
          .compose(app::deploy)
          .onComplete(ar -> {
            if (ar.succeeded()) {
              result.complete(app);
            } else {
              new Thread(() -> app.vertx.close().onComplete(v -> result.completeExceptionally(ar.cause())), "dockup-close").start();
            }
          });
    });
    return result;
  }

  /**
   * Pools sized for a small host. Nothing here waits on an event loop, so one per core is
   * enough (Vert.x's default is two per core); its worker pools default to 20 threads each,
   * which a pool keeps once a burst has made them.
   */
  static VertxOptions vertxOptions() {
    return new VertxOptions()
        .setEventLoopPoolSize(eventLoops())
        .setWorkerPoolSize(WORKER_THREADS)
        .setInternalBlockingPoolSize(INTERNAL_BLOCKING_THREADS);
  }

  static int eventLoops() {
    return Math.max(2, Runtime.getRuntime().availableProcessors());
  }

  /** Reads what the HTTP verticles share from DATA_DIR (blocking, once). */
  private Future<Shared> loadShared() {
    return vertx.executeBlocking(() -> {
      SecretBox box = SecretBox.load(config.dataDir());
      Settings settings = Settings.load(vertx, config.dataDir(), box);
      AuthService auth = authService();
      audit = AuditLog.open(config.dataDir(), AUDIT_MAX_BYTES);
      PeerService peers = PeerService.load(vertx, config, box);
      return new Shared(config, auth, settings, audit, new RegistryClient(vertx), new Notifier(vertx, settings), remote(),
          peers, stackList, draining, inFlight, box);
    }, false);
  }

  /** Blocking. In a fleet, one store and one signing key for every node. */
  private AuthService authService() throws java.io.IOException {
    FileAuthStore own = FileAuthStore.load(vertx, config.dataDir());
    if (signer == null) return new AuthService(vertx, config, own, SigningKey.load(config.dataDir(), config.jwtSecret()));
    if (config.jwtSecret() != null) LOG.warn("DOCKUP_JWT_SECRET is ignored in a fleet: every node derives the key from DOCKUP_CLUSTER_SECRET");
    return new AuthService(vertx, config, new FleetAuthStore(vertx, own, signer, config.nodeName()),
        SigningKey.forFleet(config.cluster().secret()));
  }

  /** Requests to other nodes, signed; none when not clustered. */
  private Remote remote() {
    return signer == null ? null : new Remote(vertx, config.nodeName(), signer, busIds);
  }

  private Future<?> deploy(Shared shared) {
    int instances = Math.min(4, eventLoops());
    // Metrics first, so they hear the engine's first state; stacks next, so its consumers hear the engine's first resync.
    return vertx.deployVerticle(new MetricsVerticle(config.nodeName()))
        .compose(id -> vertx.deployVerticle(new StacksVerticle(config, stackList)))
        // Before the engine too: it mirrors the engine's containers from the first resync on.
        .compose(id -> vertx.deployVerticle(new ScanVerticle(config)))
        .compose(id -> vertx.deployVerticle(new EngineVerticle(config, shared.settings())))
        .compose(id -> vertx.deployVerticle(new UpdateVerticle(config, shared.registry(), shared.notifier()::notify)))
        .compose(id -> vertx.deployVerticle(new ScheduleVerticle(config, shared.settings(), Clock.systemUTC())))
        .compose(id -> vertx.deployVerticle(new NotifyVerticle(config.nodeName(), shared.notifier())))
        .compose(id -> vertx.deployVerticle(new TemplateVerticle(config, shared.settings(), shared.remote(), signer)))
        .compose(id -> vertx.deployVerticle(new BackupVerticle(config, shared.settings(), shared.peers(), shared.remote())))
        .compose(id -> vertx.deployVerticle(new dev.dockup.webhook.WebhookVerticle(config, shared.audit(), shared.remote(), shared.box())))
        .compose(id -> vertx.deployVerticle(new FleetVerticle(config, signer,
            shared.auth().store() instanceof FleetAuthStore fleetStore ? List.of(fleetStore.tidyJob()) : List.of(), busIds)))
        .compose(id -> config.cluster().enabled()
            ? vertx.deployVerticle(new Gateway(config, signer))
            : Future.succeededFuture(id))
        .compose(id -> vertx.deployVerticle(() -> {
          HttpVerticle v = new HttpVerticle(shared);
          synchronized (http) {
            http.add(v);
          }
          return v;
        }, new DeploymentOptions().setInstances(instances)))
        .onSuccess(id -> LOG.info("DockUp {} node '{}' listening on {}:{}; stacks in {}, data in {}",
            DockUpVersion.VERSION, config.nodeName(), config.host(), port(), config.stacksDir(), config.dataDir()));
  }

  public Vertx vertx() { return vertx; }

  public Config config() { return config; }

  /** One of the HTTP verticles (they all mount the same table): tests walk its router. */
  public HttpVerticle http() {
    synchronized (http) {
      return http.get(0);
    }
  }

  /** The port actually bound (differs from the configured one when that was 0). */
  public int port() {
    synchronized (http) {
      return http.isEmpty() ? config.port() : http.get(0).actualPort();
    }
  }

  /**
   * Stops taking requests, lets running operations finish (up to 30 s), then closes. Requests
   * that arrive meanwhile get 503.
   */
  public CompletableFuture<Void> shutdown() {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    if (!draining.compareAndSet(false, true)) return closed;
    LOG.info("Shutting down: waiting up to {} s for running operations", SHUTDOWN_GRACE_MS / 1000);
    vertx.eventBus().<JsonObject>request(Bus.stacks(config.nodeName()), new JsonObject().put("wait_idle", true),
            new DeliveryOptions().addHeader(Bus.ACTION, Bus.Stacks.INFO).setSendTimeout(SHUTDOWN_GRACE_MS))
        .onFailure(t -> LOG.warn("Operations still running after {} s; closing anyway", SHUTDOWN_GRACE_MS / 1000))
        .transform(ar -> responsesSent(System.currentTimeMillis() + 5_000))
        // Closed from a thread of its own: a close started on an event loop would never report back.
        .onComplete(ar -> new Thread(() -> vertx.close().onComplete(v -> {
          if (audit != null) audit.close();
          closed.complete(null);
        }), "dockup-close").start());
    return closed;
  }

  /** The operations are done; their HTTP answers may still be on their way out. */
  private Future<Void> responsesSent(long deadline) {
    if (inFlight.get() == 0 || System.currentTimeMillis() > deadline) return Future.succeededFuture();
    return vertx.timer(20).compose(v -> responsesSent(deadline));
  }

  /** Closes at once, without waiting for operations (tests, second signal). */
  public Future<Void> close() {
    draining.set(true);
    return vertx.close().onComplete(ar -> {
      if (audit != null) audit.close();
    });
  }
}
