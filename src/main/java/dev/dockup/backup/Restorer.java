package dev.dockup.backup;

import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.peer.PeerService;
import dev.dockup.settings.Settings;
import dev.dockup.stack.ComposeFile;
import dev.dockup.stack.StackFiles;
import dev.dockup.stack.StackHistory;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Restores an archive. It is read once with every check and nothing written; then what would
 * change is worked out (stacks added, replaced, unchanged; volumes), which is all a dry run
 * answers. Otherwise it is read again into a work folder, and the stacks are restored one at a
 * time through the stacks service (its lock and validation; each replaced file's text goes to
 * its history): files, schedule, then volume data written into the stack's created but not
 * started containers, then {@code up} when asked. A stack that fails is reported and the others
 * go on; in a move ({@code create_only}) a failure removes what was made and fails the whole.
 */
final class Restorer {
  private static final Logger LOG = LoggerFactory.getLogger(Restorer.class);

  record Options(Path file, String passphrase, List<String> stacks, Map<String, String> rename, boolean up, boolean dryRun,
                 boolean volumes, boolean settings, boolean createOnly, String by) {}

  /** One stack of the archive: under which name it goes, and what happens to it. */
  private record Plan(String from, String to, String action, List<Manifest.Volume> volumes) {}

  private final Jobs jobs;
  private final Settings settings;
  private final PeerService peers;

  Restorer(Jobs jobs, Settings settings, PeerService peers) {
    this.jobs = jobs;
    this.settings = settings;
    this.peers = peers;
  }

  Future<JsonObject> restore(Options o) {
    return jobs.blocking(() -> {
          BackupStore.Source source = BackupStore.source(o.file(), o.passphrase());
          try (InputStream in = source.open()) {
            return new Checked(source, ArchiveReader.read(in, jobs.config().backup().maxDataBytes(), source.damaged(), null));
          }
        })
        .compose(checked -> jobs.stacks(Bus.Stacks.LIST, new JsonObject(), 30_000)
            .compose(list -> jobs.blocking(() -> plan(checked.manifest(), o, list)))
            .compose(plans -> o.dryRun() ? Future.succeededFuture(answer(plans, List.of(), true).put("success", true))
                : apply(checked, plans, o)));
  }

  private record Checked(BackupStore.Source source, Manifest manifest) {}

  // ---- the plan ----

  private List<Plan> plan(Manifest m, Options o, JsonObject list) throws IOException {
    List<String> chosen = o.stacks() == null ? m.stacks() : o.stacks();
    for (String s : chosen) if (!m.stacks().contains(s)) throw ApiException.badRequest("Not in this backup: " + s);
    for (String s : o.rename().keySet()) if (!chosen.contains(s)) throw ApiException.badRequest("rename names a stack not restored: " + s);
    Map<String, JsonObject> present = new HashMap<>();
    list.getJsonArray("stacks", new JsonArray()).forEach(item -> present.put(((JsonObject) item).getString("name"), (JsonObject) item));
    List<Plan> plans = new ArrayList<>();
    Set<String> targets = new java.util.HashSet<>();
    for (String from : chosen) {
      String to = o.rename().getOrDefault(from, from);
      if (!targets.add(to)) throw ApiException.badRequest("Two stacks would be restored as " + to);
      JsonObject item = present.get(to);
      List<Manifest.Volume> volumes = o.volumes() ? m.volumes().stream().filter(v -> v.stack().equals(from)).toList() : List.of();
      String action;
      if (item == null) action = "added";
      else if (item.getBoolean("external", false)) action = "external";
      else action = sameFiles(m, from, to) ? "unchanged" : "replaced";
      if (o.createOnly() && item != null) throw ApiException.conflict("A stack named " + to + " already exists on " + jobs.node());
      plans.add(new Plan(from, to, action, volumes));
    }
    return plans;
  }

