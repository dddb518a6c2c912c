package dev.dockup.registry;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Logins from the engine client's config.json, looked up the way {@code docker pull} does. */
class RegistryCredentialsTest {

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static JsonObject config(JsonObject auths) {
    return new JsonObject().put("auths", auths);
  }

  @Test
  void configFileFollowsDockerConfig() {
    assertEquals(Path.of("/etc/dc/config.json"), DockerCredentials.configFile(Map.of("DOCKER_CONFIG", "/etc/dc"), "/home/u"));
    assertEquals(Path.of("/home/u/.docker/config.json"), DockerCredentials.configFile(Map.of(), "/home/u"));
    assertEquals(Path.of("/home/u/.docker/config.json"), DockerCredentials.configFile(Map.of("DOCKER_CONFIG", " "), "/home/u"));
  }

  @Test
  void dockerHubKeyMapsToDockerIo() {
    DockerCredentials c = DockerCredentials.parse(config(new JsonObject()
        .put("https://index.docker.io/v1/", new JsonObject().put("auth", b64("hubuser:hub:pass")))));
    DockerCredentials.Login login = c.find("docker.io");
    assertEquals("hubuser", login.username());
    assertEquals("hub:pass", login.password(), "only the first colon separates");
    assertEquals(login, c.find(ImageRef.parse("nginx").registry()));
    assertEquals(login, c.find("registry-1.docker.io"));
    assertEquals(login, c.find("index.docker.io"));
  }

  @Test
  void hostKeysWithAndWithoutScheme() {
    DockerCredentials c = DockerCredentials.parse(config(new JsonObject()
        .put("ghcr.io", new JsonObject().put("auth", b64("gh:tok")))
        .put("https://registry.example.com:8443/v2/", new JsonObject().put("auth", b64("ex:pw")))
        .put("http://127.0.0.1:5555", new JsonObject().put("auth", b64("lo:pw")))));
    assertEquals("gh", c.find("ghcr.io").username());
    assertEquals("ex", c.find("registry.example.com:8443").username());
    assertEquals("lo", c.find("127.0.0.1:5555").username());
    assertEquals("gh", c.find("GHCR.IO").username(), "host names are case-insensitive");
    assertNull(c.find("registry.example.com"), "the port is part of the name");
    assertNull(c.find("docker.io"));
    assertNull(c.find(null));
  }

  @Test
  void usernameAndPasswordFields() {
    DockerCredentials c = DockerCredentials.parse(config(new JsonObject()
        .put("quay.io", new JsonObject().put("username", "q").put("password", "secret"))));
    assertEquals(new DockerCredentials.Login("q", "secret"), c.find("quay.io"));
  }

  @Test
  void authWinsOverFieldsAndBadAuthFallsBack() {
    DockerCredentials c = DockerCredentials.parse(config(new JsonObject()
        .put("a.io", new JsonObject().put("auth", b64("fromauth:1")).put("username", "u").put("password", "p"))
        .put("b.io", new JsonObject().put("auth", "%%%not base64").put("username", "u").put("password", "p"))
        .put("c.io", new JsonObject().put("auth", b64("nocolon")))
        .put("d.io", new JsonObject().put("auth", ""))
        .put("e.io", "not an object")));
    assertEquals("fromauth", c.find("a.io").username());
    assertEquals("u", c.find("b.io").username());
    assertNull(c.find("c.io"));
    assertNull(c.find("d.io"), "an empty entry (a credential helper's placeholder) is no login");
    assertNull(c.find("e.io"));
  }

  @Test
  void theKeyDockerLoginWritesWinsForHub() {
    DockerCredentials c = DockerCredentials.parse(config(new JsonObject()
        .put("https://index.docker.io/v1/", new JsonObject().put("auth", b64("right:1")))
        .put("registry-1.docker.io", new JsonObject().put("auth", b64("other:2")))));
    assertEquals("right", c.find("docker.io").username());
  }

  @Test
  void credentialHelpersAreIgnored() {
    DockerCredentials c = DockerCredentials.parse(new JsonObject()
        .put("credsStore", "desktop")
        .put("credHelpers", new JsonObject().put("gcr.io", "gcloud"))
        .put("auths", new JsonObject().put("https://index.docker.io/v1/", new JsonObject())));
    assertTrue(c.isEmpty());
    assertNull(c.find("gcr.io"));
  }

  @Test
  void noAuthsOrNoConfig() {
    assertTrue(DockerCredentials.parse(new JsonObject()).isEmpty());
    assertTrue(DockerCredentials.parse(new JsonObject().put("auths", "x")).isEmpty());
    assertTrue(DockerCredentials.parse(null).isEmpty());
    assertTrue(DockerCredentials.NONE.isEmpty());
  }

  @Test
  void passwordsAreNeverPrinted() {
    DockerCredentials c = DockerCredentials.parse(config(new JsonObject()
        .put("ghcr.io", new JsonObject().put("auth", b64("gh:supersecret")))));
    assertFalse(c.find("ghcr.io").toString().contains("supersecret"));
    assertFalse(c.toString().contains("supersecret"));
    assertFalse(c.toString().contains(b64("gh:supersecret")));
  }

  @Test
  void basicHeader() {
    assertEquals("Basic " + b64("u:p"), new DockerCredentials.Login("u", "p").basicHeader());
  }

  @Test
  void normalize() {
    assertEquals("docker.io", DockerCredentials.normalize("https://index.docker.io/v1/"));
    assertEquals("docker.io", DockerCredentials.normalize("docker.io"));
    assertEquals("ghcr.io", DockerCredentials.normalize("https://ghcr.io"));
    assertEquals("localhost:5000", DockerCredentials.normalize("http://localhost:5000/v2/"));
  }
}
