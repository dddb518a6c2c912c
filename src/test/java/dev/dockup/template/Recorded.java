package dev.dockup.template;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** The catalogs recorded for the tests (src/test/resources/catalogs), in each format's real shape. */
public final class Recorded {
  private Recorded() {}

  public static String text(String name) {
    try (InputStream in = Recorded.class.getClassLoader().getResourceAsStream("catalogs/" + name)) {
      if (in == null) throw new IllegalStateException("no recorded catalog " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The recorded CasaOS store as CasaOS downloads one: a zip with a top folder, then Apps/<App>/docker-compose.yml. */
  public static byte[] casaosStoreZip() {
    try {
      Path root = Paths.get(Recorded.class.getClassLoader().getResource("catalogs/casaos-store").toURI());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ZipOutputStream zip = new ZipOutputStream(out); Stream<Path> files = Files.walk(root)) {
        for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
          zip.putNextEntry(new ZipEntry("store-main/" + root.relativize(p).toString().replace('\\', '/')));
          zip.write(Files.readAllBytes(p));
          zip.closeEntry();
        }
        zip.putNextEntry(new ZipEntry("store-main/README.md"));
        zip.write("not an app".getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
      return out.toByteArray();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The Portainer v2 list with its repository URLs pointing at {@code base}. */
  public static String portainerV2(String base) {
    return text("portainer-v2.json").replace("{{BASE}}", base);
  }
}
