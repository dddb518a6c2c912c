package dev.dockup.it;

/** The lifecycle with compose v2 ({@code docker compose}), what users have. */
class StackLifecycleComposeV2IT extends StackLifecycleBase {
  @Override
  String composeCommand() {
    return "docker compose";
  }
}
