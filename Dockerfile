# One image per service, from one Dockerfile:
#   docker build --build-arg SERVICE=funding --build-arg PORT=3003 -t pass-numerique/funding .
# SERVICE is issuance, redemption, funding or reporting; PORT is the port it listens on
# (3001–3004 by convention, see README.md); both are kept in the image's environment.

ARG NODE_IMAGE=node:24-bookworm-slim

# --- build: every dependency, TypeScript compiled to dist/ (tsc + tsc-alias) ---
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Exactly the locked versions (the lock file holds every platform's optional binaries).
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY libs ./libs
COPY services ./services
COPY scripts ./scripts
RUN npm run build

# --- runtime: production dependencies and the compiled code of one service ---
FROM ${NODE_IMAGE} AS runtime
ARG SERVICE=issuance
ARG PORT=3001
RUN case "$SERVICE" in issuance|redemption|funding|reporting) ;; *) echo "SERVICE must be issuance, redemption, funding or reporting (got '$SERVICE')" >&2; exit 1 ;; esac
# A heap budget: V8 otherwise grows the heap far past what a service keeps alive (measured: under 200 MiB
# resident with it, over 300 without, at the same throughput; see bench/README.md).
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    PORT=${PORT} \
    HOST=0.0.0.0 \
    NODE_OPTIONS=--max-old-space-size=192
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# libs and scripts (dist/scripts/token.js mints development tokens) are shared; only this service's own code is copied.
COPY --from=build /app/dist/libs ./dist/libs
COPY --from=build /app/dist/scripts ./dist/scripts
COPY --from=build /app/dist/services/${SERVICE} ./dist/services/${SERVICE}
# .local/ holds development keys when no AUTH_PUBLIC_KEY* is given; owned by the unprivileged user so a volume mounted there is writable.
RUN mkdir -p /app/.local && chown node:node /app/.local
USER node
EXPOSE ${PORT}
# slim images have no curl: node's fetch probes the same /health as the orchestrator.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# sh replaces itself with node (exec), so SIGTERM reaches node, which stops gracefully.
CMD ["sh", "-c", "exec node dist/services/$SERVICE/src/main.js"]
