package dev.dockup.stack;

import io.vertx.core.json.JsonObject;

import java.util.Map;

import static dev.dockup.web.Schema.any;
import static dev.dockup.web.Schema.array;
import static dev.dockup.web.Schema.bool;
import static dev.dockup.web.Schema.dateTime;
import static dev.dockup.web.Schema.described;
import static dev.dockup.web.Schema.integer;
import static dev.dockup.web.Schema.mapOf;
import static dev.dockup.web.Schema.nullable;
import static dev.dockup.web.Schema.object;
import static dev.dockup.web.Schema.oneOf;
import static dev.dockup.web.Schema.ref;
import static dev.dockup.web.Schema.string;

/** The shapes the stack routes answer with (DESIGN.md "Stack model" and "Operations"), for the OpenAPI document. */
final class StackSchemas {
  private StackSchemas() {}

  static final String[] OPERATIONS = {"up", "down", "stop", "restart", "pull"};

  static Map<String, JsonObject> all() {
    return Map.of(
        "StackItem", described(object(
            "name", string(), "node", string(),
            "status", oneOf("running", "partial", "stopped", "inactive", "unknown"),
            "health_status", oneOf("healthy", "starting", "unhealthy", "stopped", "unknown"),
            "containers", integer("Number of containers"), "running", integer("Number running"),
            "services", array(string()), "update_available", bool(), "last_check", nullable(dateTime()),
            "vulnerabilities", nullable(described(object("CRITICAL", integer(), "HIGH", integer(), "MEDIUM", integer(),
                "LOW", integer(), "UNKNOWN", integer()), "Summed over the stack's scanned images; null when none is scanned")),
            "external", bool("A compose project on the engine with no folder in STACKS_DIR (read-only)"),
            "self", bool("The stack DockUp itself runs in"),
            "removed?", bool("On the feed: the stack went away")), "One stack, as lists and the feed show it"),
        "StackList", object("stacks", array(ref("StackItem")),
            "ignored?", array(object("folder", string(), "reason", string())), "engine_ok?", bool()),
        "Container", object("id", string(), "name", string(), "service", nullable(string()), "state", string(),
            "status", string(), "health", nullable(string()), "image", nullable(string()), "image_id", nullable(string()),
            "created", nullable(string()), "started_at", nullable(string()), "ports", array(any())),
        "StackDetail", described(object("name", string(), "node", string(), "status", string(), "health_status", string(),
            "containers", integer(), "running", integer(), "services", array(string()),
            "container_list", array(ref("Container")), "compose_file", nullable(string()), "path", nullable(string()),
            "engine_ok?", bool(), "compose_error?", string()), "A stack item with its containers and files"),
        "Operation", described(object("operation_id", string(), "stack", string(), "node", string(), "operation", string(),
            "services", array(string()), "status", oneOf("running", "succeeded", "failed", "timed_out"),
            "exit_code", nullable(integer()), "started_at", dateTime(), "finished_at", nullable(dateTime()),
            "duration_ms", nullable(integer()), "output", array(string()), "truncated", bool(), "success?", bool()),
            "One compose operation; the synchronous answer adds success"),
        "OperationRequest", object("operation", oneOf(OPERATIONS), "services?", array(string()),
            "force_recreate?", bool(), "force?", bool("Allow down/stop/delete of the stack DockUp runs in")),
        "Content", object("content", string()),
        "Logs", object("logs", mapOf(any())));
  }
}
