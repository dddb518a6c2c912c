package dev.dockup.it;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two clustered nodes (two members in this JVM, as FleetIT starts them), B with a Docker engine
 * of its own: A's dashboard shows both nodes' cards and stacks, and an operation on B's stack
 * started from A's dashboard runs on B's engine.
 */
class DashboardFleetIT {

  @Test
  void bothNodesShowOnOneDashboardAndTheSecondNodesStackIsOperatedOnItsOwnEngine() throws Exception {
    String cluster = "d" + UUID.randomUUID().toString().substring(0, 8);
    int pa = FleetIT.freePort();
    int pb = FleetIT.freePort();
    String members = "127.0.0.1:" + pa + ",127.0.0.1:" + pb;
    String a = "dash-a-" + cluster;
    String b = "dash-b-" + cluster;
    String stack = "fleet-" + cluster;
    Path tmp = Files.createTempDirectory("dockup-dash-fleet-");
    try (OwnDockerd engineB = new OwnDockerd(tmp.resolve("engine-b")).start();
         TestNode na = FleetIT.member(cluster, a, pa, members).start();
         Browser browser = new Browser()) {
      engineB.loadImage(Engine.IMAGE);
      TestNode nb = FleetIT.member(cluster, b, pb, members).dockerHost(engineB.host).config("password", null).start();
      try {
        na.await("/api/nodes", v -> FleetIT.node(v, b) != null && FleetIT.node(v, b).getBoolean("reachable"), Duration.ofSeconds(20));
        assertEquals(201, nb.http.post("/api/stack/" + stack + "/compose", Stacks.content(Stacks.twoServices("fleet"))).status());
        assertEquals(200, nb.http.operation(stack, "up").status());

        Page page = browser.page(1440, false);
        String origin = "http://127.0.0.1:" + na.app.port();
        Browser.open(page, origin + "/");
        try {
          page.locator("#password").waitFor(new Locator.WaitForOptions().setTimeout(60_000));
        } catch (RuntimeException e) {
          throw new AssertionError("no login form; the page shows: " + page.content() + "\nconsole: " + browser.consoleErrors, e);
        }
        page.fill("#password", TestNode.PASSWORD);
        page.click("button[type=submit]");
        assertThat(page.locator(".node-card h3").filter(new Locator.FilterOptions().setHasText(a))).hasCount(1);
        assertThat(page.locator(".node-card h3").filter(new Locator.FilterOptions().setHasText(b))).hasCount(1);
        Locator row = page.locator("tr[data-key='" + b + "/" + stack + "']");
        assertThat(row.locator(".c-status")).containsText("Running", new LocatorAssertions.ContainsTextOptions().setTimeout(60_000));
        assertThat(row.locator(".c-node")).containsText(b);
        Browser.screenshot(page, "fleet");
        Page narrow = browser.sameSession(page, 375, true);
        Browser.open(narrow, origin + "/");
        narrow.locator("tr[data-key='" + b + "/" + stack + "']").waitFor();
        Browser.screenshot(narrow, "fleet");
        narrow.close();

        String before;
        try (Engine onB = new Engine(engineB.host)) {
          before = onB.startedAt(stack, "web");
        }
        row.locator("button[aria-label='Restart " + stack + " on " + b + "']").click();
        assertThat(page.locator(".toasts")).containsText("Restart of " + stack + " on " + b + " succeeded",
            new LocatorAssertions.ContainsTextOptions().setTimeout(60_000));
        try (Engine onB = new Engine(engineB.host); Engine shared = Engine.shared()) {
          assertFalse(before.equals(onB.startedAt(stack, "web")), "the containers on B's engine restarted");
          assertTrue(shared.containers(stack).isEmpty(), "nothing ran on A's engine");
        }
        JsonObject opsOnB = nb.http.get("/api/operations").json();
        assertTrue(opsOnB.getJsonArray("operations").stream().map(JsonObject.class::cast)
            .anyMatch(o -> stack.equals(o.getString("stack")) && "restart".equals(o.getString("operation"))), opsOnB.encode());
        browser.assertOnlyOrigin(origin);
        assertEquals(200, nb.http.operation(stack, "down").status());
      } finally {
        nb.close();
      }
    }
  }
}
