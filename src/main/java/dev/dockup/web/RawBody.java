package dev.dockup.web;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Collects the request body as raw bytes, whatever the {@code Content-Type}: the 1.3.0 scripts
 * send JSON with curl's default form type, which Vert.x's BodyHandler would decode as a form.
 * Bodies over the limit are refused with 413 before they are read in full.
 */
final class RawBody implements Handler<RoutingContext> {
  static final String KEY = "dockup.body";
  private final long limit;

  RawBody(long limit) {
    this.limit = limit;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest req = ctx.request();
    String length = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length != null && parse(length) > limit) {
      tooLarge(ctx);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    req.handler(chunk -> {
      if (refused[0]) return;
      if (body.length() + chunk.length() > limit) {
        refused[0] = true;
        tooLarge(ctx);
      } else {
        body.appendBuffer(chunk);
      }
    });
    req.endHandler(v -> {
      if (refused[0]) return;
      ctx.put(KEY, body);
      ctx.next();
    });
    req.resume();
  }

  private void tooLarge(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    Api.error(ctx, 413, "Request body is larger than " + limit / 1024 + " KiB");
  }

  private static long parse(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
