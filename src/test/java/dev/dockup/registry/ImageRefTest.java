package dev.dockup.registry;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageRefTest {
  static final String HEX = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  static final String DIGEST = "sha256:" + HEX;

  @ParameterizedTest(name = "{0}")
  @CsvSource(nullValues = "null", value = {
      // reference,                                   registry,          repository,               tag,        canonical
      "nginx,                                          docker.io,         library/nginx,            latest,     docker.io/library/nginx:latest",
      "nginx:1.27-alpine,                              docker.io,         library/nginx,            1.27-alpine, docker.io/library/nginx:1.27-alpine",
      "user/app:1.2,                                   docker.io,         user/app,                 1.2,        docker.io/user/app:1.2",
      "user/app,                                       docker.io,         user/app,                 latest,     docker.io/user/app:latest",
      "docker.io/nginx,                                docker.io,         library/nginx,            latest,     docker.io/library/nginx:latest",
      "docker.io/library/nginx:stable,                 docker.io,         library/nginx,            stable,     docker.io/library/nginx:stable",
      "index.docker.io/library/redis:7,                docker.io,         library/redis,            7,          docker.io/library/redis:7",
      "ghcr.io/o/r:tag,                                ghcr.io,           o/r,                      tag,        ghcr.io/o/r:tag",
      "ghcr.io/home-assistant/home-assistant:stable,   ghcr.io,           home-assistant/home-assistant, stable, ghcr.io/home-assistant/home-assistant:stable",
      "quay.io/a/b/c/d:v1_2.3,                         quay.io,           a/b/c/d,                  v1_2.3,     quay.io/a/b/c/d:v1_2.3",
      "localhost/x,                                    localhost,         x,                        latest,     localhost/x:latest",
      "localhost:5000/x,                               localhost:5000,    x,                        latest,     localhost:5000/x:latest",
      "localhost:5000/x:2,                             localhost:5000,    x,                        2,          localhost:5000/x:2",
      "127.0.0.1:5555/dockup-test/busybox:1,           127.0.0.1:5555,    dockup-test/busybox,      1,          127.0.0.1:5555/dockup-test/busybox:1",
      "registry.example.com:443/team/svc,              registry.example.com:443, team/svc,          latest,     registry.example.com:443/team/svc:latest",
      "[::1]:5000/x:y,                                 [::1]:5000,        x,                        y,          [::1]:5000/x:y",
      "Registry/app,                                   Registry,          app,                      latest,     Registry/app:latest",
      "my_reg/app,                                     docker.io,         my_reg/app,               latest,     docker.io/my_reg/app:latest",
      "a__b/c--d.e,                                    docker.io,         a__b/c--d.e,              latest,     docker.io/a__b/c--d.e:latest",
      "localhost:5000,                                 docker.io,         library/localhost,        5000,       docker.io/library/localhost:5000",
      "nginx:LATEST_Tag,                               docker.io,         library/nginx,            LATEST_Tag, docker.io/library/nginx:LATEST_Tag",
  })
  void parses(String reference, String registry, String repository, String tag, String canonical) {
    ImageRef ref = ImageRef.parse(reference);
    assertEquals(registry, ref.registry());
    assertEquals(repository, ref.repository());
    assertEquals(tag, ref.tag());
    assertNull(ref.digest());
    assertFalse(ref.pinned());
    assertEquals(canonical, ref.canonical());
    assertEquals(tag, ref.manifestReference());
  }

  @Test
  void digestPinWithoutTagHasNoTag() {
    ImageRef ref = ImageRef.parse("nginx@" + DIGEST);
    assertEquals("docker.io", ref.registry());
    assertEquals("library/nginx", ref.repository());
    assertNull(ref.tag());
    assertEquals(DIGEST, ref.digest());
    assertTrue(ref.pinned());
    assertEquals("docker.io/library/nginx@" + DIGEST, ref.canonical());
    assertEquals(DIGEST, ref.manifestReference());
  }

  @Test
  void digestPinWithTagKeepsBoth() {
    ImageRef ref = ImageRef.parse("ghcr.io/o/r:1.2@" + DIGEST);
    assertEquals("ghcr.io", ref.registry());
    assertEquals("o/r", ref.repository());
    assertEquals("1.2", ref.tag());
    assertEquals(DIGEST, ref.digest());
    assertTrue(ref.pinned());
    assertEquals("ghcr.io/o/r:1.2@" + DIGEST, ref.canonical());
    assertEquals("1.2", ref.manifestReference(), "the tag is what is checked for updates");
  }

  @Test
  void digestPinOnRegistryWithPort() {
    ImageRef ref = ImageRef.parse("localhost:5000/a/b@" + DIGEST);
    assertEquals("localhost:5000", ref.registry());
    assertEquals("a/b", ref.repository());
    assertNull(ref.tag());
    assertTrue(ref.pinned());
  }

  @Test
  void sha512DigestsAreAccepted() {
    String d = "sha512:" + HEX + HEX;
    assertEquals(d, ImageRef.parse("x@" + d).digest());
  }

  @Test
  void apiHostOfDockerHubIsRegistry1() {
    assertEquals("registry-1.docker.io", ImageRef.parse("nginx").apiHost());
    assertEquals("registry-1.docker.io", ImageRef.parse("docker.io/user/app").apiHost());
    assertEquals("ghcr.io", ImageRef.parse("ghcr.io/o/r").apiHost());
    assertEquals("127.0.0.1:5555", ImageRef.parse("127.0.0.1:5555/dockup-test/busybox:1").apiHost());
  }

  @Test
  void aRecordWithoutTagOrDigestMeansLatest() {
    assertEquals("latest", new ImageRef("docker.io", "library/nginx", null, null).tag());
    assertNull(new ImageRef("docker.io", "library/nginx", null, DIGEST).tag());
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {
      "",
      " ",
      "nginx ",
      " nginx",
      "ng inx",
      "Nginx",
      "user/App",
      "ghcr.io/Owner/repo",
      "nginx:",
      "nginx:-bad",
      "nginx:a/b",
      "nginx@",
      "nginx@sha256:abc",
      "nginx@sha256:" + "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
      "nginx@md5:0123456789abcdef0123456789abcdef",
      "nginx@" + HEX,
      "/nginx",
      "nginx/",
      "a//b",
      "-nginx",
      "nginx-",
      "a...b",
      "ghcr.io/",
      "ghcr.io:abc/x",
      "-bad.io/x",
      "user/app:1.2:3",
      HEX,
  })
  void refusesWhatDockerRefuses(String reference) {
    assertThrows(IllegalArgumentException.class, () -> ImageRef.parse(reference));
  }

  @Test
  void refusesNull() {
    assertThrows(IllegalArgumentException.class, () -> ImageRef.parse(null));
  }

  @Test
  void refusesOverlongNamesAndTags() {
    assertThrows(IllegalArgumentException.class, () -> ImageRef.parse("a/" + "b".repeat(255)));
    assertThrows(IllegalArgumentException.class, () -> ImageRef.parse("a:" + "b".repeat(129)));
    assertEquals("b".repeat(128), ImageRef.parse("a:" + "b".repeat(128)).tag());
  }

  @Test
  void hexNameWithATagIsAName() {
    // Only a bare 64-hex string is taken for an image id.
    assertEquals("library/" + HEX, ImageRef.parse(HEX + ":1").repository());
  }

  @Test
  void canonicalRoundTrips() {
    for (String s : new String[] {"nginx", "user/app:1.2", "ghcr.io/o/r:tag@" + DIGEST, "localhost:5000/x@" + DIGEST}) {
      ImageRef ref = ImageRef.parse(s);
      assertEquals(ref, ImageRef.parse(ref.canonical()));
    }
  }
}
