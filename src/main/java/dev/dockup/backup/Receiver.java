package dev.dockup.backup;

import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.stack.StackFiles;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The receiving end of a move: another node (through the signed gateway) announces a stack,
 * sends its archive in chunks, each appended in order, then asks for it to be restored here
 * (only if no stack of that name exists, started when asked). An upload idle for
 * {@value #IDLE_MS} ms is dropped. Confined to the backup verticle's event loop.
 */
final class Receiver {
  private static final Logger LOG = LoggerFactory.getLogger(Receiver.class);
  static final long IDLE_MS = 10 * 60_000;
  static final int MAX_UPLOADS = 4;
  /** A chunk's decoded size limit: what a mover sends, with room. */
  static final int MAX_CHUNK = 1024 * 1024;

  private static final class Upload {
    final String stack;
    final Path folder;
    final Path file;
    long received;
    long touched = System.currentTimeMillis();
    boolean writing;

    Upload(String stack, Path folder) {
      this.stack = stack;
      this.folder = folder;
      this.file = folder.resolve("archive");
    }
  }

  private final Jobs jobs;
  private final Restorer restorer;
  private final Function<java.util.function.Supplier<Future<JsonObject>>, Future<JsonObject>> exclusive;
  private final Map<String, Upload> uploads = new HashMap<>();

  Receiver(Jobs jobs, Restorer restorer, Function<java.util.function.Supplier<Future<JsonObject>>, Future<JsonObject>> exclusive) {
    this.jobs = jobs;
    this.restorer = restorer;
    this.exclusive = exclusive;
  }

  void start() {
    jobs.vertx().setPeriodic(60_000, id -> {
      long now = System.currentTimeMillis();
      List.copyOf(uploads.keySet()).forEach(k -> {
        Upload u = uploads.get(k);
        if (!u.writing && now - u.touched > IDLE_MS) {
          LOG.warn("The move of {} here was abandoned (nothing received for {} min); its upload is dropped", u.stack, IDLE_MS / 60_000);
          drop(k);
        }
      });
    });
  }

  /** {@code {stack}} → {@code {upload_id}}; 409 when a stack of that name exists here. */
  Future<JsonObject> begin(JsonObject req) {
    String stack = req.getString(Bus.STACK);
    StackFiles.checkName(stack);
    if (uploads.size() >= MAX_UPLOADS) throw ApiException.conflict("Too many moves are arriving at once; try again");
    if (uploads.values().stream().anyMatch(u -> u.stack.equals(stack))) throw ApiException.conflict("A move of " + stack + " is already arriving");
    return jobs.stacks(Bus.Stacks.LIST, new JsonObject(), 30_000)
        .compose(list -> {
          boolean exists = list.getJsonArray("stacks", new JsonArray()).stream()
              .anyMatch(o -> stack.equals(((JsonObject) o).getString("name")));
          if (exists) throw ApiException.conflict("A stack named " + stack + " already exists on " + jobs.node());
          return jobs.blocking(() -> jobs.store().workFolder("incoming"));
        })
        .map(folder -> {
          String id = UUID.randomUUID().toString();
          uploads.put(id, new Upload(stack, folder));
          return new JsonObject().put("upload_id", id);
        });
  }

  /** {@code {upload_id, offset, data}}: appended when {@code offset} is what was received so far. */
  Future<JsonObject> chunk(JsonObject req) {
    Upload u = upload(req);
    long offset = req.getLong("offset", -1L);
    if (offset != u.received) throw ApiException.conflict("Chunk out of order: expected offset " + u.received);
    if (u.writing) throw ApiException.conflict("The previous chunk is still being written");
    byte[] data;
    try {
      data = Base64.getDecoder().decode(req.getString("data", ""));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("Chunk data is not base64");
    }
    if (data.length > MAX_CHUNK) throw new ApiException(413, "Chunk larger than " + MAX_CHUNK + " bytes");
    if (u.received + data.length > jobs.config().backup().maxUploadBytes()) throw new ApiException(413, "Archive larger than BACKUP_MAX_UPLOAD");
    u.writing = true;
    return jobs.blocking(() -> {
      try (OutputStream out = Files.newOutputStream(u.file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
        out.write(data);
      }
      return null;
    }).map(v -> {
      u.writing = false;
      u.received += data.length;
      u.touched = System.currentTimeMillis();
      return new JsonObject().put("received", u.received);
    }).onFailure(t -> u.writing = false);
  }

  /** {@code {upload_id, size, sha256, up, volumes, by}}: checked whole, restored as a new stack, then dropped. */
  Future<JsonObject> end(JsonObject req) {
    String id = req.getString("upload_id");
    Upload u = upload(req);
    if (u.writing) throw ApiException.conflict("The previous chunk is still being written");
    u.writing = true;
    return jobs.blocking(() -> ArchiveWriter.sha256(u.file))
        .compose(sha -> {
          if (u.received != req.getLong("size", -1L) || !sha.equals(req.getString("sha256"))) {
            throw ApiException.badRequest("The archive arrived damaged (size or checksum differ)");
          }
          String passphrase = Mover.passphrase(jobs.config(), id);
          return exclusive.apply(() -> restorer.restore(new Restorer.Options(u.file, passphrase, List.of(u.stack),
              Map.of(), req.getBoolean("up", true), false, req.getBoolean("volumes", true), false, true, req.getString(Bus.BY))));
        })
        .andThen(ar -> drop(id));
  }

  Future<JsonObject> abort(JsonObject req) {
    String id = req.getString("upload_id");
    if (id != null && uploads.containsKey(id)) drop(id);
    return Future.succeededFuture(new JsonObject().put("success", true));
  }

  private Upload upload(JsonObject req) {
    Upload u = uploads.get(req.getString("upload_id"));
    if (u == null) throw ApiException.notFound("No such upload");
    return u;
  }

  private void drop(String id) {
    Upload u = uploads.remove(id);
    if (u == null) return;
    jobs.blocking(() -> {
      StackFiles.deleteTree(u.folder);
      return null;
    });
  }
}
