package dev.dockup.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the id of the container DockUp itself runs in, if any, so its stack can be protected. */
final class SelfContainer {
  private SelfContainer() {}

  private static final Pattern ID = Pattern.compile("/(?:docker/)?containers/([0-9a-f]{64})/");
  private static final Pattern CGROUP = Pattern.compile("docker[-/]([0-9a-f]{64})");

  static String id() {
    String found = scan(Path.of("/proc/self/mountinfo"), ID);
    return found != null ? found : scan(Path.of("/proc/self/cgroup"), CGROUP);
  }

  private static String scan(Path file, Pattern pattern) {
    try {
      if (!Files.isReadable(file)) return null;
      Matcher m = pattern.matcher(Files.readString(file));
      return m.find() ? m.group(1) : null;
    } catch (Exception e) {
      return null;
    }
  }
}
