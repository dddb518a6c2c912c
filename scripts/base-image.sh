#!/usr/bin/env bash
# Makes the local base image the container image test builds on (no image registry is reachable
# here, Debian's packages are): a minimal Debian 12 from debootstrap, docker-imported as
# dockup-test/debian:bookworm. Idempotent and cached: nothing to do when the image exists; the
# root filesystem's tarball is kept in $DOCKUP_TEST_CACHE so a fresh engine re-imports it in
# seconds instead of bootstrapping again. Run as root (debootstrap).
# Exit codes: 0 ready; 3 Debian's packages cannot be reached (the reason on stderr, which the
# image test turns into a skip); anything else is a failure.
set -euo pipefail

IMAGE=${DOCKUP_TEST_BASE_IMAGE:-dockup-test/debian:bookworm}
CACHE=${DOCKUP_TEST_CACHE:-/var/cache/dockup-test}
TARBALL="$CACHE/debian-bookworm-minbase.tar"
log() { printf '[base-image] %s\n' "$*" >&2; }
unreachable() { printf '%s\n' "$*" >&2; exit 3; }

if docker image inspect "$IMAGE" >/dev/null 2>&1; then exit 0; fi

if [ ! -s "$TARBALL" ]; then
  # DOCKUP_TEST_DEBIAN_MIRROR, or the mirror apt already uses on this machine (deb822 sources
  # first, then the one-line form).
  mirror=${DOCKUP_TEST_DEBIAN_MIRROR:-}
  [ -n "$mirror" ] || mirror=$(grep -hoE '^URIs: *\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  [ -n "$mirror" ] || mirror=$(grep -hoE '^deb +\S+' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | head -n1 || true)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  # Tell "Debian is out of reach" (a skip) apart from a broken bootstrap (a failure).
  if ! err=$(curl -sS -f -o /dev/null --max-time 30 "$mirror/dists/bookworm/Release" 2>&1); then
    unreachable "Debian's packages cannot be reached at $mirror: $err"
  fi
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null 2>&1; then
      apt-get update -qq >/dev/null 2>&1 || unreachable "apt cannot update its lists to install debootstrap"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    fi
  fi
  mkdir -p "$CACHE"
  root=$(mktemp -d "$CACHE/root.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  log "debootstrap --variant=minbase bookworm from $mirror (a few minutes, once)"
  if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$CACHE/debootstrap.log" 2>&1; then
    if grep -qiE 'Failed getting release file|Couldn.t download|unable to (fetch|resolve)|Temporary failure resolving' "$CACHE/debootstrap.log"; then
      unreachable "debootstrap could not download Debian's packages from $mirror (see $CACHE/debootstrap.log)"
    fi
    log "debootstrap failed:"; tail -n 20 "$CACHE/debootstrap.log" >&2; exit 1
  fi
  # Downloaded .debs and apt lists only make the image bigger; the Dockerfile updates its lists.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/tmp/*
  tar -C "$root" -c . > "$TARBALL.part"
  mv "$TARBALL.part" "$TARBALL"
fi

log "importing $TARBALL as $IMAGE"
docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'CMD ["bash"]' "$TARBALL" "$IMAGE" >/dev/null
