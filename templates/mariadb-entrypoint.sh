#!/bin/sh
# Entry point of the Jobmon database image (templates/mariadb.Dockerfile).
# First start (an empty /var/lib/mysql volume): makes the data directory with
# no anonymous accounts and no test database, sets the root password from
# MARIADB_ROOT_PASSWORD for root@localhost and root@'127.0.0.1' only (root
# logs in from this container and its network namespace, never from another
# machine), creates MARIADB_DATABASE (default docker). Later starts leave the
# accounts alone: the volume keeps the password. Then runs mariadbd in the
# foreground.
# The password reaches the server only as SQL on stdin, never on a command line.
set -eu

datadir=/var/lib/mysql
marker="$datadir/.jobmon-initialising"
database="${MARIADB_DATABASE:-docker}"

say() { echo "jobmon-mariadb: $*" >&2; }

case "$database" in
  *[!A-Za-z0-9_]* | '') say "MARIADB_DATABASE must be letters, digits and _"; exit 2 ;;
esac

# As root (the container's start): give the server's folders to mysql, then
# run the rest of this script as mysql. Root needs only CHOWN, SETUID and
# SETGID for that (the deploy drops every other capability); from then on the
# processes hold none, and the data directory is reached as its owner.
if [ "$(id -u)" = 0 ]; then
  install -d -o mysql -g mysql -m 0755 /run/mysqld
  chown mysql:mysql "$datadir"
  exec setpriv --reuid=mysql --regid=mysql --init-groups /usr/local/bin/jobmon-mariadb-entrypoint "$@"
fi

# A first start that was cut short left the marker: its half-made data
# directory holds no data yet, so start over.
if [ -e "$marker" ]; then
  say "an earlier first start was interrupted; initialising again"
  find "$datadir" -mindepth 1 -delete
fi

if [ ! -d "$datadir/mysql" ]; then
  if [ -z "${MARIADB_ROOT_PASSWORD:-}" ]; then
    say "the data directory is empty and MARIADB_ROOT_PASSWORD is not set; set it to initialise the database"
    exit 2
  fi
  say "initialising an empty data directory"
  touch "$marker"
  mariadb-install-db --datadir="$datadir" --auth-root-authentication-method=socket --auth-root-socket-user=mysql \
    --skip-test-db --skip-name-resolve >/dev/null
  # A private socket and no network: nothing can connect, and the health
  # check (which pings the usual socket) stays unhealthy until the end.
  init_socket=/run/mysqld/init.sock
  mariadbd --datadir="$datadir" --skip-networking --socket="$init_socket" \
    --pid-file=/run/mysqld/init.pid --skip-name-resolve &
  init_pid=$!
  tries=0
  until mariadb-admin --no-defaults --protocol=socket --socket="$init_socket" --connect-timeout=2 ping >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -gt 120 ] || ! kill -0 "$init_pid" 2>/dev/null; then say "the first-start server did not come up"; exit 1; fi
    sleep 0.5
  done
  # SQL string literal: backslashes and quotes escaped.
  password=$(printf '%s' "$MARIADB_ROOT_PASSWORD" | sed -e 's/\\/\\\\/g' -e "s/'/\\\\'/g")
  mariadb --no-defaults --protocol=socket --socket="$init_socket" --user=mysql <<SQL
DELETE FROM mysql.global_priv WHERE User = '';
FLUSH PRIVILEGES;
ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('$password') OR unix_socket;
CREATE USER 'root'@'127.0.0.1' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
CREATE DATABASE IF NOT EXISTS \`$database\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
SQL
  unset password
  mariadb-admin --no-defaults --protocol=socket --socket="$init_socket" --user=mysql shutdown
  wait "$init_pid" || true
  rm -f "$marker"
  say "initialised: root password set, database $database created"
fi

# The password stays in the container's configuration (docker inspect), not
# in the server's environment.
unset MARIADB_ROOT_PASSWORD
exec mariadbd --datadir="$datadir" --bind-address=0.0.0.0 --port=3306 \
  --socket=/run/mysqld/mysqld.sock --pid-file=/run/mysqld/mysqld.pid \
  --skip-name-resolve --innodb-flush-log-at-trx-commit=1 --default-time-zone=+00:00 \
  --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci "$@"
