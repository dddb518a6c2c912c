package dev.dockup.notify;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every Shoutrrr form DockUp reads, turned into (method, target URL, headers, body). */
class NotificationFormatsTest {
  static final String DISCORD = "https://discord.com/api";
  static final String SLACK = "https://hooks.slack.com";
  static final Notice NOTICE = new Notice("lab", "update_applied", "web", "Updated", "nginx moved to sha256:abc");

  private static Outgoing request(String url) throws UnsupportedUrl {
    return Formats.request(url, NOTICE, DISCORD, SLACK);
  }

  private static JsonObject json(Outgoing out) {
    assertEquals("application/json", out.header("Content-Type"));
    return new JsonObject(out.body());
  }

  private static UnsupportedUrl refused(String url) {
    return assertThrows(UnsupportedUrl.class, () -> request(url));
  }

  private static String basic(String userPass) {
    return "Basic " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
  }

  // ---- gotify

  @Test
  void gotify() throws Exception {
    Outgoing out = request("gotify://gotify.example.com/AzyoeNS.D4iJLVa");
    assertEquals("POST", out.method());
    assertEquals("https://gotify.example.com/message?token=AzyoeNS.D4iJLVa", out.url());
    assertEquals(new JsonObject().put("title", "lab: Updated").put("message", "nginx moved to sha256:abc").put("priority", 5), json(out));
  }

  @Test
  void gotifyWithPortSubpathAndTrailingSlash() throws Exception {
    Outgoing out = request("gotify://example.com:8443/path/to/gotify/Tok3n/?priority=1");
    assertEquals("https://example.com:8443/path/to/gotify/message?token=Tok3n", out.url());
    assertEquals(1, json(out).getInteger("priority"));
  }

  @Test
  void gotifyDisableTlsIsPlainHttp() throws Exception {
    assertEquals("http://10.0.0.2:8080/message?token=Tok", request("gotify://10.0.0.2:8080/Tok?disabletls=yes").url());
    assertEquals("http://gotify.lan/message?token=Tok", request("gotify://gotify.lan/Tok?DisableTLS=Yes").url());
    assertEquals("https://gotify.lan/message?token=Tok", request("gotify://gotify.lan/Tok?disabletls=no").url());
  }

  @Test
  void gotifyTokenIsEncodedAndPriorityFallsBack() throws Exception {
    Outgoing out = request("gotify://host/a%2Bb?priority=loud");
    assertEquals("https://host/message?token=a%2Bb", out.url());
    assertEquals(5, json(out).getInteger("priority"));
  }

  @Test
  void gotifyWithoutTokenOrHostIsRefused() {
    refused("gotify://gotify.example.com/");
    refused("gotify://gotify.example.com");
    refused("gotify:///token");
  }

  // ---- ntfy

  @Test
  void ntfy() throws Exception {
    Outgoing out = request("ntfy://ntfy.example.com/alerts");
    assertEquals("POST", out.method());
    assertEquals("https://ntfy.example.com/alerts", out.url());
    assertEquals("nginx moved to sha256:abc", out.body());
    assertEquals("lab: Updated", out.header("Title"));
    assertTrue(out.header("Content-Type").startsWith("text/plain"));
    assertNull(out.header("Authorization"));
  }

  @Test
  void ntfyWithUserinfoPortAndDisableTls() throws Exception {
    Outgoing out = request("ntfy://bob:s3cr%40t@ntfy.lan:8080/alerts?disabletls=yes");
    assertEquals("http://ntfy.lan:8080/alerts", out.url());
    assertEquals(basic("bob:s3cr@t"), out.header("Authorization"));
  }

  @Test
  void ntfyAccessTokenIsBearer() throws Exception {
    assertEquals("Bearer tk_abc", request("ntfy://:tk_abc@ntfy.lan/alerts").header("Authorization"));
  }

  @Test
  void ntfySchemeParameterAndDefaultHost() throws Exception {
    assertEquals("http://ntfy.lan/alerts", request("ntfy://ntfy.lan/alerts?scheme=http").url());
    assertEquals("https://ntfy.sh/alerts", request("ntfy:///alerts").url());
  }

