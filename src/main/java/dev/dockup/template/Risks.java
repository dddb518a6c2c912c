package dev.dockup.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of a compose file that give its containers power over the host: a deploy names them
 * and asks for {@code accept_risks}. Found on the parsed file with the deploy's values
 * substituted, as compose will read it.
 */
final class Risks {
  private Risks() {}

  static final String PRIVILEGED = "privileged";
  static final String HOST_NETWORK = "host_network";
  static final String HOST_NAMESPACE = "host_namespace";
  static final String DOCKER_SOCKET = "docker_socket";
  static final String CAPABILITIES = "capabilities";
  static final String DEVICES = "devices";
  static final String SECURITY_OPT = "security_opt";
  static final String HOST_PATH = "host_path";
  static final List<String> KINDS =
      List.of(PRIVILEGED, HOST_NETWORK, HOST_NAMESPACE, DOCKER_SOCKET, CAPABILITIES, DEVICES, SECURITY_OPT, HOST_PATH);
  /** Host folders a container should not see: the root, the system's configuration, its kernel interfaces, Docker's own data. */
  private static final List<String> SYSTEM_PATHS =
      List.of("/etc", "/root", "/proc", "/sys", "/dev", "/boot", "/run", "/var/run", "/var/lib/docker", "/usr", "/lib", "/bin", "/sbin");

  /** The risks of a parsed compose file (already interpolated when values are known). */
  static List<Template.Risk> of(Map<String, Object> compose) {
    List<Template.Risk> out = new ArrayList<>();
    if (!(compose.get("services") instanceof Map<?, ?> services)) return out;
    services.forEach((name, body) -> {
      if (body instanceof Map<?, ?> svc) service(String.valueOf(name), svc, out);
    });
    return out;
  }

  private static void service(String name, Map<?, ?> svc, List<Template.Risk> out) {
    if (truthy(svc.get("privileged"))) out.add(new Template.Risk(PRIVILEGED, name, "runs privileged: full access to the host"));
    if ("host".equals(text(svc.get("network_mode")))) {
      out.add(new Template.Risk(HOST_NETWORK, name, "uses the host's network: every port it opens is open on the host"));
    }
    for (String ns : List.of("pid", "ipc", "userns_mode", "uts", "cgroup")) {
      if ("host".equals(text(svc.get(ns)))) out.add(new Template.Risk(HOST_NAMESPACE, name, ns + ": host"));
    }
    for (Object v : list(svc.get("volumes"))) {
      String source = v instanceof Map<?, ?> m ? text(m.get("source")) : bindSource(text(v));
      String target = v instanceof Map<?, ?> m ? text(m.get("target")) : bindTarget(text(v));
      if (isDockerSocket(source) || isDockerSocket(target)) {
        out.add(new Template.Risk(DOCKER_SOCKET, name, "mounts the Docker socket: control of every container on the host"));
      } else if (isSystemPath(source)) {
        out.add(new Template.Risk(HOST_PATH, name, "mounts the host's " + source.strip()));
      }
    }
    List<String> caps = new ArrayList<>();
    for (Object c : list(svc.get("cap_add"))) caps.add(text(c));
    if (!caps.isEmpty()) out.add(new Template.Risk(CAPABILITIES, name, "adds capabilities: " + String.join(", ", caps)));
    List<String> devices = new ArrayList<>();
    for (Object d : list(svc.get("devices"))) devices.add(d instanceof Map<?, ?> m ? text(m.get("source")) : text(d));
    if (!devices.isEmpty()) out.add(new Template.Risk(DEVICES, name, "uses host devices: " + String.join(", ", devices)));
    for (Object o : list(svc.get("security_opt"))) {
      String opt = text(o);
      if (opt != null && opt.toLowerCase(Locale.ROOT).contains("unconfined")) {
        out.add(new Template.Risk(SECURITY_OPT, name, "security_opt " + opt));
      }
    }
  }

  private static boolean isDockerSocket(String path) {
    return path != null && path.strip().endsWith("docker.sock");
  }

  private static boolean isSystemPath(String path) {
    if (path == null) return false;
    String p = path.strip().replaceAll("/+$", "");
    if (p.isEmpty() && path.strip().startsWith("/")) return true;
    return SYSTEM_PATHS.stream().anyMatch(s -> p.equals(s) || p.startsWith(s + "/"));
  }

  /** Of a short volume syntax {@code source:target[:mode]}. */
  private static String bindSource(String spec) {
    if (spec == null) return null;
    int colon = spec.indexOf(':');
    return colon < 0 ? null : spec.substring(0, colon);
  }

  private static String bindTarget(String spec) {
    if (spec == null) return null;
    String[] parts = spec.split(":");
    return parts.length >= 2 ? parts[1] : parts[0];
  }

  private static boolean truthy(Object v) {
    return Boolean.TRUE.equals(v) || "true".equalsIgnoreCase(text(v));
  }

  private static String text(Object v) {
    return v == null || v instanceof Map<?, ?> || v instanceof List<?> ? null : String.valueOf(v).strip();
  }

  /** Compose takes lists only here; anything else it refuses, and so names no risk. */
  private static List<?> list(Object v) {
    return v instanceof List<?> l ? l : List.of();
  }
}
