package dev.dockup.it;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DockUp as users run it (the jar, in its own process): first-run setup with the code from the
 * log, the 1.3.0 document's certbot hook and one-liner run by bash and curl against a real
 * stack, and a grep of the log and of every answer for the secrets it was given.
 */
class AuthFlowIT {
  static final String PASSWORD = "correct horse battery";
  static final String NOTIFY_SECRET = "AbCdEfNotifySecret42";
  static final String WEBHOOK_SECRET = "webhookSecretXyz";

  @TempDir
  Path tmp;
  final List<String> answers = new ArrayList<>();

  Http.Resp keep(Http.Resp r) {
    answers.add(r.status() + " " + r.headers().map() + " " + r.text());
    return r;
  }

  @Test
  void setupCertbotHookOneLinerAndNoSecretAnywhere() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path log = tmp.resolve("dockup.log");
    ProcessBuilder pb = new ProcessBuilder("java", "-jar", Path.of("target/dockup.jar").toAbsolutePath().toString())
        .directory(tmp.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("DOCKUP_PASSWORD");
    pb.environment().put("PORT", Integer.toString(port));
    pb.environment().put("HOST", "127.0.0.1");
    pb.environment().put("DOCKUP_NODE_NAME", "flow-test");
    Process dockup = pb.start();
    String stack = Stacks.uniqueName("certbot");
    try (Engine engine = Engine.shared()) {
      String code = awaitSetupCode(log);
      Http anon = new Http(port);
      awaitUp(anon);

      assertEquals("{\"error\":\"Setup required\"}", keep(anon.get("/api/stacks")).text());
      assertEquals(401, keep(anon.post("/api/auth/login", new JsonObject().put("password", PASSWORD))).status());
      assertEquals(401, keep(anon.post("/api/auth/setup", new JsonObject().put("password", PASSWORD).put("setup_code", "wrong"))).status());
      assertEquals(400, keep(anon.post("/api/auth/setup", new JsonObject().put("password", "short").put("setup_code", code))).status());
      Http.Resp setup = keep(anon.post("/api/auth/setup", new JsonObject().put("password", PASSWORD).put("setup_code", code)));
      assertEquals(200, setup.status(), setup.toString());
      assertEquals(409, keep(anon.post("/api/auth/setup", new JsonObject().put("password", "another-password").put("setup_code", code))).status());

      String c = setup.headers().firstValue("set-cookie").orElseThrow();
      Http admin = anon.with("Cookie", c.substring(0, c.indexOf(';')));
      assertEquals(201, keep(admin.post("/api/stack/" + stack + "/compose", Stacks.content(Stacks.twoServices("x")))).status());
      assertEquals(200, keep(admin.operation(stack, "up")).status());

      JsonObject settings = keep(admin.post("/api/config", new JsonObject().put("notification_urls", new JsonArray()
          .add("gotify://gotify.example/" + NOTIFY_SECRET).add("discord://" + WEBHOOK_SECRET + "@123456")))).json();
      assertEquals("gotify://gotify.example/***", settings.getJsonArray("notification_urls").getString(0));
      String instanceToken = keep(admin.post("/api/config/regenerate-token", "")).json().getString("token");
      String namedToken = keep(admin.post("/api/tokens", new JsonObject().put("name", "ci").put("scope", "operate"))).json().getString("token");
      keep(admin.get("/api/config"));
      keep(admin.get("/api/tokens"));
      keep(anon.with("X-API-Token", instanceToken).get("/api/ping"));

      // The certbot hook of the 1.3.0 document, only its settings filled in.
      String before = engine.startedAt(stack, "web");
      Path hook = tmp.resolve("hook.sh");
      Files.writeString(hook, resource("certbot-hook.sh")
          .replace("http://localhost:5000", "http://127.0.0.1:" + port)
          .replace("your_password_here", PASSWORD)
          .replace("/var/log/dockup-certbot.log", tmp.resolve("certbot.log").toString())
          .replace("    \"nginx-proxy\"\n    \"traefik\"\n", "    \"" + stack + "\"\n"));
      String out = Engine.sh("bash " + hook);
      assertTrue(out.contains("✓ " + stack + " restarted"), out);
      assertFalse(out.contains("ERROR"), out);
      assertNotEquals(before, engine.startedAt(stack, "web"));

      // Its one-liner, which sends the bare cookie value.
      String oneLiner = resource("certbot-one-liner.sh")
          .replace("http://localhost:5000", "http://127.0.0.1:" + port)
          .replace("your_password", PASSWORD)
          .replace("/tmp/cookie", tmp.resolve("cookie").toString())
          .replace("nginx-proxy", stack);
      String one = Engine.sh(oneLiner);
      assertTrue(one.contains("\"success\":true"), one);

      // The README's one curl line with a token.
      String viaToken = Engine.sh("curl -s -X POST http://127.0.0.1:" + port + "/api/stack/" + stack
          + "/operation -H 'X-API-Token: " + namedToken + "' -d '{\"operation\":\"restart\"}'");
      assertTrue(viaToken.contains("\"success\":true"), viaToken);
      keep(admin.get("/api/audit?limit=100"));

      List<String> secrets = new ArrayList<>(List.of(PASSWORD, NOTIFY_SECRET, WEBHOOK_SECRET, instanceToken, namedToken,
          Files.readString(tmp.resolve("data/jwt.key")).trim(),
          new JsonObject(Files.readString(tmp.resolve("data/auth.json"))).getString("password_hash")));
      List<String> shown = answers.stream()
          .filter(a -> !a.contains("\"token\":\"dku_"))  // the one answer that hands a token out
          .toList();
      for (String secret : secrets) {
        for (String a : shown) assertFalse(a.contains(secret), "an answer reveals a secret: " + a);
      }
      dockup.destroy();
      dockup.waitFor(40, TimeUnit.SECONDS);
      String logText = Files.readString(log);
      for (String secret : secrets) assertFalse(logText.contains(secret), "the log reveals a secret");
      assertTrue(logText.contains("Shutting down"), logText);
      String audit = Files.readString(tmp.resolve("data/audit.jsonl"));
      for (String secret : secrets) assertFalse(audit.contains(secret), "the audit log reveals a secret");
    } finally {
      dockup.destroyForcibly();
      try (Engine engine = Engine.shared()) {
        engine.removeProjects(stack);
      }
    }
  }

  static String resource(String name) throws Exception {
    try (var in = AuthFlowIT.class.getResourceAsStream("/" + name)) {
      return new String(in.readAllBytes());
    }
  }

  static String awaitSetupCode(Path log) throws Exception {
    Pattern p = Pattern.compile("setup code: (\\S+)");
    for (int i = 0; i < 300; i++) {
      if (Files.exists(log)) {
        Matcher m = p.matcher(Files.readString(log));
        if (m.find()) return m.group(1);
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no setup code in the log: " + (Files.exists(log) ? Files.readString(log) : ""));
  }

  static void awaitUp(Http http) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      try {
        if (http.get("/api/ping").status() == 200) return;
      } catch (IllegalStateException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("DockUp did not answer");
  }

}
