package dev.dockup.stack;

import dev.dockup.bus.ApiException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A compose file checked before it is saved: its YAML (bounded, with a line when it is at
 * fault), the paths it makes compose read, then the compose CLI's own {@code config} in the
 * stack's folder with its {@code .env}. Blocking: call from a worker.
 */
final class Validation {
  /** Validation takes at most this, or OPERATION_TIMEOUT when that is shorter. */
  static final long MAX_TIMEOUT_S = 60;
  private static final int MAX_OUTPUT_CHARS = 16 * 1024;
  static final String WITHHELD = "compose config failed; its output is not shown because it names files outside the stack's folder";

  private final StackFiles files;
  private final ComposeCli compose;
  private final List<Path> allowedOutside;
  private final long timeoutSeconds;

  Validation(StackFiles files, ComposeCli compose, List<Path> allowedOutside, long operationTimeoutSeconds) {
    this.files = files;
    this.compose = compose;
    this.allowedOutside = allowedOutside;
    this.timeoutSeconds = Math.min(MAX_TIMEOUT_S, operationTimeoutSeconds);
  }

  /**
   * {@code {valid: true, services}}, or {@code {valid: false, error, line?}} for a mistake; a file
   * refused by a limit or for what it would read throws 400 (with the same body), a validation
   * that runs past its limit 504.
   */
  JsonObject validate(String stack, String content) throws IOException, InterruptedException {
    ComposeFile cf;
    try {
      cf = ComposeFile.parse(content);
    } catch (ComposeFile.Invalid e) {
      return parseFailure(e);
    }
    Path home = stack == null ? null : files.folder(stack);
    boolean inStackFolder = home != null && Files.isDirectory(home);
    Path dir = inStackFolder ? home : files.scratchFolder();
    try {
      List<String> overrides = inStackFolder ? files.overrides(dir) : List.of();
      // A new stack's paths are judged from the folder it will have.
      return check(cf, content, home == null ? dir : home, dir, stack == null ? "dockup-validate" : stack, overrides);
    } finally {
      if (!inStackFolder) StackFiles.deleteTree(dir);
    }
  }

  /**
   * The same for a stack's files staged in {@code staged} (its {@code .env} and override file
   * beside, as a restore brings them), before they replace the stack's own.
   */
  JsonObject validateStaged(String stack, Path staged, String content) throws IOException, InterruptedException {
    ComposeFile cf;
    try {
      cf = ComposeFile.parse(content);
    } catch (ComposeFile.Invalid e) {
      return parseFailure(e);
    }
    return check(cf, content, staged, staged, stack, files.overrides(staged));
  }

  /** A mistake is answered; a file refused by a limit is a 400 (with the same body). */
  private static JsonObject parseFailure(ComposeFile.Invalid e) {
    JsonObject out = invalid(e.getMessage());
    if (e.line() != null) out.put("line", e.line());
    if (e.refused()) throw new ApiException(400, e.getMessage(), out);
    return out;
  }

  private JsonObject check(ComposeFile cf, String content, Path judgedFrom, Path dir, String project, List<String> overrides)
      throws IOException, InterruptedException {
    Path input = null;
    try {
      ComposePaths.Outcome paths = checkPaths(judgedFrom, cf.references(), overrides, null);
      input = files.privateInput(content);
      List<String> fileArgs = new ArrayList<>(List.of("-"));
      fileArgs.addAll(overrides);
      String error = runConfig(dir, project, fileArgs, input);
      if (error == null) return new JsonObject().put("valid", true).put("services", new JsonArray(cf.services()));
      boolean mayQuoteOutside = paths.readsOutside()
          || ComposePaths.namesFileOutside(error, List.of(dir, ComposePaths.real(dir)));
      return invalid(mayQuoteOutside ? WITHHELD : error);
    } finally {
      if (input != null) Files.deleteIfExists(input);
    }
  }

  /** Before a {@code .env} is saved: the stack's paths with the variables it would give them. */
  void checkEnv(String stack, ComposeFile cf, String env) throws IOException {
    Path dir = files.folder(stack);
    checkPaths(dir, cf.references(), Files.isDirectory(dir) ? files.overrides(dir) : List.of(), env);
  }

  /**
   * The paths of the compose file, of the override files beside it and of the {@code .env};
   * {@code env} is the {@code .env} text to use, or null for the one on disk. Throws 400 naming
   * each path refused.
   */
  private ComposePaths.Outcome checkPaths(Path dir, List<ComposeFile.Reference> references, List<String> overrides, String env)
      throws IOException {
    List<ComposeFile.Reference> all = new ArrayList<>(references);
    Path dotenv = dir.resolve(StackFiles.ENV_FILE);
    boolean hasEnv = Files.exists(dotenv, LinkOption.NOFOLLOW_LINKS);
    if (hasEnv) all.add(new ComposeFile.Reference(StackFiles.ENV_FILE, StackFiles.ENV_FILE, ComposeFile.Kind.FILE, null));
    // Override files are read as the main file is: same variables, paths from the stack's folder.
    for (String o : overrides) all.add(new ComposeFile.Reference(o, o, ComposeFile.Kind.EXTENDS, null));
    ComposePaths paths = new ComposePaths(dir, allowedOutside, compose.environment().getOrDefault("HOME", "/root"));
    String dotenvText = env;
    // A .env that links elsewhere is refused below; it is not read for variables.
    if (dotenvText == null && hasEnv && ComposePaths.real(dotenv).startsWith(ComposePaths.real(dir))) dotenvText = files.envText(dir);
    ComposePaths.Outcome outcome = paths.check(all, ComposeVariables.of(compose.environment(), dotenvText));
    if (!outcome.ok()) {
      String error = "Compose would read outside the stack's folder: " + String.join("; ", outcome.refused())
          + " (ALLOW_OUTSIDE_PATHS lists folders that may be read)";
      throw new ApiException(400, error, invalid(error));
    }
    return outcome;
  }

  /** Blocking. Null when compose accepts the file, else its complaint (bounded). */
  private String runConfig(Path dir, String project, List<String> fileArgs, Path input) throws IOException, InterruptedException {
    Process p = compose.start(dir, project, fileArgs, List.of("config", "-q"), input);
    AtomicBoolean timedOut = new AtomicBoolean();
    // A hung compose is killed with what it started; draining then ends at end of output.
    CompletableFuture.delayedExecutor(timeoutSeconds, TimeUnit.SECONDS).execute(() -> {
      if (p.isAlive()) {
        timedOut.set(true);
        ComposeCli.killTree(p);
      }
    });
    StringBuilder out = new StringBuilder();
    int exit = ComposeCli.drain(p, l -> {
      if (out.length() < MAX_OUTPUT_CHARS) out.append(l, 0, Math.min(l.length(), MAX_OUTPUT_CHARS - out.length())).append('\n');
    });
    if (timedOut.get()) {
      String error = "Validation timed out after " + timeoutSeconds + " s";
      throw new ApiException(504, error, invalid(error));
    }
    if (exit == 0) return null;
    String text = out.toString().trim();
    return text.isEmpty() ? "compose config failed with exit code " + exit : text;
  }

  private static JsonObject invalid(String error) {
    return new JsonObject().put("valid", false).put("error", error);
  }
}
