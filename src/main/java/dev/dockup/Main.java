package dev.dockup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code java -jar dockup.jar [--cluster]}: configuration, start, and signals (first: graceful;
 * second: at once). {@code --cds-training} is the build's ({@link ClassDataTraining}).
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && "ctl".equals(args[0])) {
      System.exit(dev.dockup.ctl.Ctl.main(Arrays.copyOfRange(args, 1, args.length)));
    }
    Config config;
    try {
      String file = System.getenv().getOrDefault("DOCKUP_CONFIG", "conf/config.json");
      Map<String, String> env = new HashMap<>(System.getenv());
      if (Arrays.asList(args).contains("--cluster")) env.put("DOCKUP_CLUSTER", "true");
      config = Config.load(Path.of(file), env);
      if (Arrays.asList(args).contains("--cds-training")) ClassDataTraining.prepare(config.stacksDir());
    } catch (IllegalStateException | IOException e) {
      System.err.println("DockUp cannot start: " + e.getMessage());
      System.exit(2);
      return;
    }
    CompletableFuture<DockUp> started = DockUp.start(config);
    DockUp app;
    try {
      app = started.join();
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      LOG.error("DockUp cannot start: {}", cause.getMessage());
      System.exit(2);
      return;
    }
    if (Arrays.asList(args).contains("--cds-training")) {
      ClassDataTraining.run(app, config.initialPassword());
      return;
    }
    AtomicInteger signals = new AtomicInteger();
    var handler = (sun.misc.SignalHandler) sig -> {
      if (signals.incrementAndGet() > 1) {
        LOG.warn("Second signal: exiting now");
        Runtime.getRuntime().halt(130);
      }
      app.shutdown().thenRun(() -> System.exit(0));
    };
    Signal.handle(new Signal("TERM"), handler);
    Signal.handle(new Signal("INT"), handler);
  }
}
