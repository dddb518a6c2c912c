package dev.dockup.peer;

import dev.dockup.Config;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Failures;
import dev.dockup.store.JsonFile;
import dev.dockup.store.SecretBox;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP peers of {@code /api/peers}: DockUp instances outside the cluster, kept in
 * {@code DATA_DIR/peers.json} with their API tokens sealed by the {@link SecretBox}, and called
 * with a non-blocking {@link WebClient}. One instance is shared by every HTTP verticle: the
 * peers are one immutable map swapped under a lock, the cached stack lists a concurrent map.
 *
 * <p>A call to a peer is bounded: 2 s to connect, 3 s for the whole exchange (an operation gets
 * {@code OPERATION_TIMEOUT} + 60 s instead). Each peer's stack list is fetched at most once per
 * 5 s: callers within that window, and callers that arrive while a fetch is running, share its
 * outcome, good or bad, so a burst of dashboards neither fans out nor waits on a dead peer more
 * than once.
 */
public final class PeerService {
  private static final Logger LOG = LoggerFactory.getLogger(PeerService.class);

  public static final String FILE = "peers.json";
  static final String SEALED_TOKEN = "api_token_sealed";
  /** A token written by hand in plain text: adopted at start and sealed at once. */
  static final String PLAIN_TOKEN = "api_token";
  public static final String TOKEN_HEADER = "X-API-Token";
  public static final int CONNECT_TIMEOUT_MS = 2_000;
  public static final long REQUEST_TIMEOUT_MS = 3_000;
  public static final long LIST_TTL_MS = 5_000;
  static final long TIMEOUT_MARGIN_MS = 100;

  /** What a peer answered. */
  public record Answer(int status, Buffer body) {}

  /** What a request passed on to a peer answers our client: a status and a JSON body. */
  public record Reply(int status, JsonObject body) {}

  /**
   * A failure of a call to a peer, in words DockUp chose: safe to show at any scope. A peer's
   * own error text (its stack traces, paths, compose output) never becomes one.
   */
  static final class PeerFailure extends ApiException {
    PeerFailure(int status, String message) {
      super(status, message);
    }
  }

  /** One fetch of a peer's stack list and, once it is done, when. */
  private static final class Fetch {
    final Peer peer;
    final Promise<JsonArray> promise = Promise.promise();
    volatile long doneAt;

    Fetch(Peer peer) {
      this.peer = peer;
    }

    boolean usable(Peer current, long now, long ttlNanos) {
      long done = doneAt;
      return peer.equals(current) && (done == 0 || now - done < ttlNanos);
    }
  }

  private final Vertx vertx;
  private final JsonFile file;
  private final SecretBox box;
  private final WebClient web;
  private final long requestTimeoutMs;
  private final long listTtlNanos;
  private final Object lock = new Object();
  /** Every peer by id, in the order added; replaced whole, never mutated. */
  private volatile Map<String, Peer> peers;
  private final ConcurrentHashMap<String, Fetch> lists = new ConcurrentHashMap<>();

  private PeerService(Vertx vertx, JsonFile file, SecretBox box, Map<String, Peer> peers, long requestTimeoutMs, long listTtlMs) {
    this.vertx = vertx;
    this.file = file;
    this.box = box;
    this.peers = peers;
    this.requestTimeoutMs = requestTimeoutMs;
    this.listTtlNanos = TimeUnit.MILLISECONDS.toNanos(listTtlMs);
    this.web = WebClient.create(vertx, new WebClientOptions()
        .setConnectTimeout(CONNECT_TIMEOUT_MS)
        // A redirect would carry the token to wherever the peer points.
        .setFollowRedirects(false)
        .setUserAgent("DockUp"));
  }

  /** Blocking, at start: reads {@code DATA_DIR/peers.json}. */
  public static PeerService load(Vertx vertx, Config config, SecretBox box) throws IOException {
    return load(vertx, config.dataDir(), box, REQUEST_TIMEOUT_MS, LIST_TTL_MS);
  }

