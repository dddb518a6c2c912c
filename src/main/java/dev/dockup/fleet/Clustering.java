package dev.dockup.fleet;

import com.hazelcast.config.XmlConfigBuilder;
import dev.dockup.Config;
import dev.dockup.metrics.Meters;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Vert.x for one node: local, or clustered with Hazelcast from {@code cluster.xml} with the
 * {@code DOCKUP_CLUSTER*} settings laid over it (name, bind address, port, members), and the
 * event bus on its own fixed port so both can be opened in a firewall. Either way with this node's
 * metrics registry, which Vert.x writes its own meters into.
 */
public final class Clustering {
  private Clustering() {}

  public static Future<Vertx> vertx(Config config) {
    return vertx(config, new VertxOptions());
  }

  /** With the node's pool sizes ({@code options}); the event bus options are set here. */
  public static Future<Vertx> vertx(Config config, VertxOptions options) {
    Config.Cluster c = config.cluster();
    Meters metrics = Meters.create(config.nodeName());
    if (!c.enabled()) return Future.succeededFuture(metrics.attach(metrics.builder(options).build()));
    com.hazelcast.config.Config hz;
    try (InputStream xml = open(c.configFile())) {
      hz = new XmlConfigBuilder(xml).build();
    } catch (Exception e) {
      return Future.failedFuture(new IllegalStateException("Cannot read " + c.configFile() + ": " + e.getMessage(), e));
    }
    hz.setClusterName(c.name());
    hz.setProperty("hazelcast.local.localAddress", c.host());
    var network = hz.getNetworkConfig();
    network.setPort(c.port()).setPortAutoIncrement(false).setPublicAddress(c.host() + ":" + c.port());
    network.getInterfaces().setEnabled(true).clear().addInterface(c.host());
    var join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    if (!c.members().isEmpty()) join.getTcpIpConfig().setEnabled(true).setMembers(c.members());
    options.setEventBusOptions(new EventBusOptions()
        .setHost(c.host()).setPort(c.eventBusPort()).setClusterPublicHost(c.host()));
    return metrics.builder(options).withClusterManager(new HazelcastClusterManager(hz)).buildClustered().map(metrics::attach);
  }

  /** The file named by DOCKUP_CLUSTER_CONFIG when it exists, else the copy inside the jar. */
  private static InputStream open(String file) throws Exception {
    Path p = Path.of(file);
    if (Files.isRegularFile(p)) return Files.newInputStream(p);
    InputStream bundled = Clustering.class.getResourceAsStream("/cluster.xml");
    if (bundled == null) throw new IllegalStateException("no cluster.xml");
    return bundled;
  }
}
