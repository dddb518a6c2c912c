package dev.dockup.it;

import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/** Helpers of the backup tests: archives downloaded and uploaded as a browser or curl would, and trees compared. */
final class Backups {
  private Backups() {}

  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The archive's bytes, with the client's credential (if any); the status when it is refused. */
  record Download(int status, byte[] bytes) {}

  static Download download(Http http, String path) throws Exception {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(http.base() + path)).GET().timeout(Duration.ofSeconds(120));
    for (String h : new String[] {"Authorization", "X-API-Token"}) {
      if (http.header(h) != null) req.header(h, http.header(h));
    }
    HttpResponse<byte[]> r = CLIENT.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Download(r.statusCode(), r.body());
  }

  /** A multipart restore: the archive as the field {@code file}, and {@code options} as JSON. */
  static Http.Resp upload(Http http, byte[] archive, JsonObject options) throws IOException {
    String boundary = "----dockup" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if (options != null) {
      body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"options\"\r\n\r\n" + options.encode() + "\r\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"backup.tar.gz\"\r\n"
        + "Content-Type: application/gzip\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.write(archive);
    body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return http.send(HttpRequest.newBuilder(URI.create(http.base() + "/api/backup/restore"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
  }

  /**
   * Every file and folder under the roots with its size and checksum (links as their target),
   * except the audit log, which records every request whatever it changes.
   */
  static Map<String, String> tree(Path... roots) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (Path root : roots) {
      if (!Files.exists(root)) continue;
      try (Stream<Path> all = Files.walk(root)) {
        for (Path p : (Iterable<Path>) all::iterator) {
          String name = root.getFileName() + "/" + root.relativize(p);
          if (p.getFileName().toString().startsWith("audit.jsonl")) continue;
          if (Files.isSymbolicLink(p)) out.put(name, "-> " + Files.readSymbolicLink(p));
          else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) out.put(name, "dir");
          else out.put(name, Files.size(p) + " " + sha256(Files.readAllBytes(p)));
        }
      }
    }
    return out;
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
