package dev.dockup.registry;

/**
 * A registry that could not be reached or refused to answer. The message is safe to show a
 * client: it never holds a credential or a token.
 */
public class RegistryException extends RuntimeException {
  private final int status;

  public RegistryException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  /** The registry's HTTP status (404: no such tag or repository), or 0 when there was no answer. */
  public int status() {
    return status;
  }
}
