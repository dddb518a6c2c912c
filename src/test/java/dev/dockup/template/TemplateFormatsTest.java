package dev.dockup.template;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three remote formats, read from the recorded catalogs. */
class TemplateFormatsTest {
  static final String URL = "https://catalogs.example.com/list";

  static Template find(List<Template> list, String sourceId) {
    return list.stream().filter(t -> t.sourceId().equals(sourceId)).findFirst().orElseThrow(() -> new AssertionError("no " + sourceId));
  }

  static Map<String, Object> yaml(String compose) throws Exception {
    return ComposeYaml.load(compose);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> service(String compose, String name) throws Exception {
    return (Map<String, Object>) ((Map<String, Object>) yaml(compose).get("services")).get(name);
  }

  @Test
  void portainerV2ContainersBecomeComposeFilesAndStacksWaitForTheirFile() throws Exception {
    List<PortainerFormat.Entry> entries = PortainerFormat.parse(Recorded.portainerV2("http://127.0.0.1:1"), URL);
    List<Template> list = entries.stream().map(PortainerFormat.Entry::template).toList();
    assertEquals(7, list.size());

    Template npm = find(list, "Nginx Proxy Manager");
    assertTrue(npm.deployable());
    assertEquals(List.of("Networking"), npm.categories());
    assertEquals("https://example.com/logos/npm.png", npm.logo());
    Map<String, Object> app = service(npm.compose(), "nginx-proxy-manager");
    assertEquals("jc21/nginx-proxy-manager:latest", app.get("image"));
    assertEquals(List.of("8080:80/tcp", "8181:81/tcp", "443/tcp"), app.get("ports"));
    assertEquals(List.of("/srv/letsencrypt:/etc/letsencrypt:ro", "data1:/data"), app.get("volumes"));
    assertTrue(((Map<?, ?>) yaml(npm.compose()).get("volumes")).containsKey("data1"), "a named volume, kept across recreates");
    assertEquals(List.of(8080, 8181), npm.ports().stream().map(Template.Port::port).toList());

    Template mysql = find(list, "MySQL");
    assertEquals(List.of("MYSQL_ROOT_PASSWORD", "MYSQL_DATABASE", "MODE", "FIXED"), mysql.env().stream().map(EnvField::name).toList());
    assertTrue(mysql.env().get(0).required(), "no default, no choice: required");
    assertFalse(mysql.env().get(1).required());
    assertEquals("fast", mysql.env().get(2).defaultValue());
    assertEquals(2, mysql.env().get(2).options().size());
    assertTrue(mysql.env().get(3).preset());
    assertEquals("${MYSQL_ROOT_PASSWORD}", ((Map<?, ?>) service(mysql.compose(), "mysql").get("environment")).get("MYSQL_ROOT_PASSWORD"),
        "values stay in .env");

    Template agent = find(list, "Host Agent");
    assertEquals(List.of("privileged", "host_network", "docker_socket"), agent.riskKinds());
    assertNull(service(agent.compose(), "host-agent").get("ports"));

    assertEquals("Swarm stack templates are not supported", find(list, "CockroachDB").unsupported());

    PortainerFormat.Entry hello = entries.stream().filter(e -> e.template().sourceId().equals("Hello Stack")).findFirst().orElseThrow();
    assertEquals("http://127.0.0.1:1/git/acme/stacks/raw/hello/docker-compose.yml", hello.stackfileUrl());
    Template done = PortainerFormat.withStackfile(hello.template(), Recorded.text("hello-stack.yml"));
    assertTrue(done.deployable());
    assertEquals(Recorded.text("hello-stack.yml"), done.compose(), "a stack file is kept as written");
    assertEquals(List.of("GREETING", "WEB_PORT"), done.env().stream().map(EnvField::name).toList());
    assertTrue(PortainerFormat.withStackfile(hello.template(), "services: [").unsupported().startsWith("compose file refused"));
  }

  @Test
  void portainerV3KeepsItsIdsQuotesPortsAndRefusesEdgeStacks() throws Exception {
    List<Template> list = PortainerFormat.parse(Recorded.text("portainer-v3.json"), URL).stream().map(PortainerFormat.Entry::template).toList();
    assertEquals(List.of("1", "2", "3"), list.stream().map(Template::sourceId).toList());
    Template pinned = find(list, "2");
    assertTrue(pinned.compose().contains("- \"2222:22/tcp\""), "quoted: YAML 1.1 reads 2222:22 as a number\n" + pinned.compose());
    assertEquals("serve --port 22", service(pinned.compose(), "pinned-ports").get("command"));
    assertEquals(Map.of("com.example.vendor", "Acme"), service(find(list, "1").compose(), "registry").get("labels"));
    assertEquals("Edge stack templates are not supported", find(list, "3").unsupported());
  }

  @Test
  void portainerDocumentsThatAreNotListsAreRefusedWhole() {
    assertThrows(Unreadable.class, () -> PortainerFormat.parse("{not json", URL));
    assertThrows(Unreadable.class, () -> PortainerFormat.parse("{\"version\":\"2\"}", URL));
    assertThrows(Unreadable.class, () -> PortainerFormat.parse("\"text\"", URL));
  }

  @Test
  void portainerTemplatesWithBadFieldsAreListedAsUnsupported() throws Exception {
    String doc = """
        {"templates": [
          {"type": 1, "title": "Bad Port", "image": "x:1", "ports": ["80:80/sctp"]},
          {"type": 1, "title": "Bad Env", "image": "x:1", "env": [{"name": "A B"}]},
          {"type": 1, "title": "Bad Volume", "image": "x:1", "volumes": [{"container": "/a:/b"}]},
          {"type": 1, "title": "No Image"},
          {"type": 3, "title": "Bad Repo", "repository": {"url": "ftp://example.com/a/b", "stackfile": "x.yml"}},
          {"type": 3, "title": "Escaping Path", "repository": {"url": "https://github.com/a/b", "stackfile": "../x.yml"}},
          {"type": 9, "title": "Odd"},
          {"title": ""}
        ]}""";
    List<Template> list = PortainerFormat.parse(doc, URL).stream().map(PortainerFormat.Entry::template).toList();
    assertEquals(7, list.size(), "one without a title is skipped");
    list.forEach(t -> assertFalse(t.deployable(), t.title()));
    assertTrue(find(list, "Bad Port").unsupported().startsWith("invalid port"));
    assertTrue(find(list, "Bad Env").unsupported().startsWith("invalid variable name"));
  }

  @Test
  void rawFileUrlsOfGitHubGitLabAndGitea() {
    assertEquals("https://raw.githubusercontent.com/portainer/templates/HEAD/stacks/a/docker-compose.yml",
        PortainerFormat.rawUrl("https://github.com/portainer/templates.git", "./stacks/a/docker-compose.yml"));
    assertEquals("https://gitlab.com/group/sub/repo/-/raw/HEAD/compose.yml",
        PortainerFormat.rawUrl("https://gitlab.com/group/sub/repo/", "/compose.yml"));
    assertEquals("https://codeberg.org/me/stacks/raw/app/compose.yml", PortainerFormat.rawUrl("https://codeberg.org/me/stacks", "app/compose.yml"));
    assertNull(PortainerFormat.rawUrl("https://github.com/onlyowner", "a.yml"));
    assertNull(PortainerFormat.rawUrl("https://github.com/a/b", "a/../../etc/passwd"));
    assertNull(PortainerFormat.rawUrl("https://user:pw@github.com/a/b", "a.yml"));
  }

  @Test
  void linuxServerImagesLeaveOutWhatIsOptional() throws Exception {
    List<Template> list = LinuxServerFormat.parse(Recorded.text("linuxserver.json"), URL);
    assertEquals(List.of("heimdall", "plex", "wireguard", "noconfig"), list.stream().map(Template::sourceId).toList(), "deprecated skipped");

    Template heimdall = find(list, "heimdall");
    assertEquals("Heimdall", heimdall.title());
    assertEquals(List.of("Dashboards"), heimdall.categories());
    assertEquals("https://heimdall.site/", heimdall.projectUrl());
    assertEquals("Open the web interface and add your links.", heimdall.note());
    Map<String, Object> svc = service(heimdall.compose(), "heimdall");
    assertEquals("lscr.io/linuxserver/heimdall:latest", svc.get("image"));
    assertEquals(List.of("./config:/config"), svc.get("volumes"), "a placeholder host path becomes the stack's folder");
    assertEquals(List.of("8095:80"), svc.get("ports"), "the optional HTTPS port is left out");
    assertEquals(List.of("PUID", "PGID", "TZ"), heimdall.env().stream().map(EnvField::name).toList());
    assertEquals(List.of(new Template.Port(8095, "tcp", "HTTP", null)), heimdall.ports());

    Template plex = find(list, "plex");
    assertEquals(List.of("Media"), plex.categories());
    Map<String, Object> p = service(plex.compose(), "plex");
    assertEquals("host", p.get("network_mode"));
    assertEquals(List.of("./config:/config", "/srv/tv:/tv"), p.get("volumes"));
    assertNull(p.get("devices"), "optional hardware transcoding left out");
    assertEquals(List.of("host_network"), plex.riskKinds());

    Template wg = find(list, "wireguard");
    Map<String, Object> w = service(wg.compose(), "wireguard");
    assertEquals(List.of("NET_ADMIN"), w.get("cap_add"));
    assertEquals(List.of("net.ipv4.conf.all.src_valid_mark=1"), w.get("sysctls"));
    assertEquals(List.of("51820:51820/udp"), w.get("ports"));
    assertEquals(List.of("capabilities"), wg.riskKinds());
    assertEquals(List.of(new Template.Port(51820, "udp", "WireGuard", null)), wg.ports());

    assertFalse(find(list, "noconfig").deployable());
    assertThrows(Unreadable.class, () -> LinuxServerFormat.parse("{\"status\":\"OK\"}", URL));
  }

  @Test
  void casaosStoreArchivesAndSingleFiles() throws Exception {
    List<Template> list = CasaOsFormat.parse(Recorded.casaosStoreZip(), URL);
    assertEquals(List.of("Jellyfin", "Memos"), list.stream().map(Template::sourceId).toList());

    Template jf = find(list, "Jellyfin");
    assertEquals("Jellyfin", jf.title());
    assertEquals("The personal Media System", jf.description());
    assertTrue(jf.note().startsWith("Jellyfin is the volunteer-built"));
    assertEquals(List.of("Media"), jf.categories());
    assertEquals("https://cdn.example.com/Apps/Jellyfin/icon.png", jf.logo());
    assertEquals(List.of(8097, 1901), jf.ports().stream().map(Template.Port::port).toList(), "web UI first");
    assertEquals("udp", jf.ports().get(1).protocol());
    Map<String, Object> root = yaml(jf.compose());
    assertNull(root.get("name"));
    assertNull(root.get("x-casaos"));
    Map<String, Object> svc = service(jf.compose(), "jellyfin");
    assertNull(svc.get("container_name"));
    assertNull(svc.get("x-casaos"));
    assertEquals(List.of("./config:/config", "/DATA/Media:/Media:ro"), svc.get("volumes"), "app data in the stack's folder, short syntax");
    assertEquals(List.of("PGID", "PUID", "TZ"), jf.env().stream().map(EnvField::name).toList());
    assertEquals("1000", jf.env().get(0).defaultValue());
    assertEquals(List.of("devices"), jf.riskKinds());

    Template memos = find(list, "Memos");
    assertEquals(List.of("Productivity"), memos.categories());
    assertEquals(List.of("./data:/var/opt/memos"), service(memos.compose(), "memos").get("volumes"));
    assertTrue(memos.env().isEmpty(), "$AppID no longer used once the path is the stack's own");

    List<Template> single = CasaOsFormat.parse(Recorded.text("casaos-single.yml").getBytes(StandardCharsets.UTF_8), URL);
    Template whoami = single.get(0);
    assertEquals("whoami", whoami.sourceId());
    assertEquals("Whoami", whoami.title(), "custom title when there is no English one");
    assertEquals(List.of("Development"), whoami.categories());
    assertEquals(List.of("WHOAMI_NAME"), whoami.env().stream().map(EnvField::name).toList());

    assertThrows(Unreadable.class, () -> CasaOsFormat.parse("services: [".getBytes(StandardCharsets.UTF_8), URL));
    assertThrows(Unreadable.class, () -> CasaOsFormat.parse(new byte[] {'P', 'K', 3, 4, 0, 0}, URL));
  }

  @Test
  void aCasaosArchiveThatUnpacksTooFarIsRefused() throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(out)) {
      zip.setLevel(java.util.zip.Deflater.BEST_SPEED);
      // Not even a compose file: skipping an entry inflates it all the same.
      zip.putNextEntry(new java.util.zip.ZipEntry("store/Apps/Big/screenshot.png"));
      byte[] zeros = new byte[1024 * 1024];
      for (long i = 0; i <= CasaOsFormat.MAX_UNPACKED / zeros.length; i++) zip.write(zeros);
      zip.closeEntry();
    }
    assertTrue(out.size() < 2 * 1024 * 1024, "a small archive: " + out.size());
    Unreadable e = assertThrows(Unreadable.class, () -> CasaOsFormat.parse(out.toByteArray(), URL));
    assertTrue(e.getMessage().startsWith("archive unpacks to more than"), e.getMessage());
  }

  @Test
  void casaosAppDataPlaceholderStaysAVariableWhereItIsNotAPath() throws Exception {
    Template t = CasaOsFormat.app("""
        services:
          app:
            image: x:1
            hostname: $AppID
            volumes:
              - /DATA/AppData/${AppID}:/data
        x-casaos:
          main: app
          title: {en_us: App}
        """, "App", URL);
    assertEquals(List.of("./data:/data"), service(t.compose(), "app").get("volumes"));
    EnvField appId = t.env().get(0);
    assertEquals("AppID", appId.name());
    assertTrue(appId.preset());
    assertNotNull(CasaOsFormat.app("services: {a: {image: x}}", "Plain", URL).unsupported(), "no x-casaos: not a CasaOS app");
  }
}
