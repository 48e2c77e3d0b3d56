#!/usr/bin/env bash
# Gives the test suite a Docker engine on /var/run/docker.sock and the offline
# base image deploy builds FROM (jobmon-ops/bookworm:base). Idempotent; run as
# root with no stdin, from a checkout after `npm ci`.
# A clean machine has neither an engine nor a registry (see PLATFORM.md):
# this installs Debian's docker.io and debootstrap, starts dockerd if the
# socket does not answer, and makes the base image with `images bootstrap`,
# which does nothing when the engine has it already.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin" # dockerd and debootstrap live in /usr/sbin
cd "$(dirname "$0")/.."

socket=/var/run/docker.sock
logfile=/var/log/dockerd.log

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if ((${#missing[@]} > 0)); then
  . scripts/lib/apt-install.sh
  apt_install "the Docker engine and the base image's bootstrapper, about 30 s" "${missing[@]}"
fi

# The engine answers /_ping with 200 (node is there; curl may not be).
answers() {
  node -e "require('http').get({ socketPath: '$socket', path: '/_ping', timeout: 2000 }, (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))" 2>/dev/null
}

if ! answers; then
  setsid dockerd </dev/null >>"$logfile" 2>&1 &
  for _ in $(seq 1 120); do
    answers && break
    sleep 0.5
  done
  if ! answers; then
    echo "Docker engine did not start within 60 s; see $logfile" >&2
    tail -n 20 "$logfile" >&2 || true
    exit 1
  fi
fi

npm run build --silent
node bin/jobmon-ops.js images bootstrap
echo "Docker engine ready on $socket (log $logfile)"
