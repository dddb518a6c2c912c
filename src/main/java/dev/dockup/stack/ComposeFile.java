package dev.dockup.stack;

import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What DockUp itself reads from a compose file: its services, which of them name an image, which
 * sit behind a profile, and the paths that make the compose CLI read a file. Parsing is bounded
 * ({@link BoundedYaml}) so a hostile file is refused quickly; the compose CLI remains the judge
 * of everything else.
 */
public final class ComposeFile {

  public static final int MAX_BYTES = 1024 * 1024;
  public static final List<String> FILE_NAMES =
      List.of("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml");
  public static final List<String> OVERRIDE_NAMES = List.of("compose.override.yaml", "compose.override.yml");

  /** What a referenced path is to compose. */
  public enum Kind {
    /** A file it reads (env_file, secrets, configs, a Dockerfile). */
    FILE,
    /** A folder it reads (an include's project directory). */
    FOLDER,
    /** A build context: a folder, or a remote (Git) URL that is no file here. */
    CONTEXT,
    /** A compose file it includes, with paths (and variables) of its own. */
    INCLUDE,
    /** A compose file it takes a service from, with paths of its own. */
    EXTENDS
  }

  /**
   * A path as written in the file ({@code field} says where). {@code dir}, when set, is where
   * the path belongs: for a Dockerfile, the build context it is found in; for an included file,
   * the project directory its own relative paths start from.
   */
  public record Reference(String field, String path, Kind kind, String dir) {}

  /** A compose file DockUp cannot use, with the 1-based line when the YAML itself is at fault. */
  public static final class Invalid extends Exception {
    private final Integer line;
    private final boolean refused;

    Invalid(String message, Integer line, boolean refused) {
      super(message, null, false, false);
      this.line = line;
      this.refused = refused;
    }

    public Integer line() { return line; }

    /** Refused by a limit (size, depth, aliases, merge chains): hostile rather than mistaken. */
    public boolean refused() { return refused; }
  }

  private final List<String> services;
  private final List<String> imageServices;
  private final List<String> profiledServices;
  private final List<String> expectedServices;
  private final Set<String> serviceSet;
  private final Set<String> imageSet;
  private final List<Reference> references;

  private ComposeFile(List<String> services, List<String> imageServices, List<String> profiledServices,
                      List<Reference> references) {
    this.services = List.copyOf(services);
    this.imageServices = List.copyOf(imageServices);
    this.profiledServices = List.copyOf(profiledServices);
    // Sets, computed once off the event loop: a file may name tens of thousands of services.
    this.serviceSet = Set.copyOf(services);
    this.imageSet = Set.copyOf(imageServices);
    Set<String> profiled = Set.copyOf(profiledServices);
    this.expectedServices = services.stream().filter(s -> !profiled.contains(s)).toList();
    this.references = List.copyOf(references);
  }

  public List<String> services() { return services; }

  public List<String> imageServices() { return imageServices; }

  public List<String> profiledServices() { return profiledServices; }

  /** The services that should run: those not behind a profile. */
  public List<String> expectedServices() { return expectedServices; }

  public boolean hasService(String name) { return serviceSet.contains(name); }

  public boolean hasImage(String service) { return imageSet.contains(service); }

  public List<Reference> references() { return references; }

  public static ComposeFile parse(String content) throws Invalid {
    Map<?, ?> top = load(content);
    if (!(top.get("services") instanceof Map<?, ?> services) || services.isEmpty()) {
      throw new Invalid("A compose file must define at least one service under 'services'", null, false);
    }
    List<String> names = new ArrayList<>();
    List<String> withImage = new ArrayList<>();
    List<String> profiled = new ArrayList<>();
    for (Map.Entry<?, ?> e : services.entrySet()) {
      String name = String.valueOf(e.getKey());
      names.add(name);
      if (e.getValue() instanceof Map<?, ?> svc) {
        if (svc.get("image") != null) withImage.add(name);
        if (svc.get("profiles") instanceof List<?> p && !p.isEmpty()) profiled.add(name);
      }
    }
    return new ComposeFile(names, withImage, profiled, references(top));
  }

  /** The paths of a file compose loads from another (include, extends), which needs no services of its own. */
  static List<Reference> referencesOf(String content) throws Invalid {
    return references(load(content));
  }