  /**
   * Blocking. Entries that no longer pass the checks are skipped with a warning; a token that
   * cannot be decrypted (the key was replaced) is dropped, so that peer must be given it again.
   */
  static PeerService load(Vertx vertx, Path dataDir, SecretBox box, long requestTimeoutMs, long listTtlMs) throws IOException {
    JsonFile file = new JsonFile(dataDir.resolve(FILE));
    JsonObject doc = file.read();
    Map<String, Peer> map = new LinkedHashMap<>();
    boolean adopted = false;
    if (doc.getValue("peers") instanceof JsonArray list) {
      for (Object item : list) {
        if (!(item instanceof JsonObject o)) continue;
        try {
          String id = PeerInput.id(o.getValue("id"));
          String sealed = null;
          if (o.getValue(SEALED_TOKEN) instanceof String s) {
            try {
              box.decrypt(s);
              sealed = s;
            } catch (IllegalArgumentException e) {
              LOG.warn("{}: the token of peer '{}' cannot be decrypted with {} (was it replaced?); it is dropped", FILE, id, SecretBox.FILE);
            }
          } else if (o.getValue(PLAIN_TOKEN) != null) {
            String plain = PeerInput.token(o.getValue(PLAIN_TOKEN));
            if (plain != null) sealed = box.encrypt(plain);
            adopted = true;
          }
          Peer peer = new Peer(id, PeerInput.name(o.getValue("name")), PeerInput.url(o.getValue("url")),
              PeerInput.enabled(o.getValue("enabled"), true), sealed);
          if (map.putIfAbsent(id, peer) != null) LOG.warn("{}: peer id '{}' appears twice; the first is kept", FILE, id);
        } catch (ApiException e) {
          LOG.warn("{}: a peer entry is skipped: {}", FILE, e.getMessage());
        }
      }
    }
    PeerService service = new PeerService(vertx, file, box, Collections.unmodifiableMap(map), requestTimeoutMs, listTtlMs);
    // A hand-written plain token is sealed at once, so the file stops holding it.
    if (adopted) file.write(service.document());
    return service;
  }

  private JsonObject document() {
    JsonArray list = new JsonArray();
    peers.values().forEach(p -> list.add(p.stored()));
    return new JsonObject().put("peers", list);
  }

  private Future<Void> save() {
    return file.save(vertx, this::document);
  }

  public List<Peer> list() {
    return List.copyOf(peers.values());
  }

  /** The peer, or null. */
  public Peer get(String id) {
    return id == null ? null : peers.get(id);
  }

  /** The peer, or a 404. */
  public Peer require(String id) {
    Peer p = get(id);
    if (p == null) throw ApiException.notFound("Peer not found");
    return p;
  }

