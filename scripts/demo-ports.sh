#!/usr/bin/env bash
# The README's main job, until `deploy` lands: take a checkout at release
# 0.8.7, register release 0.8.8 with `ports bump`, show the one-block diff it
# makes, and prove with `ports check` that no stale port is left behind.
# Works in a temporary git repository; changes nothing here.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

jobmon_ops() {
  printf '\n\033[1m$ jobmon-ops %s\033[0m\n' "$*"
  node "$root/bin/jobmon-ops.js" "$@"
}

cd "$work"
git init -q
mkdir docs
cp "$root/ports.json" ports.json
cp "$root/docs/quickstart.md" docs/quickstart.md
git add -A
git -c user.name=demo -c user.email=demo@localhost commit -qm 'release 0.8.7'

jobmon_ops ports list --host jobmon-docker-cont-p01
jobmon_ops ports show 3870
jobmon_ops ports bump release-0.8.8
printf '\n\033[1m$ git diff --stat\033[0m\n'
git --no-pager diff --stat
jobmon_ops ports check

printf '\n# someone pastes the old DB port into a new doc:\n'
echo 'Connect with: mysql -h jobmon-docker-cont-p01 -P 3870 -u read_only' > docs/howto.md
git add docs/howto.md
if jobmon_ops ports check; then
  echo 'expected ports check to find the stale port' >&2
  exit 1
fi
printf '\nports check exited 1, as a CI gate should.\n'
