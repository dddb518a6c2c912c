package dev.dockup.auth;

import io.vertx.core.http.HttpServerRequest;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The client's address: the peer's, unless the peer is a trusted proxy; then the nearest
 * address in {@code X-Forwarded-For} that is not itself a trusted proxy.
 */
public final class ClientAddress {
  private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern V6 = Pattern.compile("[0-9a-fA-F:.%]+");

  private record Net(byte[] base, int bits) {
    /** The first {@code bits} bits of {@code ip} are the network's. */
    boolean contains(byte[] ip) {
      if (ip.length != base.length) return false;
      int whole = bits / 8;
      for (int i = 0; i < whole; i++) {
        if (ip[i] != base[i]) return false;
      }
      int rest = bits % 8;
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return rest == 0 || (ip[whole] & mask) == (base[whole] & mask);
    }
  }

  private final List<Net> trusted = new ArrayList<>();

  public ClientAddress(List<String> trustedProxies) {
    for (String entry : trustedProxies) trusted.add(parse(entry));
  }

  public String of(HttpServerRequest req) {
    String peer = req.remoteAddress() == null ? "unknown" : req.remoteAddress().hostAddress();
    if (trusted.isEmpty() || !isTrusted(peer)) return peer;
    String header = req.getHeader("X-Forwarded-For");
    if (header == null || header.isBlank()) return peer;
    String[] hops = header.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (hop.isEmpty()) continue;
      if (!isTrusted(hop)) return hop;
    }
    return hops[0].trim();
  }

  private boolean isTrusted(String address) {
    byte[] ip = literal(address);
    if (ip == null) return false;
    for (Net net : trusted) {
      if (net.contains(ip)) return true;
    }
    return false;
  }

  private static Net parse(String entry) {
    String[] parts = entry.split("/", 2);
    byte[] base = literal(parts[0].trim());
    if (base == null) throw new IllegalStateException("TRUSTED_PROXIES: not an IP address or CIDR: " + entry);
    int bits = base.length * 8;
    if (parts.length == 2) {
      try {
        bits = Integer.parseInt(parts[1].trim());
      } catch (NumberFormatException e) {
        throw new IllegalStateException("TRUSTED_PROXIES: bad prefix length in " + entry);
      }
      if (bits < 0 || bits > base.length * 8) throw new IllegalStateException("TRUSTED_PROXIES: bad prefix length in " + entry);
    }
    return new Net(base, bits);
  }

  /** An IP literal's bytes, without any DNS lookup; null for anything else. */
  private static byte[] literal(String s) {
    if (s == null || s.isEmpty()) return null;
    String v = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    boolean v4 = V4.matcher(v).matches();
    boolean v6 = v.contains(":") && V6.matcher(v).matches();
    if (!v4 && !v6) return null;
    try {
      return InetAddress.getByName(v).getAddress();
    } catch (Exception e) {
      return null;
    }
  }
}
