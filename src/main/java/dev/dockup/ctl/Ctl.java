package dev.dockup.ctl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code java -jar dockup.jar ctl …}: DockUp's API from a shell (certbot hooks, CI jobs). One
 * request per command, but for operations, whose output is printed as compose writes it (from
 * the live feed) and whose result is the exit status. Errors are one line on standard error.
 */
public final class Ctl {
  static final int OK = 0;
  static final int USAGE = 2;
  private static final long POLL_MS = 500;
  /** Compose may be silent for long (a big pull): past this, the record is polled instead. */
  private static final long FEED_SILENCE_MS = 30_000;

  private final Args args;
  private final Client client;
  private final PrintStream out;
  private final PrintStream err;

  private Ctl(Args args, PrintStream out, PrintStream err) {
    this.args = args;
    this.client = new Client(args.url(), args.token());
    this.out = out;
    this.err = err;
  }

  /** The exit status of {@code dockup.jar ctl <args>}. */
  public static int main(String[] args) {
    return run(Arrays.asList(args), System.getenv(), System.out, System.err);
  }

  static int run(List<String> argv, Map<String, String> env, PrintStream out, PrintStream err) {
    Args args;
    try {
      args = Args.parse(argv, env);
    } catch (Args.UsageError e) {
      err.println("dockup ctl: " + e.getMessage() + " (--help for usage)");
      return USAGE;
    }
    if (args.help()) {
      out.print(Args.USAGE);
      return OK;
    }
    try {
      return new Ctl(args, out, err).command();
    } catch (Client.Failure f) {
      err.println("dockup ctl: " + f.getMessage());
      return f.status;
    } finally {
      out.flush();
    }
  }

  private int command() throws Client.Failure {
    return switch (args.command()) {
      case "stacks" -> stacks();
      case "status" -> status();
      case "logs" -> args.follow() ? followLogs() : logs();
      case "check-updates" -> checkUpdates();
      case "backup" -> backup();
      case "scan" -> scan();
      default -> operation();
    };
  }

  // ---- reads ----

  private int stacks() throws Client.Failure {
    JsonObject list = client.ok(client.get("/api/stacks"));
    if (printedJson(list)) return OK;
    out.printf("%-32s %-9s %-10s %-8s %s%n", "NAME", "STATUS", "HEALTH", "RUNNING", "NODE");
    for (Object o : list.getJsonArray("stacks", new JsonArray())) {
      JsonObject s = (JsonObject) o;
      out.printf("%-32s %-9s %-10s %-8s %s%n", s.getString("name"), s.getString("status"), s.getString("health_status"),
          s.getValue("running") + "/" + s.getValue("containers"), s.getString("node"));
    }
    return OK;
  }

  private int status() throws Client.Failure {
    JsonObject s = client.ok(client.get(args.stackPath("")));
    if (printedJson(s)) return OK;
    out.printf("%s on %s: %s, %s, %s/%s running%s%n", s.getString("name"), s.getString("node"), s.getString("status"),
        s.getString("health_status"), s.getValue("running"), s.getValue("containers"),
        Boolean.TRUE.equals(s.getValue("update_available")) ? ", update available" : "");
    JsonArray containers = s.getJsonArray("container_list", new JsonArray());
    if (containers.isEmpty()) return OK;
    out.printf("%-40s %-20s %-10s %-10s %s%n", "CONTAINER", "SERVICE", "STATE", "HEALTH", "IMAGE");
    for (Object o : containers) {
      JsonObject c = (JsonObject) o;
      out.printf("%-40s %-20s %-10s %-10s %s%n", c.getString("name"), c.getString("service"), c.getString("state"),
          c.getValue("health") == null ? "-" : c.getValue("health"), c.getString("image"));
    }
    return OK;
  }

  private int logs() throws Client.Failure {
    JsonObject logs = client.ok(client.get(args.stackPath("/logs") + (args.lines() == null ? "" : "?lines=" + args.lines())));
    if (printedJson(logs)) return OK;
    // In name order, so two runs print alike.
    new TreeMap<>(logs.getJsonObject("logs", new JsonObject()).getMap()).forEach((container, text) -> {
      out.println("==> " + container + " <==");
      String t = String.valueOf(text);
      out.print(t.endsWith("\n") || t.isEmpty() ? t : t + "\n");
    });
    return OK;
  }

