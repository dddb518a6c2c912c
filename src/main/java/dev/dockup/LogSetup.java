package dev.dockup;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

import java.util.Locale;

/**
 * Logback's configuration, in code rather than a logback.xml: reading an XML file costs every start about 400 classes
 * of Logback's configuration model and the JDK's XML parser, a few MB on a small host (FootprintBench). A file named
 * with {@code -Dlogback.configurationFile} still wins. Found by {@code ServiceLoader}.
 */
public final class LogSetup extends ContextAwareBase implements Configurator {
  static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{0} - %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    var encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    var console = new ConsoleAppender<ILoggingEvent>();
    console.setContext(context);
    console.setName("STDOUT");
    console.setEncoder(encoder);
    console.start();
    var root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level(), Level.INFO));
    root.addAppender(console);
    context.getLogger("com.github.dockerjava").setLevel(Level.WARN);
    context.getLogger("io.netty").setLevel(Level.WARN);
    context.getLogger("com.hazelcast").setLevel(Level.WARN);
    // vertx-micrometer-metrics 5 registers its per-request gauges again and again, which Micrometer 1.16 reports once
    // as a warning (vert-x3/vertx-micrometer-metrics#259): harmless.
    context.getLogger("io.micrometer.core.instrument.MeterRegistry").setLevel(Level.ERROR);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /** DOCKUP_LOG_LEVEL, as a system property or from the environment (TRACE, DEBUG, INFO, WARN, ERROR, OFF). */
  private static String level() {
    String v = System.getProperty("DOCKUP_LOG_LEVEL", System.getenv("DOCKUP_LOG_LEVEL"));
    return v == null ? "INFO" : v.trim().toUpperCase(Locale.ROOT);
  }
}
