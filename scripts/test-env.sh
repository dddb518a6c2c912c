#!/usr/bin/env bash
# Prepares a Debian 12 machine (as root) for DockUp's integration tests, idempotently:
# Docker engine + compose v1 and v2, busybox test images, a loopback registry, Chromium, and the
# local Debian base image the container image test builds on.
# Safe to run again: each step checks first and does nothing when already done.
set -euo pipefail

STATE=${DOCKUP_TEST_STATE:-/var/lib/dockup-test}
REGISTRY_PORT=${DOCKUP_TEST_REGISTRY_PORT:-5555}
mkdir -p "$STATE"
log() { printf '[test-env] %s\n' "$*"; }

need_pkgs=()
for p in docker.io docker-compose busybox-static docker-registry chromium iproute2 curl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# Compose v2 as a CLI plugin, taken from Debian 13's archive without replacing v1 (STACK.md).
PLUGIN=/usr/local/lib/docker/cli-plugins/docker-compose
if [ ! -x "$PLUGIN" ]; then
  log "installing compose v2 plugin from trixie"
  mirror=$(grep -hoE '^URIs: *\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1)
  [ -n "$mirror" ] || mirror=$(grep -hoE '^deb +\S+' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -n1)
  scratch=$(mktemp -d)
  mkdir -p "$scratch/lists/partial" "$scratch/archives/partial" "$scratch/etc/sources.list.d" "$scratch/etc/preferences.d"
  echo "deb [trusted=yes] $mirror trixie main" > "$scratch/etc/sources.list"
  opts=(-o Dir::Etc="$scratch/etc" -o Dir::Etc::sourcelist="$scratch/etc/sources.list"
        -o Dir::Etc::sourceparts="$scratch/etc/sources.list.d" -o Dir::State::Lists="$scratch/lists"
        -o Dir::Cache::Archives="$scratch/archives" -o Dir::Etc::preferencesparts="$scratch/etc/preferences.d"
        -o APT::Get::List-Cleanup=0)
  apt-get "${opts[@]}" update -qq
  (cd "$scratch" && apt-get "${opts[@]}" download docker-compose >/dev/null)
  dpkg-deb -x "$scratch"/docker-compose_*.deb "$scratch/x"
  mkdir -p "$(dirname "$PLUGIN")"
  install -m 0755 "$scratch/x/usr/libexec/docker/cli-plugins/docker-compose" "$PLUGIN"
  rm -rf "$scratch"
fi

# The shared engine. Own address pool: compose makes a network per project (DESIGN.md, Tests).
if ! docker info >/dev/null 2>&1; then
  log "starting dockerd"
  mkdir -p /var/log
  # A session of its own: ending the caller's job (a CI step, a shell) must not take the engine along.
  setsid -f dockerd --default-address-pool base=10.222.0.0/16,size=24 >/var/log/dockerd-test.log 2>&1 </dev/null
  for i in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { log "dockerd did not start"; tail -n 30 /var/log/dockerd-test.log; exit 1; }
fi

# Test images: a root filesystem from busybox-static, imported (no registry to pull from).
make_image() { # name applets...
  local name=$1; shift
  if docker image inspect "$name" >/dev/null 2>&1; then return; fi
  log "building image $name"
  local root; root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/www" "$root/etc"
  cp /bin/busybox "$root/bin/busybox"
  for a in "$@"; do ln -s busybox "$root/bin/$a"; done
  echo 'root:x:0:0:root:/:/bin/sh' > "$root/etc/passwd"
  echo "dockup test image $name" > "$root/www/index.html"
  tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["sleep","3600"]' - "$name" >/dev/null
  rm -rf "$root"
}
APPLETS="sh sleep echo cat httpd ls date true false wget env kill ps printf seq test [ grep head tail"
make_image dockup-test/busybox:1 $APPLETS
# A second, different image (extra file) so digests differ for update and pull tests.
if ! docker image inspect dockup-test/busybox:2 >/dev/null 2>&1; then
  root=$(mktemp -d); mkdir -p "$root/bin" "$root/tmp" "$root/www" "$root/etc"
  cp /bin/busybox "$root/bin/busybox"; for a in $APPLETS; do ln -s busybox "$root/bin/$a"; done
  echo 'root:x:0:0:root:/:/bin/sh' > "$root/etc/passwd"; echo v2 > "$root/VERSION"
  tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["sleep","3600"]' - dockup-test/busybox:2 >/dev/null
  rm -rf "$root"
fi

# Loopback registry (Debian's docker-registry with our own config: loopback only, deletes on).
if ! curl -sf "http://127.0.0.1:$REGISTRY_PORT/v2/" >/dev/null 2>&1; then
  log "starting registry on 127.0.0.1:$REGISTRY_PORT"
  mkdir -p "$STATE/registry"
  cat > "$STATE/registry.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$REGISTRY_PORT
YML
  setsid -f docker-registry serve "$STATE/registry.yml" >/var/log/dockup-registry.log 2>&1 </dev/null
  for i in $(seq 1 40); do curl -sf "http://127.0.0.1:$REGISTRY_PORT/v2/" >/dev/null && break; sleep 0.25; done
  curl -sf "http://127.0.0.1:$REGISTRY_PORT/v2/" >/dev/null || { log "registry did not start"; exit 1; }
fi
# Seed it with the test image so pull tests have something to pull.
if ! curl -sf "http://127.0.0.1:$REGISTRY_PORT/v2/dockup-test/busybox/manifests/1" \
     -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null; then
  docker tag dockup-test/busybox:1 "127.0.0.1:$REGISTRY_PORT/dockup-test/busybox:1"
  docker push -q "127.0.0.1:$REGISTRY_PORT/dockup-test/busybox:1" >/dev/null
fi
# The image test's base (a debootstrapped Debian 12, imported and cached; scripts/base-image.sh,
# which installs debootstrap itself). Out of reach of Debian's packages, the image test is
# skipped and says why: not a setup failure.
base_rc=0
bash "$(dirname "$0")/base-image.sh" || base_rc=$?
case $base_rc in
  0) ;;
  3) log "no base image for the image test (Debian's packages are out of reach): ImageIT will be skipped" ;;
  *) exit "$base_rc" ;;
esac
log "ready: $(docker version -f '{{.Server.Version}}' 2>/dev/null), compose v2 $($PLUGIN version --short 2>/dev/null), v1 $(docker-compose version --short 2>/dev/null), registry 127.0.0.1:$REGISTRY_PORT"