  /** {@code {name, url, api_token?, enabled?, id?}}; completes once the file is written. */
  public Future<Peer> add(JsonObject body) {
    Peer peer;
    try {
      String name = PeerInput.name(body.getValue("name"));
      String url = PeerInput.url(body.getValue("url"));
      boolean enabled = PeerInput.enabled(body.getValue("enabled"), true);
      String token = PeerInput.token(body.getValue("api_token"));
      Object rawId = body.getValue("id");
      String givenId = rawId == null || "".equals(rawId) ? null : PeerInput.id(rawId);
      String sealed = token == null ? null : box.encrypt(token);
      synchronized (lock) {
        if (givenId != null && peers.containsKey(givenId)) throw ApiException.conflict("A peer with id '" + givenId + "' already exists");
        String id = givenId != null ? givenId : PeerInput.slug(name, peers::containsKey);
        peer = new Peer(id, name, url, enabled, sealed);
        swap(id, peer);
      }
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    invalidate(peer.id());
    LOG.info("Peer '{}' added: {} ({})", peer.id(), peer.url(), peer.enabled() ? "enabled" : "disabled");
    return save().map(peer);
  }

  /** A partial update; a missing or empty {@code api_token} keeps the stored one. */
  public Future<Peer> update(String id, JsonObject body) {
    Peer peer;
    try {
      synchronized (lock) {
        Peer old = require(id);
        if (body.getValue("id") != null && !id.equals(body.getValue("id"))) throw ApiException.badRequest("id cannot be changed");
        String name = body.containsKey("name") ? PeerInput.name(body.getValue("name")) : old.name();
        String url = body.containsKey("url") ? PeerInput.url(body.getValue("url")) : old.url();
        boolean enabled = PeerInput.enabled(body.getValue("enabled"), old.enabled());
        String token = PeerInput.token(body.getValue("api_token"));
        peer = new Peer(id, name, url, enabled, token == null ? old.sealedToken() : box.encrypt(token));
        swap(id, peer);
      }
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    invalidate(id);
    LOG.info("Peer '{}' changed: {}", id, String.join(", ", body.fieldNames()));
    return save().map(peer);
  }

  public Future<Void> remove(String id) {
    try {
      synchronized (lock) {
        require(id);
        swap(id, null);
      }
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    invalidate(id);
    LOG.info("Peer '{}' removed", id);
    return save();
  }

  /** Readers see one map or the next, never one being changed; call holding {@code lock}. */
  private void swap(String id, Peer peer) {
    Map<String, Peer> next = new LinkedHashMap<>(peers);
    if (peer == null) next.remove(id);
    else next.put(id, peer);
    peers = Collections.unmodifiableMap(next);
  }

  /** Forgets the cached stack list (after an operation there, or a change of the peer). */
  public void invalidate(String id) {
    lists.remove(id);
  }

  /** The peer's {@code GET /api/ping} with its token: always a result, never a failure. */
  public Future<JsonObject> test(Peer peer) {
    long start = System.nanoTime();
    return call(peer, HttpMethod.GET, "/api/ping", null, requestTimeoutMs).transform(ar -> {
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      if (ar.failed()) {
        return Future.succeededFuture(new JsonObject().put("success", false).put("reachable", false).put("error", summary(ar.cause())));
      }
      Answer a = ar.result();
      JsonObject out = new JsonObject().put("success", a.status() == 200).put("reachable", true).put("latency_ms", ms);
      if (a.status() == 200) {
        JsonObject body = jsonObject(a.body());
        if (body != null && body.getValue("instance_name") instanceof String n) out.put("instance_name", n);
      } else {
        out.put("status", a.status()).put("error", refusal(a).getMessage());
      }
      return Future.succeededFuture(out);
    });
  }

  /**
   * The peer's stacks, each tagged {@code "peer": id}, from a fetch at most {@link #LIST_TTL_MS}
   * old or one running now. Fails with a 503 (unreachable) or a 502 (refused, or a bad answer).
   * The array is shared between callers: read it, never change it.
   */
  public Future<JsonArray> stacks(Peer peer) {
    long now = System.nanoTime();
    Fetch mine = new Fetch(peer);
    Fetch f = lists.compute(peer.id(), (id, cur) -> cur != null && cur.usable(peer, now, listTtlNanos) ? cur : mine);
    if (f == mine) {
      call(peer, HttpMethod.GET, "/api/stacks", null, requestTimeoutMs)
          .map(a -> parseList(peer, a))
          .onComplete(ar -> {
            f.doneAt = System.nanoTime();
            f.promise.handle(ar);
          });
    }
    // The fetch may complete on another event loop: hear about it on ours.
    Context ctx = vertx.getOrCreateContext();
    return Future.fromCompletionStage(f.promise.future().toCompletionStage(), ctx);
  }

  static JsonArray parseList(Peer peer, Answer a) {
    if (a.status() != 200) throw refusal(a);
    JsonArray raw = null;
    try {
      Object parsed = io.vertx.core.json.Json.decodeValue(a.body());
      if (parsed instanceof JsonObject o && o.getValue("stacks") instanceof JsonArray s) raw = s;
      else if (parsed instanceof JsonArray s) raw = s;
    } catch (RuntimeException e) {
      // fall through
    }
    if (raw == null) throw new PeerFailure(502, "Peer sent an invalid stack list");
    JsonArray out = new JsonArray();
    for (Object item : raw) {
      if (item instanceof JsonObject s) out.add(s.copy().put("peer", peer.id()));
    }
    return out;
  }

  /** Why a peer's answer other than 200 is not the answer asked for, as a 502 that names only its status. */
  static ApiException refusal(Answer a) {
    if (a.status() == 401 || a.status() == 403) {
      return new PeerFailure(502, "Peer refused the API token (HTTP " + a.status() + ")");
    }
    return new PeerFailure(502, answered(a.status()));
  }

  /** The standard phrase for the status, never the peer's own reason phrase or body. */
  private static String answered(int status) {
    return "Peer answered HTTP " + status + " (" + HttpResponseStatus.valueOf(status).reasonPhrase() + ")";
  }

  /**
   * What a request passed on to a peer answers: a 2xx JSON object as the peer sent it (tagged
   * {@code "peer": tag} unless {@code tag} is null); anything else summarised by its status.
   * A refusal of our token, a 5xx, a redirect or a body that is not a JSON object is a 502; any
   * other 4xx keeps its status (the client's request was at fault, not the peer).
   */
  public static Reply relay(Answer a, String tag) {
    int status = a.status();
    if (status >= 200 && status < 300) {
      JsonObject body = jsonObject(a.body());
      if (body == null) return reply(new PeerFailure(502, "Peer sent an invalid answer"));
      if (tag != null) body.put("peer", tag);
      return new Reply(status, body);
    }
    boolean clientError = status >= 400 && status < 500 && status != 401 && status != 403;
    return reply(clientError ? new PeerFailure(status, answered(status)) : refusal(a));
  }

  private static Reply reply(ApiException e) {
    return new Reply(e.status(), e.body());
  }

  /**
   * The text to show for a failed call to a peer (in {@code /api/stacks/all}, a connection
   * test): DockUp's own words, never the peer's, nor an unexpected exception's.
   */
  public static String summary(Throwable t) {
    return t instanceof PeerFailure ? t.getMessage() : "Peer request failed";
  }

  /** The body as a JSON object; null when empty or anything else. */
  static JsonObject jsonObject(Buffer body) {
    if (body == null || body.length() == 0) return null;
    try {
      return io.vertx.core.json.Json.decodeValue(body) instanceof JsonObject o ? o : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * One exchange with the peer, its token in {@code X-API-Token}. Completes with whatever the
   * peer answered; fails with a 503 {@code Peer unreachable: <cause>} when no answer comes within
   * {@code timeoutMs} (connecting included). {@code pathAndQuery} starts with {@code /api/}.
   */
  public Future<Answer> call(Peer peer, HttpMethod method, String pathAndQuery, Buffer body, long timeoutMs) {
    String token;
    try {
      token = peer.sealedToken() == null ? null : box.decrypt(peer.sealedToken());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new PeerFailure(500, "The token of peer '" + peer.id() + "' cannot be decrypted; set it again"));
    }
    try {
      HttpRequest<Buffer> req = web.requestAbs(method, peer.url() + pathAndQuery)
          .timeout(timeoutMs)
          .putHeader("Accept", "application/json");
      if (token != null) req.putHeader(TOKEN_HEADER, token);
      Future<HttpResponse<Buffer>> sent;
      if (body == null) {
        sent = req.send();
      } else {
        sent = req.putHeader("Content-Type", "application/json").sendBuffer(body);
      }
      // The request's own timeout normally ends it (and its connection); this bounds a peer that
      // keeps the idle timer alive by dribbling bytes.
      return sent.timeout(timeoutMs + TIMEOUT_MARGIN_MS, TimeUnit.MILLISECONDS).transform(ar -> {
        if (ar.failed()) return Future.failedFuture(unreachable(ar.cause(), timeoutMs));
        HttpResponse<Buffer> res = ar.result();
        return Future.succeededFuture(new Answer(res.statusCode(), res.body() == null ? Buffer.buffer() : res.body()));
      });
    } catch (RuntimeException e) {
      return Future.failedFuture(unreachable(e, timeoutMs));
    }
  }

  static ApiException unreachable(Throwable t, long timeoutMs) {
    return new PeerFailure(503, "Peer unreachable: " + describe(t, timeoutMs));
  }

  /**
   * A fixed description of a failure, without the exception's own text: a request line or a
   * header must never end up in an answer or the log.
   */
  static String describe(Throwable t, long timeoutMs) {
    return Failures.describe(t, "no answer within " + (timeoutMs >= 1000 ? timeoutMs / 1000 + " s" : timeoutMs + " ms"));
  }


  /** Copies of the views, for the API. */
  public JsonArray views() {
    JsonArray out = new JsonArray();
    for (Peer p : new ArrayList<>(peers.values())) out.add(p.view());
    return out;
  }
}
