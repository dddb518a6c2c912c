package dev.dockup.it;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real engine, asked directly: what tests check DockUp's claims against. */
public final class Engine implements AutoCloseable {
  public static final String IMAGE = "dockup-test/busybox:1";
  public static final int REGISTRY_PORT = Integer.parseInt(System.getenv().getOrDefault("DOCKUP_TEST_REGISTRY_PORT", "5555"));
  private static final String PROJECT = "com.docker.compose.project";

  public final String host;
  public final DockerClient docker;

  public Engine(String host) {
    this.host = host;
    var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
    var http = new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost())
        .connectionTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofSeconds(60)).build();
    this.docker = DockerClientImpl.getInstance(config, http);
  }

  public static Engine shared() {
    return new Engine(System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock"));
  }

  public List<Container> containers(String project) {
    return docker.listContainersCmd().withShowAll(true).withLabelFilter(java.util.Map.of(PROJECT, project)).exec();
  }

  /** Prints {@code text} as the output of PID 1 of the project's first running container: what its logs show. */
  public void printInContainer(String project, String text) throws InterruptedException {
    Container c = running(project).get(0);
    String exec = docker.execCreateCmd(c.getId()).withCmd("sh", "-c", "echo " + text + " > /proc/1/fd/1").exec().getId();
    docker.execStartCmd(exec).exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>())
        .awaitCompletion(10, TimeUnit.SECONDS);
  }

  public List<Container> running(String project) {
    return containers(project).stream().filter(c -> "running".equals(c.getState())).toList();
  }

  public InspectContainerResponse inspect(String id) {
    return docker.inspectContainerCmd(id).exec();
  }

  public String startedAt(String project, String service) {
    return containers(project).stream()
        .filter(c -> service.equals(c.getLabels().get("com.docker.compose.service")))
        .map(c -> inspect(c.getId()).getState().getStartedAt()).findFirst().orElseThrow();
  }

  /** Removes every container and network of the projects whose name starts with {@code prefix}. */
  public void removeProjects(String prefix) {
    for (Container c : docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(PROJECT)).exec()) {
      String p = c.getLabels().get(PROJECT);
      if (p != null && p.startsWith(prefix)) {
        try {
          docker.removeContainerCmd(c.getId()).withForce(true).exec();
        } catch (Exception ignored) {
          // already gone
        }
      }
    }
    docker.listNetworksCmd().exec().stream()
        .filter(n -> n.getLabels() != null && n.getLabels().getOrDefault(PROJECT, "").startsWith(prefix))
        .forEach(n -> {
          try {
            docker.removeNetworkCmd(n.getId()).exec();
          } catch (Exception ignored) {
            // in use or gone
          }
        });
  }

  /** Runs a shell command (docker CLI and friends) and returns its output; fails on a non-zero exit. */
  public static String sh(String command) {
    try {
      Process p = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + command);
      }
      if (p.exitValue() != 0) throw new IllegalStateException("exit " + p.exitValue() + ": " + command + "\n" + out);
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws IOException {
    docker.close();
  }
}
