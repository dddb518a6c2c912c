package dev.dockup.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Stand-ins for the {@code trivy} and {@code grype} CLIs (neither can be installed here): shell
 * scripts in {@code bin/} that answer their version and, for an image, print the report the test
 * put in {@code fix/} under the image's id (asked of the engine, as the real scanners read images)
 * or its digest, or fail, hang or take their time as told. Each run is logged with its arguments
 * and what it found in its environment.
 */
final class ScanStandIns {
  final Path bin;
  final Path fix;

  private static final String SCRIPT = """
      #!/bin/sh
      FIX='@FIX@'
      case "$1" in
        --version) echo "Version: 0.99.0"; exit 0 ;;
        version) printf 'Application:   grype\\nVersion:       0.74.7\\n'; exit 0 ;;
      esac
      # trivy image … <image>; grype <image> -o json
      if [ '@NAME@' = grype ]; then img="$1"; else for a in "$@"; do img="$a"; done; fi
      echo "run @NAME@ $* | token=${TRIVY_TOKEN:-none} password=${DOCKUP_PASSWORD:-none}" >> "$FIX/runs.log"
      id=$(docker image inspect --format '{{.Id}}' "$img" 2>/dev/null)
      for k in "$id" "${img#*@}"; do
        [ -n "$k" ] || continue
        f="$FIX/$(printf '%s' "$k" | tr ':/' '__')"
        if [ -e "$f.json" ] || [ -e "$f.fail" ] || [ -e "$f.hang" ]; then
          if [ -e "$f.slow" ]; then sleep "$(cat "$f.slow")"; fi
          if [ -e "$f.hang" ]; then sleep 600 & echo $! > "$FIX/hang.pids"; echo $$ >> "$FIX/hang.pids"; wait; fi
          if [ -e "$f.fail" ]; then cat "$f.fail" >&2; exit 1; fi
          cat "$f.json"
          echo "end @NAME@ $img" >> "$FIX/runs.log"
          exit 0
        fi
      done
      echo "FATAL no report for $img" >&2
      exit 2
      """;

  ScanStandIns(Path dir, String... names) throws IOException {
    bin = Files.createDirectories(dir.resolve("bin"));
    fix = Files.createDirectories(dir.resolve("fix"));
    for (String name : names) {
      Path exe = bin.resolve(name);
      Files.writeString(exe, SCRIPT.replace("@FIX@", fix.toString()).replace("@NAME@", name));
      Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  /** The PATH a DockUp started with it gets: the stand-ins first. */
  String path() {
    return bin + ":" + System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
  }

  private Path file(String key, String kind) {
    return fix.resolve(key.replace(':', '_').replace('/', '_') + "." + kind);
  }

  /** The report printed for an image id or digest: one of src/test/resources/scan. */
  ScanStandIns report(String key, String resource) throws IOException {
    try (InputStream in = ScanStandIns.class.getResourceAsStream("/scan/" + resource)) {
      Files.write(file(key, "json"), in.readAllBytes());
    }
    return this;
  }

  ScanStandIns reportText(String key, String json) throws IOException {
    Files.writeString(file(key, "json"), json);
    return this;
  }

  ScanStandIns slow(String key, int seconds) throws IOException {
    Files.writeString(file(key, "slow"), Integer.toString(seconds));
    return this;
  }

  ScanStandIns fail(String key, String stderr) throws IOException {
    Files.writeString(file(key, "fail"), stderr);
    return this;
  }

  ScanStandIns hang(String key) throws IOException {
    Files.writeString(file(key, "hang"), "");
    return this;
  }

  /** Every logged run ({@code run <name> <args> | token=… password=…}). */
  List<String> runs() throws IOException {
    Path log = fix.resolve("runs.log");
    return Files.exists(log) ? Files.readAllLines(log).stream().filter(l -> l.startsWith("run ")).toList() : List.of();
  }

  List<String> log() throws IOException {
    Path log = fix.resolve("runs.log");
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  List<Long> hangPids() throws IOException {
    Path pids = fix.resolve("hang.pids");
    return Files.exists(pids) ? Files.readAllLines(pids).stream().map(String::trim).filter(s -> !s.isEmpty()).map(Long::parseLong).toList()
        : List.of();
  }
}