  private static Map<?, ?> load(String content) throws Invalid {
    if (content.length() > MAX_BYTES) throw new Invalid("Compose file is larger than 1 MiB", null, true);
    Object root;
    try {
      root = BoundedYaml.load(content, MAX_BYTES);
    } catch (BoundedYaml.Refused e) {
      throw new Invalid(e.getMessage() + (e.line() == null ? "" : " (line " + e.line() + ")"), e.line(), true);
    } catch (MarkedYamlEngineException e) {
      Integer line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(null);
      String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
      throw new Invalid("Invalid YAML syntax" + (line == null ? "" : " at line " + line) + ": " + problem, line, false);
    } catch (YamlEngineException e) {
      // Without a position, the library speaks of one of its own limits (aliases, size) or of unreadable input.
      throw new Invalid("YAML refused: " + e.getMessage(), null, true);
    }
    if (!(root instanceof Map<?, ?> top)) throw new Invalid("A compose file must be a YAML mapping with a 'services' key", null, false);
    return top;
  }

  // ---- paths that make compose read files (compose specification) ----

  private static List<Reference> references(Map<?, ?> top) {
    List<Reference> out = new ArrayList<>();
    for (Object item : list(top.get("include"))) {
      if (item instanceof Map<?, ?> inc) {
        String dir = scalar(inc.get("project_directory"));
        if (dir != null) out.add(new Reference("include.project_directory", dir, Kind.FOLDER, null));
        for (Object p : list(inc.get("path"))) add(out, "include.path", p, Kind.INCLUDE, dir);
        for (Object p : list(inc.get("env_file"))) add(out, "include.env_file", p, Kind.FILE, null);
      } else {
        add(out, "include", item, Kind.INCLUDE, null);
      }
    }
    if (top.get("services") instanceof Map<?, ?> services) {
      services.forEach((name, body) -> {
        if (body instanceof Map<?, ?> svc) service("services." + name + ".", svc, out);
      });
    }
    for (String section : List.of("secrets", "configs")) {
      if (top.get(section) instanceof Map<?, ?> entries) {
        entries.forEach((name, body) -> {
          if (body instanceof Map<?, ?> m) add(out, section + "." + name + ".file", m.get("file"), Kind.FILE, null);
        });
      }
    }
    return out;
  }

  private static void service(String at, Map<?, ?> svc, List<Reference> out) {
    for (Object f : list(svc.get("env_file"))) {
      add(out, at + "env_file", f instanceof Map<?, ?> m ? m.get("path") : f, Kind.FILE, null);
    }
    for (Object f : list(svc.get("label_file"))) add(out, at + "label_file", f, Kind.FILE, null);
    if (svc.get("extends") instanceof Map<?, ?> ext) add(out, at + "extends.file", ext.get("file"), Kind.EXTENDS, null);
    Object build = svc.get("build");
    if (build instanceof Map<?, ?> b) {
      String context = scalar(b.get("context"));
      add(out, at + "build.context", context == null ? "." : context, Kind.CONTEXT, null);
      add(out, at + "build.dockerfile", b.get("dockerfile"), Kind.FILE, context == null ? "." : context);
      Object extra = b.get("additional_contexts");
      if (extra instanceof Map<?, ?> m) {
        m.forEach((k, v) -> add(out, at + "build.additional_contexts." + k, v, Kind.CONTEXT, null));
      } else {
        for (Object entry : list(extra)) {
          String s = scalar(entry);
          if (s != null && s.contains("=")) add(out, at + "build.additional_contexts", s.substring(s.indexOf('=') + 1), Kind.CONTEXT, null);
        }
      }
    } else {
      add(out, at + "build", build, Kind.CONTEXT, null);
    }
  }

  private static void add(List<Reference> out, String field, Object value, Kind kind, String dir) {
    String path = scalar(value);
    if (path != null) out.add(new Reference(field, path, kind, dir));
  }

  private static List<?> list(Object value) {
    if (value == null) return List.of();
    return value instanceof List<?> l ? l : List.of(value);
  }

  /** A scalar as compose reads it (a number is a name too); collections are no path. */
  private static String scalar(Object value) {
    return value == null || value instanceof Map<?, ?> || value instanceof List<?> || value instanceof Set<?>
        ? null : String.valueOf(value);
  }
}
