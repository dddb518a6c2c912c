#!/bin/bash
# The image's entry point: starts DockUp as an unprivileged user that can still reach the engine.
# The container starts as root only to read the group of the mounted Docker socket; then
# setpriv (util-linux) drops to DOCKUP_UID:DOCKUP_GID (default 1000:1000, the image's `dockup`
# user) with that group added and no capabilities, and execs the JVM. That user must be able to
# write STACKS_DIR and DATA_DIR (chown the host's stacks folder, or set DOCKUP_UID to its owner);
# where it cannot, DockUp keeps running as root and the log says why. Started with `--user`,
# DockUp runs as that user as it is.
set -euo pipefail

run=(java @/app/conf/jvm.options -XX:SharedArchiveFile=/app/dockup.jsa -jar /app/dockup.jar "$@")
say() { printf '[entrypoint] %s\n' "$*" >&2; }

if [ "$(id -u)" != 0 ]; then exec "${run[@]}"; fi

uid=${DOCKUP_UID:-1000}
gid=${DOCKUP_GID:-1000}
stacks=${STACKS_DIR:-/opt/stacks}
data=${DATA_DIR:-/app/data}
if ! [[ $uid =~ ^[0-9]+$ && $gid =~ ^[0-9]+$ ]]; then
  say "DOCKUP_UID and DOCKUP_GID must be numbers"; exit 64
fi
if [ "$uid" = 0 ]; then
  say "running as root: DOCKUP_UID=0"; exec "${run[@]}"
fi

# The engine's socket: its group joins the user's groups, whatever its number (a socket that
# only root's group may use is reached through gid 0; that grants nothing the socket itself
# does not already give: whoever holds it commands the engine).
groups=$gid
socket=${DOCKER_HOST:-unix:///var/run/docker.sock}
if [[ $socket == unix://* ]]; then
  socket=${socket#unix://}
  if [ -S "$socket" ]; then
    groups="$groups,$(stat -c %g "$socket")"
  else
    say "no socket at $socket: DockUp will wait for the engine"
  fi
fi

# A fresh DATA_DIR (an empty bind-mounted folder, or a missing one) becomes the user's.
mkdir -p "$data"
if [ -z "$(ls -A "$data")" ]; then chown "$uid:$gid" "$data"; chmod 0700 "$data"; fi
# The compose CLI's home (registry credentials in ~/.docker/config.json).
home=/home/dockup
[ "$uid" = 1000 ] || chown "$uid:$gid" "$home"

as_user=(setpriv --reuid="$uid" --regid="$gid" --groups="$groups" --inh-caps=-all --no-new-privs)
for dir in "$stacks" "$data"; do
  if [ -d "$dir" ] && ! "${as_user[@]}" test -w "$dir" -a -x "$dir"; then
    say "running as root: $dir is not writable by uid $uid (chown it to $uid:$gid, or set DOCKUP_UID/DOCKUP_GID to its owner)"
    exec "${run[@]}"
  fi
done
export HOME=$home USER=dockup
exec "${as_user[@]}" "${run[@]}"
