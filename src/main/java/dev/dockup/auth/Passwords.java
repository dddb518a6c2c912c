package dev.dockup.auth;

import at.favre.lib.crypto.bcrypt.BCrypt;
import dev.dockup.bus.ApiException;

import java.nio.charset.StandardCharsets;

/** bcrypt at cost 12 (about a quarter second here): blocking, so callers run it on a worker. */
public final class Passwords {
  private Passwords() {}

  public static final int COST = 12;
  public static final int MIN_LENGTH = 8;
  public static final int MAX_LENGTH = 72;

  public static void checkAcceptable(String password) {
    if (password == null || password.length() < MIN_LENGTH) {
      throw ApiException.badRequest("The password must have at least " + MIN_LENGTH + " characters");
    }
    // bcrypt reads at most 72 bytes: refuse longer rather than silently ignore the rest.
    if (password.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
      throw ApiException.badRequest("The password must have at most " + MAX_LENGTH + " bytes");
    }
  }

  public static String hash(String password) {
    return BCrypt.withDefaults().hashToString(COST, password.toCharArray());
  }

  public static boolean verify(String password, String hash) {
    if (password == null || hash == null || password.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) return false;
    return BCrypt.verifyer().verify(password.toCharArray(), hash).verified;
  }
}
