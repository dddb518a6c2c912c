package dev.dockup.scan;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Walks a scanner's report with Jackson's streaming parser, taking the fields asked for and
 * skipping the rest: a report of many megabytes is never held whole in memory.
 */
final class JsonStream {
  private JsonStream() {}

  private static final JsonFactory FACTORY = new JsonFactory();

  /** Reads the value the parser is on (and everything inside it). */
  @FunctionalInterface
  interface Reader {
    void read(JsonParser p) throws IOException;
  }

  /** The parser on the document's first token, which must open an object. */
  static JsonParser open(InputStream in, String what) throws IOException {
    JsonParser p = FACTORY.createParser(in);
    if (p.nextToken() != JsonToken.START_OBJECT) {
      p.close();
      throw new IOException("not " + what + " (no JSON object)");
    }
    return p;
  }

  /** On an object: each named field's value goes to its reader, the others are skipped; anything else is skipped. */
  static void object(JsonParser p, Map<String, Reader> fields) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      p.skipChildren();
      return;
    }
    JsonToken t = p.nextToken();
    while (t == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      Reader r = fields.get(name);
      if (r != null) r.read(p);
      else p.skipChildren();
      t = p.nextToken();
    }
    if (t != JsonToken.END_OBJECT) throw new IOException("report ends early");
  }

  /** On an array: each element goes to {@code each}; anything else (null included) is skipped. */
  static void array(JsonParser p, Reader each) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      p.skipChildren();
      return;
    }
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == null) throw new IOException("report ends early");
      each.read(p);
    }
  }

  /** A scalar as text; null for null, and for an object or array (skipped). */
  static String text(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NULL) return null;
    if (t != null && t.isScalarValue()) return p.getValueAsString();
    p.skipChildren();
    return null;
  }
}
