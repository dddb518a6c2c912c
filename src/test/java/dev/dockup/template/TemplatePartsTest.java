package dev.dockup.template;

import dev.dockup.bus.ApiException;
import dev.dockup.settings.Settings;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The catalog's smaller parts: ids, categories, .env text, YAML written and filled, risks, the address guard. */
class TemplatePartsTest {

  static Template remote(String source, String name, String url) {
    return new Template(null, name, source, name, url, name, "about " + name, List.of("Other"), null, null, List.of(), List.of(),
        "services: {app: {image: x}}\n", null, List.of(), null);
  }

  static SourceState source(String format, String url, String... names) {
    List<Template> list = new ArrayList<>();
    for (String n : names) list.add(remote(format, n, url));
    return new SourceState(url, format, list, true, null, Instant.EPOCH, Instant.EPOCH, null, null);
  }

  @Test
  void idsFollowSourcePriorityAndStayTheSameAcrossBuilds() {
    Template bundled = remote(Template.BUNDLED, "heimdall", null).withId("heimdall");
    // Settings order: Portainer lists first, yet LinuxServer.io and CasaOS keep the bare slugs before them.
    List<SourceState> sources = List.of(
        source("portainer", "https://a.example/p1.json", "Heimdall", "Plex", "Registry", "List"),
        source("portainer", "https://b.example/p2.json", "Registry", "registry"),
        source("casaos", "https://c.example/store.zip", "Plex", "Memos"),
        source("linuxserver", "https://api.linuxserver.io/api/v1/images", "heimdall", "plex", "中文"));
    Catalog c = Catalog.build(List.of(bundled), sources);
    Map<String, String> ids = new LinkedHashMap<>();
    for (String id : List.of("heimdall", "heimdall-linuxserver", "plex", "plex-casaos", "plex-portainer", "memos", "registry",
        "registry-portainer-2", "registry-portainer-2-2", "list-portainer", "heimdall-portainer")) {
      assertTrue(c.get(id) != null, id + " in " + c.list(null, null, null).encodePrettily());
      ids.put(id, c.get(id).source() + " " + c.get(id).sourceUrl());
    }
    assertEquals(Template.BUNDLED, c.get("heimdall").source());
    assertEquals(Template.LINUXSERVER, c.get("plex").source());
    assertEquals("https://b.example/p2.json", c.get("registry-portainer-2").sourceUrl());
    String digest = c.list(null, "中文", null).getJsonArray("templates").getJsonObject(0).getString("id");
    assertTrue(digest.matches("app-[0-9a-f]{8}"), digest);

    Catalog again = Catalog.build(List.of(bundled), sources);
    for (var e : ids.entrySet()) assertEquals(e.getValue(), again.get(e.getKey()).source() + " " + again.get(e.getKey()).sourceUrl());
    assertEquals(null, c.get("list"), "an API path is no template id");
  }

  @Test
  void listFiltersByCategoryWordsAndSource() {
    Template media = new Template("media-app", "media-app", Template.BUNDLED, "media-app", null, "Media App", "Streams movies",
        List.of("Media"), null, null, List.of(), List.of(), "x", null, List.of(), null);
    Catalog c = Catalog.build(List.of(media), List.of(source("casaos", "https://c.example/store.zip", "Memos")));
    assertEquals(1, c.list("media", null, null).getInteger("count"), "categories match whatever their case");
    assertEquals(1, c.list(null, "MOVIES", null).getInteger("count"));
    assertEquals(1, c.list(null, null, "casaos").getInteger("count"));
    assertEquals(1, c.list(null, null, "https://c.example/store.zip").getInteger("count"));
    assertEquals(2, c.list(null, null, null).getInteger("count"));
    assertThrows(ApiException.class, () -> c.list("Nope", null, null));
    assertThrows(ApiException.class, () -> c.list(null, null, "elsewhere"));
    JsonObject cats = c.categories();
    assertEquals(Categories.NAMES.size(), cats.getJsonArray("categories").size());
    assertEquals(1, cats.getJsonObject("counts").getInteger("Media"));
    assertEquals(1, cats.getJsonObject("counts").getInteger("Other"));
    JsonObject sources = c.list(null, null, null).getJsonArray("sources").getJsonObject(0);
    assertEquals(new TreeSet<>(List.of("url", "format", "ok", "error", "fetched_at", "attempted_at", "count")),
        new TreeSet<>(sources.fieldNames()));
  }

