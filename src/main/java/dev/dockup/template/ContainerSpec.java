package dev.dockup.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One container as a catalog describes it (a Portainer {@code type 1} template, a LinuxServer.io
 * image), turned into a compose file of one service. Its variables are read from the stack's
 * {@code .env} ({@code NAME: ${NAME}}), never written into the file.
 */
record ContainerSpec(
    String service,
    String image,
    String command,
    String restart,
    String hostname,
    boolean privileged,
    boolean interactive,
    String networkMode,
    List<String> env,
    List<String> ports,
    List<String> binds,
    List<String> namedVolumes,
    Map<String, String> labels,
    List<String> devices,
    List<String> capAdd,
    List<String> securityOpt,
    Map<String, Object> extra) {

  /** {@code [ip:][host:]container[/proto]}, as compose's short syntax takes it. */
  static final Pattern PORT = Pattern.compile("^(?:(\\d{1,3}(?:\\.\\d{1,3}){3}):)?(?:(\\d{1,5}):)?(\\d{1,5})(?:/(tcp|udp))?$");
  /** A path of a volume's short syntax: no colon, no line break, no variable. */
  static final Pattern PATH = Pattern.compile("^[^:\\s$]{1,1024}$");
  static final Pattern SERVICE = Pattern.compile("^[a-z0-9][a-z0-9_.-]{0,62}$");

  /** A problem that makes the template impossible to deploy; the message says which. */
  static final class Refused extends Exception {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  /** The compose file. */
  String compose() {
    Map<String, Object> svc = new LinkedHashMap<>();
    svc.put("image", image);
    if (command != null && !command.isBlank()) svc.put("command", command);
    svc.put("restart", restart == null ? "unless-stopped" : restart);
    if (hostname != null && !hostname.isBlank()) svc.put("hostname", hostname);
    if (privileged) svc.put("privileged", true);
    if (interactive) {
      svc.put("stdin_open", true);
      svc.put("tty", true);
    }
    if (networkMode != null) svc.put("network_mode", networkMode);
    if (!env.isEmpty()) {
      Map<String, Object> environment = new LinkedHashMap<>();
      env.forEach(name -> environment.put(name, "${" + name + "}"));
      svc.put("environment", environment);
    }
    // Published ports mean nothing on the host's own network (and compose warns about them).
    if (!ports.isEmpty() && !"host".equals(networkMode)) svc.put("ports", new ArrayList<Object>(ports));
    List<Object> volumes = new ArrayList<>(binds);
    for (int i = 0; i < namedVolumes.size(); i++) volumes.add(volumeName(i) + ":" + namedVolumes.get(i));
    if (!volumes.isEmpty()) svc.put("volumes", volumes);
    if (!labels.isEmpty()) svc.put("labels", new LinkedHashMap<Object, Object>(labels));
    if (!devices.isEmpty()) svc.put("devices", new ArrayList<Object>(devices));
    if (!capAdd.isEmpty()) svc.put("cap_add", new ArrayList<Object>(capAdd));
    if (!securityOpt.isEmpty()) svc.put("security_opt", new ArrayList<Object>(securityOpt));
    extra.forEach(svc::putIfAbsent);
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("services", Map.of(service, svc));
    if (!namedVolumes.isEmpty()) {
      Map<String, Object> named = new LinkedHashMap<>();
      for (int i = 0; i < namedVolumes.size(); i++) named.put(volumeName(i), new LinkedHashMap<>());
      root.put("volumes", named);
    }
    return ComposeYaml.write(root);
  }

  private static String volumeName(int i) {
    return "data" + (i + 1);
  }

  /** The host ports a {@link #PORT} list publishes: what a firewall must open. */
  static List<Template.Port> hostPorts(List<String> ports, Map<String, String> descriptions) {
    List<Template.Port> out = new ArrayList<>();
    for (String p : ports) {
      var m = PORT.matcher(p);
      if (!m.matches() || m.group(2) == null) continue;
      out.add(new Template.Port(Integer.parseInt(m.group(2)), m.group(4) == null ? "tcp" : m.group(4), descriptions.get(p), null));
    }
    return out;
  }

  static String checkPort(String p) throws Refused {
    var m = p == null ? null : PORT.matcher(p.strip());
    if (m == null || !m.matches()) throw new Refused("invalid port: " + shown(p));
    for (int g = 2; g <= 3; g++) {
      if (m.group(g) != null && (Integer.parseInt(m.group(g)) < 1 || Integer.parseInt(m.group(g)) > 65535)) {
        throw new Refused("invalid port: " + shown(p));
      }
    }
    return p.strip();
  }

  static String checkPath(String p) throws Refused {
    if (p == null || !PATH.matcher(p.strip()).matches()) throw new Refused("invalid path: " + shown(p));
    return p.strip();
  }

  static String checkVariable(String name) throws Refused {
    if (name == null || !EnvField.NAME.matcher(name).matches()) throw new Refused("invalid variable name: " + shown(name));
    return name;
  }

  static String shown(String s) {
    if (s == null) return "(none)";
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }

  static String serviceName(String name) {
    String s = Slugs.of(name);
    return s.isEmpty() ? "app" : s;
  }
}
