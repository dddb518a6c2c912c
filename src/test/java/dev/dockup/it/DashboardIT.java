package dev.dockup.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.options.WaitForSelectorState;
import dev.dockup.auth.AuthService;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in Debian's Chromium against a real DockUp and the real engine: first run,
 * the stack table and its filters, an operation's output streaming into the terminal, changes
 * made with the engine's CLI appearing without a reload, the compose editor, the feed
 * recovering after DockUp restarts, accessibility (axe-core) and the page's own hardening.
 * One node and one browser serve the ordered steps, as one user's session would.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {
  private static final Pattern SETUP_CODE = Pattern.compile("One-time setup code: (\\S+)");
  private static final Duration LONG = Duration.ofSeconds(60);

  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private Path root;
  private int port;
  private String origin;
  private TestNode node;
  private Browser browser;
  private Page page;
  private Http api;
  private String nodeName;
  private final String prefix = Stacks.uniqueName("dash");
  private final String app = prefix + "-app";
  private final String idle = prefix + "-idle";

  @BeforeAll
  void start() throws Exception {
    log.start();
    ((Logger) LoggerFactory.getLogger(AuthService.class)).addAppender(log);
    root = Files.createTempDirectory("dockup-dash-");
    port = FleetIT.freePort();
    origin = "http://127.0.0.1:" + port;
    node = startNode();
    browser = new Browser();
  }

  private TestNode startNode() throws Exception {
    return TestNode.builder().root(root).config("port", port).config("password", null).waitForEngine(false).start();
  }

  @AfterAll
  void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(AuthService.class)).detachAppender(log);
    if (browser != null) browser.close();
    try (Engine engine = Engine.shared()) {
      engine.removeProjects(prefix);
    }
    if (node != null) node.close();
  }

  private String setupCode() {
    for (ILoggingEvent e : log.list) {
      Matcher m = SETUP_CODE.matcher(e.getFormattedMessage());
      if (m.find()) return m.group(1);
    }
    throw new AssertionError("no setup code in the log");
  }

  private Locator row(String stack) {
    return page.locator("tr[data-key='" + nodeName + "/" + stack + "']");
  }

  /** Screenshots at 375 px and 1440 px in both themes, and axe in both themes, of what `hash` shows. */
  private void captureAll(String name, String hash, String ready, boolean axe) {
    for (int width : new int[] {1440, 375}) {
      for (boolean dark : new boolean[] {false, true}) {
        Page p = browser.sameSession(page, width, dark);
        Browser.open(p, origin + "/" + hash);
        p.locator(ready).first().waitFor();
        p.waitForTimeout(600);
        Browser.screenshot(p, name);
        if (axe && width == 1440) Browser.assertAxeClean(p, name + (dark ? " (dark)" : " (light)"));
        p.close();
      }
    }
  }

  @Test
  @Order(1)
  void firstRunSetupThenLogoutAndLogin() throws Exception {
    page = browser.page(1440, false);
    Browser.open(page, origin + "/");
    page.locator("#code").waitFor();
    Browser.screenshot(page, "setup");
    page.fill("#code", setupCode());
    page.fill("#password", TestNode.PASSWORD);
    page.fill("#confirm", TestNode.PASSWORD);
    page.click("button[type=submit]");
    assertThat(page.locator("main h1")).hasText("Fleet");
    assertThat(page.locator(".conn[data-state=live]")).isVisible();
    assertThat(page.locator(".session time")).isVisible();

    String jwt = new Http(port).post("/api/auth/token", new JsonObject().put("password", TestNode.PASSWORD)).json().getString("token");
    api = new Http(port).with("Authorization", "Bearer " + jwt);
    nodeName = api.get("/api/version").json().getString("node");

    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();
    assertThat(page.locator(".login .notice")).containsText("signed out");
    for (int width : new int[] {1440, 375}) {
      for (boolean dark : new boolean[] {false, true}) {
        Page p = browser.page(width, dark);
        Browser.open(p, origin + "/");
        p.locator("#password").waitFor();
        Browser.screenshot(p, "login");
        if (width == 1440) Browser.assertAxeClean(p, "login" + (dark ? " (dark)" : " (light)"));
        p.context().close();
      }
    }
    page.fill("#password", "not-the-password");
    page.click("button[type=submit]");
    assertThat(page.locator("#login-error")).hasText("Invalid password");
    page.fill("#password", TestNode.PASSWORD);
    page.click("button[type=submit]");
    assertThat(page.locator("main h1")).hasText("Fleet");
  }

  @Test
  @Order(2)
  void tableListsTheEnginesStacksAndFiltersStayInTheUrl() throws Exception {
    assertEquals(201, api.post("/api/stack/" + app + "/compose", Stacks.content(Stacks.twoServices("dash"))).status());
    assertEquals(201, api.post("/api/stack/" + idle + "/compose", Stacks.content(Stacks.twoServices("idle"))).status());
    assertEquals(200, api.operation(app, "up").status());
    assertThat(row(app).locator(".c-status")).containsText("Running", new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(30_000));
    assertThat(row(app).locator(".c-ctr")).hasText("2/2");
    assertThat(row(idle).locator(".c-status")).containsText("Inactive");

    page.fill("#f-q", prefix + "-ap");
    assertThat(row(idle)).hasCount(0);
    assertThat(row(app)).hasCount(1);
    assertTrue(page.url().contains("q=" + prefix + "-ap"), page.url());
    page.fill("#f-q", prefix);
    page.selectOption("#f-status", "inactive");
    assertThat(row(app)).hasCount(0);
    assertThat(row(idle)).hasCount(1);
    assertTrue(page.url().contains("status=inactive"), page.url());
    // The filtered view is a bookmark: loading its URL again shows the same rows.
    String bookmark = page.url();
    page.navigate("about:blank");
    Browser.open(page, bookmark);
    assertThat(page.locator("#f-status")).hasValue("inactive");
    assertThat(row(idle)).hasCount(1);
    assertThat(row(app)).hasCount(0);
    page.evaluate("() => { location.hash = '#/?q=" + prefix + "'; }");
    assertThat(row(app)).hasCount(1);
    captureAll("overview", "#/?q=" + prefix, "tr[data-key]", true);
  }

  @Test
  @Order(3)
  void restartFromTheStackPageStreamsItsOutputAndTheStatusReturnsToRunning() {
    page.evaluate("() => { location.hash = '#/nodes/" + nodeName + "/stacks/" + app + "'; }");
    assertThat(page.locator("#stack-state")).containsText("Running");
    page.waitForFunction("() => document.querySelector('dockup-terminal')?.term");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Restart").setExact(true)).click();
    page.waitForFunction("name => { const t = document.querySelector('dockup-terminal').text();"
        + " return t.includes(name) && t.includes('restart succeeded'); }", app,
        new Page.WaitForFunctionOptions().setTimeout(LONG.toMillis()));
    String text = (String) page.evaluate("() => document.querySelector('dockup-terminal').text()");
    assertTrue(text.lines().anyMatch(l -> l.contains(app) && !l.contains("$ restart")), "compose's own lines: " + text);
    assertThat(page.locator("#stack-state")).containsText("Running");
    assertThat(page.locator(".toasts")).containsText("Restart of " + app);
    captureAll("stack", "#/nodes/" + nodeName + "/stacks/" + app, "#stack-state", true);
  }

  @Test
  @Order(4)
  void aStopByTheEnginesCliChangesTheRowAndThePageWithoutAReload() throws Exception {
    page.evaluate("() => { window.__notReloaded = true; }");
    String web;
    try (Engine engine = Engine.shared()) {
      web = engine.containers(app).stream().filter(c -> "web".equals(c.getLabels().get("com.docker.compose.service")))
          .findFirst().orElseThrow().getId();
    }
    Engine.sh("docker stop -t 1 " + web);
    assertThat(page.locator("#stack-state")).containsText("Partial", new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(60_000));
    assertThat(page.locator("tr[data-container='" + app + "-web-1'] .state-exited")).isVisible();
    page.evaluate("() => { location.hash = '#/?q=" + prefix + "'; }");
    assertThat(row(app).locator(".c-status")).containsText("Partial");
    Engine.sh("docker start " + web);
    assertThat(row(app).locator(".c-status")).containsText("Running", new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions().setTimeout(60_000));
    assertEquals(Boolean.TRUE, page.evaluate("() => window.__notReloaded === true"), "the page was not reloaded");
  }

  @Test
  @Order(5)
  void theComposeEditorShowsAnInvalidFilesErrorAtItsLineAndSavesAValidChangeAfterItsDiff() throws Exception {
    Path file = node.stacksDir.resolve(app).resolve("compose.yaml");
    String original = Files.readString(file);
    page.evaluate("() => { location.hash = '#/nodes/" + nodeName + "/stacks/" + app + "'; }");
    page.getByRole(AriaRole.TAB, new Page.GetByRoleOptions().setName("Compose file")).click();
    page.locator(".cm-content").waitFor();
    replaceEditorText("services:\n  web:\n    image: x\n   bad: indent\n");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save…")).click();
    assertThat(page.locator("#compose-error")).containsText("line 4");
    assertEquals(4, ((Number) page.evaluate("() => [...document.querySelectorAll('.cm-line')]"
        + ".findIndex(l => l.querySelector('.cm-lintRange-error')) + 1")).intValue(), "the error is marked on line 4");
    assertEquals(original, Files.readString(file), "an invalid file is never saved");
    Browser.screenshot(page, "editor-error");

    String changed = original.replace("    init: true\n", "    init: true\n    environment:\n      DASH_MARK: \"yes\"\n");
    replaceEditorText(changed);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save and up…")).click();
    Locator dialog = page.locator("dialog[open]");
    assertThat(dialog.locator("#diff-title")).isVisible();
    assertTrue(dialog.locator(".cm-changedLine, .cm-insertedLine").count() > 0, "the diff marks the added lines");
    assertEquals(original, Files.readString(file), "nothing is saved before the diff is confirmed");
    Browser.screenshot(page, "editor-diff");
    dialog.locator("#diff-confirm").click();
    long deadline = System.nanoTime() + LONG.toNanos();
    boolean applied = false;
    try (Engine engine = Engine.shared()) {
      while (!applied && System.nanoTime() < deadline) {
        try {
          applied = Files.readString(file).contains("DASH_MARK") && engine.running(app).stream()
              .anyMatch(c -> List.of(engine.inspect(c.getId()).getConfig().getEnv()).contains("DASH_MARK=yes"));
        } catch (com.github.dockerjava.api.exception.NotFoundException recreatedMeanwhile) {
          applied = false;
        }
        if (!applied) Thread.sleep(250);
      }
    }
    assertTrue(applied, "saved, and up recreated the containers with the change");
    assertThat(page.locator(".toasts")).containsText("Up of " + app);
  }

  private void replaceEditorText(String text) {
    page.locator(".cm-content").click();
    page.keyboard().press("Control+A");
    page.keyboard().press("Delete");
    page.keyboard().insertText(text);
  }

  @Test
  @Order(6)
  void aNewStacksNameIsCheckedAsTheApiChecksItAndItsFileIsValidatedBeforeItIsCreated() throws Exception {
    String fresh = prefix + "-new";
    page.evaluate("() => { location.hash = '#/new'; }");
    page.locator(".cm-content").waitFor();
    page.fill("#ns-name", "Bad Name");
    assertThat(page.locator("#ns-name-help")).containsText("lower-case");
    page.fill("#ns-name", fresh);
    assertThat(page.locator("#ns-name-help")).not().containsText("lower-case");
    replaceEditorText("services:\n  web:\n    image: x\n   bad: indent\n");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Validate and create")).click();
    assertThat(page.locator("#new-error")).containsText("line 4");
    assertFalse(Files.exists(node.stacksDir.resolve(fresh)), "an invalid file creates nothing");
    Browser.screenshot(page, "new-stack");
    Browser.assertAxeClean(page, "new stack");
    replaceEditorText(Stacks.twoServices("new"));
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Validate and create")).click();
    assertThat(page.locator("main h1")).hasText(fresh);
    assertTrue(Files.exists(node.stacksDir.resolve(fresh).resolve("compose.yaml")));
    assertThat(page.locator("#stack-state")).containsText("Inactive");
  }

  @Test
  @Order(7)
  void restartingDockUpShowsTheDisconnectedIndicatorAndThePageRecoversByItself() throws Exception {
    page.evaluate("() => { location.hash = '#/?q=" + prefix + "'; }");
    assertThat(page.locator(".conn[data-state=live]")).isVisible();
    node.close();
    node = null;
    assertThat(page.locator(".conn[data-state=offline]")).containsText("Disconnected");
    Browser.screenshot(page, "disconnected");
    node = startNode();
    assertThat(page.locator(".conn[data-state=live]")).isVisible(new com.microsoft.playwright.assertions.LocatorAssertions.IsVisibleOptions().setTimeout(45_000));
    assertThat(row(app).locator(".c-status")).containsText("Running");
    assertThat(row(idle)).hasCount(1);
    assertThat(row(prefix + "-new")).hasCount(1);
  }

  @Test
  @Order(8)
  void onlyTheOriginIsAskedTheCspIsStrictAndAnEndedSessionReturnsToLogin() {
    Http anonymous = new Http(port);
    Http.Resp index = anonymous.get("/");
    String csp = index.headers().firstValue("Content-Security-Policy").orElse("");
    assertTrue(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-eval"), csp);
    assertEquals("nosniff", index.headers().firstValue("X-Content-Type-Options").orElse(""));
    assertTrue(index.headers().firstValue("Referrer-Policy").isPresent());
    assertFalse(Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE).matcher(index.text()).find(), "no inline script");
    Matcher asset = Pattern.compile("src=\"(/ui/[^\"]+/app/main\\.js)\"").matcher(index.text());
    assertTrue(asset.find());
    assertTrue(anonymous.get(asset.group(1)).headers().firstValue("Cache-Control").orElse("").contains("immutable"));
    assertEquals(0, ((Number) page.evaluate("() => document.querySelectorAll('script:not([src])').length")).intValue());
    browser.assertOnlyOrigin(origin);
    synchronized (browser.consoleErrors) {
      assertTrue(browser.consoleErrors.stream().noneMatch(e -> e.contains("Content Security Policy")), browser.consoleErrors.toString());
    }

    // The session is ended elsewhere (its cookie logged out): the page's next call returns to login.
    Cookie session = page.context().cookies().stream().filter(c -> "session".equals(c.name)).findFirst().orElseThrow();
    assertEquals(200, anonymous.with("Cookie", "session=" + session.value).post("/api/auth/logout", "").status());
    page.evaluate("() => { location.hash = '#/nodes/" + nodeName + "/stacks/" + app + "'; }");
    assertThat(page.locator(".login .notice")).containsText("session has ended");
    page.locator("#password").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE));
  }
}
