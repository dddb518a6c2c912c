package dev.dockup.registry;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The registry v2 protocol, as much as DockUp needs: the digest a tag points to (a manifest
 * {@code HEAD}, nothing pulled) and Docker Hub's pull allowance. Handles the token challenge
 * and Basic auth with the logins of the engine's {@code config.json}. Non-blocking throughout;
 * safe to share between verticles.
 */
public final class RegistryClient {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryClient.class);

  /**
   * Without an Accept header a registry answers the old schema-1 manifest, whose digest is not
   * the one the engine records: always ask for every current manifest type.
   */
  public static final String ACCEPT = String.join(", ",
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.docker.distribution.manifest.v2+json");

  static final String HUB_SERVICE = "registry.docker.io";
  static final String HUB_PREVIEW_REPOSITORY = "ratelimitpreview/test";
  static final String HUB_PREVIEW_SCOPE = "repository:" + HUB_PREVIEW_REPOSITORY + ":pull";

  private static final long DEFAULT_TOKEN_TTL_S = 60;
  /** A token is dropped this long before it expires, so it is not refused on its way. */
  private static final long TOKEN_MARGIN_S = 5;
  /** How long a Basic login is reused without asking config.json again. */
  private static final long BASIC_TTL_S = 300;
  private static final long CREDENTIALS_TTL_MS = 30_000;
  private static final Pattern LOOPBACK_V4 = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

  /**
   * @param configFile   the engine client's config.json, or null for no logins
   * @param endpoints    registry name → base URL ({@code http://127.0.0.1:8080}) to use instead of
   *                     {@code https://<apiHost>}; an explicit {@code http://} means plain HTTP
   */
  public record Options(Path configFile, Map<String, String> endpoints, long connectTimeoutMs, long requestTimeoutMs) {
    public Options {
      Map<String, String> byName = new LinkedHashMap<>();
      if (endpoints != null) endpoints.forEach((name, url) -> byName.put(name.toLowerCase(Locale.ROOT), trimSlash(url)));
      endpoints = Map.copyOf(byName);
    }

    public static Options defaults() {
      return new Options(DockerCredentials.defaultConfigFile(), Map.of(), 5_000, 15_000);
    }

    public Options withConfigFile(Path file) {
      return new Options(file, endpoints, connectTimeoutMs, requestTimeoutMs);
    }

    public Options withEndpoint(String registry, String baseUrl) {
      Map<String, String> more = new LinkedHashMap<>(endpoints);
      more.put(registry, baseUrl);
      return new Options(configFile, more, connectTimeoutMs, requestTimeoutMs);
    }

    public Options withTimeouts(long connectMs, long requestMs) {
      return new Options(configFile, endpoints, connectMs, requestMs);
    }
  }

  /** Where a request goes and what it is for: the key of the token cache. */
  private record Target(String registry, String baseUrl, String scope) {
    String cacheKey() {
      return baseUrl + " " + scope;
    }
  }

  /** An Authorization header value, shared while it is being fetched, then until it expires. */
  private record Grant(Future<String> header, long expiresAtNanos) {
    boolean live(long now) {
      return now - expiresAtNanos < 0;
    }
  }

  /** A header value and how long it may be reused. */
  private record Fetched(String header, long ttlSeconds) {}

  private record LoadedCredentials(DockerCredentials credentials, long loadedAtMs) {}

  private final Vertx vertx;
  private final Options options;
  private final WebClient web;
  private final Map<String, Grant> grants = new ConcurrentHashMap<>();
  private volatile LoadedCredentials loaded;

  public RegistryClient(Vertx vertx) {
    this(vertx, Options.defaults());
  }

  public RegistryClient(Vertx vertx, Options options) {
    this.vertx = vertx;
    this.options = options;
    this.web = WebClient.create(vertx, new WebClientOptions()
        .setConnectTimeout((int) options.connectTimeoutMs())
        .setUserAgent("DockUp"));
  }

  public void close() {
    web.close();
  }

  // ---- digests

  /**
   * The manifest digest the reference's tag points to now (for a reference pinned without a
   * tag, its own digest, checked to exist). Fails with a {@link RegistryException}; 404 means
   * no such tag or repository.
   */
  public Future<String> digest(ImageRef ref) {
    Target target = new Target(ref.registry(), baseUrl(ref.registry()), "repository:" + ref.repository() + ":pull");
    String path = "/v2/" + ref.repository() + "/manifests/" + ref.manifestReference();
    return authorized(target, HttpMethod.HEAD, path).compose(res -> {
      String digest = res.getHeader("Docker-Content-Digest");
      if (res.statusCode() == 200 && ImageRef.isDigest(digest)) return Future.succeededFuture(digest);
      // A registry may leave the digest out of a HEAD answer, or not allow HEAD: the body's hash is the digest.
      if (res.statusCode() == 200 || res.statusCode() == 405) return digestByGet(target, path);
      return Future.failedFuture(refused(res, ref.canonical()));
    });
  }

  private Future<String> digestByGet(Target target, String path) {
    return authorized(target, HttpMethod.GET, path).compose(res -> {
      if (res.statusCode() != 200) return Future.failedFuture(refused(res, target.registry() + path));
      String digest = res.getHeader("Docker-Content-Digest");
      if (ImageRef.isDigest(digest)) return Future.succeededFuture(digest);
      Buffer body = res.body() == null ? Buffer.buffer() : res.body();
      return Future.succeededFuture("sha256:" + sha256(body.getBytes()));
    });
  }

  // ---- Docker Hub's allowance

  /**
   * Docker Hub's documented check: a token for {@code ratelimitpreview/test} from
   * {@code <authUrl>/token} (with the Hub login of config.json when there is one), then a
   * {@code HEAD} of its manifest, which does not count as a pull, and its {@code ratelimit-*}
   * headers.
   */
  public Future<RateLimit> rateLimit(String registryUrl, String authUrl) {
    Target target = new Target(ImageRef.DOCKER_HUB, trimSlash(registryUrl), HUB_PREVIEW_SCOPE);
    String realm = trimSlash(authUrl) + "/token";
    String path = "/v2/" + HUB_PREVIEW_REPOSITORY + "/manifests/latest";
    return grant(target, () -> fetchToken(target, realm, HUB_SERVICE, HUB_PREVIEW_SCOPE))
        .compose(ignored -> authorized(target, HttpMethod.HEAD, path))
        .compose(res -> {
          // Hub may answer 429 once the allowance is spent, still with the headers.
          if (res.statusCode() != 200 && !(res.statusCode() == 429 && res.getHeader("ratelimit-limit") != null)) {
            return Future.failedFuture(refused(res, HUB_PREVIEW_REPOSITORY));
          }
          try {
            return Future.succeededFuture(RateLimit.fromHeaders(res.getHeader("ratelimit-limit"),
                res.getHeader("ratelimit-remaining"), res.getHeader("docker-ratelimit-source")));
          } catch (IllegalArgumentException e) {
            return Future.failedFuture(new RegistryException(res.statusCode(), e.getMessage()));
          }
        });
  }

  // ---- authorisation

  /**
   * Sends the request with the grant cached for its target, if any; on a 401 follows the
   * challenge once (a fresh token, or Basic) and sends it again. Any other answer, and a
   * second 401, is returned as it is for the caller to judge.
   */
  private Future<HttpResponse<Buffer>> authorized(Target target, HttpMethod method, String path) {
    Grant cached = liveGrant(target.cacheKey());
    Future<String> header = cached == null ? Future.succeededFuture() : cached.header().otherwise((String) null);
    return header.compose(auth -> send(method, target.baseUrl() + path, auth)).compose(res -> {
      if (res.statusCode() != 401) return Future.succeededFuture(res);
      if (cached != null) forget(target.cacheKey(), cached);
      Challenge challenge = Challenge.preferred(res.headers().getAll("WWW-Authenticate"));
      if (challenge == null) return Future.succeededFuture(res);
      return answer(target, challenge).compose(auth ->
          auth == null ? Future.succeededFuture(res) : send(method, target.baseUrl() + path, auth));
    });
  }

  /** The Authorization header that answers a challenge, or null when DockUp has none to give. */
  private Future<String> answer(Target target, Challenge challenge) {
    if (challenge.scheme().equals(Challenge.BEARER)) {
      String realm = challenge.param("realm");
      if (realm == null || realm.isBlank()) return Future.failedFuture(new RegistryException(401, "registry challenge names no token realm"));
      String scope = challenge.param("scope") != null ? challenge.param("scope") : target.scope();
      return grant(target, () -> fetchToken(target, realm, challenge.param("service"), scope));
    }
    if (challenge.scheme().equals(Challenge.BASIC)) {
      return credentials().compose(creds -> {
        DockerCredentials.Login login = creds.find(target.registry());
        if (login == null) return Future.succeededFuture();
        return grant(target, () -> Future.succeededFuture(new Fetched(login.basicHeader(), BASIC_TTL_S)));
      });
    }
    return Future.succeededFuture();
  }

  private Grant liveGrant(String key) {
    Grant g = grants.get(key);
    return g != null && g.live(System.nanoTime()) ? g : null;
  }

  /**
   * The cached grant for the target, or a new one from {@code fetch}. Concurrent callers share
   * one fetch (fifty images of one registry cost one token); a failed fetch is not kept.
   */
  private Future<String> grant(Target target, Supplier<Future<Fetched>> fetch) {
    String key = target.cacheKey();
    Promise<String> promise = Promise.promise();
    // Live while the fetch runs; it gets the token's own lifetime when the token arrives.
    Grant pending = new Grant(promise.future(), System.nanoTime() + TimeUnit.MINUTES.toNanos(10));
    Grant current = grants.compute(key, (k, old) -> old != null && old.live(System.nanoTime()) ? old : pending);
    if (current != pending) return current.header();
    fetch.get().onComplete(ar -> {
      if (ar.succeeded()) {
        long ttl = Math.max(1, ar.result().ttlSeconds() - TOKEN_MARGIN_S);
        grants.replace(key, pending, new Grant(pending.header(), System.nanoTime() + TimeUnit.SECONDS.toNanos(ttl)));
        promise.complete(ar.result().header());
      } else {
        grants.remove(key, pending);
        promise.fail(ar.cause());
      }
    });
    return promise.future();
  }

  /** Forgets a grant the registry refused (the entry is replaced once fetched: match by its header). */
  private void forget(String key, Grant refused) {
    grants.computeIfPresent(key, (k, g) -> g.header() == refused.header() ? null : g);
  }

  /** A Bearer token from the realm, with the registry's login when there is one and it is safe to send. */
  private Future<Fetched> fetchToken(Target target, String realm, String service, String scope) {
    return credentials().compose(creds -> {
      HttpRequest<Buffer> req;
      try {
        req = web.getAbs(realm);
      } catch (RuntimeException e) {
        return Future.failedFuture(new RegistryException(0, "bad token realm"));
      }
      if (service != null && !service.isEmpty()) req.addQueryParam("service", service);
      if (scope != null && !scope.isEmpty()) req.addQueryParam("scope", scope);
      DockerCredentials.Login login = creds.find(target.registry());
      if (login != null && safeForCredentials(realm, target.baseUrl())) {
        req.putHeader("Authorization", login.basicHeader());
      } else if (login != null) {
        LOG.warn("Not sending the {} login to token realm {} over plain HTTP", target.registry(), host(realm));
      }
      req.timeout(options.requestTimeoutMs());
      return req.send().recover(e -> Future.failedFuture(unreachable(host(realm), e))).compose(this::token);
    });
  }

  private Future<Fetched> token(HttpResponse<Buffer> res) {
    if (res.statusCode() != 200) {
      return Future.failedFuture(new RegistryException(res.statusCode(), "token service answered " + res.statusCode()));
    }
    JsonObject body;
    try {
      body = res.bodyAsJsonObject();
    } catch (DecodeException | ClassCastException e) {
      body = null;
    }
    String token = body == null ? null : body.getValue("token") instanceof String t ? t
        : body.getValue("access_token") instanceof String a ? a : null;
    if (token == null || token.isEmpty()) return Future.failedFuture(new RegistryException(502, "token service gave no token"));
    long ttl = body.getValue("expires_in") instanceof Number n && n.longValue() > 0 ? n.longValue() : DEFAULT_TOKEN_TTL_S;
    return Future.succeededFuture(new Fetched("Bearer " + token, ttl));
  }

  /**
   * Docker sends a login wherever the registry's realm points; DockUp will not send it in clear
   * text to another host: the realm must be HTTPS, loopback, or the registry's own host.
   */
  static boolean safeForCredentials(String realm, String registryBaseUrl) {
    try {
      URI r = new URI(realm);
      if ("https".equalsIgnoreCase(r.getScheme())) return true;
      if (r.getHost() == null) return false;
      if (isLoopback(r.getHost())) return true;
      URI b = new URI(registryBaseUrl);
      return r.getHost().equalsIgnoreCase(b.getHost());
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** The config.json logins, read again at most every 30 s so a new {@code docker login} is seen. */
  private Future<DockerCredentials> credentials() {
    LoadedCredentials l = loaded;
    if (options.configFile() == null) return Future.succeededFuture(DockerCredentials.NONE);
    if (l != null && System.currentTimeMillis() - l.loadedAtMs() < CREDENTIALS_TTL_MS) return Future.succeededFuture(l.credentials());
    String file = options.configFile().toString();
    return vertx.fileSystem().readFile(file)
        .map(buf -> DockerCredentials.parse(new JsonObject(buf)))
        .otherwise(e -> {
          // Never the exception's message: a JSON error quotes the file, logins included.
          boolean missing = e instanceof NoSuchFileException || e.getCause() instanceof NoSuchFileException;
          if (!missing) LOG.warn("Cannot read registry logins from {}: {}", file, e.getClass().getSimpleName());
          return DockerCredentials.NONE;
        })
        .onSuccess(c -> loaded = new LoadedCredentials(c, System.currentTimeMillis()));
  }

  // ---- transport

  private Future<HttpResponse<Buffer>> send(HttpMethod method, String url, String authorization) {
    HttpRequest<Buffer> req = web.requestAbs(method, url)
        .putHeader("Accept", ACCEPT)
        .timeout(options.requestTimeoutMs());
    if (authorization != null) req.putHeader("Authorization", authorization);
    return req.send().recover(e -> Future.failedFuture(unreachable(host(url), e)));
  }

  /** The base URL of a registry's API: an override, else plain HTTP on loopback and HTTPS elsewhere. */
  String baseUrl(String registry) {
    String override = options.endpoints().get(registry.toLowerCase(Locale.ROOT));
    if (override != null) return override;
    String host = ImageRef.apiHost(registry);
    return (isLoopback(hostOnly(host)) ? "http://" : "https://") + host;
  }

  /** {@code 127.0.0.0/8}, {@code localhost} and {@code ::1}: the engine's own insecure-allowed set. */
  static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    return h.equals("localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1") || LOOPBACK_V4.matcher(h).matches();
  }

  /** The host of {@code host[:port]} or {@code [v6]:port}. */
  static String hostOnly(String hostPort) {
    if (hostPort.startsWith("[")) {
      int end = hostPort.indexOf(']');
      return end < 0 ? hostPort : hostPort.substring(0, end + 1);
    }
    int colon = hostPort.indexOf(':');
    return colon < 0 ? hostPort : hostPort.substring(0, colon);
  }

  private static RegistryException refused(HttpResponse<Buffer> res, String what) {
    int status = res.statusCode();
    String why = switch (status) {
      case 401, 403 -> "access denied";
      case 404 -> "not found";
      case 429 -> "too many requests";
      default -> "registry answered " + status;
    };
    return new RegistryException(status, why + " (" + what + ")");
  }

  private static RegistryException unreachable(String host, Throwable e) {
    if (e instanceof RegistryException re) return re;
    return new RegistryException(0, host + ": " + dev.dockup.bus.Failures.describe(e, "no answer in time"));
  }

  /** Scheme and authority only: what an error may show of a URL (no path, no query). */
  private static String host(String url) {
    try {
      URI u = new URI(url);
      return u.getScheme() + "://" + u.getRawAuthority();
    } catch (URISyntaxException | RuntimeException e) {
      return "registry";
    }
  }

  private static String trimSlash(String url) {
    String s = url.trim();
    while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
    return s;
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
