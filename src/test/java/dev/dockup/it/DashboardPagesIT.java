package dev.dockup.it;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.assertions.LocatorAssertions;
import com.microsoft.playwright.options.AriaRole;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard's pages beyond the stacks, in Debian's Chromium against a real DockUp and the
 * real engine: a bundled template deployed from the gallery and running; an API token made with
 * read scope, shown once, used, revoked and refused; invalid settings named beside their fields
 * with nothing saved; an image in use refused with the 409 explained; a network made and
 * removed; a webhook made (its secret shown once), called, and refused once deleted; and every page screenshot at 375 and 1440 px and checked by axe-core in both themes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardPagesIT {
  /** The gotify template's image, stood in for by one built from the busybox test image (no registry here). */
  static final String GOTIFY_IMAGE = "gotify/server:latest";
  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String prefix = Stacks.uniqueName("dpages");
  private final String app = prefix + "-app";
  private TestNode node;
  private Browser browser;
  private Page page;
  private String origin;
  private String nodeName;

  @BeforeAll
  void start() throws Exception {
    node = TestNode.builder().config("template_refresh", 0).start();
    origin = "http://127.0.0.1:" + node.app.port();
    nodeName = node.http.get("/api/version").json().getString("node");
    // Serves HTTP on 80 like the real one would, and stops on SIGTERM; no RUN step, so no network.
    Engine.sh("printf '%s\\n' 'FROM " + Engine.IMAGE + "' "
        + "'ENTRYPOINT [\"sh\", \"-c\", \"trap \\\"exit 0\\\" TERM; httpd -f -p 80 -h /www & wait\"]' "
        + "| docker build -q -t " + GOTIFY_IMAGE + " -");
    assertEquals(201, node.http.post("/api/stack/" + app + "/compose", Stacks.content(Stacks.twoServices("pages"))).status());
    assertEquals(200, node.http.operation(app, "up").status());
    browser = new Browser();
    page = browser.page(1440, false);
    Browser.open(page, origin + "/");
    Browser.signIn(page, TestNode.PASSWORD);
    assertThat(page.locator("main h1")).hasText("Fleet");
  }

  @AfterAll
  void stop() throws Exception {
    if (browser != null) browser.close();
    try (Engine engine = Engine.shared()) {
      engine.removeProjects(prefix);
    }
    Engine.sh("docker rmi " + GOTIFY_IMAGE + " >/dev/null 2>&1 || true");
    Engine.sh("docker network rm " + prefix + "-net >/dev/null 2>&1 || true");
    if (node != null) node.close();
  }

  private void go(String hash) {
    page.evaluate("h => { location.hash = h; }", hash);
  }

  /** Screenshots at 1440 and 375 px in both themes of what `hash` shows; axe at 1440 px in both themes. */
  private void capture(String name, String hash, String ready) {
    for (int width : new int[] {1440, 375}) {
      for (boolean dark : new boolean[] {false, true}) {
        Page p = browser.sameSession(page, width, dark);
        Browser.open(p, origin + "/" + hash);
        p.locator(ready).first().waitFor();
        p.waitForTimeout(400);
        Browser.screenshot(p, name);
        if (width == 1440) Browser.assertAxeClean(p, name + (dark ? " (dark)" : " (light)"));
        p.close();
      }
    }
  }

  @Test
  @Order(1)
  void aBundledTemplateIsDeployedFromTheGalleryAndRuns() throws Exception {
    String stack = prefix + "-gotify";
    int port = FleetIT.freePort();
    go("#/templates");
    assertThat(page.locator("#tpl-count")).containsText("of");
    page.fill("#t-q", "gotify");
    assertThat(page.locator(".tpl-card")).hasCount(1);
    assertTrue(page.url().contains("q=gotify"), page.url());
    page.selectOption("#t-category", "Communication");
    assertThat(page.locator(".tpl-card")).hasCount(1);
    page.locator(".tpl-card a").click();
    assertThat(page.locator("main h1")).hasText("Gotify");
    // Required fields are marked; a generated one says so; defaults are filled in.
    assertThat(page.locator("#env-ADMIN_PASSWORD-hint")).containsText("generates");
    assertThat(page.locator("#env-WEB_PORT")).hasValue("8091");
    page.fill("#tpl-name", stack);
    page.fill("#env-WEB_PORT", Integer.toString(port));
    page.fill("#env-ADMIN_USER", "boss");
    Browser.screenshot(page, "template-form");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Deploy").setExact(true)).click();

    assertThat(page.locator("main h1")).hasText(stack);
    assertTrue(page.url().contains("#/nodes/" + nodeName + "/stacks/" + stack), page.url());
    assertThat(page.locator("#stack-state")).containsText("Running", new LocatorAssertions.ContainsTextOptions().setTimeout(60_000));
    // The output of `up` in the terminal (streamed, or kept from before the page opened).
    page.waitForFunction("name => (document.querySelector('dockup-terminal')?.text() || '').includes(name)", stack,
        new Page.WaitForFunctionOptions().setTimeout(60_000));
    assertThat(page.locator(".toasts")).containsText("Up of " + stack);
    assertTrue(get("http://127.0.0.1:" + port + "/").contains("dockup test image"), "the deployed stack serves its port");
    String env = node.http.get("/api/stack/" + stack + "/env").json().getString("content");
    assertTrue(env.contains("ADMIN_USER=boss") && env.contains("WEB_PORT=" + port), env);
    assertFalse(env.contains("ADMIN_PASSWORD=\n"), "the empty password was generated: " + env);
    capture("templates", "#/templates", ".tpl-card");
    capture("template-deploy", "#/templates/dozzle", ".risk");
  }

  static String get(String url) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) return r.body();
      } catch (java.io.IOException e) {
        last = e;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("no answer from " + url, last);
  }

  @Test
  @Order(2)
  void aReadTokenIsShownOnceWorksAndIsRefusedOnceRevoked() {
    String name = "reader-" + UUID.randomUUID().toString().substring(0, 6);
    go("#/settings/tokens");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("New token…")).click();
    Locator dialog = page.locator("dialog[open]");
    dialog.locator("#tok-name").fill(name);
    dialog.locator("input[name=scope][value=read]").check();
    dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Create token")).click();
    Locator shown = page.locator("dialog[open] #token-value");
    assertThat(shown).not().hasValue("");
    String token = shown.inputValue();
    assertThat(page.locator("dialog[open]")).containsText("shown only now");
    Browser.screenshot(page, "token-once");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("I have copied it")).click();
    assertThat(page.locator("tr[data-token='" + name + "']")).containsText("read");
    assertFalse(page.content().contains(token), "the token is shown once, then gone from the page");

    Http withToken = new Http(node.app.port()).with("X-API-Token", token);
    assertEquals(200, withToken.get("/api/stacks").status());
    assertEquals(403, withToken.get("/api/config").status(), "read scope only");

    page.locator("tr[data-token='" + name + "'] button").click();
    page.locator("dialog[open] button[type=submit]").click();
    assertThat(page.locator("tr[data-token='" + name + "']")).hasCount(0);
    assertEquals(401, withToken.get("/api/stacks").status(), "revoked");

    // The audit log names the token's creation, and its filter is kept in the URL.
    go("#/settings/audit");
    page.selectOption("#au-action", "POST /api/tokens");
    assertThat(page.locator("#audit-count")).containsText("match");
    assertTrue(page.url().contains("action=POST"), page.url());
    capture("settings-tokens", "#/settings/tokens", ".settings-part .empty, .settings-part table");
    capture("settings-audit", "#/settings/audit", "table.audit");
  }

  @Test
  @Order(3)
  void anInvalidTimeZoneAndCronAreNamedBesideTheirFieldsAndNothingIsSaved() {
    JsonObject before = node.http.get("/api/config").json();
    go("#/settings/general");
    page.locator("#set-timezone").fill("Mars/Olympus");
    page.locator("#set-default_cron").fill("61 * * * *");
    page.locator("#set-instance_name").fill("Renamed " + prefix);
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save settings")).click();
    assertThat(page.locator("#set-timezone-error")).containsText("Mars/Olympus");
    assertThat(page.locator("#set-default_cron-error")).containsText("cron");
    assertThat(page.locator("#set-timezone")).hasAttribute("aria-invalid", "true");
    assertThat(page.locator(".form-error")).containsText("Nothing was saved");
    assertThat(page.locator("#set-instance_name-error")).hasCount(0);
    Browser.screenshot(page, "settings-refused");
    assertEquals(before, node.http.get("/api/config").json(), "nothing saved");

    page.locator("#set-timezone").fill("Europe/Paris");
    page.locator("#set-default_cron").fill("30 4 * * *");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save settings")).click();
    assertThat(page.locator(".toasts")).containsText("Settings saved");
    JsonObject after = node.http.get("/api/config").json();
    assertEquals("Europe/Paris", after.getString("timezone"));
    assertEquals("30 4 * * *", after.getString("default_cron"));
    capture("settings", "#/settings/general", "#set-timezone");
    capture("settings-notifications", "#/settings/notifications", "#notify-new");
    capture("settings-templates", "#/settings/templates", ".source-list, .settings-form");
    capture("settings-peers", "#/settings/peers", ".settings-body .actions");
  }

  @Test
  @Order(4)
  void deletingAnImageInUseIsRefusedAndTheAnswerIsExplained() throws Exception {
    // The gotify stand-in: an image of its own, used by the stack deployed above only.
    String imageId;
    try (Engine engine = Engine.shared()) {
      imageId = engine.docker.inspectImageCmd(GOTIFY_IMAGE).exec().getId();
    }
    go("#/images");
    Locator row = page.locator("tr[data-image='" + imageId + "']");
    assertThat(row).containsText("container");
    row.getByRole(AriaRole.BUTTON).click();
    page.locator("dialog[open] button[type=submit]").click();
    Locator explained = page.locator("dialog[open] #in-use-explained");
    assertThat(explained).containsText("use");
    assertThat(page.locator("dialog[open]")).containsText(prefix + "-gotify-gotify-1");
    Browser.screenshot(page, "image-in-use");
    page.locator("dialog[open] .dialog-actions button").click();
    try (Engine engine = Engine.shared()) {
      assertEquals(imageId, engine.docker.inspectImageCmd(GOTIFY_IMAGE).exec().getId(), "the image is still there");
    }
    capture("images", "#/images", "tr[data-image]");
  }

  @Test
  @Order(5)
  void aNetworkIsCreatedListedWithItsUsersAndDeleted() {
    String net = prefix + "-net";
    go("#/networks");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create network…")).click();
    page.locator("dialog[open] #net-name").fill(net);
    page.locator("dialog[open] input[name=internal]").check();
    page.locator("dialog[open] button[type=submit]").click();
    Locator row = page.locator("tr[data-network='" + net + "']");
    assertThat(row).containsText("internal");
    // A compose network lists its containers.
    assertThat(page.locator("tr[data-network='" + app + "_default']")).containsText(app + "-web-1");
    row.getByRole(AriaRole.BUTTON).click();
    page.locator("dialog[open] button[type=submit]").click();
    assertThat(row).hasCount(0);
    capture("networks", "#/networks", "tr[data-network]");
  }

  @Test
  @Order(6)
  void theHostAndNodesPagesShowTheirFacts() {
    go("#/nodes");
    Locator card = page.locator(".node-detail").first();
    assertThat(card).containsText(nodeName);
    assertThat(card).containsText("Reachable");
    assertThat(card.locator("ul.where")).containsText(app);
    go("#/host");
    assertThat(page.locator("section[aria-labelledby=ver-h] .facts")).containsText("2.0");
    capture("nodes", "#/nodes", ".node-detail");
    capture("host", "#/host", "#appdata-h");
    browser.assertOnlyOrigin(origin);
  }

  @Test
  @Order(7)
  void notificationUrlsAreShownMaskedAndTheTestGivesEachOnesResult() {
    go("#/settings/notifications");
    String password = "pw" + UUID.randomUUID().toString().substring(0, 8);
    page.locator("#notify-new").fill("generic+http://user:" + password + "@127.0.0.1:1/hook");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add").setExact(true)).click();
    assertThat(page.locator(".url-list")).containsText("not saved yet");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save notifications")).click();
    assertThat(page.locator(".toasts")).containsText("Notification settings saved");
    assertThat(page.locator(".url-list")).containsText("generic+http://127.0.0.1:1/***");
    assertFalse(page.content().contains(password), "a stored URL is shown masked");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Send a test message")).click();
    assertThat(page.locator(".test-results li")).hasCount(1);
    assertThat(page.locator(".test-results li")).containsText("failed");
    Browser.screenshot(page, "settings-notifications-test");
  }

  @Test
  @Order(8)
  void anHttpPeerIsAddedTestedEditedAndDeleted() {
    String token = node.http.post("/api/tokens", new JsonObject().put("name", prefix + "-peer").put("scope", "operate")).json().getString("token");
    go("#/settings/peers");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add a peer…")).click();
    Locator dialog = page.locator("dialog[open]");
    dialog.locator("#peer-name").fill("Loopback " + prefix);
    dialog.locator("#peer-url").fill("http://127.0.0.1:1");
    dialog.locator("#peer-api_token").fill(token);
    dialog.locator("#peer-id").fill(prefix);
    dialog.locator("button[type=submit]").click();
    Locator row = page.locator("tr[data-peer='" + prefix + "']");
    assertThat(row).containsText("Loopback " + prefix);
    row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Test peer Loopback " + prefix)).click();
    assertThat(row.locator("[data-test-result]")).containsText("Unreachable");

    row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Edit peer Loopback " + prefix)).click();
    assertThat(page.locator("dialog[open] #peer-api_token-hint")).containsText("keep the stored token");
    page.locator("dialog[open] #peer-url").fill(origin);
    page.locator("dialog[open] button[type=submit]").click();
    assertThat(row).containsText(origin);
    row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Test peer Loopback " + prefix)).click();
    assertThat(row.locator("[data-test-result]")).containsText("Reachable in");
    Browser.screenshot(page, "settings-peer-tested");

    row.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Delete peer Loopback " + prefix)).click();
    page.locator("dialog[open] button[type=submit]").click();
    assertThat(row).hasCount(0);
    assertEquals(0, node.http.get("/api/peers").json().getJsonArray("peers").size());
  }

  @Test
  @Order(9)
  void aWebhookIsMadeWithItsSecretShownOnceCalledAndRefusedOnceDeleted() throws Exception {
    go("#/settings/webhooks");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("New webhook…")).click();
    Locator dialog = page.locator("dialog[open]");
    dialog.locator("#hook-stack").selectOption(nodeName + "/" + app);
    dialog.locator("input[name=operations][value=pull]").uncheck();
    dialog.locator("input[name=operations][value=up]").uncheck();
    dialog.locator("input[name=operations][value=restart]").check();
    dialog.locator("button[type=submit]").click();
    Locator secret = page.locator("dialog[open] #hook-secret");
    assertThat(secret).not().hasValue("");
    String value = secret.inputValue();
    String url = page.locator("dialog[open] #hook-url").inputValue();
    assertTrue(url.startsWith(origin + "/hooks/"), url);
    Browser.screenshot(page, "webhook-once");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("I have copied it")).click();
    String id = url.substring(url.lastIndexOf('/') + 1);
    Locator row = page.locator("tr[data-hook='" + id + "']");
    assertThat(row).containsText("restart");
    assertFalse(page.content().contains(value), "the secret is shown once, then gone from the page");

    HttpRequest call = HttpRequest.newBuilder(URI.create(url)).header("X-Webhook-Secret", value)
        .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(120)).build();
    HttpResponse<String> ran = CLIENT.send(call, HttpResponse.BodyHandlers.ofString());
    assertEquals(200, ran.statusCode(), ran.body());
    assertTrue(new JsonObject(ran.body()).getBoolean("success"), ran.body());
    capture("settings-webhooks", "#/settings/webhooks", "tr[data-hook]");

    row.getByRole(AriaRole.BUTTON).click();
    page.locator("dialog[open] button[type=submit]").click();
    assertThat(row).hasCount(0);
    assertEquals(401, CLIENT.send(call, HttpResponse.BodyHandlers.ofString()).statusCode(), "deleted");
  }
}
