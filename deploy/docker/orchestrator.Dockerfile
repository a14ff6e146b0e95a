# syntax=docker/dockerfile:1.7
# Framesmith orchestrator: Temporal workflow worker on TASK_QUEUE_ORCHESTRATION, with
# /healthz /readyz /metrics on METRICS_PORT.
#
# Build with the repository root as context:
#   docker build -f deploy/docker/orchestrator.Dockerfile -t framesmith-orchestrator:0.1.0 .
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- production dependencies of this workspace only ------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# The lockfile names every workspace, so npm ci needs each package.json, not only ours.
COPY package.json package-lock.json ./
COPY lib/core/package.json lib/core/package.json
COPY lib/worker-kit/package.json lib/worker-kit/package.json
COPY services/gateway/package.json services/gateway/package.json
COPY services/orchestrator/package.json services/orchestrator/package.json
COPY workers/cpu/package.json workers/cpu/package.json
COPY workers/gpu/package.json workers/gpu/package.json
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --workspace=@framesmith/orchestrator --include-workspace-root

# ---- build: the compiled JavaScript (npm run build: tsc to each workspace's dist/, and the
# orchestrator's prebuilt workflow bundle). The same stage in all four Dockerfiles, so BuildKit
# builds it once for all of them; only dist/ leaves it.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
COPY lib/core/package.json lib/core/package.json
COPY lib/worker-kit/package.json lib/worker-kit/package.json
COPY services/gateway/package.json services/gateway/package.json
COPY services/orchestrator/package.json services/orchestrator/package.json
COPY workers/cpu/package.json workers/cpu/package.json
COPY workers/gpu/package.json workers/gpu/package.json
RUN --mount=type=cache,target=/root/.npm,sharing=locked npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/build-workflow-bundle.mjs scripts/
COPY lib lib
COPY services services
COPY workers workers
# Declarations and build info serve only the build.
RUN npm run build \
 && find lib services workers -path '*/dist/*' \( -name '*.d.ts' -o -name '.tsbuildinfo' \) -delete

# ---- runtime ----------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 framesmith \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin framesmith
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    METRICS_PORT=9464
COPY --from=deps /app ./
COPY --from=build /app/lib/core/dist lib/core/dist
COPY --from=build /app/lib/worker-kit/dist lib/worker-kit/dist
COPY --from=build /app/services/orchestrator/dist services/orchestrator/dist
USER 10001:10001
EXPOSE 9464
ENTRYPOINT ["/usr/bin/tini", "--"]
# framesmith-dist: the workspace packages resolve to their dist/ (their default export is
# src/, which the image does not carry).
CMD ["node", "--conditions=framesmith-dist", "services/orchestrator/dist/main.js"]
