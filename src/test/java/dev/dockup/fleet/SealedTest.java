package dev.dockup.fleet;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

  @Test
  void anEncryptedDocumentShowsNothingAndOpensWithTheSecretOnly() {
    String hash = "$2a$12$abcdefghijklmnopqrstuuO9kB6mFQ9zJc8tVbq1Zl3Y2n7rXo5i";
    String tokenHash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    JsonObject store = new JsonObject().put("password_hash", hash).put("revision", 7)
        .put("tokens", new JsonObject().put("t1", new JsonObject().put("hash", tokenHash)));
    JsonObject sealed = Sealed.sealSecret(signer, Sealed.box(signer, "auth-store"), "auth-store", store);
    String seen = sealed.encode();
    assertFalse(seen.contains("$2") || seen.contains(tokenHash) || seen.contains("revision"), seen);

    Signer again = new Signer(SECRET);
    assertEquals(store, Sealed.openSecret(again, Sealed.box(again, "auth-store"), "auth-store", sealed));
    assertEquals(store, Sealed.openSecretText(again, Sealed.box(again, "auth-store"), "auth-store", seen));
    Signer other = new Signer("another-secret-0123456789-abcdefghij");
    assertNull(Sealed.openSecret(other, Sealed.box(other, "auth-store"), "auth-store", sealed));
    assertNull(Sealed.openSecret(signer, Sealed.box(signer, "fleet-entry"), "auth-store", sealed), "another purpose's key");
    assertNull(Sealed.openSecretText(signer, Sealed.box(signer, "auth-store"), "auth-store", "not json"));
  }

  @Test
  void anEncryptedDocumentMustBeSealedAndEncryptedWithTheFleetsKeys() {
    JsonObject store = new JsonObject().put("revision", 1_000_000);
    var box = Sealed.box(signer, "auth-store");
    // Sealed with the secret but encrypted with another key: refused when opened.
    String foreign = Sealed.box(new Signer("another-secret-0123456789-abcdefghij"), "auth-store").encrypt(store.encode());
    assertNull(Sealed.openSecret(signer, box, "auth-store", new JsonObject().put("box", foreign).put("seal", signer.seal("auth-store", foreign))));
    // Encrypted right but not sealed, or sealed for another purpose.
    String ours = box.encrypt(store.encode());
    assertNull(Sealed.openSecret(signer, box, "auth-store", new JsonObject().put("box", ours)));
    assertNull(Sealed.openSecret(signer, box, "auth-store", new JsonObject().put("box", ours).put("seal", signer.seal("fleet-entry", ours))));
    // A plain sealed document is not an encrypted one.
    assertNull(Sealed.openSecret(signer, box, "auth-store", Sealed.seal(signer, "auth-store", store)));
  }
}