  @Test
  void ntfyOptionsBecomeHeaders() throws Exception {
    Outgoing out = request("ntfy://ntfy.lan/alerts?priority=high&tags=warning,whale");
    assertEquals("high", out.header("Priority"));
    assertEquals("warning,whale", out.header("Tags"));
  }

  @Test
  void ntfyTitleIsASafeHeader() throws Exception {
    Notice odd = new Notice("café\r\nX-Evil: 1", "test", null, "Test", "m");
    String title = Formats.request("ntfy://ntfy.lan/t", odd, DISCORD, SLACK).header("Title");
    assertTrue(title.startsWith("=?UTF-8?B?") && title.endsWith("?="), title);
    String decoded = new String(Base64.getDecoder().decode(title.substring(10, title.length() - 2)), StandardCharsets.UTF_8);
    assertEquals("café  X-Evil: 1: Test", decoded);
    Notice ascii = new Notice("lab\nX: y", "test", null, "Test", "m");
    assertEquals("lab X: y: Test", Formats.request("ntfy://ntfy.lan/t", ascii, DISCORD, SLACK).header("Title"));
  }

  @Test
  void ntfyWithoutTopicIsRefused() {
    refused("ntfy://ntfy.example.com");
    refused("ntfy://ntfy.example.com/");
  }

  // ---- discord

  @Test
  void discord() throws Exception {
    Outgoing out = request("discord://Tok-en_1@123456789");
    assertEquals("POST", out.method());
    assertEquals("https://discord.com/api/webhooks/123456789/Tok-en_1", out.url());
    assertEquals(new JsonObject().put("content", "**lab: Updated**\nnginx moved to sha256:abc"), json(out));
  }

  @Test
  void discordApiBaseIsTheSetting() throws Exception {
    Outgoing out = Formats.request("discord://tok@42", NOTICE, "http://127.0.0.1:9999/api/", SLACK);
    assertEquals("http://127.0.0.1:9999/api/webhooks/42/tok", out.url());
  }

  @Test
  void discordLongMessageIsCut() throws Exception {
    Notice big = new Notice("lab", "update_failed", "web", "Failed", "x".repeat(5000));
    String content = new JsonObject(Formats.request("discord://tok@42", big, DISCORD, SLACK).body()).getString("content");
    assertEquals(Formats.DISCORD_MAX, content.length());
  }

  @Test
  void discordWithoutTokenIsRefused() {
    refused("discord://123456789");
    refused("discord://tok@");
  }

  // ---- slack

  @Test
  void slackLegacyWebhookForm() throws Exception {
    Outgoing out = request("slack://T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX");
    assertEquals("POST", out.method());
    assertEquals("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", out.url());
    assertEquals(new JsonObject().put("text", "*lab: Updated*\nnginx moved to sha256:abc"), json(out));
  }

  @Test
  void slackBotNameIsIgnored() throws Exception {
    assertEquals("https://hooks.slack.com/services/T0/B0/X0", request("slack://ShoutrrrBot@T0/B0/X0?color=good").url());
  }

  @Test
  void slackHookForm() throws Exception {
    Outgoing out = Formats.request("slack://hook:T0-B0-X0@webhook", NOTICE, DISCORD, "http://127.0.0.1:9999/");
    assertEquals("http://127.0.0.1:9999/services/T0/B0/X0", out.url());
    assertEquals("*lab: Updated*\nnginx moved to sha256:abc", json(out).getString("text"));
  }

  @Test
  void slackEscapesItsMarkup() throws Exception {
    Notice n = new Notice("a&b", "test", null, "<x>", "1 < 2");
    assertEquals("*a&amp;b: &lt;x&gt;*\n1 &lt; 2", new JsonObject(Formats.request("slack://A/B/C", n, DISCORD, SLACK).body()).getString("text"));
  }

  @Test
  void slackBadFormsAreRefused() {
    refused("slack://T0/B0");
    refused("slack://T0/B0/X0/extra");
    refused("slack://hook:T0-B0@webhook");
    UnsupportedUrl bot = refused("slack://xoxb:123-456-abc@C0123456");
    assertFalse(bot.getMessage().contains("123"), bot.getMessage());
  }

