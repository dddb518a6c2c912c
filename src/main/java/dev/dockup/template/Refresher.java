package dev.dockup.template;

import dev.dockup.stack.ComposeFile;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Fetches one remote catalog and reads it in its format: a new {@link SourceState}, never a
 * failure. A catalog that cannot be fetched or read keeps its last good templates and says why.
 * Parsing runs on a worker.
 */
final class Refresher {
  private static final Logger LOG = LoggerFactory.getLogger(Refresher.class);
  /** Compose stacks of one Portainer list whose files are fetched; beyond, they are listed unsupported. */
  static final int MAX_STACKFILES = 200;
  /** A list's stack files are fetched within this many fetch timeouts; later ones keep their last copy. */
  static final int STACKFILE_TIMEOUTS = 5;

  private final Vertx vertx;
  private final Fetcher fetcher;
  private final long stackfileBudgetMs;

  Refresher(Vertx vertx, Fetcher fetcher, long timeoutMs) {
    this.vertx = vertx;
    this.fetcher = fetcher;
    this.stackfileBudgetMs = STACKFILE_TIMEOUTS * timeoutMs;
  }

  Future<SourceState> refresh(SourceState before) {
    Instant at = Instant.now();
    boolean conditional = !before.templates().isEmpty();
    return fetcher.get(before.url(), conditional ? before.etag() : null, conditional ? before.lastModified() : null)
        .compose(result -> {
          if (result.notModified()) return Future.succeededFuture(before.fetched(null, result.etag(), result.lastModified(), at));
          return read(before, result.body())
              .map(templates -> before.fetched(templates, result.etag(), result.lastModified(), at));
        })
        .recover(t -> {
          String why = t instanceof Fetcher.Failed || t instanceof Unreadable ? t.getMessage() : unexpected(before, t);
          LOG.info("Template catalog {} not refreshed: {}", before.url(), why);
          return Future.succeededFuture(before.failed(why, at));
        });
  }

  private static String unexpected(SourceState source, Throwable t) {
    LOG.warn("Reading template catalog {} failed", source.url(), t);
    return "could not be read";
  }

  private Future<List<Template>> read(SourceState before, byte[] body) {
    String url = before.url();
    return switch (before.format()) {
      case Template.LINUXSERVER -> vertx.executeBlocking(() -> LinuxServerFormat.parse(text(body), url), false);
      case Template.CASAOS -> vertx.executeBlocking(() -> CasaOsFormat.parse(body, url), false);
      default -> vertx.executeBlocking(() -> PortainerFormat.parse(text(body), url), false)
          .compose(entries -> withStackfiles(entries, before));
    };
  }

  private static String text(byte[] body) {
    return new String(body, StandardCharsets.UTF_8);
  }

  /**
   * Fetches the file of each compose stack, one after another (a list names a few). A file that
   * cannot be had keeps the copy of the last good refresh, if there is one.
   */
  private Future<List<Template>> withStackfiles(List<PortainerFormat.Entry> entries, SourceState before) {
    List<Template> out = new ArrayList<>(Collections.nCopies(entries.size(), null));
    long deadline = System.currentTimeMillis() + stackfileBudgetMs;
    Future<Void> chain = Future.succeededFuture();
    int fetched = 0;
    for (int i = 0; i < entries.size(); i++) {
      PortainerFormat.Entry e = entries.get(i);
      int at = i;
      if (e.stackfileUrl() == null) {
        out.set(at, e.template());
      } else if (++fetched > MAX_STACKFILES) {
        out.set(at, e.template().unsupported("more than " + MAX_STACKFILES + " stack files in one list"));
      } else {
        chain = chain.compose(v -> System.currentTimeMillis() < deadline ? stackfile(e, before)
            : Future.succeededFuture(previousOr(e, before, "not fetched: the list's stack files took too long"))).map(t -> {
          out.set(at, t);
          return null;
        });
      }
    }
    return chain.map(v -> out);
  }

  private Future<Template> stackfile(PortainerFormat.Entry e, SourceState before) {
    return fetcher.get(e.stackfileUrl(), null, null)
        .compose(r -> {
          if (r.body().length > ComposeFile.MAX_BYTES) return Future.failedFuture(new Fetcher.Failed("stack file larger than 1 MiB"));
          return vertx.executeBlocking(() -> PortainerFormat.withStackfile(e.template(), text(r.body())), false);
        })
        .recover(t -> Future.succeededFuture(previousOr(e, before,
            "could not be fetched: " + (t instanceof Fetcher.Failed ? t.getMessage() : unexpected(before, t)))));
  }

  /** The new template with the stack file of the last good refresh, or refused when there was none. */
  private static Template previousOr(PortainerFormat.Entry e, SourceState before, String why) {
    Template previous = before.templates().stream()
        .filter(p -> p.sourceId().equals(e.template().sourceId()) && p.compose() != null).findFirst().orElse(null);
    return previous != null ? e.template().withCompose(previous.compose(), previous.risks()) : e.template().unsupported("stack file " + why);
  }
}
