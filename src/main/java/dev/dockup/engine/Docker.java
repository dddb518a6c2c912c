package dev.dockup.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

import java.time.Duration;

/**
 * docker-java clients for one engine. The API version is left unset: the engine answers at its
 * own. The raw HTTP client is kept for calls docker-java lacks (stats streams, JSON resources).
 * Streams hold a connection each for as long as they run, hence the generous pool.
 */
final class Docker {
  private Docker() {}

  record Clients(DockerClient api, DockerHttpClient http) {}

  /** For request/response calls: bounded waits so a hung engine cannot pin a worker forever. */
  static Clients requests(String dockerHost) {
    return create(dockerHost, Duration.ofSeconds(120));
  }

  /** For streams (events, followed logs), which stay silent while nothing happens: no response timeout. */
  static Clients streams(String dockerHost) {
    return create(dockerHost, null);
  }

  private static Clients create(String dockerHost, Duration responseTimeout) {
    var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build();
    var builder = new ZerodepDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .maxConnections(1024)
        .connectionTimeout(Duration.ofSeconds(5));
    if (responseTimeout != null) builder.responseTimeout(responseTimeout);
    DockerHttpClient http = builder.build();
    return new Clients(DockerClientImpl.getInstance(config, http), http);
  }
}