  @Test
  void categoriesAreNormalisedToTheFixedList() {
    assertEquals(List.of("Media"), Categories.normalize(List.of("Media Servers,Music,Audiobooks")));
    assertEquals(List.of("Networking", "Web"), Categories.normalize(List.of("webserver", "Reverse Proxy")));
    assertEquals(List.of("Home Automation"), Categories.normalize(List.of("home automation")));
    assertEquals(List.of("Other"), Categories.normalize(List.of("Miscellaneous", "")));
    assertEquals(List.of("Databases"), Categories.normalize(List.of("database", "Other")));
    assertEquals("Home Automation", Categories.named("home AUTOMATION"));
    assertEquals(15, Categories.NAMES.size());
  }

  @Test
  void slugs() {
    assertEquals("nginx-proxy-manager", Slugs.of("Nginx Proxy Manager"));
    assertEquals("cafe-creme", Slugs.of("Café   Crème!"));
    assertEquals("", Slugs.of("中文"));
    assertEquals(63, Slugs.of("a".repeat(100)).length());
    assertEquals("a".repeat(51) + "-linuxserver", Slugs.withSuffix("a".repeat(70), "-linuxserver"));
  }

  @Test
  void envExamplesAndEnvFiles() throws Exception {
    List<EnvField> fields = EnvFile.parseExample("""
        # Header of the file, not a description.

        # Host port of the web interface.
        WEB_PORT=8080

        # Password of the admin.
        # Two lines of it.
        #! generate
        ADMIN_PASSWORD=
        #! required
        DOMAIN="example.com"
        """);
    assertEquals(List.of("WEB_PORT", "ADMIN_PASSWORD", "DOMAIN"), fields.stream().map(EnvField::name).toList());
    assertEquals("Host port of the web interface.", fields.get(0).description());
    assertEquals("Password of the admin. Two lines of it.", fields.get(1).description());
    assertTrue(fields.get(1).generate() && fields.get(1).secret() && !fields.get(1).required());
    assertTrue(fields.get(2).required());
    assertEquals("example.com", fields.get(2).defaultValue());

    assertEquals("plain-value_1.2:3", EnvFile.quote("A", "plain-value_1.2:3"));
    assertEquals("'two words $HOME # not a comment'", EnvFile.quote("A", "two words $HOME # not a comment"));
    assertEquals("\"it's \\\"so\\\" \\\\ there\"", EnvFile.quote("A", "it's \"so\" \\ there"));
    assertThrows(EnvFile.Unwritable.class, () -> EnvFile.quote("A", "it's $5"));
    assertThrows(EnvFile.Unwritable.class, () -> EnvFile.quote("A", "two\nlines"));
    EnvFile.Unwritable long_ = assertThrows(EnvFile.Unwritable.class, () -> EnvFile.quote("SECRET", "x".repeat(5000)));
    assertFalse(long_.getMessage().contains("xxx"), "a refusal never shows the value");
    assertEquals("# head\nWEB_PORT=80\nADMIN_PASSWORD='p w'\nDOMAIN=\n",
        EnvFile.render("head", fields, Map.of("WEB_PORT", "80", "ADMIN_PASSWORD", "p w")));
  }

  @Test
  void yamlIsWrittenQuotedAndReadBackAlike() throws Exception {
    Map<String, Object> svc = new LinkedHashMap<>();
    svc.put("image", "x:1");
    svc.put("ports", List.of("22:22", "8080:80/udp"));
    svc.put("environment", Map.of("on", "yes", "A", "line\nbreak \"quoted\""));
    svc.put("privileged", true);
    svc.put("volumes", List.of(Map.of("type", "bind", "source", "/a", "target", "/b"), "c:/d"));
    svc.put("healthcheck", Map.of("test", List.of("CMD", "true"), "retries", 3));
    svc.put("cap_add", List.of());
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("services", Map.of("web", svc));
    root.put("volumes", Map.of("data", Map.of()));
    String text = ComposeYaml.write(root);
    assertTrue(text.contains("- \"22:22\""), text);
    assertTrue(text.contains("\"on\": \"yes\""), "a YAML 1.1 boolean key quoted: " + text);
    Map<String, Object> back = ComposeYaml.load(text);
    assertEquals(new JsonObject(root), new JsonObject(back));
  }

