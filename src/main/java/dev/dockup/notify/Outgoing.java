package dev.dockup.notify;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The HTTP request one notification URL turns into. Its {@code url} and headers hold
 * credentials: it is sent, never logged.
 */
record Outgoing(String method, String url, Map<String, String> headers, String body) {

  Outgoing {
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
  }

  /** A header by name, case-insensitive, or null. */
  String header(String name) {
    for (Map.Entry<String, String> e : headers.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
    }
    return null;
  }
}
