package dev.dockup.stack;

import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What DockUp itself reads from a compose file: its services, which of them name an image, and
 * which sit behind a profile. Parsing is bounded (size, aliases) so a hostile file cannot
 * exhaust memory; the compose CLI remains the judge of everything else.
 */
public record ComposeFile(List<String> services, List<String> imageServices, List<String> profiledServices) {

  public static final int MAX_BYTES = 1024 * 1024;
  public static final List<String> FILE_NAMES =
      List.of("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml");
  public static final List<String> OVERRIDE_NAMES = List.of("compose.override.yaml", "compose.override.yml");

  /** A compose file DockUp cannot use, with the 1-based line when the YAML itself is at fault. */
  public static final class Invalid extends Exception {
    private final Integer line;

    Invalid(String message, Integer line) {
      super(message, null, false, false);
      this.line = line;
    }

    public Integer line() { return line; }
  }

  private static LoadSettings settings() {
    return LoadSettings.builder()
        .setSchema(new CoreSchema())
        .setMaxAliasesForCollections(50)
        .setAllowRecursiveKeys(false)
        .setAllowDuplicateKeys(false)
        .setCodePointLimit(MAX_BYTES)
        .setLabel("compose file")
        .build();
  }

  public static ComposeFile parse(String content) throws Invalid {
    if (content.length() > MAX_BYTES) throw new Invalid("Compose file is larger than 1 MiB", null);
    Object root;
    try {
      root = new Load(settings()).loadFromString(content);
    } catch (MarkedYamlEngineException e) {
      Integer line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(null);
      String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
      throw new Invalid("Invalid YAML syntax" + (line == null ? "" : " at line " + line) + ": " + problem, line);
    } catch (YamlEngineException e) {
      throw new Invalid("Invalid YAML: " + e.getMessage(), null);
    }
    if (!(root instanceof Map<?, ?> top)) throw new Invalid("A compose file must be a YAML mapping with a 'services' key", null);
    if (!(top.get("services") instanceof Map<?, ?> services) || services.isEmpty()) {
      throw new Invalid("A compose file must define at least one service under 'services'", null);
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
    return new ComposeFile(List.copyOf(names), List.copyOf(withImage), List.copyOf(profiled));
  }
}