  @Test
  void variablesAreFilledAsComposeFillsThem() {
    Map<String, String> vars = Map.of("A", "1", "E", "");
    assertEquals("1-1-$A-", ComposeYaml.interpolate("$A-${A}-$$A-$B", vars));
    assertEquals("d", ComposeYaml.interpolate("${E:-d}", vars), "set but empty: the default");
    assertEquals("", ComposeYaml.interpolate("${E-x}", vars), "set, even empty: no default");
    assertEquals("1", ComposeYaml.interpolate("${A:+1}", vars));
    assertEquals("", ComposeYaml.interpolate("${E:+y}", vars));
    assertEquals("def", ComposeYaml.interpolate("${B:-def}", vars));
    assertEquals("nested-1", ComposeYaml.interpolate("${B:-nested-${A}}", vars));
    assertEquals("1", ComposeYaml.interpolate("${A:?must be set}", vars));
    assertEquals("${unclosed", ComposeYaml.interpolate("${unclosed", vars));
    assertEquals(List.of("AppID", "TZ", "X"), ComposeYaml.variables("/DATA/$AppID ${TZ} $$NOT ${X:-y} $AppID"));
  }

  @Test
  void risksAreFoundInTheFileAsFilled() throws Exception {
    Map<String, Object> compose = ComposeYaml.load("""
        services:
          a:
            image: x
            privileged: ${PRIV}
            network_mode: host
            pid: host
            volumes:
              - /var/run/docker.sock:/var/run/docker.sock
              - type: bind
                source: /run/docker.sock
                target: /sock
            cap_add: [NET_ADMIN]
            devices: [/dev/ttyUSB0]
            security_opt: ["seccomp:unconfined"]
          b:
            image: y
            volumes: [./data:/data, "/srv/media:/media", "/etc:/host-etc:ro", "/:/host"]
        """);
    List<Template.Risk> risks = Risks.of(PortainerFormat.asMap(ComposeYaml.interpolateTree(compose, Map.of("PRIV", "true"))));
    assertEquals(List.of("privileged", "host_network", "host_namespace", "docker_socket", "docker_socket", "capabilities", "devices",
        "security_opt", "host_path", "host_path"), risks.stream().map(Template.Risk::kind).toList());
    assertEquals(List.of("host_path", "host_path"), risks.subList(8, 10).stream().map(Template.Risk::kind).toList());
    assertEquals("mounts the host's /", risks.get(9).detail());
    assertTrue(risks.subList(0, 8).stream().allMatch(r -> r.service().equals("a")));
    assertEquals(9, Risks.of(PortainerFormat.asMap(ComposeYaml.interpolateTree(compose, Map.of("PRIV", "false")))).size());
  }

  @Test
  void onlyPublicAddressesAreFetched() throws Exception {
    for (String ip : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "::ffff:127.0.0.1",
        "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::", "2001:db8::1", "198.18.0.1")) {
      assertFalse(AddressGuard.isPublic(InetAddress.getByName(ip)), ip);
    }
    for (String ip : List.of("1.1.1.1", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "64:ff9b::808:808")) {
      assertTrue(AddressGuard.isPublic(InetAddress.getByName(ip)), ip);
    }
  }

  @Test
  void sourceStatesKeepTheirLastGoodCopy() {
    SourceState s = source("portainer", "https://a.example/p.json", "One").fetched(null, "\"e1\"", null, Instant.EPOCH);
    SourceState failed = s.failed("HTTP 500", Instant.now());
    assertFalse(failed.ok());
    assertEquals("HTTP 500", failed.error());
    assertEquals(1, failed.templates().size());
    assertEquals("\"e1\"", failed.etag());
    SourceState back = SourceState.fromStored(new JsonObject(failed.toStored().encode()));
    assertEquals(failed.status(), back.status());
    assertEquals(failed.templates().get(0).toDetail(), back.templates().get(0).toDetail());
    assertEquals(32, SourceState.key(new Settings.TemplateUrl("https://a.example/p.json", "portainer")).length());
  }
}
