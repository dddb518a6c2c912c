package dev.dockup.backup;

import dev.dockup.Config;
import dev.dockup.bus.Bus;
import dev.dockup.fleet.NodeTarget;
import dev.dockup.fleet.Remote;
import dev.dockup.web.Api;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Base64;

/**
 * An archive downloaded (only with a credential: never a public static path): this node's sent
 * from its file, another node's (under {@code /api/nodes/<node>}) relayed from that node.
 */
final class BackupDownload {
  private static final Logger LOG = LoggerFactory.getLogger(BackupDownload.class);

  private final Config config;
  private final NodeTarget target;

  BackupDownload(Config config, NodeTarget target) {
    this.config = config;
    this.target = target;
  }

  void serve(RoutingContext ctx) {
    String file = ctx.pathParam("file");
    if (file == null || !BackupStore.NAME.matcher(file).matches()) {
      Api.error(ctx, 400, "Invalid backup file name");
      return;
    }
    if (!target.node(ctx).equals(config.nodeName())) {
      relay(ctx, target.node(ctx), file);
      return;
    }
    Path path = config.dataDir().resolve("backups").resolve(file);
    ctx.vertx().fileSystem().lprops(path.toString()).onComplete(ar -> {
      if (ar.failed() || !ar.result().isRegularFile()) {
        Api.error(ctx, 404, "Backup not found");
        return;
      }
      archiveHeaders(ctx.response(), file).sendFile(path.toString());
    });
  }

  private static HttpServerResponse archiveHeaders(HttpServerResponse res, String file) {
    return res.putHeader(HttpHeaders.CONTENT_TYPE, file.endsWith(".enc") ? "application/octet-stream" : "application/gzip")
        .putHeader("Content-Disposition", "attachment; filename=\"" + file + "\"")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
  }

  /**
   * An archive of another node: the gateway carries signed messages, not streams, so it is
   * pulled a chunk at a time and each chunk written out as it comes, the next asked for once the
   * client has taken the last (never the whole archive in memory). The first chunk's answer gives
   * the status and the length; past it, a failure can only cut the connection, and the client
   * sees fewer bytes than announced.
   */
  private void relay(RoutingContext ctx, String node, String file) {
    pull(ctx, node, file, 0).onFailure(t -> Api.fail(ctx, t)).onSuccess(first -> {
      if (first.status() != 200) {
        Api.send(ctx, first.status(), first.body());
        return;
      }
      long size = first.body().getLong("size");
      archiveHeaders(ctx.response(), file).putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(size));
      write(ctx, node, file, first.body(), size);
    });
  }

  private void write(RoutingContext ctx, String node, String file, JsonObject chunk, long size) {
    HttpServerResponse res = ctx.response();
    if (res.closed()) return;
    byte[] data = Base64.getDecoder().decode(chunk.getString("data", ""));
    long next = chunk.getLong("offset", -1L) + data.length;
    if (data.length == 0 && next < size) {
      cut(res, node, file, "an empty chunk");
      return;
    }
    res.write(Buffer.buffer(data));
    if (next >= size) {
      res.end();
      return;
    }
    Runnable more = () -> pull(ctx, node, file, next).onComplete(ar -> {
      if (ar.failed()) cut(res, node, file, BackupFeed.reason(ar.cause()));
      else if (ar.result().status() != 200) cut(res, node, file, ar.result().body().getString("error", "HTTP " + ar.result().status()));
      else if (ar.result().body().getLong("size", -1L) != size || ar.result().body().getLong("offset", -1L) != next) {
        cut(res, node, file, "the archive changed");
      } else {
        write(ctx, node, file, ar.result().body(), size);
      }
    });
    if (!res.writeQueueFull()) {
      more.run();
      return;
    }
    // Once only: a later drain must not ask for the same chunk again.
    res.drainHandler(v -> {
      res.drainHandler(null);
      more.run();
    });
  }

  private Future<Remote.Answer> pull(RoutingContext ctx, String node, String file, long offset) {
    return target.ask(ctx.vertx(), node, Bus.Backups.READ, new JsonObject().put("file", file).put("offset", offset), Mover.CHUNK_TIMEOUT_MS);
  }

  private static void cut(HttpServerResponse res, String node, String file, String why) {
    LOG.warn("Download of {} from node {} cut short: {}", file, node, why);
    res.reset();
  }
}
