package dev.dockup.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

import java.time.Duration;

/** docker-java clients for one engine. The API version is left unset: the engine answers at its own. */
final class Docker {
  private Docker() {}

  /** For request/response calls: bounded waits so a hung engine cannot pin a worker forever. */
  static DockerClient requests(String dockerHost) {
    return create(dockerHost, Duration.ofSeconds(120));
  }

  /** For the event stream, which stays silent as long as nothing happens: no response timeout. */
  static DockerClient events(String dockerHost) {
    return create(dockerHost, null);
  }

  private static DockerClient create(String dockerHost, Duration responseTimeout) {
    var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build();
    var http = new ZerodepDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .maxConnections(64)
        .connectionTimeout(Duration.ofSeconds(5));
    if (responseTimeout != null) http.responseTimeout(responseTimeout);
    return DockerClientImpl.getInstance(config, http.build());
  }
}
