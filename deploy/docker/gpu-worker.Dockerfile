# syntax=docker/dockerfile:1.7
# Framesmith GPU worker: video activities on TASK_QUEUE_GPU with ffmpeg NVDEC/NVENC,
# /healthz /readyz /metrics on METRICS_PORT.
#
# Runtime base: the same Debian bookworm Node image as the other services, with our minimal
# ffmpeg (scripts/gpu-kit/ffmpeg-configure.txt): nv-codec-headers give it the cuda/nvdec
# hwaccels, the h264/hevc _cuvid decoders, h264/hevc_nvenc and scale_cuda, all loading the
# driver's libcuda/libnvcuvid/libnvidia-encode at run time, which the NVIDIA container
# toolkit mounts into any image (NVIDIA_DRIVER_CAPABILITIES below). So no CUDA base image is
# needed; libx264 is the encoder on GPUs without NVENC (H100/H200). The build fails if this
# ffmpeg lacks NVENC, CUVID, the cuda hwaccel or libx264.
#
# Build with the repository root as context:
#   docker build -f deploy/docker/gpu-worker.Dockerfile -t framesmith-gpu-worker:0.1.0 .
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
    npm ci --omit=dev --workspace=@framesmith/worker-gpu --include-workspace-root

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
 && ffmpeg -hide_banner -encoders | grep -E ' (h264|hevc)_nvenc ' \
 && ffmpeg -hide_banner -decoders | grep -E ' (h264|hevc)_cuvid ' \
 && ffmpeg -hide_banner -filters | grep -q ' scale_cuda ' \
 && ffmpeg -hide_banner -hwaccels | grep -Ex 'cuda' \
 && ffprobe -hide_banner -version | head -n 1
WORKDIR /app
# "video" exposes NVENC/NVDEC to the container, "utility" nvidia-smi (GPU metrics).
ENV NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,video,utility \
    NODE_ENV=production \
    HOST=0.0.0.0 \
    METRICS_PORT=9464 \
    HWACCEL=required
COPY --from=deps /app ./
COPY --from=build /app/lib/core/dist lib/core/dist
COPY --from=build /app/lib/worker-kit/dist lib/worker-kit/dist
COPY --from=build /app/workers/gpu/dist workers/gpu/dist
USER 10001:10001
EXPOSE 9464
ENTRYPOINT ["/usr/bin/tini", "--"]
# framesmith-dist: the workspace packages resolve to their dist/ (their default export is
# src/, which the image does not carry).
CMD ["node", "--conditions=framesmith-dist", "workers/gpu/dist/main.js"]
