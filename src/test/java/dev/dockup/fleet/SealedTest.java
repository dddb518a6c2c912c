package dev.dockup.fleet;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class SealedTest {
  static final String SECRET = "unit-test-secret-0123456789-abcdefgh";
  final Signer signer = new Signer(SECRET);

  @Test
  void aSealedDocumentOpensWithTheSameSecretAndPurposeOnly() {
    JsonObject doc = new JsonObject().put("name", "node-b").put("ts", 42);
    JsonObject sealed = Sealed.seal(signer, "fleet-entry", doc);
    assertEquals(doc, Sealed.open(new Signer(SECRET), "fleet-entry", sealed));
    assertNull(Sealed.open(new Signer("another-secret-0123456789-abcdefghij"), "fleet-entry", sealed));
    assertNull(Sealed.open(signer, "auth-store", sealed), "a fleet entry is not an auth store");
  }

  @Test
  void aChangedOrUnsealedDocumentIsRefused() {
    JsonObject sealed = Sealed.seal(signer, "auth-store", new JsonObject().put("revision", 1));
    JsonObject changed = sealed.copy().put("text", new JsonObject().put("revision", 2).encode());
    assertNull(Sealed.open(signer, "auth-store", changed));
    assertNull(Sealed.open(signer, "auth-store", new JsonObject().put("text", "{}")));
    assertNull(Sealed.open(signer, "auth-store", "not an envelope"));
    assertNull(Sealed.open(signer, "auth-store", new JsonObject().put("text", 5).put("seal", "x")));
  }

  @Test
  void aSealIsNeverARequestSignature() {
    var options = signer.sign("node-a", "node-b", "stacks", "get", "{}", 1_000);
    assertNull(Sealed.open(signer, "node-b", new JsonObject().put("text", "{}").put("seal", options.getHeaders().get("sig"))));
  }
}
