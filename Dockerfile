# Two images from one file, built from the repository root:
#   docker build -t companion .                            the server, the worker and the admin CLI
#                                                          (docker-compose.yml picks the command)
#   docker build --target web -t companion-web .           the web app (apps/web, Next.js)
#
# Stages: prune (only the packages the apps need, and their part of the lockfile) →
# build (dependencies from the lockfile before any source, so they stay cached while only
# code changes; then the tsdown bundles) → runtime (the bundles, the migrations, the demo
# media, and each app's production dependencies only: native argon2 and PGlite).
# The web app has its own three: web-prune → web-build (next build, `output: "standalone"`) →
# web (the traced server and its static files). `runtime` stays the last stage, so a build
# without --target still makes the API image.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS base
RUN npm install -g pnpm@10.34.9 turbo@2.11.11
WORKDIR /repo

FROM base AS prune
COPY . .
RUN turbo prune @companion/server @companion/worker @companion/admin --docker

FROM base AS build
# package.json files and the pruned lockfile first: this layer is reused until they change.
COPY --from=prune /repo/out/json/ .
RUN pnpm install --frozen-lockfile
COPY --from=prune /repo/out/full/ .
COPY drizzle ./drizzle
RUN turbo run build --only --filter=@companion/server --filter=@companion/worker --filter=@companion/admin
# Each app's `files` (dist, and the server's demo media) with its production dependencies.
RUN for app in server worker admin; do \
      pnpm --filter "@companion/${app}" deploy --prod --legacy "/app/apps/${app}"; \
    done \
 && cp -r drizzle /app/drizzle

FROM base AS web-prune
COPY . .
RUN turbo prune @companion/web --docker

FROM base AS web-build
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=web-prune /repo/out/json/ .
RUN pnpm install --frozen-lockfile
COPY --from=web-prune /repo/out/full/ .
# Builds @companion/client (its dist) first, then `next build`. No API address goes in here:
# the browser gets PUBLIC_API_URL from the running server on every page (src/lib/api-url.ts).
RUN turbo run build --filter=@companion/web
# The standalone output keeps the workspace layout (outputFileTracingRoot is the repository
# root): apps/web/server.js and the node_modules it traced. Next leaves the static files out of
# it on purpose; they go next to the server's .next.
RUN mkdir -p /web \
 && cp -a apps/web/.next/standalone/. /web/ \
 && cp -a apps/web/.next/static /web/apps/web/.next/static

FROM ${NODE_IMAGE} AS web
# HOSTNAME: the standalone server listens on it (Docker sets it to the container id otherwise).
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOSTNAME=0.0.0.0 \
    PORT=3001
WORKDIR /app
COPY --from=web-build --chown=node:node /web /app
USER node
EXPOSE 3001
HEALTHCHECK --interval=10s --timeout=3s --retries=10 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3001)+'/sign-in').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Runtime settings (docs/deploy.md, Docker): PUBLIC_API_URL (the API as browsers reach it),
# API_URL (the API as this server reaches it), MEDIA_ORIGINS (an S3 store's public origin).
CMD ["node", "apps/web/server.js"]

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=10 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself (it drains, then exits within
# SHUTDOWN_GRACE_MS). Run with `--init` (compose: `init: true`) to reap stray children.
# Worker: ["node", "apps/worker/dist/main.js"]; admin: ["node", "apps/admin/dist/main.js", "--help"].
CMD ["node", "apps/server/dist/main.js"]
