#!/usr/bin/env bash
# The GPU device check from this kit alone (npm run gpu:kit builds it): unpacks the kit's
# Node, ffmpeg and ffprobe into a temporary folder and runs device-check.sh with them. The
# machine needs only the NVIDIA driver, bash, coreutils, grep, sed, awk and gzip.
#   OUT=/tmp/out ./run-device-check.sh          (results under $OUT, see device-check.sh)
set -euo pipefail
KIT=$(cd "$(dirname "$0")" && pwd)
RUN=$(mktemp -d "${TMPDIR:-/tmp}/framesmith-kit.XXXXXX")
trap 'rm -rf "$RUN"' EXIT
mkdir -p "$RUN/bin"
gzip -dc "$KIT/node.gz" >"$RUN/bin/node"
for b in ffmpeg ffprobe; do gzip -dc "$KIT/bin/$b.gz" >"$RUN/bin/$b"; done
chmod 755 "$RUN/bin/node" "$RUN/bin/ffmpeg" "$RUN/bin/ffprobe"

export PATH="$RUN/bin:$PATH"
export NODE="$RUN/bin/node" FFMPEG_PATH="$RUN/bin/ffmpeg" FFPROBE_PATH="$RUN/bin/ffprobe"
export PROBE_JS="$KIT/probe.mjs" VIDEO_PATHS_JS="$KIT/video-paths.mjs"
# The bundles must not find a node_modules or a repository by accident.
cd "$RUN"
bash "$KIT/device-check.sh"
