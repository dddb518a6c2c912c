package dev.dockup.it;

import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Backups and file history in the dashboard, in Debian's Chromium against a real DockUp: a
 * backup of one stack made from the page, downloaded (the bytes the API serves), restored by
 * upload after its dry-run preview (the stack chosen there), and a version of the compose file
 * made current again from the stack's History tab with its diff shown first; the pages
 * screenshot at 375 and 1440 px and checked by axe-core in both themes. The page is live: a
 * backup started through the API shows running, then in the list, and a restore that fails
 * elsewhere is said in the polite live region, all without a reload.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardBackupIT {
  private final String prefix = Stacks.uniqueName("dbak");
  private final String app = prefix + "-app";
  private TestNode node;
  private Browser browser;
  private Page page;
  private String origin;
  private String nodeName;

  @BeforeAll
  void start() throws Exception {
    node = TestNode.builder().start();
    origin = "http://127.0.0.1:" + node.app.port();
    nodeName = node.http.get("/api/version").json().getString("node");
    // Files only: a configuration backup, its restore and the history need no running container.
    assertEquals(201, node.http.post("/api/stack/" + app + "/compose", Stacks.content(Stacks.twoServices("kept"))).status());
    browser = new Browser();
    page = browser.page(1440, false);
    Browser.open(page, origin + "/");
    Browser.signIn(page, TestNode.PASSWORD);
    assertThat(page.locator("main h1")).hasText("Fleet");
  }

  @AfterAll
  void stop() throws Exception {
    if (browser != null) browser.close();
    if (node != null) node.close();
    try (Engine engine = Engine.shared()) {
      engine.removeProjects(prefix);
    }
    Engine.sh("docker volume rm -f " + prefix + "-slow_data >/dev/null 2>&1 || true");
  }

  /** `sleep` as PID 1 ignores SIGTERM: stopping it for the copy takes its whole grace period, so the backup is seen running. */
  static String slowToStop() {
    return """
        services:
          db:
            image: %s
            command: ["sleep", "3600"]
            stop_grace_period: 3s
            volumes:
              - data:/data
        volumes:
          data:
        """.formatted(Engine.IMAGE);
  }

  private String compose() {
    return node.http.get("/api/stack/" + app + "/compose").json().getString("content");
  }

  @Test
  void aBackupIsMadeDownloadedRestoredByUploadAfterItsPreviewAndAFileVersionIsRestored() throws Exception {
    String kept = compose();
    page.evaluate("h => { location.hash = h; }", "#/backups");
    assertThat(page.locator("main h1")).hasText("Backups");
    page.locator("input[name=scope][value=some]").check();
    page.locator("input[name=stack][value='" + app + "']").check();
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Make backup")).click();
    assertThat(page.locator(".toasts")).containsText("Backup backup_");
    Locator row = page.locator("tr[data-file]");
    assertThat(row).hasCount(1);
    assertThat(row).containsText(app);
    assertThat(row).containsText("Configuration");
    String file = node.http.get("/api/backups").json().getJsonArray("backups").getJsonObject(0).getString("file");
    assertEquals(file, row.getAttribute("data-file"));

    // The download is the API's archive, byte for byte.
    Download download = page.waitForDownload(() -> row.getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName("Download " + file)).click());
    byte[] got = Files.readAllBytes(download.path());
    Backups.Download api = Backups.download(node.http, "/api/backup/download/" + file);
    assertEquals(200, api.status());
    assertArrayEquals(api.bytes(), got, "the browser's download is the API's archive");

    // Changed after the backup; the upload's preview says it would be replaced, and the restore brings it back.
    String changed = Stacks.twoServices("changed");
    assertEquals(200, node.http.post("/api/stack/" + app + "/compose", Stacks.content(changed)).status());
    page.setInputFiles("#bk-upload", download.path());
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Preview the restore…")).click();
    Locator dialog = page.locator("dialog[open]");
    assertThat(dialog.locator(".restore-plan li")).hasCount(1);
    assertThat(dialog.locator(".restore-plan [data-action=replaced]")).hasCount(1);
    assertThat(dialog.locator("input[name=stack][value='" + app + "']")).isChecked();
    assertEquals(changed, compose(), "a preview changes nothing");
    Browser.screenshot(page, "backup-restore-preview");
    Browser.assertAxeClean(page, "restore preview");
    dialog.locator("button[type=submit]").click();
    assertThat(page.locator(".toasts")).containsText("Restored " + app);
    assertThat(page.locator("#bk-last")).containsText(app);
    assertEquals(kept, compose(), "the upload restored the backed-up file");

    // The History tab: the version replaced by the restore is the newest; its diff, then it is made current again.
    page.evaluate("h => { location.hash = h; }", "#/nodes/" + nodeName + "/stacks/" + app);
    assertThat(page.locator("main h1")).hasText(app);
    page.getByRole(AriaRole.TAB, new Page.GetByRoleOptions().setName("History")).click();
    Locator newest = page.locator("dockup-history tr[data-version]").first();
    assertThat(newest).containsText("compose");
    newest.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Show changes")).click();
    Locator diff = page.locator("dockup-history .diff-text");
    assertThat(diff.locator(".dl-del")).containsText("echo changed");
    assertThat(diff.locator(".dl-add")).containsText("echo kept");
    Browser.screenshot(page, "stack-history-diff");
    Browser.assertAxeClean(page, "history diff");
    newest.locator("button[aria-label^='Restore the version']").click();
    page.locator("dialog[open] button[type=submit]").click();
    assertThat(page.locator(".toasts")).containsText("restored to the version");
    assertEquals(changed, compose(), "the version is current again");

    // An encrypted archive restored from the list asks its passphrase first; a wrong one is refused in words, in the dialog.
    String encrypted = node.http.post("/api/backup/create", new JsonObject().put("passphrase", "right horse battery")).json().getString("backup_file");
    page.evaluate("h => { location.hash = h; }", "#/backups");
    page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Reload")).click();
    Locator sealed = page.locator("tr[data-file='" + encrypted + "']");
    assertThat(sealed.locator("[data-label=Encrypted]")).containsText("Yes");
    sealed.locator("button[aria-label^='Restore from']").click();
    page.locator("dialog[open] #rs-pass").fill("wrong horse");
    page.locator("dialog[open] button[type=submit]").click();
    assertThat(page.locator("dialog[open] .error[role=alert]")).not().isEmpty();
    page.locator("dialog[open] #rs-pass").fill("right horse battery");
    page.locator("dialog[open] button[type=submit]").click();
    // Made just now: the stack is as the archive holds it, so it is not chosen to restore.
    assertThat(page.locator("dialog[open] .restore-plan [data-action=unchanged]")).hasCount(1);
    assertThat(page.locator("dialog[open] input[name=stack][value='" + app + "']")).not().isChecked();
    page.locator("dialog[open]").getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Cancel")).click();
    assertThat(page.locator("dialog[open]")).hasCount(0);

    capture("backups", "#/backups", "tr[data-file]", p -> { });
    // Restore from the list: the dry run's preview of a kept archive (nothing changed here: the version above is newer).
    capture("backup-restore-list", "#/backups", "tr[data-file]", p -> {
      p.locator("tr[data-file='" + file + "'] button[aria-label^='Restore from']").click();
      assertThat(p.locator("dialog[open] .restore-plan [data-action=replaced]")).hasCount(1);
    });
    capture("stack-history", "#/nodes/" + nodeName + "/stacks/" + app, "main h1", p -> {
      p.getByRole(AriaRole.TAB, new Page.GetByRoleOptions().setName("History")).click();
      p.locator("dockup-history tr[data-version]").first().getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Show changes")).click();
      p.locator("dockup-history .diff-text").waitFor();
    });
    live(encrypted);
    browser.assertOnlyOrigin(origin);
  }

  /** Started elsewhere (the API), seen here: running, then listed; a failed restore is announced politely. */
  private void live(String encrypted) throws Exception {
    String slow = prefix + "-slow";
    assertEquals(201, node.http.post("/api/stack/" + slow + "/compose", Stacks.content(slowToStop())).status());
    assertEquals(200, node.http.operation(slow, "up").status());
    page.evaluate("h => { location.hash = h; }", "#/backups");
    assertThat(page.locator("tr[data-file]")).hasCount(node.http.get("/api/backups").json().getJsonArray("backups").size());
    CompletableFuture<Http.Resp> made = CompletableFuture.supplyAsync(() -> node.http.post("/api/backup/create",
        new JsonObject().put("stacks", new JsonArray().add(slow)).put("volumes", true).put("stop", true)));
    Locator running = page.locator("#bk-running");
    assertThat(running).containsText("Backup of " + slow + " with volumes");
    assertThat(page.locator("#bk-create button[type=submit]")).isDisabled();
    Http.Resp r = made.get(120, TimeUnit.SECONDS);
    assertEquals(200, r.status(), r.toString());
    assertThat(running).hasCount(0);
    assertThat(page.locator("tr[data-file='" + r.json().getString("backup_file") + "']")).containsText(slow);

    assertEquals(400, node.http.post("/api/backup/restore", new JsonObject().put("backup_file", encrypted).put("passphrase", "wrong horse")).status());
    assertThat(page.locator("#announcer")).containsText("Restore of every stack from " + encrypted + " failed");
  }

  /** Screenshots at 1440 and 375 px in both themes of what `hash` (then `then`) shows; axe at 1440 px in both themes. */
  private void capture(String name, String hash, String ready, Consumer<Page> then) {
    for (int width : new int[] {1440, 375}) {
      for (boolean dark : new boolean[] {false, true}) {
        Page p = browser.sameSession(page, width, dark);
        Browser.open(p, origin + "/" + hash);
        p.locator(ready).first().waitFor();
        then.accept(p);
        p.waitForTimeout(400);
        Browser.screenshot(p, name);
        if (width == 1440) Browser.assertAxeClean(p, name + (dark ? " (dark)" : " (light)"));
        p.close();
      }
    }
  }
}