  // ---- generic

  @Test
  void genericHttps() throws Exception {
    Outgoing out = request("generic+https://hooks.example.com/api/v1/post");
    assertEquals("POST", out.method());
    assertEquals("https://hooks.example.com/api/v1/post", out.url());
    assertEquals(new JsonObject().put("title", "lab: Updated").put("message", "nginx moved to sha256:abc")
        .put("event", "update_applied").put("stack", "web").put("instance", "lab"), json(out));
  }

  @Test
  void genericHttpWithPort() throws Exception {
    assertEquals("http://127.0.0.1:8080/hook", request("generic+http://127.0.0.1:8080/hook").url());
    assertEquals("http://[::1]:8080/hook", request("generic+http://[::1]:8080/hook").url());
  }

  @Test
  void genericPlainIsHttpsUnlessDisableTls() throws Exception {
    assertEquals("https://ha.lan:8123/api/webhook/abc", request("generic://ha.lan:8123/api/webhook/abc?template=json").url());
    assertEquals("http://ha.lan:8123/api/webhook/abc", request("generic://ha.lan:8123/api/webhook/abc?template=json&disabletls=yes").url());
  }

  @Test
  void genericKeepsItsQueryMinusShoutrrrParameters() throws Exception {
    Outgoing out = request("generic+https://h.example.com/p?key=a%20b&contenttype=text/plain&disabletls=yes&_title=x"
        + "&@acceptLanguage=fr&$source=dockup&flag");
    assertEquals("https://h.example.com/p?key=a%20b&title=x&flag", out.url());
    assertEquals("text/plain", out.header("Content-Type"));
    assertEquals("fr", out.header("Accept-Language"));
    JsonObject body = new JsonObject(out.body());
    assertEquals("dockup", body.getString("source"));
    assertEquals("lab: Updated", body.getString("title"));
  }

  @Test
  void genericKeysMethodAndUserinfo() throws Exception {
    Outgoing out = request("generic+https://u:p%3Aw@h.example.com/p?titlekey=subject&messagekey=content&method=put");
    assertEquals("PUT", out.method());
    assertEquals("https://h.example.com/p", out.url());
    assertEquals(basic("u:p:w"), out.header("Authorization"));
    JsonObject body = new JsonObject(out.body());
    assertEquals("lab: Updated", body.getString("subject"));
    assertEquals("nginx moved to sha256:abc", body.getString("content"));
    assertFalse(body.containsKey("title"));
  }

  @Test
  void genericTestNoticeHasANullStack() throws Exception {
    Notice test = new Notice("lab", "test", null, "Test notification", "hello");
    JsonObject body = new JsonObject(Formats.request("generic+https://h/p", test, DISCORD, SLACK).body());
    assertTrue(body.containsKey("stack"));
    assertNull(body.getValue("stack"));
    assertEquals("test", body.getString("event"));
  }

  @Test
  void headerNamesFollowShoutrrr() {
    assertEquals("Accept-Language", Formats.headerName("acceptLanguage"));
    assertEquals("X-Api-Key", Formats.headerName("x-api-key"));
    assertEquals("Authorization", Formats.headerName("authorization"));
  }

  // ---- anything else

  @Test
  void otherSchemesAreRefusedNamingTheSchemeOnly() {
    UnsupportedUrl e = refused("telegram://110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw@telegram?channels=@mychannel");
    assertTrue(e.getMessage().startsWith("telegram URL"), e.getMessage());
    assertFalse(e.getMessage().contains("AAHdq"), e.getMessage());
    refused("generic+ftp://host/path");
    refused("https://example.com/hook");
  }

  @Test
  void refusalsNeverQuoteTheUrl() {
    for (String url : new String[] {"gotify://secret-host:99999/SECRET", "ntfy://u:SECRET@h", "ntfy://u:SECRET%zz@h/t", "discord://SECRET",
        "slack://hook:SECRET@webhook", "generic+https:///SECRET"}) {
      UnsupportedUrl e = refused(url);
      assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
    }
  }
}
