package dev.dockup.webhook;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One hook: the stack it acts on, on which node, the operations it runs in order, and its
 * secret sealed by the {@link dev.dockup.store.SecretBox} (never in an answer but the one that
 * creates it).
 */
record Webhook(String id, String stack, String node, List<String> operations, String sealedSecret,
               String createdAt, String createdBy) {
  /** 128 random bits, base64url: unguessable, and safe in a path and in the audit log. */
  static final Pattern ID = Pattern.compile("^[A-Za-z0-9_-]{22}$");

  Webhook {
    operations = List.copyOf(operations);
  }

  String path() {
    return "/hooks/" + id;
  }

  /** What {@code GET /api/webhooks} shows: everything but the secret. */
  JsonObject view() {
    return new JsonObject().put("id", id).put("stack", stack).put("node", node)
        .put("operations", new JsonArray(operations)).put("path", path())
        .put("created_at", createdAt).put("created_by", createdBy);
  }

  /** The stored form, its secret sealed. */
  JsonObject stored() {
    return view().put("secret_sealed", sealedSecret);
  }

  static Webhook fromStored(JsonObject o) {
    return new Webhook(o.getString("id"), o.getString("stack"), o.getString("node"),
        o.getJsonArray("operations", new JsonArray()).stream().map(String::valueOf).toList(),
        o.getString("secret_sealed"), o.getString("created_at"), o.getString("created_by"));
  }
}
