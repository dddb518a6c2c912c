package dev.dockup.notify;

/**
 * A notification URL DockUp cannot send to. Its message names the scheme and the reason only:
 * it is logged and shown in test results, and the rest of the URL is a credential.
 */
final class UnsupportedUrl extends Exception {
  UnsupportedUrl(String scheme, String reason) {
    super((scheme.isEmpty() ? "notification URL" : scheme + " URL") + ": " + reason, null, false, false);
  }
}
