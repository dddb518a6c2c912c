package dev.dockup.backup;

import dev.dockup.DockUpVersion;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.peer.PeerService;
import dev.dockup.schedule.ScheduleVerticle;
import dev.dockup.settings.Settings;
import dev.dockup.stack.ComposeFile;
import dev.dockup.stack.StackFiles;
import dev.dockup.stack.StackHistory;
import dev.dockup.store.JsonFile;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes an archive: every chosen stack's compose, override and {@code .env} files and their
 * history, the schedules, the settings and the HTTP peers (no secret: notification URLs and
 * peer tokens are left out), and with {@code volumes} each stack's named volumes and bind
 * mounts, read from its own containers (stopped around the copy with {@code stop}, then
 * started again). The archive is written to a work folder, read back and checked entry by
 * entry, and only then published (or handed to a move).
 */
final class Creator {
  private static final Logger LOG = LoggerFactory.getLogger(Creator.class);

  /** What to back up; {@code stacks} null means every stack DockUp manages here. */
  record Options(List<String> stacks, boolean volumes, boolean stop, String passphrase) {}

  /** A made archive: where it is, its name (published ones) and what it holds. */
  record Result(Path file, String name, long size, List<String> stacks, int volumes, List<EngineArchive.Skipped> skipped,
                boolean encrypted, Path work) {
    JsonObject toJson() {
      JsonArray s = new JsonArray();
      skipped.forEach(k -> s.add(k.toJson()));
      return new JsonObject().put("success", true).put("backup_file", name).put("size", size).put("stacks", new JsonArray(stacks))
          .put("volumes", volumes).put("encrypted", encrypted).put("skipped", s);
    }
  }

  private final Jobs jobs;
  private final Settings settings;
  private final PeerService peers;

  Creator(Jobs jobs, Settings settings, PeerService peers) {
    this.jobs = jobs;
    this.settings = settings;
    this.peers = peers;
  }

  /** The archive, in a work folder of its own ({@link Result#work}); the caller publishes it or removes that folder. */
  Future<Result> create(Options o) {
    Instant created = Instant.now();
    return chosen(o.stacks()).compose(stacks -> jobs.blocking(() -> jobs.store().workFolder("create")).compose(work -> {
      List<ArchiveWriter.Entry> entries = new ArrayList<>();
      List<Manifest.Volume> volumes = new ArrayList<>();
      List<EngineArchive.Skipped> skipped = new ArrayList<>();
      Future<Void> files = jobs.blocking(() -> {
        for (String s : stacks) entries.addAll(stackFiles(s));
        entries.addAll(configFiles(stacks));
        return null;
      });
      Future<Void> data = o.volumes() ? files.compose(v -> volumes(stacks, o.stop(), work, entries, volumes, skipped, 0)) : files;
      return data.compose(v -> jobs.blocking(() -> {
            Encryption.Key key = o.passphrase() == null ? null : Encryption.newKey(o.passphrase());
            Manifest manifest = ArchiveWriter.manifest(DockUpVersion.VERSION, created, jobs.node(), o.volumes() ? "volumes" : "config",
                stacks, entries, volumes);
            Path file = work.resolve("archive");
            ArchiveWriter.write(file, manifest, entries, key, created);
            // Read back whole, as a restore would, before anyone may count on it.
            BackupStore.Source source = new BackupStore.Source(file, key);
            try (InputStream in = source.open()) {
              ArchiveReader.read(in, jobs.config().backup().maxDataBytes(), source.damaged(), null);
            }
            return new Result(file, jobs.store().newName(created, key != null), Files.size(file), stacks, volumes.size(),
                List.copyOf(skipped), key != null, work);
          }))
          .onFailure(t -> jobs.blocking(() -> {
            StackFiles.deleteTree(work);
            return null;
          }));
    }));
  }

  /** The stacks asked for, each one DockUp manages here; all of them when none is named. */
  private Future<List<String>> chosen(List<String> asked) {
    return jobs.stacks(Bus.Stacks.LIST, new JsonObject(), 30_000).map(list -> {
      List<String> managed = new ArrayList<>();
      List<String> external = new ArrayList<>();
      list.getJsonArray("stacks", new JsonArray()).forEach(o -> {
        JsonObject item = (JsonObject) o;
        (item.getBoolean("external", false) ? external : managed).add(item.getString("name"));
      });
      if (asked == null) return managed.stream().sorted().toList();
      for (String name : asked) {
        if (external.contains(name)) throw ApiException.conflict("Stack is not managed by DockUp: " + name);
        if (!managed.contains(name)) throw ApiException.notFound("Stack not found: " + name);
      }
      return List.copyOf(asked);
    });
  }

