package dev.dockup.engine;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

import java.io.IOException;
import java.time.Duration;

/**
 * docker-java, for one-shot log reads, where its blocking frame reader is simpler; every other
 * call and stream goes through {@link EngineClient}. Made on first use, on a worker: its classes and JSON mapper cost a start-up (and memory) that a node which
 * is only listed and watched never needs. The API version is left unset: the engine answers at
 * its own. Responses are bounded in time, so a hung engine cannot pin a worker forever.
 */
final class Docker {
  static final int MAX_CONNECTIONS = 16;

  private final String dockerHost;
  private DockerClient api;

  Docker(String dockerHost) {
    this.dockerHost = dockerHost;
  }

  synchronized DockerClient api() {
    if (api == null) {
      var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build();
      DockerHttpClient http = new ZerodepDockerHttpClient.Builder()
          .dockerHost(config.getDockerHost())
          .maxConnections(MAX_CONNECTIONS)
          .connectionTimeout(Duration.ofSeconds(5))
          .responseTimeout(Duration.ofSeconds(120))
          .build();
      api = DockerClientImpl.getInstance(config, http);
    }
    return api;
  }

  synchronized void close() {
    try {
      if (api != null) api.close();
    } catch (IOException ignored) {
      // closing: nothing left to do
    }
  }
}
