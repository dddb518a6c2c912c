package dev.dockup.template;

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

/** The shapes of the template routes, for the OpenAPI document. */
final class TemplateSchemas {
  private TemplateSchemas() {}

  static Map<String, JsonObject> all() {
    JsonObject item = object(
        "id", string("^[a-z0-9][a-z0-9-]{0,62}$, stable across refreshes"),
        "title", string(), "description", nullable(string()),
        "categories", array(oneOf(Categories.NAMES.toArray(String[]::new))),
        "logo", nullable(string("A URL, or /api/templates/{id}/logo for a bundled template")),
        "project_url", nullable(string()),
        "source", oneOf(Template.BUNDLED, Template.LINUXSERVER, Template.CASAOS, Template.PORTAINER),
        "source_id", string("The template's name or id in its source"),
        "source_url", nullable(string("The catalog it came from; null when bundled")),
        "ports", array(object("port", integer(), "protocol", oneOf("tcp", "udp"), "description?", string(), "variable?", string())),
        "risks", array(oneOf(Risks.KINDS.toArray(String[]::new))),
        "deployable", bool(),
        "unsupported?", string("Why it cannot be deployed (a Swarm stack, a stack file that could not be fetched)"));
    JsonObject detail = item.copy();
    detail.getJsonObject("properties")
        .put("compose", nullable(string("The compose file a deploy writes")))
        .put("env", array(ref("EnvField")))
        .put("note", nullable(string()))
        .put("risk_details", array(object("kind", oneOf(Risks.KINDS.toArray(String[]::new)), "service", string(), "detail", string())));
    return Map.of(
        "Template", described(item, "A template as lists show it"),
        "TemplateDetail", described(detail, "A template with its compose file and variables"),
        "EnvField", described(object("name", string(), "label", string(), "description", nullable(string()),
            "default", nullable(string()), "required", bool("A deploy without a value is refused"),
            "secret", bool(), "generate", bool("Left empty, DockUp generates a random value"),
            "preset", bool("Set by DockUp (CasaOS's AppID: the stack's name); a deploy gives no value"),
            "options?", array(object("value", string(), "label", string()))), "A variable of the stack's .env"),
        "TemplateSource", described(object("url", string(), "format", oneOf("portainer", "linuxserver", "casaos"), "ok", bool(),
            "error", nullable(string()), "fetched_at", nullable(dateTime()), "attempted_at", nullable(dateTime()),
            "count", integer()), "A remote catalog: its last fetch, and how many templates its last good copy holds"),
        "TemplateList", object("templates", array(ref("Template")), "count", integer(), "sources", array(ref("TemplateSource"))),
        "DeployRequest", object("stack_name", string("^[a-z0-9][a-z0-9_-]{0,62}$"),
            "env?", mapOf(string()), "up?", bool("Run up once the stack is written"),
            "node?", string("The node of the fleet the stack goes to (default: this one)"),
            "accept_risks?", bool("Needed for a template with risky settings")),
        "DeployResult", object("success", bool(), "stack", string(), "node", string(), "template", string(), "created", bool(),
            "risks", array(string()), "generated", array(string("Variables given a random value")),
            "operation?", any(), "error?", string()));
  }
}
