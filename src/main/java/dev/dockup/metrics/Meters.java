package dev.dockup.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.shareddata.Shareable;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One node's meters: a Prometheus registry per Vert.x instance (tests run several nodes in one
 * JVM), written by Vert.x itself (HTTP server by route, pools, event bus, JVM) and by DockUp.
 * Packages that hold a number nobody publishes reach it through {@link #of}; a Vert.x built
 * without it gets an instance that records nothing. Every label value is taken from a fixed list
 * or from what exists on the node (its stacks), never from what a client sends.
 */
public final class Meters implements Shareable {
  private static final String MAP = "dockup.metrics";

  static final Set<String> OPERATIONS = Set.of("up", "down", "stop", "restart", "pull", "create", "move");
  static final Set<String> OPERATION_RESULTS = Set.of("succeeded", "failed", "timed_out");
  static final Set<String> UPDATE_RESULTS = Set.of("applied", "failed", "rolled_back", "rollback_failed", "blocked");
  static final Set<String> CHECK_RESULTS = Set.of("update_available", "up_to_date", "failed");
  static final Set<String> SCAN_STATUSES = Set.of("completed", "failed");
  static final Set<String> BACKUP_KINDS = Set.of("create", "restore", "move");
  static final Set<String> TRANSPORTS = Set.of("websocket", "sockjs", "sse");
  /** Any other token is a valid HTTP method too: a client could make one series per request. */
  static final Set<String> HTTP_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT");

  static final String HTTP_TIME = "vertx.http.server.response.time";
  private static final double[] HTTP_BUCKETS_S = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  private static final double[] OPERATION_BUCKETS_S = {1, 2, 5, 10, 30, 60, 120, 300, 600, 1800};
  private static final double[] FORWARD_BUCKETS_S = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
  private static final double[] LAG_BUCKETS_S = {0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

  /** Declared after the lists its constructor reads. */
  private static final Meters NONE = new Meters(new CompositeMeterRegistry(), null);
  private volatile Timer eventLag;

  private final MeterRegistry registry;
  private final String registryName;
  private final Map<String, AtomicInteger> feedClients = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lastBackups = new ConcurrentHashMap<>();

  private Meters(MeterRegistry registry, String registryName) {
    this.registry = registry;
    this.registryName = registryName;
    for (String t : TRANSPORTS) {
      AtomicInteger n = new AtomicInteger();
      feedClients.put(t, n);
      Gauge.builder("dockup.feed.clients", n, AtomicInteger::get).description("Live feed clients connected to this node")
          .tag("transport", t).register(registry);
    }
  }

  /** A registry for the node {@code node} (a common label on every series, so a fleet's scrapes can be told apart). */
  public static Meters create(String node) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("node", node)
        .meterFilter(MeterFilter.replaceTagValues("method", m -> HTTP_METHODS.contains(m) ? m : "OTHER"))
        .meterFilter(MeterFilter.replaceTagValues("route", Meters::route))
        .meterFilter(new MeterFilter() {
          @Override
          public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
            if (!HTTP_TIME.equals(id.getName())) return config;
            return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos(HTTP_BUCKETS_S)).build().merge(config);
          }
        });
    new FileDescriptorMetrics().bindTo(registry);
    return new Meters(registry, "dockup-" + node + "-" + UUID.randomUUID());
  }

  /**
   * The route Vert.x names for a request: the path template of the first declared route it
   * matched ({@code /api/stack/:name}); a request that matched none (a stranger's random path)
   * is {@code none}. Vert.x joins every route a request passed through with '>', sub-routers'
   * patterns included: only the first is kept.
   */
  static String route(String matched) {
    if (matched == null || matched.isEmpty()) return "none";
    int cut = matched.indexOf('>');
    return cut < 0 ? matched : matched.substring(0, cut);
  }

  /** {@code options} with Vert.x's metrics written into this registry: HTTP by route, status and method; pools; event bus; JVM. */
  public VertxBuilder builder(VertxOptions options) {
    EnumSet<Label> labels = EnumSet.copyOf(MicrometerMetricsOptions.DEFAULT_LABELS);
    labels.add(Label.HTTP_ROUTE);
    // Never the raw path: a stranger would choose how many series there are.
    labels.remove(Label.HTTP_PATH);
    options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setRegistryName(registryName)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)).setJvmMetricsEnabled(true).setLabels(labels));
    return Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry));
  }

  /** Makes this registry the one {@link #of} finds for {@code vertx}. */
  public Vertx attach(Vertx vertx) {
    vertx.sharedData().getLocalMap(MAP).put(MAP, this);
    return vertx;
  }

  /** The meters of the node {@code vertx} runs; one that records nothing when it has none. */
  public static Meters of(Vertx vertx) {
    Object m = vertx.sharedData().getLocalMap(MAP).get(MAP);
    return m instanceof Meters meters ? meters : NONE;
  }

  MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text of every series (blocking: a few milliseconds of formatting). */
  String scrape() {
    return registry instanceof PrometheusMeterRegistry p ? p.scrape() : "";
  }

  // ---- hooks for numbers that exist only inside a package ----

  /** An engine event arrived; {@code timeNano} is when the engine says it happened (ns since the epoch). */
  public void engineEvent(Long timeNano) {
    if (timeNano == null || timeNano <= 0) return;
    long lag = System.currentTimeMillis() * 1_000_000L - timeNano;
    Timer timer = eventLag;
    // Every engine event passes here: the timer is looked up once, not per event.
    if (timer == null) {
      eventLag = timer = timer("dockup.engine.event.lag", "How long the engine's events took to reach DockUp", LAG_BUCKETS_S)
          .register(registry);
    }
    timer.record(Math.max(0, lag), TimeUnit.NANOSECONDS);
  }

  /** A request to another node's service came back (or failed) after being sent at {@code startNanos}. */
  public void forwarded(String target, boolean ok, long startNanos) {
    timer("dockup.forward.duration", "Requests to other nodes of the fleet, from sending to the signed answer", FORWARD_BUCKETS_S)
        .tag("target", target == null || !target.matches("[a-z]{1,20}") ? "other" : target).tag("outcome", ok ? "ok" : "error")
        .register(registry).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  /** An update check finished: {@code update_available}, {@code up_to_date} or {@code failed}. */
  public void updateCheck(String result) {
    Counter.builder("dockup.update.checks").description("Update checks of this node's stacks")
        .tag("result", bounded(result, CHECK_RESULTS)).register(registry).increment();
  }

  /** An automatic update ended as its record says: {@code applied}, {@code failed}, {@code rolled_back}, {@code rollback_failed}, {@code blocked}. */
  public void update(String result) {
    Counter.builder("dockup.updates").description("Automatic updates by result")
        .tag("result", bounded(result, UPDATE_RESULTS)).register(registry).increment();
  }

  /** A backup, restore or move ended. */
  public void backup(String kind, boolean ok) {
    String k = bounded(kind, BACKUP_KINDS);
    Counter.builder("dockup.backups").description("Backups made, restores and moves, by result")
        .tag("kind", k).tag("result", ok ? "succeeded" : "failed").register(registry).increment();
    if (ok) lastBackup(k).set(System.currentTimeMillis() / 1000);
  }

  /** A feed client of {@code transport} ({@code websocket}, {@code sockjs}, {@code sse}) came ({@code +1}) or went ({@code -1}). */
  public void feedClient(String transport, int delta) {
    AtomicInteger n = feedClients.get(transport);
    if (n != null) n.addAndGet(delta);
  }

  // ---- recorded by the metrics verticle ----

  void operation(String operation, String result, long durationMs) {
    timer("dockup.operation.duration", "Compose operations by type and result", OPERATION_BUCKETS_S)
        .tag("operation", bounded(operation, OPERATIONS)).tag("result", bounded(result, OPERATION_RESULTS))
        .register(registry).record(Math.max(0, durationMs), TimeUnit.MILLISECONDS);
  }

  void scan(String status) {
    Counter.builder("dockup.scans").description("Image scans finished, by status")
        .tag("status", bounded(status, SCAN_STATUSES)).register(registry).increment();
  }

  void engineReconnected() {
    Counter.builder("dockup.engine.reconnects").description("Times the Docker engine was found again after being lost")
        .register(registry).increment();
  }

  private AtomicLong lastBackup(String kind) {
    return lastBackups.computeIfAbsent(kind, k -> {
      AtomicLong at = new AtomicLong();
      Gauge.builder("dockup.backup.last.success.timestamp", at, AtomicLong::get)
          .description("When the last successful backup, restore or move ended (seconds since the epoch)").baseUnit("seconds")
          .tag("kind", k).register(registry);
      return at;
    });
  }

  private static Timer.Builder timer(String name, String description, double[] bucketsSeconds) {
    return Timer.builder(name).description(description).serviceLevelObjectives(durations(bucketsSeconds));
  }

  static String bounded(String value, Set<String> known) {
    return value != null && known.contains(value) ? value : "other";
  }

  private static double[] nanos(double[] seconds) {
    double[] out = new double[seconds.length];
    for (int i = 0; i < seconds.length; i++) out[i] = seconds[i] * 1e9;
    return out;
  }

  private static Duration[] durations(double[] seconds) {
    Duration[] out = new Duration[seconds.length];
    for (int i = 0; i < seconds.length; i++) out[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
    return out;
  }
}