  /** Whether the stack's compose, override and .env files are the archive's, byte for byte. */
  private boolean sameFiles(Manifest m, String from, String to) throws IOException {
    Map<String, String> archived = new HashMap<>();
    String prefix = "stacks/" + from + "/";
    m.files().values().stream().filter(f -> f.path().startsWith(prefix))
        .forEach(f -> archived.put(f.path().substring(prefix.length()), f.sha256()));
    Path dir = jobs.config().stacksDir().toRealPath().resolve(to);
    Map<String, String> current = new HashMap<>();
    for (List<String> names : List.of(ComposeFile.FILE_NAMES, ComposeFile.OVERRIDE_NAMES, List.of(StackFiles.ENV_FILE))) {
      for (String n : names) {
        Path p = dir.resolve(n);
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) <= Manifest.MAX_TEXT_BYTES) {
          current.put(n, ArchiveWriter.sha256(Files.readAllBytes(p)));
          break;
        }
      }
    }
    return archived.equals(current);
  }

  // ---- applying it ----

  private Future<JsonObject> apply(Checked checked, List<Plan> plans, Options o) {
    Set<String> wanted = new java.util.HashSet<>();
    plans.forEach(p -> wanted.add(p.from()));
    return jobs.blocking(() -> {
      Path work = jobs.store().workFolder("restore");
      try (InputStream in = checked.source().open()) {
        ArchiveReader.read(in, jobs.config().backup().maxDataBytes(), checked.source().damaged(), entry -> {
          String stack = Manifest.stackOf(entry.path());
          if (stack != null && !wanted.contains(stack)) return null;
          Path target = work.resolve(entry.path()).normalize();
          if (!target.startsWith(work)) throw new IOException("entry outside the work folder");
          Files.createDirectories(target.getParent());
          return Files.newOutputStream(dev.dockup.store.AtomicFiles.createPrivate(target));
        });
      } catch (RuntimeException | IOException e) {
        StackFiles.deleteTree(work);
        throw e;
      }
      return work;
    }).compose(work -> {
      List<JsonObject> skipped = new ArrayList<>();
      List<JsonObject> restored = new ArrayList<>();
      return each(plans, 0, work, o, restored, skipped)
          .compose(v -> o.settings() ? applySettings(work, skipped) : Future.succeededFuture(new JsonObject()))
          .map(extra -> {
            JsonObject answer = answer(plans, skipped, false).put("restored", new JsonArray(restored));
            if (!extra.isEmpty()) answer.put("settings", extra);
            boolean failed = skipped.stream().anyMatch(s -> s.getBoolean("failed", false));
            return answer.put("success", !failed);
          })
          .andThen(ar -> jobs.blocking(() -> {
            StackFiles.deleteTree(work);
            return null;
          }));
    });
  }

  private Future<Void> each(List<Plan> plans, int i, Path work, Options o, List<JsonObject> restored, List<JsonObject> skipped) {
    if (i == plans.size()) return Future.succeededFuture();
    Plan p = plans.get(i);
    if (p.action().equals("external")) {
      skipped.add(new JsonObject().put("stack", p.to()).put("reason", "A stack of that name runs on the engine and is not managed by DockUp"));
      return each(plans, i + 1, work, o, restored, skipped);
    }
    return one(p, work, o)
        .map(out -> {
          restored.add(out);
          return (Void) null;
        })
        .recover(t -> {
          String why = t instanceof ApiException a ? a.getMessage() : "Internal error";
          if (!(t instanceof ApiException)) LOG.error("Restore of {} failed", p.to(), t);
          skipped.add(new JsonObject().put("stack", p.to()).put("reason", why).put("failed", true));
          if (!o.createOnly()) return Future.succeededFuture();
          // A move leaves no half-made stack behind.
          Future<JsonObject> undo = p.action().equals("added")
              ? jobs.stacks(Bus.Stacks.DELETE, new JsonObject().put(Bus.NAME, p.to()).put(Bus.FORCE, true), jobs.operationTimeoutMs())
              : Future.succeededFuture();
          return undo.transform(ar -> Future.<Void>failedFuture(t instanceof ApiException a ? a : new ApiException(500, why)));
        })
        .compose(v -> each(plans, i + 1, work, o, restored, skipped));
  }

  /** One stack: files (unless unchanged), its schedule, its volumes, then up when asked. */
  private Future<JsonObject> one(Plan p, Path work, Options o) {
    JsonObject out = new JsonObject().put("stack", p.to()).put("from", p.from()).put("action", p.action());
    Future<?> files = p.action().equals("unchanged") ? Future.succeededFuture()
        : jobs.blocking(() -> replacement(work, p, o)).compose(req -> jobs.stacks(Bus.Stacks.REPLACE, req, 180_000));
    return files
        .compose(v -> schedule(work, p))
        .compose(v -> volumes(work, p, out))
        .compose(v -> o.up()
            ? jobs.stacks(Bus.Stacks.OPERATION, new JsonObject().put(Bus.NAME, p.to()).put(Bus.OPERATION, "up"), jobs.operationTimeoutMs())
                .map(up -> out.put("started", true))
            : Future.succeededFuture(out.put("started", false)));
  }

  private JsonObject replacement(Path work, Plan p, Options o) throws IOException {
    Path dir = work.resolve("stacks").resolve(p.from());
    String composeFile = ComposeFile.FILE_NAMES.stream().filter(n -> Files.isRegularFile(dir.resolve(n))).findFirst()
        .orElseThrow(() -> ApiException.badRequest("The backup has no compose file for " + p.from()));
    JsonObject files = new JsonObject().put("compose_file", composeFile).put("compose", text(dir.resolve(composeFile)));
    ComposeFile.OVERRIDE_NAMES.stream().filter(n -> Files.isRegularFile(dir.resolve(n))).findFirst()
        .ifPresent(n -> files.put("override_file", n).put("override", text(dir.resolve(n))));
    if (Files.isRegularFile(dir.resolve(StackFiles.ENV_FILE))) files.put("env", text(dir.resolve(StackFiles.ENV_FILE)));
    JsonObject history = new JsonObject();
    JsonObject meta = null;
    Path h = work.resolve("history").resolve(p.from());
    if (Files.isDirectory(h)) {
      try (DirectoryStream<Path> versions = Files.newDirectoryStream(h)) {
        for (Path v : versions) {
          String name = v.getFileName().toString();
          if (StackHistory.kind(name) != null) history.put(name, text(v));
        }
      }
      if (Files.isRegularFile(h.resolve(StackHistory.META))) {
        JsonObject all = new JsonObject(text(h.resolve(StackHistory.META)));
        meta = all.getValue("versions") instanceof JsonObject v ? v : null;
      }
    }
    return new JsonObject().put(Bus.NAME, p.to()).put("files", files).put("history", history).put("history_meta", meta)
        .put("create_only", o.createOnly()).put(Bus.BY, o.by());
  }

  private static String text(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The stack's schedule as the archive has it, through the schedule service (so its timer is armed). */
  private Future<Void> schedule(Path work, Plan p) {
    return jobs.blocking(() -> {
      Path file = work.resolve("config/schedules.json");
      if (!Files.isRegularFile(file)) return null;
      JsonObject all = new JsonObject(text(file)).getJsonObject("schedules", new JsonObject());
      return all.getValue(p.from()) instanceof JsonObject s ? s : null;
    }).compose(s -> s == null ? Future.<Void>succeededFuture()
        : jobs.ask(Bus.schedules(jobs.node()), Bus.Schedules.PUT, new JsonObject().put(Bus.NAME, p.to()).put("body", s), 30_000)
            .mapEmpty());
  }

  /**
   * The stack's containers made (stopped first if they run), then each mount's data written
   * through the Engine into the container of the service that had it, at the same place.
   */
  private Future<Void> volumes(Path work, Plan p, JsonObject out) {
    out.put("volumes", 0);
    if (p.volumes().isEmpty()) return Future.succeededFuture();
    return jobs.blocking(() -> jobs.engine().anyRunning(p.to()))
        .compose(running -> running
            ? jobs.stacks(Bus.Stacks.OPERATION, new JsonObject().put(Bus.NAME, p.to()).put(Bus.OPERATION, "stop"), jobs.operationTimeoutMs())
            : Future.succeededFuture())
        .compose(v -> jobs.stacks(Bus.Stacks.CREATE, new JsonObject().put(Bus.NAME, p.to()), jobs.operationTimeoutMs()))
        .compose(v -> jobs.blocking(() -> {
          JsonArray missing = new JsonArray();
          int written = 0;
          for (Manifest.Volume vol : p.volumes()) {
            String container = jobs.engine().containerFor(p.to(), vol.service(), vol.destination());
            if (container == null) {
              missing.add(new JsonObject().put("service", vol.service()).put("destination", vol.destination())
                  .put("reason", "no container of the service mounts it"));
              continue;
            }
            String parent = vol.destination().substring(0, vol.destination().lastIndexOf('/'));
            try (InputStream in = Files.newInputStream(work.resolve(vol.path()))) {
              jobs.engine().write(container, parent.isEmpty() ? "/" : parent, in);
            }
            written++;
          }
          out.put("volumes", written);
          if (!missing.isEmpty()) out.put("volumes_skipped", missing);
          return null;
        }));
  }

  /** Settings (without notification URLs, which backups do not hold) and peers this node lacks (without their tokens). */
  private Future<JsonObject> applySettings(Path work, List<JsonObject> skipped) {
    return jobs.blocking(() -> {
      Path s = work.resolve("config/settings.json");
      Path pe = work.resolve("config/peers.json");
      return new JsonObject[] {Files.isRegularFile(s) ? new JsonObject(text(s)) : new JsonObject(),
          Files.isRegularFile(pe) ? new JsonObject(text(pe)) : new JsonObject()};
    }).compose(docs -> {
      JsonObject wanted = docs[0];
      wanted.remove(Settings.NOTIFICATION_URLS);
      Future<JsonObject> applied = wanted.isEmpty() ? Future.succeededFuture(new JsonObject())
          : settings.update(wanted).recover(t -> {
            skipped.add(new JsonObject().put("entry", "config/settings.json").put("reason", t.getMessage()));
            return Future.succeededFuture(null);
          });
      return applied.compose(done -> addPeers(docs[1], skipped)
          .map(added -> new JsonObject().put("applied", done != null).put("peers_added", added)
              .put("note", "Notification URLs and peer tokens are not kept in backups: set them again")));
    });
  }

  private Future<JsonArray> addPeers(JsonObject doc, List<JsonObject> skipped) {
    JsonArray added = new JsonArray();
    Future<Void> chain = Future.succeededFuture();
    for (Object o : doc.getJsonArray("peers", new JsonArray())) {
      if (!(o instanceof JsonObject p) || peers.get(p.getString("id")) != null) continue;
      JsonObject body = new JsonObject().put("id", p.getValue("id")).put("name", p.getValue("name")).put("url", p.getValue("url"))
          .put("enabled", p.getValue("enabled"));
      chain = chain.compose(v -> peers.add(body)
          .map(peer -> {
            added.add(peer.id());
            return (Void) null;
          })
          .recover(t -> {
            skipped.add(new JsonObject().put("entry", "peer " + body.getValue("id")).put("reason", t.getMessage()));
            return Future.succeededFuture();
          }));
    }
    return chain.map(added);
  }

  /** What the restore does (or would do): stacks by outcome, and the volumes. */
  private static JsonObject answer(List<Plan> plans, List<JsonObject> skipped, boolean dryRun) {
    Map<String, JsonArray> by = new LinkedHashMap<>();
    for (String a : List.of("added", "replaced", "unchanged")) by.put(a, new JsonArray());
    JsonArray volumes = new JsonArray();
    List<JsonObject> all = new ArrayList<>(skipped);
    for (Plan p : plans) {
      if (p.action().equals("external")) {
        if (dryRun) all.add(new JsonObject().put("stack", p.to()).put("reason", "A stack of that name runs on the engine and is not managed by DockUp"));
        continue;
      }
      by.get(p.action()).add(p.to());
      p.volumes().forEach(v -> volumes.add(new JsonObject().put("stack", p.to()).put("service", v.service())
          .put("destination", v.destination()).put("type", v.type())));
    }
    JsonObject out = new JsonObject().put("dry_run", dryRun);
    by.forEach(out::put);
    return out.put("volumes", volumes).put("skipped", new JsonArray(all));
  }
}
