package dev.dockup.store;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Encrypts at rest the credentials DockUp must send to others (notification URLs, peer tokens):
 * they cannot be hashed like our own tokens, so a copy of {@code settings.json} alone must not
 * reveal them. AES-256-GCM with a random 96-bit IV per value; the key lives in its own
 * owner-only file, {@code DATA_DIR/secret.key}.
 */
public final class SecretBox {
  public static final String FILE = "secret.key";
  private static final String PREFIX = "v1:";
  private static final int KEY_BYTES = 32;
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  private SecretBox(byte[] key) {
    this.key = new SecretKeySpec(key, "AES");
  }

  /** Blocking: reads the key, or generates it on first start. */
  public static SecretBox load(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file)) return new SecretBox(readKey(file));
    byte[] key = new byte[KEY_BYTES];
    new SecureRandom().nextBytes(key);
    AtomicFiles.write(file, Base64.getEncoder().encodeToString(key) + "\n", AtomicFiles.OWNER_ONLY);
    return new SecretBox(key);
  }

  /** A box for a key derived elsewhere (the fleet's, from its secret): nothing is read or written. */
  public static SecretBox withKey(byte[] key) {
    if (key == null || key.length != KEY_BYTES) throw new IllegalArgumentException("a key is " + KEY_BYTES + " bytes");
    return new SecretBox(key);
  }

  private static byte[] readKey(Path file) throws IOException {
    try {
      byte[] key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.UTF_8).trim());
      if (key.length == KEY_BYTES) return key;
    } catch (IllegalArgumentException e) {
      // fall through to the error
    }
    // Never replace it silently: every stored credential would become unreadable.
    throw new IllegalStateException(file + " is not a valid key (base64 of " + KEY_BYTES + " bytes); restore it from a"
        + " backup, or remove it to generate a new one (stored notification URLs and peer tokens must then be entered again)");
  }

  /** {@code v1:} + base64(IV || ciphertext || tag). */
  public String encrypt(String plain) {
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    try {
      // A Cipher is stateful: one per call keeps the box thread-safe.
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
      byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[IV_BYTES + sealed.length];
      System.arraycopy(iv, 0, out, 0, IV_BYTES);
      System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
      return PREFIX + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available in this JVM", e);
    }
  }

  /** The plain text; IllegalArgumentException when the value is malformed, altered or sealed with another key. */
  public String decrypt(String sealed) {
    if (sealed == null || !sealed.startsWith(PREFIX)) throw new IllegalArgumentException("not a sealed value");
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(sealed.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("sealed value is not valid base64");
    }
    if (raw.length < IV_BYTES + TAG_BITS / 8) throw new IllegalArgumentException("sealed value is too short");
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, raw, 0, IV_BYTES));
      byte[] plain = cipher.doFinal(raw, IV_BYTES, raw.length - IV_BYTES);
      return new String(plain, StandardCharsets.UTF_8);
    } catch (AEADBadTagException e) {
      throw new IllegalArgumentException("sealed value was altered or sealed with another key");
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("sealed value cannot be decrypted: " + e.getClass().getSimpleName());
    }
  }
}
