package dev.dockup.registry;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code WWW-Authenticate} parsing, with the headers real registries send. */
class RegistryChallengeTest {

  @Test
  void dockerHubBearer() {
    List<Challenge> all = Challenge.parse(
        "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/nginx:pull\"");
    assertEquals(1, all.size());
    Challenge c = all.get(0);
    assertEquals("bearer", c.scheme());
    assertEquals("https://auth.docker.io/token", c.param("realm"));
    assertEquals("registry.docker.io", c.param("service"));
    assertEquals("repository:library/nginx:pull", c.param("scope"));
  }

  @Test
  void quotedCommasStayInTheValue() {
    Challenge c = Challenge.parse("Bearer realm=\"https://ghcr.io/token\",service=\"ghcr.io\",scope=\"repository:o/r:pull,push\"").get(0);
    assertEquals("repository:o/r:pull,push", c.param("scope"));
    assertEquals("ghcr.io", c.param("service"));
  }

  @Test
  void spacesCaseAndUnquotedValues() {
    Challenge c = Challenge.parse("  BEARER  Realm = https://r.example/token , SERVICE=svc,  scope=\"a b\"").get(0);
    assertEquals("bearer", c.scheme());
    assertEquals("https://r.example/token", c.param("realm"));
    assertEquals("svc", c.param("service"));
    assertEquals("a b", c.param("scope"));
  }

  @Test
  void escapedQuotes() {
    Challenge c = Challenge.parse("Basic realm=\"say \\\"hi\\\", please\"").get(0);
    assertEquals("basic", c.scheme());
    assertEquals("say \"hi\", please", c.param("realm"));
  }

  @Test
  void basicRealm() {
    Challenge c = Challenge.parse("Basic realm=\"Registry Realm\"").get(0);
    assertEquals("basic", c.scheme());
    assertEquals("Registry Realm", c.param("realm"));
  }

  @Test
  void bareScheme() {
    List<Challenge> all = Challenge.parse("Basic");
    assertEquals(1, all.size());
    assertEquals("basic", all.get(0).scheme());
    assertTrue(all.get(0).params().isEmpty());
  }

  @Test
  void severalChallengesInOneHeader() {
    List<Challenge> all = Challenge.parse(
        "Basic realm=\"x\", Bearer realm=\"https://a/token\",service=\"s\", Negotiate");
    assertEquals(3, all.size());
    assertEquals("basic", all.get(0).scheme());
    assertEquals("x", all.get(0).param("realm"));
    assertEquals("bearer", all.get(1).scheme());
    assertEquals("https://a/token", all.get(1).param("realm"));
    assertEquals("s", all.get(1).param("service"));
    assertEquals("negotiate", all.get(2).scheme());
  }

  @Test
  void bearerIsPreferredOverBasicAcrossHeaders() {
    Challenge c = Challenge.preferred(List.of("Basic realm=\"x\"", "Bearer realm=\"https://a/token\""));
    assertEquals("bearer", c.scheme());
    assertEquals("basic", Challenge.preferred(List.of("Negotiate", "Basic realm=\"x\"")).scheme());
    assertNull(Challenge.preferred(List.of("Negotiate")));
    assertNull(Challenge.preferred(List.of()));
  }

  @Test
  void unreadableOrEmpty() {
    assertTrue(Challenge.parse(null).isEmpty());
    assertTrue(Challenge.parse("").isEmpty());
    assertTrue(Challenge.parse("  ,, ").isEmpty());
    // An unterminated quote ends at the end of the header rather than failing.
    assertEquals("https://a", Challenge.parse("Bearer realm=\"https://a").get(0).param("realm"));
  }

  @Test
  void token68IsSkipped() {
    List<Challenge> all = Challenge.parse("Custom abc==, Bearer realm=\"r\"");
    assertEquals("r", Challenge.preferred(List.of("Custom abc==, Bearer realm=\"r\"")).param("realm"));
    assertEquals("custom", all.get(0).scheme());
  }
}