  /** The stack's compose file (the one compose reads), its override, its .env, and its history. */
  private List<ArchiveWriter.Entry> stackFiles(String name) throws IOException {
    Path root = jobs.config().stacksDir().toRealPath();
    Path dir = root.resolve(name);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) throw ApiException.notFound("Stack not found: " + name);
    List<ArchiveWriter.Entry> out = new ArrayList<>();
    first(dir, ComposeFile.FILE_NAMES).ifPresent(f -> out.add(read(dir.resolve(f), "stacks/" + name + "/" + f, Manifest.MAX_TEXT_BYTES)));
    first(dir, ComposeFile.OVERRIDE_NAMES).ifPresent(f -> out.add(read(dir.resolve(f), "stacks/" + name + "/" + f, Manifest.MAX_TEXT_BYTES)));
    if (Files.isRegularFile(dir.resolve(StackFiles.ENV_FILE), LinkOption.NOFOLLOW_LINKS)) {
      out.add(read(dir.resolve(StackFiles.ENV_FILE), "stacks/" + name + "/" + StackFiles.ENV_FILE, Manifest.MAX_TEXT_BYTES));
    }
    Path history = StackHistory.folder(jobs.config().dataDir().toRealPath().resolve("history"), name);
    if (Files.isDirectory(history, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> versions = Files.newDirectoryStream(history)) {
        for (Path p : versions) {
          String f = p.getFileName().toString();
          long limit = Manifest.limitFor("history/" + name + "/" + f, 0);
          if (limit > 0 && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) out.add(read(p, "history/" + name + "/" + f, limit));
        }
      }
    }
    return out;
  }

  private static java.util.Optional<String> first(Path dir, List<String> names) {
    return names.stream().filter(n -> Files.isRegularFile(dir.resolve(n), LinkOption.NOFOLLOW_LINKS)).findFirst();
  }

  private static ArchiveWriter.Entry read(Path file, String path, long limit) {
    try {
      if (Files.size(file) > limit) throw new ApiException(413, path + " is larger than " + limit + " bytes");
      byte[] bytes = Files.readAllBytes(file);
      return new ArchiveWriter.Entry(path, bytes, null, bytes.length, ArchiveWriter.sha256(bytes));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The schedules of these stacks, the settings and the peers, without their secrets. */
  private List<ArchiveWriter.Entry> configFiles(List<String> stacks) throws IOException {
    JsonObject stored = new JsonFile(jobs.config().dataDir().resolve(ScheduleVerticle.FILE)).read();
    JsonObject all = stored.getValue("schedules") instanceof JsonObject o ? o : new JsonObject();
    JsonObject chosen = new JsonObject();
    stacks.forEach(s -> {
      if (all.getValue(s) instanceof JsonObject sched) chosen.put(s, sched);
    });
    JsonObject view = settings.view();
    view.remove(Settings.NOTIFICATION_URLS);
    return List.of(
        ArchiveWriter.Entry.text("config/schedules.json", new JsonObject().put("schedules", chosen).encodePrettily()),
        ArchiveWriter.Entry.text("config/settings.json", view.encodePrettily()),
        ArchiveWriter.Entry.text("config/peers.json", new JsonObject().put("peers", peers.views()).encodePrettily()));
  }

  /**
   * One stack at a time: its mounts found, the stack stopped when asked (and running), each
   * mount copied to a work file, the stack started again whatever happened.
   */
  private Future<Void> volumes(List<String> stacks, boolean stop, Path work, List<ArchiveWriter.Entry> entries,
                               List<Manifest.Volume> volumes, List<EngineArchive.Skipped> skipped, int index) {
    if (index == stacks.size()) return Future.succeededFuture();
    String stack = stacks.get(index);
    return jobs.blocking(() -> {
          if (jobs.engine().containers(stack).isEmpty()) {
            skipped.add(new EngineArchive.Skipped(stack, "volumes", "the stack has no containers to read its volumes from"));
          }
          return new Found(jobs.engine().mounts(stack, skipped), jobs.engine().anyRunning(stack));
        })
        .compose(found -> {
          List<EngineArchive.Mount> mounts = found.mounts();
          boolean stopIt = stop && found.running() && !mounts.isEmpty();
          Future<JsonObject> stopped = stopIt
              ? jobs.stacks(Bus.Stacks.OPERATION, new JsonObject().put(Bus.NAME, stack).put(Bus.OPERATION, "stop"), jobs.operationTimeoutMs())
              : Future.succeededFuture();
          return stopped
              .compose(v -> jobs.blocking(() -> {
                for (EngineArchive.Mount m : mounts) {
                  String path = "volumes/" + stack + "/" + volumes.size() + ".tar";
                  try (InputStream in = jobs.engine().read(m.container(), m.destination())) {
                    if (in == null) {
                      skipped.add(new EngineArchive.Skipped(stack, m.destination(), "neither a folder nor a file (a socket or a device)"));
                      continue;
                    }
                    entries.add(ArchiveWriter.copy(path, in, work.resolve(volumes.size() + ".tar")));
                  }
                  volumes.add(new Manifest.Volume(stack, m.service(), m.destination(), m.type(), m.name(), path));
                }
                return null;
              }))
              .transform(copied -> {
                if (!stopIt) return copied.succeeded() ? Future.<Void>succeededFuture() : Future.failedFuture(copied.cause());
                return jobs.stacks(Bus.Stacks.OPERATION, new JsonObject().put(Bus.NAME, stack).put(Bus.OPERATION, "up"), jobs.operationTimeoutMs())
                    .onFailure(t -> LOG.warn("{} was stopped for its backup and did not start again: {}", stack, t.getMessage()))
                    .transform(up -> copied.succeeded() ? Future.<Void>succeededFuture() : Future.failedFuture(copied.cause()));
              });
        })
        .compose(v -> volumes(stacks, stop, work, entries, volumes, skipped, index + 1));
  }

  private record Found(List<EngineArchive.Mount> mounts, boolean running) {}
}
