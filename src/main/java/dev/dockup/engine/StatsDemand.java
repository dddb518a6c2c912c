package dev.dockup.engine;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which stacks some feed client watches, from the demand each feed hub of the fleet announces
 * every few seconds ({@link dev.dockup.bus.Bus#FEED_DEMAND}): {@code {hub, all: true}} (a client
 * of every stack: the overview, a SockJS client) or {@code {hub, stacks: [name or node/name]}}.
 * A hub not heard from within the window watches nothing any more. A message without
 * {@code hub} (a node of an older version) counts as a demand for everything. Used on the
 * engine verticle's event loop only.
 */
final class StatsDemand {
  /** Hubs remembered at once: each HTTP verticle of the fleet is one; a flood of made-up ones only evicts the oldest. */
  static final int MAX_HUBS = 1024;
  static final int MAX_STACKS = 10_000;

  private record Heard(boolean all, Set<String> stacks, long atMs) {}

  private final Map<String, Heard> hubs = new LinkedHashMap<>();

  void heard(JsonObject msg, long nowMs) {
    String hub = msg.getValue("hub") instanceof String h ? h : "";
    Set<String> stacks = new HashSet<>();
    boolean all = hub.isEmpty() || Boolean.TRUE.equals(msg.getValue("all"));
    if (!all && msg.getValue("stacks") instanceof JsonArray list) {
      for (int i = 0; i < list.size() && stacks.size() < MAX_STACKS; i++) {
        if (list.getValue(i) instanceof String s) stacks.add(s);
      }
    }
    hubs.remove(hub);
    hubs.put(hub, new Heard(all, stacks, nowMs));
    if (hubs.size() > MAX_HUBS) hubs.remove(hubs.keySet().iterator().next());
  }

  /** Whether any client listens; forgets hubs not heard from within the window. */
  boolean active(long nowMs, long windowMs) {
    for (Iterator<Heard> it = hubs.values().iterator(); it.hasNext(); ) {
      if (nowMs - it.next().atMs() > windowMs) it.remove();
    }
    return !hubs.isEmpty();
  }

  /** Whether a client watches this node's stack (by its name, or as {@code node/name}). */
  boolean wants(String node, String project) {
    for (Heard h : hubs.values()) {
      if (h.all() || h.stacks().contains(project) || h.stacks().contains(node + "/" + project)) return true;
    }
    return false;
  }
}
