package dev.dockup.template;

/**
 * A catalog that could not be read (not the format it claims, too many templates, a broken
 * archive). The message is shown to clients as the source's error: it says what is wrong with
 * the document, never anything of DockUp's own.
 */
final class Unreadable extends Exception {
  Unreadable(String message) {
    super(message, null, false, false);
  }
}
