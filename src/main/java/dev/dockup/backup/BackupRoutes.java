package dev.dockup.backup;

import dev.dockup.Config;
import dev.dockup.auth.Principal;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.fleet.NodeTarget;
import dev.dockup.fleet.Remote;
import dev.dockup.stack.StackFiles;
import dev.dockup.web.Access;
import dev.dockup.web.Api;
import dev.dockup.web.Route;
import dev.dockup.web.RouteGroup;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerFileUpload;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static dev.dockup.web.Schema.any;
import static dev.dockup.web.Schema.array;
import static dev.dockup.web.Schema.bool;
import static dev.dockup.web.Schema.integer;
import static dev.dockup.web.Schema.mapOf;
import static dev.dockup.web.Schema.object;
import static dev.dockup.web.Schema.ref;
import static dev.dockup.web.Schema.string;

/**
 * Backups, restores and moves, all {@code admin}: archives are made, listed, downloaded (only
 * with a credential: never a public static path), deleted and restored; a stack moves to
 * another node. A restore takes the 1.3.0 document's {@code {"backup_file"}} or a multipart
 * upload (field {@code file}), which is streamed to disk within {@code BACKUP_MAX_UPLOAD} and
 * never held in memory, so it is read here rather than by the table's 1 MiB body reader.
 */
public final class BackupRoutes implements RouteGroup {
  /** A backup, restore or move answers when it is done, however long its volumes take to copy. */
  static final long JOB_TIMEOUT_MS = 24L * 3600_000;
  static final long MAX_JSON = 1024 * 1024;

  private final Config config;
  private final NodeTarget target;

  public BackupRoutes(Config config, Remote remote) {
    this.config = config;
    this.target = new NodeTarget(config.nodeName(), remote, "backups", Bus.backups(config.nodeName()));
  }

  @Override
  public String tag() {
    return "backups";
  }

  @Override
  public List<Route> routes() {
    return List.of(
        Route.post("/api/backup/create", Access.ADMIN, "createBackup",
                "Back up the stacks' files, history, schedules, settings and peers (no secrets); with volumes, their data too")
            .request(ref("BackupRequest"))
            .query("stacks", string(), "Comma-separated stacks to back up (default: all)")
            .response(ref("BackupMade")).errors(400, 404, 409, 503).perNode().handle(this::create),
        Route.get("/api/backups", Access.ADMIN, "listBackups", "The archives kept on this node, newest first")
            .response(object("backups", array(object("file", string(), "size", integer(), "created", string(), "encrypted", bool(),
                "kind?", string(), "node?", string(), "stacks?", array(string())))))
            .perNode().handle(ctx -> target.forward(ctx, Bus.Backups.LIST, new JsonObject(), Api.DEFAULT_TIMEOUT_MS)),
        Route.get("/api/backup/download/{file}", Access.ADMIN, "downloadBackup", "One archive")
            .produces("application/gzip").errors(400, 404).handle(this::download),
        Route.get("/static/backups/{file}", Access.ADMIN, "downloadBackupStatic",
                "The same, at the 1.3.0 path, now with authentication")
            .produces("application/gzip").errors(400, 404).handle(this::download),
        Route.delete("/api/backups/{file}", Access.ADMIN, "deleteBackup", "Delete one archive")
            .response(object("success", bool(), "file", string())).errors(400, 404).perNode()
            .handle(ctx -> target.forward(ctx, Bus.Backups.DELETE, new JsonObject().put("file", ctx.pathParam("file")), Api.DEFAULT_TIMEOUT_MS)),
        Route.of(Set.of(HttpMethod.POST), "/api/backup/restore", Access.ADMIN, "restoreBackup",
                "Restore from a kept archive ({\"backup_file\"}) or an uploaded one (multipart, field file, options as the field options)")
            // Streamed: the table does not collect it (1 MiB at most); an upload goes to disk here.
            .streamedRequest(new JsonObject()
                .put(Route.JSON, new JsonObject().put("schema", ref("RestoreRequest")))
                .put("multipart/form-data", new JsonObject().put("schema", object(
                    "file", string().put("contentEncoding", "binary").put("description", "The archive"),
                    "options?", ref("RestoreRequest")))))
            .description("The body is a RestoreRequest (JSON), or multipart/form-data with the archive as the field file and a"
                + " RestoreRequest as the field options. Every entry is checked before anything is written; a bad archive is refused"
                + " whole. dry_run answers what would change. Stacks are restored one at a time and started only with up. An upload"
                + " goes to this node only.")
            .query("dry_run", bool(), "Answer what would change, changing nothing")
            .response(ref("RestoreDone")).errors(400, 404, 409, 413).perNode().handle(this::restore),
        Route.post("/api/stack/{name}/move", Access.ADMIN, "moveStack",
                "Move the stack to another node of the fleet: backed up here, restored and started there, then trashed here")
            .request(object("node", string("The target node"), "volumes?", bool("Move its volume data too"),
                "up?", bool("Start it on the target (default true)"), "stop?", bool("Stop it here while it is copied")))
            .response(object("success", bool(), "operation_id", string(), "stack", string(), "node", string(), "target", string(),
                "output", array(string()), "restore?", any()))
            .errors(400, 404, 409, 503).perNode().handle(this::move));
  }

