package dev.dockup.template;

import dev.dockup.Config;
import dev.dockup.auth.Secrets;
import dev.dockup.bus.ApiException;
import dev.dockup.bus.Bus;
import dev.dockup.bus.Reply;
import dev.dockup.fleet.NodeTarget;
import dev.dockup.fleet.Remote;
import dev.dockup.settings.Settings;
import dev.dockup.stack.ComposeFile;
import dev.dockup.stack.StackFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes a stack of a template, through the stacks service of the node it goes to (this one, or
 * another of the fleet through its signed gateway), so a deploy meets every check a save does:
 * name taken (409), then the compose file checked with the given values, the {@code .env}
 * written, the compose file written (validated again by compose), and {@code up} when asked.
 * Values go to {@code .env} only, never into the compose file.
 */
final class Deployer {
  static final long STEP_TIMEOUT_MS = 180_000;
  /** Bytes of randomness of a generated value (32 characters). */
  static final int GENERATED_BYTES = 24;

  /** What a deploy writes, prepared on a worker. */
  private record Prepared(String env, String validation, List<Template.Risk> risks) {}

  private final Vertx vertx;
  private final String self;
  private final NodeTarget stacks;
  private final Settings settings;
  private final long operationTimeoutMs;

  Deployer(Vertx vertx, Config config, Remote remote, Settings settings) {
    this.vertx = vertx;
    this.self = config.nodeName();
    this.stacks = new NodeTarget(self, remote, "stacks", Bus.stacks(self));
    this.settings = settings;
    this.operationTimeoutMs = (config.operationTimeoutSeconds() + 60L) * 1000;
  }

  /** How long a deploy may take at most: every step, and the {@code up}. */
  static long timeoutMs(Config config) {
    return (config.operationTimeoutSeconds() + 60L) * 1000 + 4 * STEP_TIMEOUT_MS;
  }

  Future<Object> deploy(Template t, JsonObject req) {
    if (!t.deployable()) throw ApiException.badRequest("This template cannot be deployed: " + t.unsupported());
    String stack = req.getValue("stack_name") instanceof String s ? s : null;
    StackFiles.checkName(stack);
    String node = req.getValue("node") == null ? self : req.getValue("node") instanceof String n ? n : "";
    if (!Config.NODE_NAME.matcher(node).matches()) throw ApiException.badRequest("Invalid node name");
    boolean up = flag(req, "up");
    boolean accept = flag(req, "accept_risks");
    Object given = req.getValue("env");
    if (given != null && !(given instanceof JsonObject)) throw ApiException.badRequest("env must be an object of names and values");
    List<String> generated = new ArrayList<>();
    Map<String, String> values = values(t, given == null ? new JsonObject() : (JsonObject) given, stack, generated);
    return vertx.executeBlocking(() -> prepare(t, stack, values), false).compose(p -> {
      if (!p.risks().isEmpty() && !accept) {
        throw new ApiException(400, "This template uses risky settings; deploy it with \"accept_risks\": true if you trust it",
            new JsonObject().put("accept_risks_required", true).put("risks", kinds(p.risks())).put("risk_details", details(p.risks())));
      }
      return nameIsFree(node, stack)
          .compose(v -> ask(node, Bus.Stacks.VALIDATE, new JsonObject().put(Bus.CONTENT, p.validation()).put(Bus.STACK, stack), 200))
          .compose(check -> {
            if (!check.getBoolean("valid", false)) {
              throw new ApiException(400, "The template's compose file is not valid with these values: " + check.getString("error"),
                  new JsonObject().put("valid", false));
            }
            return ask(node, Bus.Stacks.PUT_ENV, new JsonObject().put(Bus.NAME, stack).put(Bus.CONTENT, p.env()), 200);
          })
          .compose(v -> ask(node, Bus.Stacks.PUT_COMPOSE, new JsonObject().put(Bus.NAME, stack).put(Bus.CONTENT, t.compose()), 200, 201))
          .compose(saved -> {
            JsonObject body = new JsonObject().put("success", true).put("stack", stack).put("node", node).put("template", t.id())
                .put("created", saved.getBoolean("created", true)).put("risks", kinds(p.risks()))
                .put("generated", new JsonArray(generated));
            return up ? up(node, stack, body) : Future.succeededFuture(new Reply(201, body));
          });
    });
  }

  private static boolean flag(JsonObject req, String key) {
    Object v = req.getValue(key);
    if (v != null && !(v instanceof Boolean)) throw ApiException.badRequest(key + " must be true or false");
    return Boolean.TRUE.equals(v);
  }

