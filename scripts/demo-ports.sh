#!/usr/bin/env bash
# A tour of the port registry: take a copy of this checkout's registry, register
# the release after its newest one with `ports bump`, show the one-block diff it
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
git -c user.name=demo -c user.email=demo@localhost commit -qm 'the registry as it is'

# The host's newest server release, its DB port, and the release after it
# (read from the registry, so the tour stays true after the next real bump).
read -r current db next < <(node -e '
const registry = JSON.parse(require("fs").readFileSync("ports.json", "utf8"));
const newest = registry.hosts["jobmon-docker-cont-p01"].releases
  .filter((r) => /^release-\d+\.\d+\.\d+$/.test(r.tag ?? "") && r.server === undefined)
  .at(-1);
const [major, minor, patch] = newest.tag.slice("release-".length).split(".").map(Number);
const following = patch < 9 ? `${major}.${minor}.${patch + 1}` : `${major}.${minor + 1}.0`;
console.log(newest.tag, newest.db, `release-${following}`);
')

jobmon_ops ports list --host jobmon-docker-cont-p01
jobmon_ops ports show "$db"
jobmon_ops ports bump "$next"
printf '\n\033[1m$ git diff --stat\033[0m\n'
git --no-pager diff --stat
jobmon_ops ports check

printf '\n# someone pastes the DB port of %s into a new doc:\n' "$current"
echo "Connect with: mysql -h jobmon-docker-cont-p01 -P $db -u read_only" > docs/howto.md
git add docs/howto.md
if jobmon_ops ports check; then
  echo 'expected ports check to find the stale port' >&2
  exit 1
fi
printf '\nports check exited 1, as a CI gate should.\n'
