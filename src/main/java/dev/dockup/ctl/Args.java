package dev.dockup.ctl;

import dev.dockup.Config;
import dev.dockup.stack.StackFiles;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of {@code dockup.jar ctl}, options anywhere after {@code ctl}, as
 * {@code --name value} or {@code --name=value}; {@code DOCKUP_URL} and {@code DOCKUP_TOKEN}
 * stand in for {@code --url} and {@code --token}.
 */
record Args(String url, String token, boolean json, boolean help, String command, String stack, String node,
            List<String> services, boolean follow, Integer lines) {
  static final String DEFAULT_URL = "http://127.0.0.1:5000";
  static final Set<String> OPERATIONS = Set.of("up", "down", "stop", "restart", "pull");
  private static final Set<String> WITH_STACK = Set.of("status", "up", "down", "stop", "restart", "pull", "logs", "check-updates", "scan");
  private static final Set<String> WITHOUT_STACK = Set.of("stacks", "backup");
  private static final Set<String> FLAGS = Set.of("json", "follow", "help");
  private static final Set<String> VALUED = Set.of("url", "token", "node", "service", "lines");

  /** A command line that cannot be run: said in one line, with the usage. */
  static final class UsageError extends Exception {
    UsageError(String message) {
      super(message, null, false, false);
    }
  }

  static Args parse(List<String> argv, Map<String, String> env) throws UsageError {
    String url = env.getOrDefault("DOCKUP_URL", DEFAULT_URL);
    String token = env.get("DOCKUP_TOKEN");
    boolean json = false, help = false, follow = false;
    String node = null;
    Integer lines = null;
    List<String> services = new ArrayList<>();
    List<String> words = new ArrayList<>();
    for (int i = 0; i < argv.size(); i++) {
      String a = argv.get(i);
      if (a.equals("-h")) {
        help = true;
        continue;
      }
      if (!a.startsWith("--")) {
        words.add(a);
        continue;
      }
      String name = a.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (FLAGS.contains(name)) {
        if (value != null) throw new UsageError("--" + name + " takes no value");
        switch (name) {
          case "json" -> json = true;
          case "follow" -> follow = true;
          default -> help = true;
        }
        continue;
      }
      if (!VALUED.contains(name)) throw new UsageError("unknown option --" + name);
      if (value == null) {
        if (i + 1 >= argv.size()) throw new UsageError("--" + name + " needs a value");
        value = argv.get(++i);
      }
      switch (name) {
        case "url" -> url = value;
        case "token" -> token = value;
        case "node" -> node = value;
        case "service" -> services.add(value);
        default -> lines = lines(value);
      }
    }
    if (help) return new Args(url, token, json, true, null, null, node, services, follow, lines);
    if (words.isEmpty()) throw new UsageError("no command given");
    String command = words.get(0);
    String stack = null;
    if (WITH_STACK.contains(command)) {
      if (words.size() < 2) throw new UsageError(command + " needs a stack name");
      stack = words.get(1);
      if (!StackFiles.NAME.matcher(stack).matches()) throw new UsageError("invalid stack name: " + stack);
      if (words.size() > 2) throw new UsageError("unexpected argument: " + words.get(2));
    } else if (WITHOUT_STACK.contains(command)) {
      if (words.size() > 1) throw new UsageError("unexpected argument: " + words.get(1));
    } else {
      throw new UsageError("unknown command: " + command);
    }
    if (node != null && (WITHOUT_STACK.contains(command))) throw new UsageError("--node does not apply to " + command);
    if (node != null && !Config.NODE_NAME.matcher(node).matches()) throw new UsageError("invalid node name: " + node);
    if (!services.isEmpty() && !OPERATIONS.contains(command) && !"logs".equals(command)) {
      throw new UsageError("--service applies to operations and logs only");
    }
    if ("logs".equals(command) && services.size() > 1) throw new UsageError("logs takes one --service");
    if ((follow || lines != null) && !"logs".equals(command)) throw new UsageError("--follow and --lines apply to logs only");
    checkUrl(url);
    return new Args(url.replaceAll("/+$", ""), token, json, false, command, stack, node, List.copyOf(services), follow, lines);
  }

  private static Integer lines(String v) throws UsageError {
    try {
      int n = Integer.parseInt(v);
      if (n >= 1 && n <= 5000) return n;
    } catch (NumberFormatException e) {
      // said below
    }
    throw new UsageError("--lines takes a number from 1 to 5000");
  }

  private static void checkUrl(String url) throws UsageError {
    try {
      URI u = URI.create(url);
      if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) return;
    } catch (IllegalArgumentException e) {
      // said below
    }
    throw new UsageError("--url (or DOCKUP_URL) must be an http:// or https:// URL: " + url);
  }

  /** Where a stack's routes are: this node's, or under {@code /api/nodes/<node>} for another of the fleet. */
  String stackPath(String rest) {
    return (node == null ? "/api" : "/api/nodes/" + node) + "/stack/" + stack + rest;
  }

  String apiPath(String rest) {
    return (node == null ? "/api" : "/api/nodes/" + node) + rest;
  }

  static final String USAGE = """
      Usage: java -jar dockup.jar ctl [--url URL] [--token TOKEN] [--json] COMMAND

      Commands:
        stacks                          list this node's stacks
        status <stack>                  a stack and its containers
        up|down|stop|restart|pull <stack> [--service S]...
                                        run an operation, printing compose's output as it comes
        logs <stack> [--lines N] [--follow [--service S]]
                                        the containers' last lines; --follow streams them
        check-updates <stack>           compare the running images with their registries
        backup                          make a backup archive on the node
        scan <stack>                    scan the stack's images for vulnerabilities

      Options:
        --url URL       DockUp's address (default $DOCKUP_URL, else http://127.0.0.1:5000)
        --token TOKEN   an API token (dku_...) or a JWT (default $DOCKUP_TOKEN)
        --node NODE     a stack on another node of the fleet
        --json          print DockUp's JSON answers instead of text
        --help          this text

      Exit status: 0 on success; 1 when DockUp refused or the operation failed; 2 for a bad
      command line; 3 when DockUp cannot be reached.
      """;
}
