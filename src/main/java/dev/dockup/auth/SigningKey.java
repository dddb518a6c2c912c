package dev.dockup.auth;

import dev.dockup.store.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The key that signs session cookies and JWTs. In a fleet it is derived from
 * {@code DOCKUP_CLUSTER_SECRET}, so every node checks what any node issued and no key crosses
 * the network; alone, from {@code DOCKUP_JWT_SECRET} when set, else generated once into
 * {@code DATA_DIR/jwt.key} (owner-only).
 */
public final class SigningKey {
  private SigningKey() {}

  public static final String FILE = "jwt.key";

  public static byte[] forFleet(String clusterSecret) {
    return Secrets.hmacSha256("dockup-fleet-jwt-v1".getBytes(StandardCharsets.UTF_8), clusterSecret.getBytes(StandardCharsets.UTF_8));
  }

  public static byte[] load(Path dataDir, String configuredSecret) throws IOException {
    if (configuredSecret != null) {
      return Secrets.hmacSha256("dockup-jwt-v1".getBytes(StandardCharsets.UTF_8), configuredSecret.getBytes(StandardCharsets.UTF_8));
    }
    Path file = dataDir.resolve(FILE);
    if (Files.exists(file)) {
      try {
        byte[] key = Base64.getDecoder().decode(Files.readString(file).trim());
        if (key.length >= 32) return key;
      } catch (IllegalArgumentException e) {
        // fall through to the error
      }
      throw new IllegalStateException(file + " is not a valid key; remove it to generate a new one (every session ends)");
    }
    byte[] key = Secrets.randomBytes(32);
    AtomicFiles.write(file, Base64.getEncoder().encodeToString(key) + "\n", AtomicFiles.OWNER_ONLY);
    return key;
  }
}
