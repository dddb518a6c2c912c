package dev.dockup;

import java.io.InputStream;
import java.util.Properties;

/** DockUp's own version, and the bundled Swagger UI's, stamped into the jar by Maven's resource filtering. */
public final class DockUpVersion {
  private DockUpVersion() {}

  private static final Properties STAMPED = read();
  public static final String VERSION = STAMPED.getProperty("version", "dev");
  /** Where {@code /api/docs} finds its files: {@code META-INF/resources/webjars/swagger-ui/<this>/}. */
  public static final String SWAGGER_UI = STAMPED.getProperty("swagger_ui", "");

  private static Properties read() {
    Properties p = new Properties();
    try (InputStream in = DockUpVersion.class.getResourceAsStream("/dockup-version.properties")) {
      if (in != null) p.load(in);
    } catch (Exception e) {
      // unstamped (a class folder outside Maven): the defaults above
    }
    return p;
  }
}
