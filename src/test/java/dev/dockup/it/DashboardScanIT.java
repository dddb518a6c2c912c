package dev.dockup.it;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Scans in the dashboard: DockUp as its own process with a stand-in {@code trivy} first on its
 * PATH (as ScanIT runs it), a container scanned from its stack's page, its badge and the stack's
 * changing live from the feed, the findings table (sorted, filtered, linked), the overview's
 * "has critical" filter, and the scan gate saved from the schedule form.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardScanIT {
  private final String prefix = Stacks.uniqueName("dscan");
  private final String app = prefix + "-app";
  private final String idle = prefix + "-idle";
  private Path tmp;
  private ScanStandIns scanners;
  private NodeProcess node;
  private Http http;
  private Browser browser;
  private String origin;
  private String nodeName;

  @BeforeAll
  void start() throws Exception {
    tmp = Files.createTempDirectory("dockup-dash-scan-");
    scanners = new ScanStandIns(tmp.resolve("scan"), "trivy");
    try (Engine engine = Engine.shared()) {
      String imageId = engine.docker.inspectImageCmd(Engine.IMAGE).exec().getId();
      // Slow enough for the page to show the scan running before its result.
      scanners.report(imageId, "trivy-several-targets.json").slow(imageId, 2);
    }
    nodeName = "dscan-" + UUID.randomUUID().toString().substring(0, 6);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PORT", "0");
    env.put("HOST", "127.0.0.1");
    env.put("STACKS_DIR", tmp.resolve("stacks").toString());
    env.put("DATA_DIR", tmp.resolve("data").toString());
    env.put("DOCKER_HOST", Engine.shared().host);
    env.put("DOCKUP_NODE_NAME", nodeName);
    env.put("DOCKUP_PASSWORD", TestNode.PASSWORD);
    env.put("PATH", scanners.path());
    node = new NodeProcess("dash-scan", tmp.resolve("run"), env).start().awaitListening();
    String jwt = node.http().post("/api/auth/token", new JsonObject().put("password", TestNode.PASSWORD)).json().getString("token");
    http = node.http().with("Authorization", "Bearer " + jwt);
    origin = http.base();
    assertEquals(201, http.post("/api/stack/" + app + "/compose", Stacks.content(Stacks.twoServices("scan"))).status());
    assertEquals(201, http.post("/api/stack/" + idle + "/compose", Stacks.content(Stacks.twoServices("idle"))).status());
    Http.Resp up = http.operation(app, "up");
    assertEquals(200, up.status(), up.toString());
    browser = new Browser();
  }

  @AfterAll
  void stop() throws Exception {
    if (browser != null) browser.close();
    try (Engine engine = Engine.shared()) {
      engine.removeProjects(prefix);
    }
    if (node != null) node.close();
  }

  private Page signedIn(int width, boolean dark) {
    Page page = browser.page(width, dark);
    Browser.open(page, origin + "/");
    Browser.signIn(page, TestNode.PASSWORD);
    assertThat(page.locator("main h1")).hasText("Fleet");
    return page;
  }

  private void openStack(Page page) {
    page.evaluate("h => { location.hash = h; }", "#/nodes/" + nodeName + "/stacks/" + app);
    assertThat(page.locator("#stack-state")).containsText("Running");
  }

  private void vulnerabilitiesTab(Page page) {
    page.getByRole(AriaRole.TAB, new Page.GetByRoleOptions().setName("Vulnerabilities")).click();
    page.locator("button[aria-label^='Show the findings']").first().click();
    page.locator("table.findings-table").waitFor();
  }

  @Test
  void aContainerScannedFromItsPageChangesItsBadgeLiveAndShowsItsFindings() {
    Page page = signedIn(1440, false);
    openStack(page);
    Locator web = page.locator("tr[data-container='" + app + "-web-1'] .c-scan");
    assertThat(web).containsText("Not scanned");
    assertThat(page.locator("#stack-vulns")).containsText("Not scanned");
    page.evaluate("() => { window.__notReloaded = true; }");

    web.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Scan " + app + "-web-1 now")).click();
    assertThat(web.locator("[data-scan=scanning], [data-scan=queued]")).isVisible();
    assertThat(page.locator("#stack-vulns")).containsText("Scanning");
    Browser.screenshot(page, "scan-running");
    LocatorAssertions.ContainsTextOptions long_ = new LocatorAssertions.ContainsTextOptions().setTimeout(60_000);
    assertThat(web).containsText("1 critical", long_);
    assertThat(page.locator("#stack-vulns")).containsText("1 critical", long_);
    assertThat(web.locator(".sev-critical")).hasAttribute("title", "1 critical, 1 high, 1 medium, 1 low, 1 unknown");

    vulnerabilitiesTab(page);
    Locator tab = page.locator("dockup-scans");
    assertThat(tab).containsText("Scanner: trivy");
    Locator rows = page.locator("table.findings-table tbody tr");
    assertThat(rows).hasCount(5);
    assertThat(rows.first()).containsText("Critical");
    assertThat(rows.first()).containsText("CVE-2024-0001");
    page.locator("table.findings-table").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Severity")).click();
    assertThat(rows.first()).containsText("Unknown");
    page.selectOption("#fd-sev", "HIGH");
    assertThat(rows).hasCount(1);
    assertThat(rows.first().locator("a")).hasAttribute("href", java.util.regex.Pattern.compile("^https://"));
    page.selectOption("#fd-sev", "");
    page.selectOption("#fd-fix", "unfixed");
    assertThat(rows).hasCount(2);
    page.selectOption("#fd-fix", "fixed");
    assertThat(rows).hasCount(3);
    Browser.screenshot(page, "scan-findings");

    // The overview keeps its "has critical" filter in the URL.
    page.evaluate("h => { location.hash = h; }", "#/?q=" + prefix);
    page.selectOption("#f-vulns", "critical");
    assertTrue(page.url().contains("vulns=critical"), page.url());
    assertThat(page.locator("tr[data-key='" + nodeName + "/" + app + "'] .c-vuln")).containsText("1 critical");
    assertThat(page.locator("tr[data-key='" + nodeName + "/" + idle + "']")).hasCount(0);
    page.selectOption("#f-vulns", "unscanned");
    assertThat(page.locator("tr[data-key='" + nodeName + "/" + idle + "']")).hasCount(1);
    assertThat(page.locator("tr[data-key='" + nodeName + "/" + app + "']")).hasCount(0);
    assertEquals(Boolean.TRUE, page.evaluate("() => window.__notReloaded === true"), "no reload");

    // The update gate, from the schedule form.
    openStack(page);
    page.getByRole(AriaRole.TAB, new Page.GetByRoleOptions().setName("Updates")).click();
    page.selectOption("#sch-gate", "no_new_critical");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save schedule")).click();
    assertThat(page.locator(".toasts")).containsText("Schedule of " + app + " saved");
    assertEquals("no_new_critical", http.get("/api/stack/" + app + "/schedule").json().getString("scan_gate"));

    capture("stack-vulnerabilities", p -> {
      openStack(p);
      vulnerabilitiesTab(p);
    });
    capture("overview-critical", p -> {
      p.evaluate("h => { location.hash = h; }", "#/?vulns=critical&q=" + prefix);
      p.locator("tr[data-key] .c-vuln").first().waitFor();
    });
    browser.assertOnlyOrigin(origin);
  }

  /** Screenshots at 1440 and 375 px in both themes after `show`; axe at 1440 px in both themes. */
  private void capture(String name, Consumer<Page> show) {
    for (int width : new int[] {1440, 375}) {
      for (boolean dark : new boolean[] {false, true}) {
        Page p = signedIn(width, dark);
        show.accept(p);
        p.waitForTimeout(400);
        Browser.screenshot(p, name);
        if (width == 1440) Browser.assertAxeClean(p, name + (dark ? " (dark)" : " (light)"));
        p.context().close();
      }
    }
  }
}
