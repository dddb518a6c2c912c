# DockUp in a container. Build the jar first, then the image, from the repository's root:
#   mvn -B -ntp -DskipTests -DskipITs package
#   docker build -t dockup .
# Without a reachable image registry (as the tests build it): make a local Debian 12 base with
# scripts/base-image.sh, then
#   docker build --network host --build-arg BASE=dockup-test/debian:bookworm -t dockup .
# (--network host: the package installs below need the network, and an engine may have no
# default bridge.)
#
# The compose CLI runs inside the container against the host's engine, so STACKS_DIR must be
# mounted at the same path inside and outside: relative bind mounts in compose files resolve
# to host paths.
ARG BASE=debian:bookworm-slim

# The Docker CLI and the compose v2 plugin, unpacked from Debian's own packages and copied into
# the final stage alone: no apt lists, no .debs, no daemon left behind.
FROM ${BASE} AS tools
WORKDIR /tmp/tools
# Debian 12 has no CLI-only package (its docker.io ships dockerd, containerd and runc too, about
# 150 MB installed, and a 20.10 client that engines from 29 on refuse); Debian 13 has
# docker-cli (26.1) and compose v2. Both are fetched with a scratch apt configuration that reuses
# the base's own mirror and keyring, as scripts/test-env.sh installs compose on a test machine,
# and unpacked, not installed: Go binaries that need only libc >= 2.34, which bookworm has.
RUN set -eu; \
    mirror=$(grep -hoE '^URIs: *\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true); \
    [ -n "$mirror" ] || mirror=$(grep -hoE '^deb +\S+' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -n1); \
    mkdir -p lists/partial etc/sources.list.d etc/preferences.d; \
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" > etc/sources.list; \
    set -- -o Dir::Etc="$PWD/etc" -o Dir::Etc::sourcelist="$PWD/etc/sources.list" \
        -o Dir::Etc::sourceparts="$PWD/etc/sources.list.d" -o Dir::Etc::preferencesparts="$PWD/etc/preferences.d" \
        -o Dir::State::Lists="$PWD/lists" -o APT::Get::List-Cleanup=0; \
    apt-get "$@" update -qq; \
    apt-get "$@" download -qq docker-cli docker-compose; \
    dpkg-deb -x docker-cli_*.deb cli; \
    dpkg-deb -x docker-compose_*.deb compose; \
    install -D -m 0755 cli/usr/bin/docker /out/usr/bin/docker; \
    install -D -m 0755 compose/usr/libexec/docker/cli-plugins/docker-compose /out/usr/libexec/docker/cli-plugins/docker-compose

# Everything but the jar: the part that changes least, built (and cached) on its own. The image
# test tags it, so removing the image it built keeps these layers for the next run.
FROM ${BASE} AS runtime
# A headless JRE, CA roots for registries and webhooks, and tini to reap the compose CLI's
# children (DockUp's JVM is not an init). setpriv (util-linux) and bash are already in the base.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      openjdk-17-jre-headless ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
COPY --from=tools /out/ /
# The unprivileged user DockUp runs as (uid/gid 1000 unless DOCKUP_UID/DOCKUP_GID say otherwise);
# the socket's group is added at start by docker/entrypoint.sh, since only the mounted socket knows it.
RUN groupadd --gid 1000 dockup \
 && useradd --uid 1000 --gid 1000 --home-dir /home/dockup --create-home --shell /usr/sbin/nologin dockup \
 && mkdir -p /opt/stacks /app/data \
 && chown dockup:dockup /opt/stacks /app/data \
 && chmod 0700 /app/data
WORKDIR /app
COPY conf/config.json conf/jvm.options /app/conf/
COPY docker/entrypoint.sh docker/healthcheck.sh /app/
ENV STACKS_DIR=/opt/stacks DATA_DIR=/app/data PORT=5000
EXPOSE 5000
# Mount the host's stacks folder here at the same path (or elsewhere, with STACKS_DIR set to that
# path); DATA_DIR holds the password hash, keys, settings and history: keep it on a named volume.
VOLUME ["/opt/stacks", "/app/data"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD ["/app/healthcheck.sh"]
# A container's host name changes on every recreate: set DOCKUP_NODE_NAME explicitly, e.g.
#   docker run -d --name dockup -p 5000:5000 -e DOCKUP_NODE_NAME=homeserver \
#     -v /var/run/docker.sock:/var/run/docker.sock -v /opt/stacks:/opt/stacks -v dockup-data:/app/data dockup
# JVM flags for small hosts: conf/jvm.options (serial GC, a heap that starts small, 512 KiB
# stacks), with the class-data archive made below (/app/dockup.jsa) instead of the build
# machine's, which only serves the JDK that made it.
ENTRYPOINT ["/usr/bin/tini", "--", "/app/entrypoint.sh"]

FROM runtime
# Built by Maven first (mvn package); a code change rebuilds only this layer.
COPY target/dockup.jar /app/dockup.jar
# Class-data sharing: a training start of this jar with this image's JDK (as `mvn package` does
# on the build machine; no engine needed) archives the classes a start and a dashboard's first
# visit load, which halves the start-up CPU.
RUN mkdir -p /tmp/cds/stacks /tmp/cds/data \
 && PORT=0 HOST=127.0.0.1 STACKS_DIR=/tmp/cds/stacks DATA_DIR=/tmp/cds/data DOCKUP_NODE_NAME=cds-training \
    DOCKUP_CONFIG=/tmp/cds/none.json DOCKUP_LOG_LEVEL=WARN DOCKUP_PASSWORD=cds-training-only \
    java -XX:ArchiveClassesAtExit=/app/dockup.jsa -Xlog:cds=error -Xlog:cds+dynamic=error -XX:+UseSerialGC \
      -jar /app/dockup.jar --cds-training \
 && rm -rf /tmp/cds && chmod 0644 /app/dockup.jsa
