package dev.dockup.backup;

import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import dev.dockup.bus.ApiException;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * An archive encrypted with a passphrase: a header of its own ({@value #MAGIC_TEXT}, the PBKDF2
 * iteration count and salt), then Tink's streaming AEAD (AES-256-GCM in 1 MiB segments, each
 * authenticated, the last one marked, with a key derived by HKDF from the PBKDF2 output and a
 * salt of its own). Streaming matters: the JDK's own AES-GCM holds a whole message until its
 * tag is checked, and an archive may be gigabytes. The header is authenticated as associated
 * data, so its fields cannot be changed unnoticed. The passphrase is never stored: a fresh
 * instance that knows it can open the archive.
 */
final class Encryption {
  static final String MAGIC_TEXT = "DKBKENC1";
  private static final byte[] MAGIC = MAGIC_TEXT.getBytes(StandardCharsets.US_ASCII);
  static final int HEADER_LENGTH = MAGIC.length + 4 + 16;
  /** OWASP's figure for PBKDF2-HMAC-SHA256 (2023). */
  static final int ITERATIONS = 600_000;
  /** What a header may ask for: fewer is weak, more only burns the CPU of whoever opens it. */
  private static final int MIN_ITERATIONS = 100_000;
  private static final int MAX_ITERATIONS = 10_000_000;
  private static final int SEGMENT = 1 << 20;
  static final int MAX_PASSPHRASE = 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  private Encryption() {}

  /** The key material and the header it goes with, derived once per archive and reused for every pass. */
  record Key(byte[] ikm, byte[] header) {}

  /** Whether the first bytes of a file are this header's. */
  static boolean isEncrypted(byte[] start) {
    return start.length >= MAGIC.length && Arrays.equals(Arrays.copyOf(start, MAGIC.length), MAGIC);
  }

  static Key newKey(String passphrase) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    byte[] header = ByteBuffer.allocate(HEADER_LENGTH).put(MAGIC).putInt(ITERATIONS).put(salt).array();
    return new Key(derive(passphrase, salt, ITERATIONS), header);
  }

  /** Reads the header from {@code in} and derives the key it names; 400 when it is not one of ours. */
  static Key readKey(InputStream in, String passphrase) throws IOException {
    byte[] header = new byte[HEADER_LENGTH];
    try {
      new DataInputStream(in).readFully(header);
    } catch (EOFException e) {
      throw ApiException.badRequest("Archive refused: the encrypted archive is truncated");
    }
    ByteBuffer b = ByteBuffer.wrap(header);
    byte[] magic = new byte[MAGIC.length];
    b.get(magic);
    int iterations = b.getInt();
    byte[] salt = new byte[16];
    b.get(salt);
    if (!Arrays.equals(magic, MAGIC)) throw ApiException.badRequest("Archive refused: not an encrypted DockUp backup");
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw ApiException.badRequest("Archive refused: its key derivation asks for " + iterations + " iterations");
    }
    return new Key(derive(passphrase, salt, iterations), header);
  }

  static OutputStream encrypting(OutputStream out, Key key) throws IOException {
    out.write(key.header());
    try {
      return streaming(key).newEncryptingStream(out, key.header());
    } catch (GeneralSecurityException e) {
      throw new IOException("Cannot encrypt: " + e.getMessage(), e);
    }
  }

  /** {@code in} positioned after the header; a segment that fails its check fails the read with an IOException. */
  static InputStream decrypting(InputStream in, Key key) throws IOException {
    try {
      return streaming(key).newDecryptingStream(in, key.header());
    } catch (GeneralSecurityException e) {
      throw new IOException("Cannot decrypt: " + e.getMessage(), e);
    }
  }

  private static AesGcmHkdfStreaming streaming(Key key) throws GeneralSecurityException {
    return new AesGcmHkdfStreaming(key.ikm(), "HmacSha256", 32, SEGMENT, 0);
  }

  static void checkPassphrase(Object raw) {
    if (raw == null) return;
    if (!(raw instanceof String s) || s.isEmpty() || s.length() > MAX_PASSPHRASE) {
      throw ApiException.badRequest("passphrase must be a string of 1 to " + MAX_PASSPHRASE + " characters");
    }
  }

  private static byte[] derive(String passphrase, byte[] salt, int iterations) {
    PBEKeySpec spec = new PBEKeySpec(passphrase.toCharArray(), salt, iterations, 256);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2 is unavailable", e);
    } finally {
      spec.clearPassword();
    }
  }
}
