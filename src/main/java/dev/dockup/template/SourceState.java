package dev.dockup.template;

import dev.dockup.auth.Secrets;
import dev.dockup.settings.Settings;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One remote catalog as this node last knows it: its templates from the last good fetch, the
 * validators to ask for them again conditionally, and how the last attempt went. A failed
 * attempt keeps the templates of the last good one.
 */
record SourceState(
    String url,
    String format,
    List<Template> templates,
    boolean ok,
    String error,
    Instant fetchedAt,
    Instant attemptedAt,
    String etag,
    String lastModified) {

  static final String NOT_FETCHED = "not fetched yet";

  SourceState {
    templates = List.copyOf(templates);
  }

  static SourceState notFetched(Settings.TemplateUrl source) {
    return new SourceState(source.url(), source.format(), List.of(), false, NOT_FETCHED, null, null, null, null);
  }

  Settings.TemplateUrl source() {
    return new Settings.TemplateUrl(url, format);
  }

  String key() {
    return key(source());
  }

  /** A file name and map key for a catalog: a digest of its format and URL. */
  static String key(Settings.TemplateUrl source) {
    return Secrets.sha256Hex(source.format() + " " + source.url()).substring(0, 32);
  }

  /** A good fetch: new templates, or the same ones confirmed ({@code templates} null for a 304). */
  SourceState fetched(List<Template> fresh, String newEtag, String newLastModified, Instant at) {
    return new SourceState(url, format, fresh == null ? templates : fresh, true, null, at, at,
        fresh == null && newEtag == null ? etag : newEtag, fresh == null && newLastModified == null ? lastModified : newLastModified);
  }

  /** A failed attempt: the last good templates are kept. */
  SourceState failed(String why, Instant at) {
    return new SourceState(url, format, templates, false, why, fetchedAt, at, etag, lastModified);
  }

  /** As the list answer reports it. */
  JsonObject status() {
    return new JsonObject()
        .put("url", url)
        .put("format", format)
        .put("ok", ok)
        .put("error", error)
        .put("fetched_at", fetchedAt == null ? null : fetchedAt.toString())
        .put("attempted_at", attemptedAt == null ? null : attemptedAt.toString())
        .put("count", templates.size());
  }

  JsonObject toStored() {
    JsonArray list = new JsonArray();
    templates.forEach(t -> list.add(t.toStored()));
    return status().put("etag", etag).put("last_modified", lastModified).put("templates", list);
  }

  static SourceState fromStored(JsonObject o) {
    List<Template> list = new ArrayList<>();
    for (Object t : o.getJsonArray("templates", new JsonArray())) {
      if (t instanceof JsonObject j) list.add(Template.fromStored(j));
    }
    return new SourceState(o.getString("url"), o.getString("format"), list, o.getBoolean("ok", false), o.getString("error"),
        instant(o.getString("fetched_at")), instant(o.getString("attempted_at")), o.getString("etag"), o.getString("last_modified"));
  }

  private static Instant instant(String s) {
    return s == null ? null : Instant.parse(s);
  }
}
