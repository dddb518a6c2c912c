package dev.dockup.webhook;

import dev.dockup.store.AtomicFiles;
import dev.dockup.store.JsonFile;
import dev.dockup.store.SecretBox;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code DATA_DIR/webhooks.json}: the hooks, each secret sealed with the node's
 * {@link SecretBox}. A secret cannot be kept as a hash alone: a signed call
 * ({@code X-Hub-Signature-256}) is checked by computing the HMAC of its body with the secret
 * itself, so the secret must be recoverable, and it is sealed like the other credentials DockUp
 * must use (peer tokens, notification URLs): a copy of this file alone reveals none.
 *
 * <p>Used on its verticle's context only; each change is written whole and atomically, in order.
 */
final class WebhookStore {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookStore.class);
  static final String FILE = "webhooks.json";
  /** A small host has no use for more, and every hook is a door. */
  static final int MAX_HOOKS = 100;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A hook just made, with its secret in plain text: answered once, never stored so. */
  record Created(Webhook hook, String secret) {}

  private final JsonFile file;
  private final SecretBox box;
  private final Map<String, Webhook> hooks = new LinkedHashMap<>();

  private WebhookStore(JsonFile file, SecretBox box) {
    this.file = file;
    this.box = box;
  }

  /** Blocking. A hook whose secret cannot be unsealed (the key file was replaced) is dropped with a warning. */
  static WebhookStore load(Path dataDir, SecretBox box) throws IOException {
    WebhookStore store = new WebhookStore(new JsonFile(dataDir.resolve(FILE)), box);
    JsonArray list = store.file.read().getJsonArray("webhooks", new JsonArray());
    for (Object item : list) {
      if (!(item instanceof JsonObject o)) continue;
      Webhook h = Webhook.fromStored(o);
      try {
        if (h.id() == null || !Webhook.ID.matcher(h.id()).matches()) throw new IllegalArgumentException("invalid id");
        box.decrypt(h.sealedSecret());
        store.hooks.put(h.id(), h);
      } catch (IllegalArgumentException e) {
        LOG.warn("Webhook {} in {} is skipped ({}); create it again", h.id(), FILE, e.getMessage());
      }
    }
    return store;
  }

  Webhook get(String id) {
    return id == null ? null : hooks.get(id);
  }

  List<Webhook> all() {
    return new ArrayList<>(hooks.values());
  }

  int size() {
    return hooks.size();
  }

  String secret(Webhook h) {
    return box.decrypt(h.sealedSecret());
  }

  Created add(String stack, String node, List<String> operations, String by) {
    if (hooks.size() >= MAX_HOOKS) throw new IllegalStateException("full");
    String id;
    do {
      id = Base64.getUrlEncoder().withoutPadding().encodeToString(random(16));
    } while (hooks.containsKey(id));
    // Hex: pasted into a Git host's form or a shell without quoting.
    String secret = HexFormat.of().formatHex(random(32));
    Webhook h = new Webhook(id, stack, node, operations, box.encrypt(secret), Instant.now().toString(), by);
    hooks.put(id, h);
    return new Created(h, secret);
  }

  Webhook remove(String id) {
    return hooks.remove(id);
  }

  /** Writes the state as it is now; saves complete in the order they were asked. */
  Future<Void> save(Vertx vertx) {
    JsonObject doc = new JsonObject().put("webhooks", new JsonArray(hooks.values().stream().map(Webhook::stored).toList()));
    return vertx.executeBlocking(() -> {
      AtomicFiles.write(file.path(), doc.encodePrettily(), AtomicFiles.OWNER_ONLY);
      return null;
    }, true);
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
