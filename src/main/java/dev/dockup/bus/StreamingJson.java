package dev.dockup.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.jackson.DatabindCodec;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.core.spi.JsonFactory;
import io.vertx.core.spi.json.JsonCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Vert.x's JSON on Jackson's streaming parser and generator. With jackson-databind on the class path (docker-java needs
 * it), Vert.x would otherwise pick its databind codec and load about 400 classes of object mapping at every start,
 * which DockUp does not need: its JSON is {@code JsonObject}, {@code JsonArray}, maps, lists and scalars, and records
 * cross the API through their own {@code toJson()}. A value outside those (a set, a record put as is) is still encoded,
 * through databind, and named once in the log so that it can be mended. Found by {@code ServiceLoader}; {@link #order()}
 * puts it before Vert.x's own factory.
 */
public final class StreamingJson implements JsonFactory {
  private static final JsonCodec CODEC = new Codec();

  @Override
  public int order() {
    return 0;
  }

  @Override
  public JsonCodec codec() {
    return CODEC;
  }

  private static final class Codec extends JacksonCodec {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingJson.class);
    private static final Set<String> NAMED = ConcurrentHashMap.newKeySet();
    private volatile DatabindCodec databind;

    @Override
    public String toString(Object object, boolean pretty) throws EncodeException {
      return encoded(object, () -> super.toString(object, pretty), d -> d.toString(object, pretty));
    }

    @Override
    public Buffer toBuffer(Object object, boolean pretty) throws EncodeException {
      return encoded(object, () -> super.toBuffer(object, pretty), d -> d.toBuffer(object, pretty));
    }

    private <T> T encoded(Object object, Supplier<T> streaming, Function<DatabindCodec, T> databind) {
      try {
        return streaming.get();
      } catch (EncodeException e) {
        return databind.apply(databind(object));
      }
    }

    @Override
    public <T> T fromValue(Object json, Class<T> type) {
      return mapped(type, () -> super.fromValue(json, type), d -> d.fromValue(json, type));
    }

    @Override
    public <T> T fromString(String json, Class<T> type) throws DecodeException {
      return mapped(type, () -> super.fromString(json, type), d -> d.fromString(json, type));
    }

    @Override
    public <T> T fromBuffer(Buffer json, Class<T> type) throws DecodeException {
      return mapped(type, () -> super.fromBuffer(json, type), d -> d.fromBuffer(json, type));
    }

    private <T> T mapped(Class<T> type, Supplier<T> streaming, Function<DatabindCodec, T> databind) {
      try {
        return streaming.get();
      } catch (DecodeException e) {
        if (!needsDatabind(e)) throw e;
        return databind.apply(databind(type));
      }
    }

    /** Only a type the streaming codec cannot map goes to databind: malformed input is not parsed twice. */
    private static boolean needsDatabind(DecodeException e) {
      return e.getMessage() != null && e.getMessage().contains("without Jackson Databind");
    }

    private DatabindCodec databind(Object what) {
      String name = what instanceof Class<?> c ? c.getName() : what == null ? "null" : what.getClass().getName();
      if (NAMED.size() < 64 && NAMED.add(name)) LOG.warn("JSON through Jackson databind for a {} (in it or as it)", name);
      DatabindCodec d = databind;
      if (d == null) databind = d = new DatabindCodec();
      return d;
    }
  }
}
