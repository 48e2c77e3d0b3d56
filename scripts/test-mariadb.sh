#!/usr/bin/env bash
# Starts the dedicated MariaDB instance the test suite uses (127.0.0.1:33306)
# and ensures its admin account. Idempotent; run as root with no stdin.
# It is not the system service: its own datadir, socket, port and log, so it
# never touches (or depends on) a MariaDB the machine may run for other work.
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin" # mariadbd lives in /usr/sbin
cd "$(dirname "$0")/.."

datadir=/var/lib/jobmon-test-mariadb
rundir=/run/jobmon-test-mariadb
socket=$rundir/mysqld.sock
pidfile=$rundir/mysqld.pid
logfile=/var/log/jobmon-test-mariadb.log
port=33306

if ! command -v mariadbd >/dev/null 2>&1; then
  . scripts/lib/apt-install.sh
  apt_install "the test database server and its clients, about 30 s" mariadb-server
fi

# `ping` exits 0 whenever the server answers, even before any login works.
answers() { mariadb-admin --no-defaults --socket="$socket" --connect-timeout=2 ping >/dev/null 2>&1; }

if ! answers; then
  install -d -o mysql -g mysql -m 0755 "$rundir"
  install -d -o mysql -g mysql -m 0750 "$datadir"
  if [ -z "$(ls -A "$datadir")" ]; then
    # --skip-test-db: no anonymous users and no wildcard grants on test_%,
    # which would shadow the accounts the tests create.
    mariadb-install-db --no-defaults --user=mysql --datadir="$datadir" \
      --auth-root-authentication-method=socket --skip-test-db >>"$logfile" 2>&1
  fi
  # --no-defaults: /etc/mysql belongs to the system service, not to us.
  # skip-name-resolve: 127.0.0.1 stays 127.0.0.1 when matching accounts.
  setsid mariadbd --no-defaults --user=mysql --datadir="$datadir" \
    --port="$port" --bind-address=127.0.0.1 --socket="$socket" --pid-file="$pidfile" \
    --log-error="$logfile" --default-time-zone='+00:00' \
    --innodb-flush-log-at-trx-commit=1 --max-connections=500 --skip-name-resolve \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    </dev/null >>"$logfile" 2>&1 &
  for _ in $(seq 1 120); do
    answers && break
    sleep 0.5
  done
  if ! answers; then
    echo "MariaDB test instance did not start within 60 s; see $logfile" >&2
    tail -n 20 "$logfile" >&2 || true
    exit 1
  fi
fi

# The password travels on stdin, never on a command line (ps would show it).
mariadb --no-defaults --socket="$socket" --user=root <<'SQL'
CREATE USER IF NOT EXISTS 'jobmon_admin'@'127.0.0.1' IDENTIFIED BY 'jobmon-test-admin';
CREATE USER IF NOT EXISTS 'jobmon_admin'@'localhost' IDENTIFIED BY 'jobmon-test-admin';
ALTER USER 'jobmon_admin'@'127.0.0.1' IDENTIFIED BY 'jobmon-test-admin';
ALTER USER 'jobmon_admin'@'localhost' IDENTIFIED BY 'jobmon-test-admin';
GRANT ALL PRIVILEGES ON *.* TO 'jobmon_admin'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'jobmon_admin'@'localhost' WITH GRANT OPTION;
SQL

echo "MariaDB test instance ready on 127.0.0.1:$port (socket $socket, log $logfile)"
