package dev.dockup.dashboard;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The dashboard's files as the server serves them: the import map applied, versioned URLs, nothing else of the classpath. */
class AssetsTest {
  static Assets assets;

  @BeforeAll
  static void load() {
    assets = Assets.load("test");
  }

  @Test
  void bareSpecifiersResolveThroughTheImportMapAndOthersStayAsTheyAre() {
    String base = assets.base;
    assertEquals("webjars/lit/3.3.2/index.js", assets.resolve("lit"));
    assertEquals("webjars/lit/3.3.2/directives/repeat.js", assets.resolve("lit/directives/repeat.js"));
    assertEquals("webjars/lit-html/3.3.2/is-server.js", assets.resolve("lit-html/is-server.js"));
    assertNull(assets.resolve("left-pad"));
    String out = assets.rewrite("import{a}from\"lit\";export*from'lit-html/is-server.js';import \"./x.js\";"
        + "const m = import('@codemirror/state'); import u from 'unknown';");
    assertEquals("import{a}from\"" + base + "webjars/lit/3.3.2/index.js\";export*from'" + base + "webjars/lit-html/3.3.2/is-server.js';"
        + "import \"./x.js\";const m = import('" + base + "vendor/@codemirror/state@6.7.6/dist/index.js'); import u from 'unknown';", out);
  }

  @Test
  void servedModulesNameNoBareSpecifierTheMapKnowsAndThePageHasNoInlineScript() {
    String main = assets.file("app/main.js").body().toString(StandardCharsets.UTF_8);
    assertTrue(main.contains("from '" + assets.base + "webjars/lit/3.3.2/index.js'"), main.substring(0, 400));
    String index = assets.index().body().toString(StandardCharsets.UTF_8);
    assertFalse(index.contains("{{base}}"));
    assertFalse(index.matches("(?s).*<script(?![^>]*\\bsrc=)[^>]*>.*"), "no inline script");
    assertTrue(assets.version.matches("[0-9a-f]{12}"));
  }

  @Test
  void onlyTheWebjarsTheMapNamesAreServed() throws Exception {
    assertTrue(assets.isWebjar("webjars/lit/3.3.2/index.js"));
    assertFalse(assets.isWebjar("webjars/lit/3.3.2/../../../dev/dockup/Main.class"));
    assertFalse(assets.isWebjar("webjars/swagger-ui/5.0.0/index.html"));
    assertNotNull(assets.loadWebjar("webjars/sockjs-client/1.6.1/dist/sockjs.min.js"));
    assertNull(assets.loadWebjar("webjars/lit/3.3.2/no-such-file.js"));
  }

  @Test
  void contentTypesSuitCompression() {
    assertEquals("text/javascript; charset=utf-8", Assets.contentType("app/x.mjs"));
    assertEquals("text/css; charset=utf-8", Assets.contentType("a/b.css"));
    assertEquals("text/plain; charset=utf-8", Assets.contentType("vendor/x/LICENSE"));
  }
}
