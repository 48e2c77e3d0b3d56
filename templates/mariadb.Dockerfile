# The Jobmon database image: Debian's MariaDB, initialised on first start by
# mariadb-entrypoint.sh. The base comes from a build argument (see
# server.Dockerfile); Debian's mirror is reached over plain HTTP.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}

ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8

# The package's own data directory is dropped: the entry point makes one in
# the volume, with no anonymous accounts and no test database.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends mariadb-server \
 && rm -rf /var/lib/apt/lists/* /var/lib/mysql \
 && install -d -o mysql -g mysql -m 0750 /var/lib/mysql \
 && install -d -o mysql -g mysql -m 0755 /run/mysqld

COPY mariadb-entrypoint.sh /usr/local/bin/jobmon-mariadb-entrypoint

VOLUME /var/lib/mysql
EXPOSE 3306

# `ping` answers without a password. The first-start server listens on
# another socket, so the check turns healthy only once the real server runs.
HEALTHCHECK --interval=3s --timeout=5s --start-period=120s --retries=5 \
  CMD ["mariadb-admin", "--protocol=socket", "--socket=/run/mysqld/mysqld.sock", "--connect-timeout=3", "ping"]

ENTRYPOINT ["jobmon-mariadb-entrypoint"]
