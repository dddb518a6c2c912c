package dev.dockup.webhook;

import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SignaturesTest {
  static final String SECRET = "It's a Secret to Everybody";
  static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);

  /** The example of GitHub's documentation on validating webhook deliveries. */
  @Test
  void matchesGitHubsPublishedExample() {
    assertEquals("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", Signatures.sign(SECRET, BODY));
    assertTrue(Signatures.accepted(SECRET, null, "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", BODY));
    // Hex digits in either case.
    assertTrue(Signatures.accepted(SECRET, null, "SHA256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17", BODY));
  }

  @Test
  void aSignatureOfAnotherBodyOrKeyOrMalformedIsRefused() {
    String good = Signatures.sign(SECRET, BODY);
    assertFalse(Signatures.accepted(SECRET, null, good, "Hello, World?".getBytes(StandardCharsets.UTF_8)));
    assertFalse(Signatures.accepted("another", null, good, BODY));
    assertFalse(Signatures.accepted(SECRET, null, good.substring("sha256=".length()), BODY), "the prefix is required");
    assertFalse(Signatures.accepted(SECRET, null, "sha1=" + good.substring(7), BODY));
    assertFalse(Signatures.accepted(SECRET, null, "sha256=zz", BODY));
    assertFalse(Signatures.accepted(SECRET, null, good.substring(0, good.length() - 2), BODY), "a truncated digest");
    assertFalse(Signatures.accepted(SECRET, null, good + "00", BODY), "a longer one");
    assertFalse(Signatures.accepted(SECRET, null, "", BODY));
    assertFalse(Signatures.accepted(SECRET, null, "sha256=" + "a".repeat(10_000), BODY));
  }

  @Test
  void theSecretHeaderMustMatchExactly() {
    assertTrue(Signatures.accepted(SECRET, SECRET, null, BODY));
    assertTrue(Signatures.accepted(SECRET, " " + SECRET + " ", null, BODY), "surrounding blanks of a pasted value");
    assertFalse(Signatures.accepted(SECRET, SECRET.substring(1), null, BODY));
    assertFalse(Signatures.accepted(SECRET, SECRET + "x", null, BODY));
    assertFalse(Signatures.accepted(SECRET, "", null, BODY));
    assertFalse(Signatures.accepted(SECRET, SECRET.toLowerCase(), null, BODY));
  }

  @Test
  void nothingSentIsRefusedAndEverythingSentMustBeRight() {
    assertFalse(Signatures.accepted(SECRET, null, null, BODY));
    String good = Signatures.sign(SECRET, BODY);
    assertTrue(Signatures.accepted(SECRET, SECRET, good, BODY));
    assertFalse(Signatures.accepted(SECRET, SECRET, Signatures.sign("other", BODY), BODY), "a right secret does not excuse a wrong signature");
    assertFalse(Signatures.accepted(SECRET, "wrong", good, BODY), "nor the other way round");
  }

  @Test
  void operationsAreAKnownNonEmptyBoundedList() {
    assertEquals(List.of("pull", "up"), WebhookVerticle.operations(new JsonArray().add("pull").add("up")));
    assertEquals(List.of("update"), WebhookVerticle.operations(new JsonArray().add("update")));
    for (Object bad : new Object[] {null, "up", new JsonArray(), new JsonArray().add("up").add("rm"),
        new JsonArray().add(1), new JsonArray(List.of("up", "up", "up", "up", "up", "up"))}) {
      assertThrows(dev.dockup.bus.ApiException.class, () -> WebhookVerticle.operations(bad), String.valueOf(bad));
    }
  }
}