  @Override
  public Map<String, JsonObject> schemas() {
    return Map.of(
        "BackupRequest", object("stacks?", array(string()), "volumes?", bool("Also the stacks' named volumes and bind mounts"),
            "stop?", bool("Stop each stack around the copy of its volumes, then start it again"),
            "passphrase?", string("Encrypt the archive (AES-256-GCM, key from PBKDF2); never stored")),
        "BackupMade", object("success", bool(), "backup_file", string(), "size", integer(), "stacks", array(string()),
            "volumes", integer(), "encrypted", bool(), "skipped", array(any()), "removed", array(string("Archives dropped by BACKUP_KEEP"))),
        "RestoreRequest", object("backup_file?", string(), "passphrase?", string(), "stacks?", array(string()),
            "rename?", mapOf(string()), "up?", bool(), "dry_run?", bool(), "volumes?", bool("Write volume data back (default true)"),
            "settings?", bool("Also apply the settings and add missing peers (default false)")),
        "RestoreDone", object("success", bool(), "dry_run", bool(), "added", array(string()), "replaced", array(string()),
            "unchanged", array(string()), "volumes", array(any()), "restored?", array(any()), "skipped", array(any()),
            "settings?", any()));
  }

  private void create(RoutingContext ctx) {
    JsonObject body = Api.body(ctx);
    JsonObject req = new JsonObject();
    Object stacks = body.getValue("stacks") != null ? body.getValue("stacks") : ctx.request().getParam("stacks");
    if (stacks != null) req.put("stacks", stacks);
    for (String key : List.of("volumes", "stop", "passphrase")) {
      if (body.getValue(key) != null) req.put(key, body.getValue(key));
    }
    target.forward(ctx, Bus.Backups.CREATE, req, JOB_TIMEOUT_MS);
  }

  private void move(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    StackFiles.checkName(name);
    JsonObject body = Api.body(ctx);
    JsonObject req = new JsonObject().put(Bus.NAME, name).put(Bus.NODE, body.getValue("node")).put(Bus.BY, by(ctx));
    for (String key : List.of("volumes", "up", "stop")) {
      if (body.getValue(key) != null) req.put(key, body.getValue(key));
    }
    if (!(req.getValue(Bus.NODE) instanceof String)) throw ApiException.badRequest("node is required");
    target.forward(ctx, Bus.Backups.MOVE, req, JOB_TIMEOUT_MS);
  }

  private void download(RoutingContext ctx) {
    String file = ctx.pathParam("file");
    if (file == null || !BackupStore.NAME.matcher(file).matches()) {
      Api.error(ctx, 400, "Invalid backup file name");
      return;
    }
    Path path = config.dataDir().resolve("backups").resolve(file);
    ctx.vertx().fileSystem().lprops(path.toString()).onComplete(ar -> {
      if (ar.failed() || !ar.result().isRegularFile()) {
        Api.error(ctx, 404, "Backup not found");
        return;
      }
      ctx.response()
          .putHeader(HttpHeaders.CONTENT_TYPE, file.endsWith(".enc") ? "application/octet-stream" : "application/gzip")
          .putHeader("Content-Disposition", "attachment; filename=\"" + file + "\"")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
          .sendFile(path.toString());
    });
  }

  // ---- restore: JSON or a streamed upload ----

