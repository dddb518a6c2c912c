package dev.dockup.backup;

import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import dev.dockup.bus.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A stack's data as the Engine sees it, read and written through its archive API
 * ({@code GET/PUT /containers/{id}/archive}; a GET's path stat header tells a folder from a socket) from the stack's
 * own containers, stopped or running: no helper container, no image to pull, and no need for
 * DockUp to see the host paths. Its own client of docker-java's transport (the engine package's
 * is that verticle's), speaking the Engine's JSON directly. Blocking: call from a worker.
 */
final class EngineArchive implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EngineArchive.class);
  private static final String PROJECT = "com.docker.compose.project";
  private static final String SERVICE = "com.docker.compose.service";
  private static final Pattern ANONYMOUS = Pattern.compile("^[0-9a-f]{64}$");
  /** Go's os.FileMode type bits, as the Engine's path stat gives them. */
  private static final long MODE_DIR = 1L << 31;
  private static final long MODE_TYPE = MODE_DIR | 1L << 27 | 1L << 26 | 1L << 25 | 1L << 24 | 1L << 21 | 1L << 19;

  private final String dockerHost;
  /** Made on the first backup or restore: docker-java, Jackson's databind and the TLS classes it loads cost a start
   *  that never backs up about 800 classes and a few MB (FootprintBench). */
  private DockerHttpClient http;

  /** One mount of a stack: where a service has it, and which container to read it from. */
  record Mount(String container, String service, String type, String name, String destination) {}

  /** A mount that is not backed up, and why. */
  record Skipped(String stack, String destination, String reason) {
    JsonObject toJson() {
      return new JsonObject().put("stack", stack).put("entry", destination).put("reason", reason);
    }
  }

  EngineArchive(String dockerHost) {
    this.dockerHost = dockerHost;
  }

  private synchronized DockerHttpClient http() {
    if (http == null) {
      var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build();
      // The response timeout is a silence limit: a large volume streams for as long as it takes.
      http = new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost()).maxConnections(8)
          .connectionTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofSeconds(300)).build();
    }
    return http;
  }

  /** The ids of the stack's containers (running or not) and whether any runs. */
  List<JsonObject> containers(String stack) {
    String filters = new JsonObject().put("label", new JsonArray().add(PROJECT + "=" + stack)).encode();
    Object body = json(get("/containers/json?all=1&filters=" + enc(filters)), "list containers");
    List<JsonObject> out = new ArrayList<>();
    if (body instanceof JsonArray a) a.forEach(o -> {
      if (o instanceof JsonObject c) out.add(c);
    });
    return out;
  }

  boolean anyRunning(String stack) {
    return containers(stack).stream().anyMatch(c -> "running".equals(c.getString("State")));
  }

  /**
   * Every named volume and bind mount of the stack's containers, once each (from the first
   * container that has it). Anonymous volumes, read-only mounts (configuration the stack reads,
   * which a restore could not write back) and paths that are neither folder nor file (a socket)
   * are skipped, each with its reason.
   */
  List<Mount> mounts(String stack, List<Skipped> skipped) {
    Map<String, Mount> found = new LinkedHashMap<>();
    for (JsonObject c : containers(stack)) {
      String id = c.getString("Id");
      JsonObject inspect = (JsonObject) json(get("/containers/" + enc(id) + "/json"), "inspect a container");
      String service = inspect.getJsonObject("Config", new JsonObject()).getJsonObject("Labels", new JsonObject()).getString(SERVICE);
      JsonArray mounts = inspect.getJsonArray("Mounts", new JsonArray());
      for (Object o : mounts) {
        if (!(o instanceof JsonObject m) || service == null) continue;
        String type = m.getString("Type");
        String destination = m.getString("Destination");
        String key = "volume".equals(type) ? "v:" + m.getString("Name") : "b:" + m.getString("Source");
        if (destination == null || found.containsKey(key) || skippedAlready(skipped, stack, destination)) continue;
        if (!"volume".equals(type) && !"bind".equals(type)) {
          skipped.add(new Skipped(stack, destination, "a " + type + " mount holds no data to keep"));
        } else if ("volume".equals(type) && ANONYMOUS.matcher(String.valueOf(m.getString("Name"))).matches()) {
          skipped.add(new Skipped(stack, destination, "an anonymous volume"));
        } else if (!m.getBoolean("RW", true)) {
          skipped.add(new Skipped(stack, destination, "a read-only mount"));
        } else {
          found.put(key, new Mount(id, service, type, "volume".equals(type) ? m.getString("Name") : m.getString("Source"), destination));
        }
      }
    }
    return List.copyOf(found.values());
  }

  private static boolean skippedAlready(List<Skipped> skipped, String stack, String destination) {
    return skipped.stream().anyMatch(s -> s.stack().equals(stack) && s.destination().equals(destination));
  }

  /**
   * A tar of the path (its last segment as the one top folder), which the caller closes; null
   * when the Engine's stat of the path (sent before the data) says it is neither a folder nor a
   * regular file: a socket or a device has no data to keep.
   */
  InputStream read(String container, String path) {
    var req = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET)
        .path("/containers/" + enc(container) + "/archive?path=" + enc(path)).build();
    DockerHttpClient.Response r = execute(req, "read a mount");
    if (r.getStatusCode() != 200) {
      close(r);
      throw new ApiException(500, "The engine would not give the data of " + path + " (HTTP " + r.getStatusCode() + ")");
    }
    if (!folderOrFile(r)) {
      close(r);
      return null;
    }
    return new java.io.FilterInputStream(r.getBody()) {
      @Override
      public void close() throws IOException {
        try {
          super.close();
        } finally {
          EngineArchive.close(r);
        }
      }
    };
  }

  private static boolean folderOrFile(DockerHttpClient.Response r) {
    String stat = r.getHeaders().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("X-Docker-Container-Path-Stat"))
        .flatMap(e -> e.getValue().stream()).findFirst().orElse(null);
    if (stat == null) return false;
    try {
      long mode = new JsonObject(new String(Base64.getDecoder().decode(stat), StandardCharsets.UTF_8)).getLong("mode", MODE_TYPE);
      return (mode & MODE_TYPE) == 0 || (mode & MODE_TYPE) == MODE_DIR;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Extracts a tar into the container's folder {@code dir} (through its mounts, as a copy into the container would). */
  void write(String container, String dir, InputStream tar) {
    var req = DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.PUT)
        .path("/containers/" + enc(container) + "/archive?path=" + enc(dir))
        .headers(Map.of("Content-Type", "application/x-tar")).body(tar).build();
    try (DockerHttpClient.Response r = execute(req, "write a mount")) {
      if (r.getStatusCode() != 200) {
        String why = message(r);
        throw new ApiException(500, "The engine refused the data for " + dir + " (HTTP " + r.getStatusCode() + ")" + why);
      }
    }
  }

  /** The container of a service that has a mount at {@code destination}; null when there is none. */
  String containerFor(String stack, String service, String destination) {
    for (JsonObject c : containers(stack)) {
      JsonObject labels = c.getJsonObject("Labels", new JsonObject());
      if (!service.equals(labels.getString(SERVICE))) continue;
      for (Object o : c.getJsonArray("Mounts", new JsonArray())) {
        if (o instanceof JsonObject m && destination.equals(m.getString("Destination")) && m.getBoolean("RW", true)) return c.getString("Id");
      }
    }
    return null;
  }

  private DockerHttpClient.Response get(String path) {
    return execute(DockerHttpClient.Request.builder().method(DockerHttpClient.Request.Method.GET).path(path).build(), "ask");
  }

  private DockerHttpClient.Response execute(DockerHttpClient.Request req, String what) {
    try {
      return http().execute(req);
    } catch (RuntimeException e) {
      // The exception's text names sockets and paths: the log has it, the answer does not.
      LOG.debug("Engine call to {} failed", what, e);
      throw ApiException.unavailable("Docker engine unreachable");
    }
  }

  private static Object json(DockerHttpClient.Response r, String what) {
    try (r; InputStream in = r.getBody()) {
      String text = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (r.getStatusCode() != 200) throw new ApiException(500, "The engine failed to " + what + " (HTTP " + r.getStatusCode() + ")");
      return io.vertx.core.json.Json.decodeValue(text);
    } catch (IOException e) {
      throw ApiException.unavailable("Docker engine unreachable");
    }
  }

  /** The Engine's own message (a short sentence such as "mounted volume is marked read-only"). */
  private static String message(DockerHttpClient.Response r) {
    try (InputStream in = r.getBody()) {
      String text = in == null ? "" : new String(in.readNBytes(2048), StandardCharsets.UTF_8);
      JsonObject o = new JsonObject(text);
      return o.getString("message") == null ? "" : ": " + o.getString("message");
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static void close(DockerHttpClient.Response r) {
    r.close();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Override
  public synchronized void close() throws IOException {
    if (http != null) http.close();
  }
}
