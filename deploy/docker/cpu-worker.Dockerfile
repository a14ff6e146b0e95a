# syntax=docker/dockerfile:1.7
# Framesmith CPU worker: image and GIF activities on TASK_QUEUE_CPU (sharp, gifski, our
# minimal ffmpeg), /healthz /readyz /metrics on METRICS_PORT.
#
# Build with the repository root as context:
#   docker build -f deploy/docker/cpu-worker.Dockerfile -t framesmith-cpu-worker:0.1.0 .
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
# sharp and gifski come with prebuilt linux-x64 binaries (optional dependencies): keep them.
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --workspace=@framesmith/worker-cpu --include-workspace-root \
 && node --input-type=module -e "await import('sharp')"

# ---- Framesmith's minimal ffmpeg: scripts/gpu-kit/ffmpeg-configure.txt on Debian's source --
# The same build as `npm run gpu:kit` and CI (the same script and flags); libraries static,
# glibc dynamic, so it runs on this bookworm base. deploy/README.md lists what it leaves out.
FROM ${NODE_IMAGE} AS ffmpeg
COPY scripts/gpu-kit/build-ffmpeg.sh scripts/gpu-kit/ffmpeg-configure.txt /src/
RUN FFMPEG_BUILD_JOBS="$(nproc)" bash /src/build-ffmpeg.sh /opt/ffmpeg

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
COPY --from=ffmpeg /opt/ffmpeg/bin/ffmpeg /opt/ffmpeg/bin/ffprobe /usr/local/bin/
COPY scripts/gpu-kit/ffmpeg-configure.txt /usr/local/share/framesmith/ffmpeg-configure.txt
# The binary must be the recorded configuration, and carry what the workers use.
RUN ffmpeg -hide_banner -buildconf | sed -n "s/^ *\(--.*\)/\1/p" | tr -d "'" | diff - /usr/local/share/framesmith/ffmpeg-configure.txt \
 && ffmpeg -hide_banner -encoders | grep -q ' libx264 ' \
 && ffprobe -hide_banner -version | head -n 1
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    METRICS_PORT=9464 \
    HWACCEL=disable
COPY --from=deps /app ./
COPY --from=build /app/lib/core/dist lib/core/dist
COPY --from=build /app/lib/worker-kit/dist lib/worker-kit/dist
COPY --from=build /app/workers/cpu/dist workers/cpu/dist
USER 10001:10001
EXPOSE 9464
# tini forwards SIGTERM to node (drain) and reaps ffmpeg/gifski orphans.
ENTRYPOINT ["/usr/bin/tini", "--"]
# framesmith-dist: the workspace packages resolve to their dist/ (their default export is
# src/, which the image does not carry).
CMD ["node", "--conditions=framesmith-dist", "workers/cpu/dist/main.js"]
