# syntax=docker/dockerfile:1.7
# Framesmith GPU worker: video activities on TASK_QUEUE_GPU with ffmpeg NVDEC/NVENC,
# /healthz /readyz /metrics on METRICS_PORT.
#
# Runtime base: NVIDIA's CUDA runtime image on Ubuntu 24.04 with Ubuntu's ffmpeg 6.1, which
# is built against nv-codec-headers (h264/hevc/av1 _nvenc encoders, _cuvid decoders, the
# cuda/nvdec hwaccels; the driver libraries come from the NVIDIA container toolkit at run
# time) and libx264 (the encoder on GPUs without NVENC, e.g. H100). Node 20 is copied from
# the official Node image. The build fails if this ffmpeg lacks NVENC, CUVID or libx264.
# To use another ffmpeg build (e.g. one with scale_npp), replace the apt-get line by a COPY
# from that image's stage and keep the checks.
#
# Build with the repository root as context:
#   docker build -f deploy/docker/gpu-worker.Dockerfile -t framesmith-gpu-worker:0.1.0 .
ARG NODE_IMAGE=node:20.20.2-bookworm-slim
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-runtime-ubuntu24.04

FROM ${NODE_IMAGE} AS node

# ---- production dependencies of this workspace only ------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# The lockfile names every workspace, so npm ci needs each package.json, not only ours.
COPY package.json package-lock.json ./
COPY lib/core/package.json lib/core/package.json
COPY services/gateway/package.json services/gateway/package.json
COPY services/orchestrator/package.json services/orchestrator/package.json
COPY workers/cpu/package.json workers/cpu/package.json
COPY workers/gpu/package.json workers/gpu/package.json
RUN --mount=type=cache,target=/root/.npm,sharing=locked \
    npm ci --omit=dev --workspace=@framesmith/worker-gpu --include-workspace-root

# ---- runtime ----------------------------------------------------------------------------
FROM ${CUDA_IMAGE} AS runtime
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg tini ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && ffmpeg -hide_banner -version | head -n 1 \
 && ffmpeg -hide_banner -encoders | grep -E ' (h264|hevc)_nvenc ' \
 && ffmpeg -hide_banner -encoders | grep -q ' libx264 ' \
 && ffmpeg -hide_banner -decoders | grep -E ' (h264|hevc)_cuvid ' \
 && ffmpeg -hide_banner -hwaccels | grep -Ex 'cuda' \
 && groupadd --system --gid 10001 framesmith \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin framesmith
# Node's official binary (glibc >= 2.28; Ubuntu 24.04 has 2.39). Native addons in
# node_modules were installed on Debian bookworm (glibc 2.36) and run here unchanged.
COPY --from=node /usr/local/bin/node /usr/local/bin/node
RUN node --version
WORKDIR /app
# "video" exposes NVENC/NVDEC to the container, "utility" nvidia-smi (GPU metrics).
ENV NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,video,utility \
    NODE_ENV=production \
    HOST=0.0.0.0 \
    METRICS_PORT=9464 \
    HWACCEL=required
COPY --from=deps /app ./
COPY tsconfig.json ./
COPY lib/core/src lib/core/src
COPY workers/gpu/src workers/gpu/src
USER 10001:10001
EXPOSE 9464
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "workers/gpu/src/main.ts"]
