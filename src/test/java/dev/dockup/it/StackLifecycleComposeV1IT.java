package dev.dockup.it;

/** The lifecycle with compose v1 ({@code docker-compose} 1.29, Debian 12's). */
class StackLifecycleComposeV1IT extends StackLifecycleBase {
  @Override
  String composeCommand() {
    return "docker-compose";
  }
}