  /**
   * The value of every field: the one given, else (for {@code TZ}) the instance's time zone, a
   * generated one, or the default. Unknown names, values for fields DockUp sets and values
   * outside a field's options are refused; so are missing required values, all named at once.
   */
  private Map<String, String> values(Template t, JsonObject given, String stack, List<String> generated) {
    Set<String> known = new LinkedHashSet<>();
    t.env().forEach(f -> known.add(f.name()));
    List<String> unknown = given.fieldNames().stream().filter(n -> !known.contains(n)).sorted().toList();
    if (!unknown.isEmpty()) throw ApiException.badRequest("Unknown variables: " + String.join(", ", shown(unknown)));
    Map<String, String> out = new HashMap<>();
    List<String> missing = new ArrayList<>();
    for (EnvField f : t.env()) {
      Object raw = given.getValue(f.name());
      if (raw instanceof JsonObject || raw instanceof JsonArray) throw ApiException.badRequest(f.name() + " must be a string");
      String value = raw == null ? null : String.valueOf(raw);
      if (f.preset()) {
        if (value != null) throw ApiException.badRequest(f.name() + " is set by the template, not by a deploy");
        out.put(f.name(), "AppID".equals(f.name()) ? stack : nonNull(f.defaultValue()));
        continue;
      }
      if (value == null || value.isBlank()) {
        if (f.generate()) {
          value = Secrets.random(GENERATED_BYTES);
          generated.add(f.name());
        } else if ("TZ".equals(f.name())) {
          value = settings.timezone();
        } else if (f.defaultValue() != null && !f.defaultValue().isBlank()) {
          value = f.defaultValue();
        } else if (f.required()) {
          missing.add(f.name());
          continue;
        } else {
          value = "";
        }
      }
      String chosen = value;
      if (!f.options().isEmpty() && f.options().stream().noneMatch(o -> o.value().equals(chosen))) {
        throw ApiException.badRequest(f.name() + " must be one of: " + String.join(", ", shown(f.options().stream().map(EnvField.Option::value).toList())));
      }
      out.put(f.name(), value);
    }
    if (!missing.isEmpty()) {
      throw new ApiException(400, "Missing required values: " + String.join(", ", missing), new JsonObject().put("missing", new JsonArray(missing)));
    }
    return out;
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }

  private static List<String> shown(List<String> names) {
    List<String> out = new ArrayList<>();
    for (String n : names.subList(0, Math.min(20, names.size()))) out.add(ContainerSpec.shown(n));
    if (names.size() > 20) out.add("…");
    return out;
  }

  /** Blocking: the risks with these values, the file compose is asked to check, the {@code .env} text. */
  private static Prepared prepare(Template t, String stack, Map<String, String> values) {
    Map<String, Object> filled;
    try {
      filled = PortainerFormat.asMap(ComposeYaml.interpolateTree(ComposeYaml.load(t.compose()), values));
    } catch (ComposeFile.Invalid e) {
      throw ApiException.badRequest("The template's compose file is refused: " + e.getMessage());
    }
    String header = "Written by DockUp from template " + t.id() + " (" + t.source()
        + (t.sourceUrl() == null ? "" : " " + t.sourceUrl()) + ") for stack " + stack + ", "
        + Instant.now().truncatedTo(ChronoUnit.SECONDS);
    try {
      return new Prepared(EnvFile.render(header, t.env(), values),
          ComposeYaml.write(PortainerFormat.asMap(ComposeYaml.escapeDollars(filled))), Risks.of(filled));
    } catch (EnvFile.Unwritable e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }

  /** 409 when the node has a stack (or a compose project) of that name. */
  private Future<Void> nameIsFree(String node, String stack) {
    return stacks.ask(vertx, node, Bus.Stacks.GET, new JsonObject().put(Bus.NAME, stack), STEP_TIMEOUT_MS).map(a -> {
      if (a.status() == 200) throw ApiException.conflict("Stack " + stack + " already exists");
      if (a.status() != 404) throw new ApiException(a.status(), a.body().getString("error", "failed"), a.body());
      return null;
    });
  }

  private Future<Object> up(String node, String stack, JsonObject body) {
    return stacks.ask(vertx, node, Bus.Stacks.OPERATION, new JsonObject().put(Bus.NAME, stack).put(Bus.OPERATION, "up"), operationTimeoutMs)
        .map(a -> {
          boolean ok = a.status() == 200;
          JsonObject record = a.body().copy();
          record.remove("error");
          body.put("success", ok).put("operation", record);
          if (!ok) body.put("error", "The stack was created; up failed: " + a.body().getString("error", "failed"));
          return (Object) new Reply(ok ? 201 : a.status(), body);
        });
  }

  /** The stacks service's answer when its status is one of {@code ok}; else its refusal as it is. */
  private Future<JsonObject> ask(String node, String action, JsonObject payload, int... ok) {
    return stacks.ask(vertx, node, action, payload, STEP_TIMEOUT_MS).map(a -> {
      for (int s : ok) if (a.status() == s) return a.body();
      throw new ApiException(a.status(), a.body().getString("error", "failed"), a.body());
    });
  }

  static JsonArray kinds(List<Template.Risk> risks) {
    LinkedHashSet<String> kinds = new LinkedHashSet<>();
    risks.forEach(r -> kinds.add(r.kind()));
    return new JsonArray(new ArrayList<>(kinds));
  }

  static JsonArray details(List<Template.Risk> risks) {
    JsonArray out = new JsonArray();
    risks.forEach(r -> out.add(r.toJson()));
    return out;
  }
}
