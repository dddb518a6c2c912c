package dev.dockup.it;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.PlaywrightException;
import com.microsoft.playwright.options.ColorScheme;
import com.microsoft.playwright.options.ViewportSize;
import com.microsoft.playwright.options.WaitForSelectorState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian's Chromium, headless, driven by Playwright (its own browser download skipped), with
 * the flags STACK.md lists. Pages record every request they make and every console error, save
 * screenshots under {@code target/screenshots/}, and run axe-core (vendored, injected).
 */
public final class Browser implements AutoCloseable {
  public static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private static final String AXE = "src/test/resources/vendor/axe-core@4.14.1/axe.min.js";

  private final Playwright playwright;
  private final com.microsoft.playwright.Browser chromium;
  /** Every URL any page asked for, across the browser's life. */
  public final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  /** Console errors and CSP violations of every page. */
  public final List<String> consoleErrors = Collections.synchronizedList(new ArrayList<>());

  public Browser() {
    // Playwright's expectations wait as long as its actions do.
    com.microsoft.playwright.assertions.PlaywrightAssertions.setDefaultAssertionTimeout(60_000);
    playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    chromium = playwright.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(Path.of(System.getenv().getOrDefault("DOCKUP_TEST_CHROMIUM", "/usr/bin/chromium")))
        .setHeadless(true)
        .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync")));
  }

  /** A page in a fresh context (its own cookies) at that width and colour scheme. */
  public Page page(int width, boolean dark) {
    BrowserContext ctx = chromium.newContext(new com.microsoft.playwright.Browser.NewContextOptions()
        .setViewportSize(new ViewportSize(width, width < 600 ? 800 : 900))
        .setColorScheme(dark ? ColorScheme.DARK : ColorScheme.LIGHT));
    return watch(ctx.newPage());
  }

  /** Another page in the same context (same session cookie), e.g. at another width. */
  public Page sameSession(Page page, int width, boolean dark) {
    Page p = watch(page.context().newPage());
    p.setViewportSize(width, width < 600 ? 800 : 900);
    p.emulateMedia(new Page.EmulateMediaOptions().setColorScheme(dark ? ColorScheme.DARK : ColorScheme.LIGHT));
    return p;
  }

  private Page watch(Page page) {
    page.onRequest(r -> requests.add(r.url()));
    page.onConsoleMessage(m -> {
      if ("error".equals(m.type())) consoleErrors.add(m.text());
    });
    page.onPageError(e -> consoleErrors.add("page error: " + e));
    // Bounds, not expectations: a 2-core machine busy with other builds can take this long.
    page.setDefaultTimeout(60_000);
    return page;
  }

  /**
   * Opens {@code url}, again if Chromium dropped it because the host's networks changed (Docker
   * adds and removes bridges as the tests' stacks start and stop).
   */
  public static void open(Page page, String url) {
    for (int attempt = 1; ; attempt++) {
      try {
        page.navigate(url);
        return;
      } catch (com.microsoft.playwright.PlaywrightException e) {
        if (attempt >= 3 || e.getMessage() == null || !e.getMessage().contains("ERR_NETWORK_CHANGED")) throw e;
      }
    }
  }

  /**
   * Signs in on the login form {@code page} shows, again if the form is still there after a
   * while: a page that reloaded itself (boot.js does when Chromium dropped its scripts because
   * the host's networks changed) or a login request Chromium dropped leaves the form empty.
   */
  public static void signIn(Page page, String password) {
    for (int attempt = 1; ; attempt++) {
      page.locator("#password").waitFor();
      page.fill("#password", password);
      page.click("button[type=submit]");
      try {
        page.locator("#password").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.HIDDEN).setTimeout(20_000));
        return;
      } catch (PlaywrightException stillThere) {
        if (attempt >= 3) throw stillThere;
      }
    }
  }

  /** Saves {@code <name>-<width>-<light|dark>.png}. */
  public static void screenshot(Page page, String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    boolean dark = Boolean.TRUE.equals(page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches"));
    Path file = SCREENSHOTS.resolve(name + "-" + page.viewportSize().width + "-" + (dark ? "dark" : "light") + ".png");
    page.screenshot(new Page.ScreenshotOptions().setPath(file).setFullPage(true));
  }

  /**
   * axe-core's serious and critical violations on the page as it is now. axe is evaluated through
   * the DevTools protocol, which the page's CSP does not govern, so the page keeps its own CSP.
   */
  public static List<String> axe(Page page) {
    if (!Boolean.TRUE.equals(page.evaluate("() => typeof window.axe === 'object'"))) {
      try {
        page.evaluate("() => { " + Files.readString(Path.of(AXE)) + "\n }");
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    Object raw = page.evaluate("async () => JSON.stringify((await axe.run(document, { resultTypes: ['violations'] })).violations)");
    List<String> out = new ArrayList<>();
    for (Object o : new JsonArray(String.valueOf(raw))) {
      JsonObject v = (JsonObject) o;
      String impact = v.getString("impact", "");
      if (!"serious".equals(impact) && !"critical".equals(impact)) continue;
      StringBuilder where = new StringBuilder();
      for (Object n : v.getJsonArray("nodes", new JsonArray())) {
        where.append("\n    ").append(((JsonObject) n).getJsonArray("target")).append(" ")
            .append(((JsonObject) n).getString("failureSummary", "").replace('\n', ' '));
      }
      out.add(impact + " " + v.getString("id") + ": " + v.getString("help") + where);
    }
    return out;
  }

  public static void assertAxeClean(Page page, String where) {
    List<String> violations = axe(page);
    assertTrue(violations.isEmpty(), "axe on " + where + ":\n" + String.join("\n", violations));
  }

  /** Every request went to {@code origin} (no CDN, no other host). */
  public void assertOnlyOrigin(String origin) {
    List<String> foreign;
    synchronized (requests) {
      foreign = requests.stream().filter(u -> !u.startsWith(origin + "/") && !u.startsWith("data:")
          && !u.startsWith(origin.replace("http://", "ws://") + "/")).toList();
    }
    assertTrue(foreign.isEmpty(), "requests to other hosts: " + foreign);
    assertTrue(!requests.isEmpty(), "no request recorded");
  }

  @Override
  public void close() {
    chromium.close();
    playwright.close();
  }
}
