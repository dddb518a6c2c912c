package dev.dockup.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretBoxTest {

  @TempDir Path tmp;

  @Test
  void roundTrip() throws IOException {
    SecretBox box = SecretBox.load(tmp);
    String plain = "discord://s3cret-token@12345?x=ü€";
    String sealed = box.encrypt(plain);
    assertTrue(sealed.startsWith("v1:"), sealed);
    assertFalse(sealed.contains("s3cret"), sealed);
    assertEquals(plain, box.decrypt(sealed));
    assertEquals("", box.decrypt(box.encrypt("")));
  }

  @Test
  void sealedValueIsIvPlusCiphertextAndTag() throws IOException {
    SecretBox box = SecretBox.load(tmp);
    byte[] raw = Base64.getDecoder().decode(box.encrypt("abcd").substring(3));
    assertEquals(12 + 4 + 16, raw.length);
  }

  @Test
  void eachEncryptionUsesAFreshIv() throws IOException {
    SecretBox box = SecretBox.load(tmp);
    assertNotEquals(box.encrypt("same"), box.encrypt("same"));
  }

  @Test
  void tamperingIsDetected() throws IOException {
    SecretBox box = SecretBox.load(tmp);
    byte[] raw = Base64.getDecoder().decode(box.encrypt("gotify://host/tokenABC").substring(3));
    for (int i : new int[] {0, 11, 12, raw.length - 1}) {
      byte[] bad = raw.clone();
      bad[i] ^= 1;
      String tampered = "v1:" + Base64.getEncoder().encodeToString(bad);
      assertThrows(IllegalArgumentException.class, () -> box.decrypt(tampered), "byte " + i);
    }
  }

  @Test
  void badFormatsAreRefused() throws IOException {
    SecretBox box = SecretBox.load(tmp);
    String good = box.encrypt("x");
    assertThrows(IllegalArgumentException.class, () -> box.decrypt(null));
    assertThrows(IllegalArgumentException.class, () -> box.decrypt(""));
    assertThrows(IllegalArgumentException.class, () -> box.decrypt(good.substring(3)));
    assertThrows(IllegalArgumentException.class, () -> box.decrypt("v2:" + good.substring(3)));
    assertThrows(IllegalArgumentException.class, () -> box.decrypt("v1:!!!not base64"));
    assertThrows(IllegalArgumentException.class, () -> box.decrypt("v1:" + Base64.getEncoder().encodeToString(new byte[20])));
  }

  @Test
  void anotherKeyCannotDecrypt(@TempDir Path other) throws IOException {
    String sealed = SecretBox.load(tmp).encrypt("secret");
    SecretBox foreign = SecretBox.load(other);
    assertThrows(IllegalArgumentException.class, () -> foreign.decrypt(sealed));
  }

  @Test
  void keyIsPersistedOwnerOnlyAndReused() throws IOException {
    String sealed = SecretBox.load(tmp).encrypt("keep me");
    Path key = tmp.resolve(SecretBox.FILE);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
    assertEquals(32, Base64.getDecoder().decode(Files.readString(key).trim()).length);
    String before = Files.readString(key);

    assertEquals("keep me", SecretBox.load(tmp).decrypt(sealed));
    assertEquals(before, Files.readString(key));
  }

  @Test
  void corruptKeyFileIsAClearError() throws IOException {
    Path key = tmp.resolve(SecretBox.FILE);
    Files.writeString(key, "not base64 at all!");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> SecretBox.load(tmp));
    assertTrue(e.getMessage().contains(SecretBox.FILE), e.getMessage());

    Files.writeString(key, Base64.getEncoder().encodeToString(new byte[16]));
    assertThrows(IllegalStateException.class, () -> SecretBox.load(tmp));
    // Never silently replaced.
    assertEquals(Base64.getEncoder().encodeToString(new byte[16]), Files.readString(key));
  }
}