  private void restore(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null && type.toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
      if (!target.node(ctx).equals(config.nodeName())) {
        Api.error(ctx, 400, "Upload an archive to the node that restores it");
        return;
      }
      upload(ctx);
    } else {
      json(ctx);
    }
  }

  private void json(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    if (length(req) > MAX_JSON) {
      tooLarge(ctx, "Request body is larger than " + MAX_JSON / 1024 + " KiB");
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    req.handler(chunk -> {
      if (refused[0]) return;
      if (body.length() + chunk.length() > MAX_JSON) {
        refused[0] = true;
        tooLarge(ctx, "Request body is larger than " + MAX_JSON / 1024 + " KiB");
      } else {
        body.appendBuffer(chunk);
      }
    });
    req.endHandler(v -> {
      if (refused[0]) return;
      JsonObject parsed;
      try {
        Object value = body.length() == 0 ? new JsonObject() : io.vertx.core.json.Json.decodeValue(body);
        parsed = (JsonObject) value;
      } catch (DecodeException | ClassCastException | IllegalStateException e) {
        Api.error(ctx, 400, "Request body must be a JSON object");
        return;
      }
      try {
        target.forward(ctx, Bus.Backups.RESTORE, options(ctx, parsed, false), JOB_TIMEOUT_MS);
      } catch (ApiException e) {
        Api.fail(ctx, e);
      }
    });
    req.resume();
  }

  /**
   * The field {@code file} streamed to an owner-only file in the staging folder, within
   * {@code BACKUP_MAX_UPLOAD} (past it: 413, connection closed, file removed); the other
   * fields ({@code options} as JSON, or {@code passphrase}, {@code stacks}, {@code up},
   * {@code dry_run}, {@code volumes}, {@code settings}) say what to restore.
   */
  private void upload(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    long max = config.backup().maxUploadBytes();
    // The multipart framing around the file is small; a body announced larger than this cannot fit.
    if (length(req) > max + 64 * 1024) {
      tooLarge(ctx, "Upload is larger than BACKUP_MAX_UPLOAD (" + max + " bytes)");
      return;
    }
    Path file = BackupVerticle.staging(config).toAbsolutePath().normalize().resolve(BackupVerticle.UPLOAD_PREFIX + UUID.randomUUID());
    Promise<Boolean> stored = Promise.promise();
    long[] count = {0};
    boolean[] failed = {false};
    boolean[] seen = {false};
    req.setExpectMultipart(true);
    req.uploadHandler(up -> {
      if (!"file".equals(up.name()) || seen[0]) {
        up.handler(b -> { });
        return;
      }
      seen[0] = true;
      up.pause();
      ctx.vertx().fileSystem().mkdirs(file.getParent().toString(), "rwx------")
          .compose(v -> ctx.vertx().fileSystem().open(file.toString(), new OpenOptions().setCreateNew(true).setWrite(true).setPerms("rw-------")))
          .onFailure(t -> {
            failed[0] = true;
            stored.tryFail(t);
            ctx.fail(t);
          })
          .onSuccess(out -> stream(ctx, up, out, file, max, count, failed, stored));
    });
    req.exceptionHandler(t -> {
      failed[0] = true;
      ctx.vertx().fileSystem().delete(file.toString());
    });
    req.endHandler(v -> {
      if (failed[0]) return;
      if (!seen[0]) stored.tryComplete(false);
      stored.future().onSuccess(ok -> {
        if (!ok) {
          Api.error(ctx, 400, "A multipart restore needs the archive in a field named file");
          return;
        }
        try {
          JsonObject options = formOptions(req.formAttributes());
          target.forward(ctx, Bus.Backups.RESTORE, options(ctx, options, true).put("upload", file.toString()), JOB_TIMEOUT_MS);
        } catch (ApiException e) {
          ctx.vertx().fileSystem().delete(file.toString());
          Api.fail(ctx, e);
        }
      });
    });
    req.resume();
  }

  private void stream(RoutingContext ctx, HttpServerFileUpload up, AsyncFile out, Path file, long max, long[] count, boolean[] failed,
                      Promise<Boolean> stored) {
    up.handler(buf -> {
      if (failed[0]) return;
      count[0] += buf.length();
      if (count[0] > max) {
        failed[0] = true;
        out.close().onComplete(c -> ctx.vertx().fileSystem().delete(file.toString()));
        tooLarge(ctx, "Upload is larger than BACKUP_MAX_UPLOAD (" + max + " bytes)");
        return;
      }
      out.write(buf);
      if (out.writeQueueFull()) {
        up.pause();
        out.drainHandler(v -> up.resume());
      }
    });
    up.exceptionHandler(t -> {
      failed[0] = true;
      out.close().onComplete(c -> ctx.vertx().fileSystem().delete(file.toString()));
    });
    up.endHandler(v -> out.close().onComplete(ar -> {
      if (ar.succeeded()) stored.tryComplete(true);
      else stored.tryFail(ar.cause());
    }));
    up.resume();
  }

  private static JsonObject formOptions(MultiMap form) {
    JsonObject out = new JsonObject();
    String options = form.get("options");
    if (options != null && !options.isBlank()) {
      try {
        out.mergeIn(new JsonObject(options));
      } catch (DecodeException e) {
        throw ApiException.badRequest("options must be a JSON object");
      }
    }
    for (String key : List.of("passphrase", "stacks", "up", "dry_run", "volumes", "settings")) {
      if (form.get(key) != null && !out.containsKey(key)) out.put(key, form.get(key));
    }
    return out;
  }

  /** The service's request: the known fields, {@code ?dry_run=true} too, and who asks. */
  private static JsonObject options(RoutingContext ctx, JsonObject body, boolean upload) {
    JsonObject req = new JsonObject();
    for (String key : List.of("backup_file", "passphrase", "stacks", "rename", "up", "dry_run", "volumes", "settings")) {
      if (body.getValue(key) != null) req.put(key, body.getValue(key));
    }
    if (Api.flag(ctx, "dry_run")) req.put("dry_run", true);
    if (!upload && req.getValue("backup_file") == null) {
      throw ApiException.badRequest("backup_file is required (or upload the archive as the multipart field file)");
    }
    return req.put(Bus.BY, by(ctx));
  }

  private static String by(RoutingContext ctx) {
    Principal p = Principal.of(ctx);
    return p == null ? null : p.credential();
  }

  private static long length(HttpServerRequest req) {
    String v = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (v == null) return -1;
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static void tooLarge(RoutingContext ctx, String message) {
    ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    Api.error(ctx, 413, message);
  }
}
