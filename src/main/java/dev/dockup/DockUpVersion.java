package dev.dockup;

import java.io.InputStream;
import java.util.Properties;

/** DockUp's own version, stamped into the jar by Maven's resource filtering. */
public final class DockUpVersion {
  private DockUpVersion() {}

  public static final String VERSION = read();

  private static String read() {
    try (InputStream in = DockUpVersion.class.getResourceAsStream("/dockup-version.properties")) {
      Properties p = new Properties();
      if (in != null) p.load(in);
      return p.getProperty("version", "dev");
    } catch (Exception e) {
      return "dev";
    }
  }
}
