package dev.dockup.backup;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Services;
import dev.dockup.fleet.Remote;
import dev.dockup.peer.PeerService;
import dev.dockup.settings.Settings;
import dev.dockup.stack.StackFiles;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The backup service of this node ({@code dockup.<node>.backups}): archives made, listed,
 * deleted and restored, stacks moved to other nodes and received from them. Its file and Engine
 * I/O runs on a worker pool of its own, never on its event loop. One job (backup, restore or
 * move) runs at a time: another is refused with 409 rather than queued behind hours of copying.
 */
public final class BackupVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(BackupVerticle.class);
  /** Where an HTTP upload is streamed before it is restored: a name the service recognises as its own. */
  public static final String UPLOAD_PREFIX = "upload-";
  private static final java.util.regex.Pattern UPLOAD = java.util.regex.Pattern.compile("^upload-[0-9a-f-]{36}$");

  private final Config config;
  private final Settings settings;
  private final PeerService peers;
  private final Remote remote;
  private BackupStore store;
  private EngineArchive engine;
  private WorkerExecutor work;
  private Jobs jobs;
  private Creator creator;
  private Restorer restorer;
  private Mover mover;
  private Receiver receiver;
  /** The job running, or null. */
  private String busy;

  public BackupVerticle(Config config, Settings settings, PeerService peers, Remote remote) {
    this.config = config;
    this.settings = settings;
    this.peers = peers;
    this.remote = remote;
  }

  /** Where uploads wait: {@code DATA_DIR/backups/.staging}. */
  public static Path staging(Config config) {
    return config.dataDir().resolve("backups").resolve(".staging");
  }

  @Override
  public Future<?> start() {
    work = vertx.createSharedWorkerExecutor("dockup-backup", 4, 24, TimeUnit.HOURS);
    engine = new EngineArchive(config.dockerHost());
    return work.executeBlocking(() -> {
          BackupStore s = new BackupStore(config.dataDir());
          int left = s.clearStaging();
          if (left > 0) LOG.info("Removed {} leftover(s) of interrupted backups, restores or moves", left);
          return s;
        }, false)
        .compose(s -> {
          store = s;
          jobs = new Jobs(vertx, config, store, engine, work);
          creator = new Creator(jobs, settings, peers);
          restorer = new Restorer(jobs, settings, peers);
          mover = new Mover(jobs, creator, remote);
          receiver = new Receiver(jobs, restorer, this::exclusive);
          receiver.start();
          Map<String, Function<JsonObject, Future<?>>> actions = new HashMap<>();
          actions.put(Bus.Backups.CREATE, this::create);
          actions.put(Bus.Backups.LIST, req -> jobs.blocking(store::list));
          actions.put(Bus.Backups.DELETE, req -> jobs.blocking(() -> {
            store.delete(req.getString("file"));
            return new JsonObject().put("success", true).put("file", req.getString("file"));
          }));
          actions.put(Bus.Backups.RESTORE, this::restore);
          actions.put(Bus.Backups.MOVE, req -> exclusive(() -> mover.move(req)));
          actions.put(Bus.Backups.RECEIVE_BEGIN, receiver::begin);
          actions.put(Bus.Backups.RECEIVE_CHUNK, receiver::chunk);
          actions.put(Bus.Backups.RECEIVE_END, receiver::end);
          actions.put(Bus.Backups.RECEIVE_ABORT, receiver::abort);
          return vertx.eventBus().<JsonObject>localConsumer(Bus.backups(config.nodeName()), m -> Services.serve(m, actions)).completion();
        });
  }

  @Override
  public Future<?> stop() throws Exception {
    engine.close();
    return work.close();
  }

  /** One job at a time on this node. */
  private Future<JsonObject> exclusive(Supplier<Future<JsonObject>> job) {
    if (busy != null) throw ApiException.conflict("A backup, restore or move is already running on " + config.nodeName() + " (" + busy + ")");
    busy = "started " + java.time.Instant.now();
    Future<JsonObject> f;
    try {
      f = job.get();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.andThen(ar -> busy = null);
  }

  /** {@code {stacks?, volumes?, stop?, passphrase?, trigger?}}: made, checked, published, then the oldest beyond BACKUP_KEEP go. */
  private Future<JsonObject> create(JsonObject req) {
    List<String> stacks = names(req.getValue("stacks"));
    Encryption.checkPassphrase(req.getValue("passphrase"));
    Creator.Options o = new Creator.Options(stacks, flag(req, "volumes", false), flag(req, "stop", false), req.getString("passphrase"));
    return exclusive(() -> creator.create(o).compose(made -> jobs.blocking(() -> {
      try {
        store.publish(made.file(), made.name());
      } finally {
        StackFiles.deleteTree(made.work());
      }
      List<String> removed = store.retain(config.backup().keep());
      LOG.info("Backup {} made ({} bytes, {} stack(s), {} volume(s){}){}", made.name(), made.size(), made.stacks().size(),
          made.volumes(), made.encrypted() ? ", encrypted" : "", "schedule".equals(req.getString("trigger")) ? " on schedule" : "");
      return made.toJson().put("removed", new JsonArray(removed));
    })));
  }

  /**
   * {@code {backup_file | upload, passphrase?, stacks?, rename?, up?, dry_run?, volumes?, settings?, by?}};
   * an upload (the HTTP front's file in the staging folder) is removed once done.
   */
  private Future<JsonObject> restore(JsonObject req) {
    Path upload = upload(req.getValue("upload"));
    Future<JsonObject> done;
    try {
      Encryption.checkPassphrase(req.getValue("passphrase"));
      Path file = upload != null ? upload : store.existing(req.getString("backup_file"));
      List<String> stacks = names(req.getValue("stacks"));
      Restorer.Options o = new Restorer.Options(file, req.getString("passphrase"), stacks, rename(req.getValue("rename")),
          flag(req, "up", false), flag(req, "dry_run", false), flag(req, "volumes", true), flag(req, "settings", false), false,
          req.getString(Bus.BY));
      done = exclusive(() -> restorer.restore(o));
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    if (upload == null) return done;
    // Gone before the answer: a refused upload leaves nothing behind.
    return done.transform(ar -> jobs.blocking(() -> Files.deleteIfExists(upload))
        .transform(v -> ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.<JsonObject>failedFuture(ar.cause())));
  }

  /** The upload's path, only when it is one the HTTP front streamed into the staging folder. */
  private Path upload(Object raw) {
    if (raw == null) return null;
    if (!(raw instanceof String s)) throw ApiException.badRequest("Invalid upload");
    Path p = Path.of(s);
    Path dir = staging(config).toAbsolutePath().normalize();
    if (!dir.equals(p.getParent()) || !UPLOAD.matcher(p.getFileName().toString()).matches()
        || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      throw ApiException.badRequest("Invalid upload");
    }
    return p;
  }

  /** A list of stack names (JSON list or comma-separated), or null for "all". */
  static List<String> names(Object raw) {
    if (raw == null) return null;
    List<String> out = new ArrayList<>();
    if (raw instanceof String s) {
      for (String part : s.split(",")) if (!part.isBlank()) out.add(part.trim());
    } else if (raw instanceof JsonArray a) {
      for (Object o : a) {
        if (!(o instanceof String s)) throw ApiException.badRequest("stacks must be a list of stack names");
        out.add(s);
      }
    } else {
      throw ApiException.badRequest("stacks must be a list of stack names");
    }
    for (String s : out) StackFiles.checkName(s);
    return out.stream().distinct().toList();
  }

  private static Map<String, String> rename(Object raw) {
    if (raw == null) return Map.of();
    if (!(raw instanceof JsonObject o)) throw ApiException.badRequest("rename must be an object {\"old\":\"new\"}");
    Map<String, String> out = new LinkedHashMap<>();
    o.forEach(e -> {
      StackFiles.checkName(e.getKey());
      if (!(e.getValue() instanceof String to)) throw ApiException.badRequest("rename must map names to names");
      StackFiles.checkName(to);
      out.put(e.getKey(), to);
    });
    return out;
  }

  private static boolean flag(JsonObject req, String key, boolean fallback) {
    Object v = req.getValue(key);
    if (v == null) return fallback;
    if (v instanceof Boolean b) return b;
    if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) return Boolean.parseBoolean(s);
    throw ApiException.badRequest(key + " must be true or false");
  }
}
