package dev.dockup.notify;

/**
 * What one notification says, before it is shaped for a service.
 *
 * @param instance the instance name, prefixed to every title so a user with several DockUps
 *                 knows which one speaks
 * @param event    one of the {@code notify_on} events, or {@code test}
 * @param stack    the stack concerned; null when none (a test)
 */
record Notice(String instance, String event, String stack, String title, String message) {

  /** {@code "<instance>: <title>"}. */
  String fullTitle() {
    return instance + ": " + title;
  }
}
