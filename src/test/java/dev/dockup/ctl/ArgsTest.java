package dev.dockup.ctl;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArgsTest {
  static Args parse(Map<String, String> env, String... argv) throws Args.UsageError {
    return Args.parse(List.of(argv), env);
  }

  @Test
  void theEnvironmentGivesTheDefaultsAndOptionsWin() throws Exception {
    Args a = parse(Map.of(), "stacks");
    assertEquals("http://127.0.0.1:5000", a.url());
    assertNull(a.token());
    Args env = parse(Map.of("DOCKUP_URL", "https://dockup.example:8443/", "DOCKUP_TOKEN", "dku_abc"), "stacks");
    assertEquals("https://dockup.example:8443", env.url(), "a trailing slash is dropped");
    assertEquals("dku_abc", env.token());
    Args flags = parse(Map.of("DOCKUP_URL", "http://a:1", "DOCKUP_TOKEN", "t1"), "--url", "http://b:2", "--token=t2", "stacks");
    assertEquals("http://b:2", flags.url());
    assertEquals("t2", flags.token());
  }

  @Test
  void operationsTakeAStackANodeAndServicesWithOptionsAnywhere() throws Exception {
    Args a = parse(Map.of(), "restart", "--service", "web", "proxy", "--node=edge-1", "--service", "worker", "--json");
    assertEquals("restart", a.command());
    assertEquals("proxy", a.stack());
    assertEquals("edge-1", a.node());
    assertEquals(List.of("web", "worker"), a.services());
    assertTrue(a.json());
    assertEquals("/api/nodes/edge-1/stack/proxy/operation", a.stackPath("/operation"));
    assertEquals("/api/nodes/edge-1/operations/x", a.apiPath("/operations/x"));
    Args local = parse(Map.of(), "pull", "proxy");
    assertEquals("/api/stack/proxy", local.stackPath(""));
    assertFalse(local.json());
  }

  @Test
  void logsTakeFollowLinesAndOneService() throws Exception {
    Args a = parse(Map.of(), "logs", "app", "--follow", "--lines", "20", "--service", "web");
    assertTrue(a.follow());
    assertEquals(20, a.lines());
    assertEquals(List.of("web"), a.services());
  }

  @Test
  void badCommandLinesAreRefusedInOneLine() {
    String[][] bad = {
        {}, {"nope"}, {"restart"}, {"restart", "a", "b"}, {"restart", "../etc"}, {"restart", "Proxy"},
        {"stacks", "extra"}, {"backup", "--node", "n"}, {"restart", "a", "--node", "Bad_Node"},
        {"status", "a", "--service", "web"}, {"restart", "a", "--follow"}, {"logs", "a", "--lines", "0"},
        {"logs", "a", "--lines", "x"}, {"logs", "a", "--service", "x", "--service", "y"}, {"stacks", "--url"},
        {"stacks", "--bogus"}, {"stacks", "--json=yes"}, {"stacks", "--url", "ftp://host"}, {"stacks", "--url", "nohost"}};
    for (String[] argv : bad) {
      assertThrows(Args.UsageError.class, () -> parse(Map.of(), argv), String.join(" ", argv));
    }
  }

  @Test
  void helpNeedsNoCommandAndUsageErrorsExitTwo() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(0, Ctl.run(List.of("--help"), Map.of(), new PrintStream(out), new PrintStream(err)));
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: java -jar dockup.jar ctl"));
    assertEquals(2, Ctl.run(List.of("frobnicate"), Map.of(), new PrintStream(out), new PrintStream(err)));
    assertEquals("dockup ctl: unknown command: frobnicate (--help for usage)\n", err.toString(StandardCharsets.UTF_8));
  }
}
