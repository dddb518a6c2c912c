package dev.dockup.template;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Reply;
import dev.dockup.bus.Services;
import dev.dockup.fleet.FleetOnce;
import dev.dockup.fleet.Remote;
import dev.dockup.fleet.Signer;
import dev.dockup.settings.Settings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The template catalog of this node: the bundled templates, and the remote catalogs of the
 * {@code template_urls} setting, fetched on request and on a schedule (each catalog once per
 * period for the whole fleet: the node that fetches it shares it), cached in {@code DATA_DIR}.
 * Its state is touched on its own context only; parsing, merging and files run on workers.
 */
public final class TemplateVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(TemplateVerticle.class);
  /** Catalogs fetched at the same time (each may hold TEMPLATE_MAX_BYTES in memory). */
  static final int PARALLEL_FETCHES = 2;

  private final Config config;
  private final Settings settings;
  private final Remote remote;
  private final Signer signer;

  /** Read, with the catalog, on the first request that needs them: see {@link #catalog()}. */
  private Bundled bundled;
  private SourceCache cache;
  private Fetcher fetcher;
  private Refresher refresher;
  private Deployer deployer;
  private FleetShare share;
  /** By key, in the order of the settings. */
  private Map<String, SourceState> sources = new LinkedHashMap<>();
  private Catalog catalog;
  private Future<Void> firstBuild;
  private final Map<String, Future<SourceState>> running = new HashMap<>();
  private final Map<String, Long> jobs = new HashMap<>();
  private Future<JsonObject> refreshingAll;
  private int fetching;
  private final Deque<Runnable> waiting = new ArrayDeque<>();

  /** {@code remote} and {@code signer} are null when not clustered. */
  public TemplateVerticle(Config config, Settings settings, Remote remote, Signer signer) {
    this.config = config;
    this.settings = settings;
    this.remote = remote;
    this.signer = signer;
  }

  @Override
  public Future<?> start() {
    cache = new SourceCache(config.dataDir());
    fetcher = new Fetcher(vertx, config.templates());
    refresher = new Refresher(vertx, fetcher, config.templates().timeoutSeconds() * 1000L);
    deployer = new Deployer(vertx, config, remote, settings);
    share = signer == null ? null : new FleetShare(vertx, signer);
    List<Settings.TemplateUrl> configured = settings.templateUrls();
    return vertx.executeBlocking(() -> {
      Map<String, SourceState> stored = cache.loadAll();
      Map<String, SourceState> out = new LinkedHashMap<>();
      for (Settings.TemplateUrl u : configured) out.put(SourceState.key(u), stored.getOrDefault(SourceState.key(u), SourceState.notFetched(u)));
      cache.keepOnly(out.keySet());
      return out;
    }, false).compose(loaded -> {
      sources = loaded;
      Map<String, Function<JsonObject, Future<?>>> actions = new HashMap<>();
      actions.put(Bus.Templates.LIST, req -> catalog().map(c ->
          c.listText(req.getString("category"), req.getString("q"), req.getString("source"))));
      actions.put(Bus.Templates.GET, req -> catalog().map(c -> template(c, req).toDetail()));
      actions.put(Bus.Templates.LOGO, req -> catalog().map(c -> logo(c, req)));
      actions.put(Bus.Templates.CATEGORIES, req -> catalog().map(Catalog::categories));
      actions.put(Bus.Templates.REFRESH, this::refresh);
      actions.put(Bus.Templates.DEPLOY, req -> catalog().compose(c ->
          deployer.deploy(template(c, req), req.getJsonObject("body", new JsonObject()))));
      vertx.eventBus().<JsonObject>localConsumer(Bus.templates(config.nodeName()), m -> Services.serve(m, actions));
      if (share != null) {
        vertx.eventBus().<String>consumer(Bus.TEMPLATES_SHARED, m -> adopt(m.body()));
        List.copyOf(sources.keySet()).forEach(this::adopt);
      }
      settings.onChange(() -> context.runOnContext(x -> settingsChanged()));
      schedule();
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<?> stop() {
    fetcher.close();
    return Future.succeededFuture();
  }

  /**
   * The catalog, built on the first request that needs it rather than at start: parsing every bundled compose file
   * costs a start about 200 classes (the YAML parser's among them) and the catalog's memory, on a node that may never
   * be asked for a template.
   */
  private Future<Catalog> catalog() {
    if (catalog != null) return Future.succeededFuture(catalog);
    if (firstBuild == null) firstBuild = rebuild().onFailure(t -> firstBuild = null);
    return firstBuild.map(v -> catalog);
  }

  private static Template template(Catalog catalog, JsonObject req) {
    Template t = catalog.get(req.getString(Bus.ID));
    if (t == null) throw ApiException.notFound("Template not found");
    return t;
  }

  private JsonObject logo(Catalog catalog, JsonObject req) {
    String svg = bundled.logo(template(catalog, req).id());
    if (svg == null) throw ApiException.notFound("This template's logo is not bundled: see its logo URL");
    return new JsonObject().put("svg", svg);
  }

  // ---- refresh ----

  private Future<Object> refresh(JsonObject req) {
    Future<JsonObject> all = refreshAll();
    if (req.getBoolean(Bus.ASYNC, false)) {
      return Future.succeededFuture(new Reply(202, new JsonObject().put("success", true).put("status", "running")));
    }
    return all.map(o -> o);
  }

  /** Every catalog now; a refresh asked while one runs joins it. */
  private Future<JsonObject> refreshAll() {
    if (refreshingAll != null) return refreshingAll;
    publish(new JsonObject().put("status", "running").put("sources", sources.size()));
    List<Future<SourceState>> each = new ArrayList<>();
    for (String key : List.copyOf(sources.keySet())) each.add(refreshSource(key));
    refreshingAll = Future.join(each).transform(ar -> rebuild()).map(v -> {
      JsonArray status = new JsonArray();
      sources.values().forEach(s -> status.add(s.status()));
      return new JsonObject().put("success", true).put("count", catalog.size()).put("sources", status);
    });
    refreshingAll.onComplete(ar -> {
      refreshingAll = null;
      publish(new JsonObject().put("status", "done").put("count", catalog.size()));
    });
    return refreshingAll;
  }

  /** One catalog, at most {@link #PARALLEL_FETCHES} at a time; kept, cached and shared when it is still configured. */
  private Future<SourceState> refreshSource(String key) {
    Future<SourceState> already = running.get(key);
    if (already != null) return already;
    Future<SourceState> done = limited(() -> {
      SourceState before = sources.get(key);
      return before == null ? Future.succeededFuture() : refresher.refresh(before);
    }).onSuccess(after -> {
      if (after == null || !sources.containsKey(key)) return;
      sources.put(key, after);
      persist(() -> cache.save(after));
      if (after.ok() && share != null) share.put(after).onFailure(t -> LOG.debug("Could not share a template catalog: {}", t.toString()));
      publish(after.status().put("status", "source_done"));
    });
    running.put(key, done);
    done.onComplete(ar -> running.remove(key));
    return done;
  }

  private <T> Future<T> limited(Supplier<Future<T>> task) {
    io.vertx.core.Promise<T> promise = io.vertx.core.Promise.promise();
    Runnable run = () -> {
      fetching++;
      task.get().onComplete(ar -> {
        fetching--;
        if (!waiting.isEmpty()) waiting.poll().run();
        promise.handle(ar);
      });
    };
    if (fetching < PARALLEL_FETCHES) run.run();
    else waiting.add(run);
    return promise.future();
  }

  /** A new catalog from the current sources (and the bundled templates, read the first time), merged on a worker. */
  private Future<Void> rebuild() {
    List<SourceState> snapshot = List.copyOf(sources.values());
    Bundled known = bundled;
    return vertx.executeBlocking(() -> {
      Bundled b = known != null ? known : Bundled.load();
      return Map.entry(b, Catalog.build(b.templates(), snapshot));
    }).map(built -> {
      bundled = built.getKey();
      catalog = built.getValue();
      return null;
    });
  }

  /** A change of the cache files, on a worker, in the order the changes were made. */
  private void persist(CacheWrite write) {
    vertx.executeBlocking(() -> {
      write.run();
      return null;
    }).onFailure(t -> LOG.warn("Could not write the template cache in DATA_DIR: {}", t.toString()));
  }

  @FunctionalInterface
  private interface CacheWrite {
    void run() throws java.io.IOException;
  }

  private void publish(JsonObject msg) {
    vertx.eventBus().publish(Bus.EVENTS, msg.put("type", "template_refresh").put("node", config.nodeName())
        .put("ts", Instant.now().toString()));
  }

  // ---- schedule, settings, fleet ----

  /**
   * One fleet-once job per catalog: in a fleet, the node that runs it fetches the catalog and
   * shares it; the others take it from the share. A catalog fetched recently enough (by this
   * node, or taken from another) is not fetched again.
   */
  private void schedule() {
    jobs.values().forEach(vertx::cancelTimer);
    jobs.clear();
    long period = config.templates().refreshSeconds() * 1000L;
    if (period == 0) return;
    for (String key : sources.keySet()) {
      jobs.put(key, FleetOnce.schedule(vertx, new FleetOnce.Job("templates." + key, period, () -> {
        SourceState s = sources.get(key);
        if (s == null || s.fetchedAt() != null && s.fetchedAt().isAfter(Instant.now().minusMillis(period * 9 / 10))) {
          return Future.succeededFuture();
        }
        return refreshSource(key).compose(x -> rebuild());
      })));
    }
  }

  private void settingsChanged() {
    List<Settings.TemplateUrl> configured = settings.templateUrls();
    List<String> keys = configured.stream().map(SourceState::key).toList();
    if (keys.equals(List.copyOf(sources.keySet()))) return;
    Map<String, SourceState> next = new LinkedHashMap<>();
    List<String> added = new ArrayList<>();
    for (Settings.TemplateUrl u : configured) {
      SourceState known = sources.get(SourceState.key(u));
      if (known == null) added.add(SourceState.key(u));
      next.put(SourceState.key(u), known != null ? known : SourceState.notFetched(u));
    }
    sources = next;
    persist(() -> cache.keepOnly(next.keySet()));
    schedule();
    rebuild();
    added.forEach(key -> refreshSource(key).compose(s -> rebuild()));
  }

  /** Takes a catalog another node shared, when this node lists it and the shared copy is newer. */
  private void adopt(String key) {
    if (key == null || !sources.containsKey(key)) return;
    share.get(key).onSuccess(theirs -> {
      SourceState mine = sources.get(key);
      if (theirs == null || mine == null || !theirs.ok()) return;
      if (mine.fetchedAt() != null && !theirs.fetchedAt().isAfter(mine.fetchedAt())) return;
      sources.put(key, theirs);
      persist(() -> cache.save(theirs));
      rebuild();
    }).onFailure(t -> LOG.debug("Could not read a shared template catalog: {}", t.toString()));
  }
}
