package dev.dockup.template;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Whether DockUp may fetch from an address: only public ones, unless
 * {@code TEMPLATE_ALLOW_PRIVATE} says otherwise. A catalog URL is typed by an admin, but a catalog
 * names further URLs (stack files, redirects): without this guard a list could make DockUp read
 * the cloud's metadata service, the Docker API on a TCP port, or a router's admin page.
 */
final class AddressGuard {
  private AddressGuard() {}

  static boolean isPublic(InetAddress a) {
    if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
        || a.isMulticastAddress()) {
      return false;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) return isPublicV4(b);
    if (a instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) return false; // fc00::/7, unique local
      if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x01 && b[2] == 0x0d && (b[3] & 0xff) == 0xb8) return false; // 2001:db8::/32
      if (prefixZero(b, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) return isPublicV4(tail(b, 12)); // ::ffff:a.b.c.d
      if (prefixZero(b, 12)) return false; // ::a.b.c.d (deprecated), ::, ::1
      if ((b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
        return isPublicV4(tail(b, 12)); // 64:ff9b::/96, NAT64
      }
      if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) return isPublicV4(new byte[] {b[2], b[3], b[4], b[5]}); // 2002::/16, 6to4
      return true;
    }
    return false;
  }

  private static boolean isPublicV4(byte[] b) {
    int o0 = b[0] & 0xff;
    int o1 = b[1] & 0xff;
    int o2 = b[2] & 0xff;
    if (o0 == 0 || o0 == 10 || o0 == 127 || o0 >= 224) return false;  // this network, private, loopback, multicast, reserved
    if (o0 == 100 && (o1 & 0xc0) == 64) return false;                 // 100.64.0.0/10, carrier-grade NAT
    if (o0 == 169 && o1 == 254) return false;                         // link-local, cloud metadata
    if (o0 == 172 && (o1 & 0xf0) == 16) return false;                 // 172.16.0.0/12
    if (o0 == 192 && o1 == 168) return false;                         // 192.168.0.0/16
    if (o0 == 192 && o1 == 0 && (o2 == 0 || o2 == 2)) return false;   // IETF protocol assignments, documentation
    if (o0 == 198 && (o1 == 18 || o1 == 19)) return false;            // benchmarking
    if (o0 == 198 && o1 == 51 && o2 == 100) return false;             // documentation
    return !(o0 == 203 && o1 == 0 && o2 == 113);                      // documentation
  }

  private static boolean prefixZero(byte[] b, int n) {
    for (int i = 0; i < n; i++) if (b[i] != 0) return false;
    return true;
  }

  private static byte[] tail(byte[] b, int from) {
    return java.util.Arrays.copyOfRange(b, from, b.length);
  }
}