  /** Server-Sent Events of {@code log_line}, until DockUp ends the stream or the command is interrupted. */
  private int followLogs() throws Client.Failure {
    StringBuilder query = new StringBuilder("?follow=true");
    if (args.lines() != null) query.append("&lines=").append(args.lines());
    if (!args.services().isEmpty()) query.append("&service=").append(args.services().get(0));
    HttpResponse<InputStream> r = client.stream(args.stackPath("/logs") + query);
    try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      if (r.statusCode() != 200) {
        StringBuilder text = new StringBuilder();
        in.lines().forEach(text::append);
        throw client.refusal(new Client.Answer(r.statusCode(), text.toString()));
      }
      String event = null;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          JsonObject data = new JsonObject(line.substring(6));
          if ("error".equals(event)) throw new Client.Failure(Client.REFUSED, data.getString("error", "the log stream failed"));
          if (args.json()) out.println(data.encode());
          else out.println(data.getString("service", data.getString("container", "")) + " | " + data.getString("line", ""));
          out.flush();
        }
      }
    } catch (IOException e) {
      throw new Client.Failure(Client.UNREACHABLE, "the log stream from " + args.url() + " broke: " + e.getMessage());
    }
    return OK;
  }

  // ---- actions ----

  private int checkUpdates() throws Client.Failure {
    JsonObject r = client.ok(client.post(args.stackPath("/check-updates"), new JsonObject()));
    if (printedJson(r)) return OK;
    for (Object o : r.getJsonArray("images", new JsonArray())) {
      JsonObject i = (JsonObject) o;
      String state = i.getString("error") != null ? "unknown (" + i.getString("error") + ")"
          : i.getBoolean("update_available", false) ? "update available" : "up to date";
      out.println(i.getString("service") + ": " + i.getString("image") + ": " + state);
    }
    out.println(r.getBoolean("update_available", false) ? "Updates are available." : "Everything is up to date.");
    return OK;
  }

  private int backup() throws Client.Failure {
    JsonObject r = client.ok(client.post("/api/backup/create", new JsonObject()));
    if (printedJson(r)) return OK;
    out.println("Backup " + r.getString("backup_file") + " (" + r.getValue("size") + " bytes) of "
        + r.getJsonArray("stacks", new JsonArray()).size() + " stack(s)");
    return OK;
  }

  private int scan() throws Client.Failure {
    JsonObject r = client.ok(client.post(args.stackPath("/scan"), new JsonObject()));
    if (printedJson(r)) return OK;
    for (Object o : r.getJsonArray("images", new JsonArray())) {
      JsonObject i = (JsonObject) o;
      out.println(i.getString("image", i.getString("image_id", "?")) + ": " + i.getString("status", "queued"));
    }
    out.println("Results: java -jar dockup.jar ctl status " + args.stack() + ", or GET " + args.stackPath("/scan-summary"));
    return OK;
  }

  /**
   * Started asynchronously once the feed is open, its output printed from the feed as it
   * comes; the record read at the end fills in anything the feed did not bring (or all of it,
   * polled, when the feed cannot be opened).
   */
  private int operation() throws Client.Failure {
    // A missing stack or a bad token said plainly, before anything starts.
    client.ok(client.get(args.stackPath("")));
    FeedFollower feed = FeedFollower.open(client, args.node() == null ? args.stack() : args.node() + "/" + args.stack());
    try {
      JsonObject body = new JsonObject().put("operation", args.command());
      if (!args.services().isEmpty()) body.put("services", new JsonArray(args.services()));
      String id = client.ok(client.post(args.stackPath("/operation?async=true"), body)).getString("operation_id");
      int printed = feed == null ? 0 : fromFeed(feed, id);
      JsonObject record = finished(id, printed);
      if (args.json()) {
        out.println(record.encode());
      } else {
        String what = args.command() + " " + args.stack();
        if ("succeeded".equals(record.getString("status"))) {
          err.printf("%s: succeeded in %.1f s%n", what, record.getLong("duration_ms", 0L) / 1000.0);
        } else {
          err.printf("dockup ctl: %s %s (exit code %s)%n", what, record.getString("status"), record.getValue("exit_code"));
        }
      }
      return "succeeded".equals(record.getString("status")) ? OK : Client.REFUSED;
    } finally {
      if (feed != null) feed.close();
    }
  }

  /** Prints the operation's lines until it is done or the feed ends; how many were printed. */
  private int fromFeed(FeedFollower feed, String id) throws Client.Failure {
    int printed = 0;
    try {
      while (true) {
        JsonObject m = feed.next(FEED_SILENCE_MS);
        // A feed that says nothing for long, or ends, hands over to the operations endpoint.
        if (m == null || m == FeedFollower.CLOSED) return printed;
        if (!id.equals(m.getString("operation_id"))) continue;
        if ("operation_done".equals(m.getString("type"))) return printed;
        if ("operation_output".equals(m.getString("type"))) {
          if (!args.json()) {
            out.println(m.getString("line", ""));
            out.flush();
          }
          printed++;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Client.Failure(Client.REFUSED, "interrupted; operation " + id + " goes on in DockUp");
    }
  }

  /** The operation's record once it is no longer running, its lines past {@code printed} printed. */
  private JsonObject finished(String id, int printed) throws Client.Failure {
    while (true) {
      JsonObject record = client.ok(client.get(args.apiPath("/operations/" + id)));
      JsonArray output = record.getJsonArray("output", new JsonArray());
      if (!args.json()) {
        for (int i = printed; i < output.size(); i++) out.println(output.getValue(i));
        out.flush();
      }
      printed = Math.max(printed, output.size());
      if (!"running".equals(record.getString("status"))) return record;
      try {
        Thread.sleep(POLL_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new Client.Failure(Client.REFUSED, "interrupted; operation " + id + " goes on in DockUp");
      }
    }
  }

  private boolean printedJson(JsonObject answer) {
    if (!args.json()) return false;
    out.println(answer.encode());
    return true;
  }
}
