# Sourced by the set-up scripts: `apt_install "<what it is for, about N s>" pkg...`
# says what it installs and roughly how long before it starts, installs only
# what is missing without recommended extras, and keeps apt's and debconf's
# noise in a log that is shown only when the install fails.
apt_install() {
  local why=$1
  shift
  local log=/var/log/jobmon-ops-apt.log
  echo "installing $* ($why); apt's output goes to $log" >&2
  export DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a NEEDRESTART_SUSPEND=1
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"; } >>"$log" 2>&1; then
    echo "apt-get install $* failed; the end of $log:" >&2
    tail -n 20 "$log" >&2
    return 1
  fi
}
