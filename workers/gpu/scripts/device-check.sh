#!/usr/bin/env bash
# Device check for the GPU worker on a lent NVIDIA machine (an H100: NVDEC engines, no NVENC).
# Two ways to run it:
#   - from the GPU kit (npm run gpu:kit; nothing installed on the device but the driver, bash,
#     coreutils, grep, sed, awk and gzip):   .cache/gpu-kit/run-device-check.sh
#     which unpacks the kit's Node and ffmpeg and sets NODE, FFMPEG_PATH, FFPROBE_PATH,
#     PROBE_JS and VIDEO_PATHS_JS (the bundled probe.ts and video-paths.ts);
#   - from a repository checkout with node_modules:   bash workers/gpu/scripts/device-check.sh
#
# Writes under ${OUT:-/tmp/out} (the device tool returns at most 8 files):
#   nvidia-smi.xml    a real `nvidia-smi -q -x`, to check the reconstructed test fixtures against
#   env.txt           machine, driver, ffmpeg build and its CUDA/NVENC/NVDEC support
#   probe.json        probe.ts: capabilities, the chosen strategy and why
#   video-paths.json  video-paths.ts: the worker's copy / smart cut / re-encode with that strategy
#   ffmpeg.log        every ffmpeg step's stderr, under a header per step
#   summary.txt       one line per step: exit code, seconds, frames/s
#
# The device machine has no network, so nothing here installs anything. Steps that need a
# missing tool are reported SKIPPED, not failed; without nvidia-smi (no NVIDIA driver) the GPU
# benchmarks are skipped and the probe must say why it chose the CPU.
# Time: every step has its own timeout and no step starts after BUDGET_S (default 390 s), so
# the script ends well inside 8 minutes; on an H100 with 16 cores it needs about 1–2 minutes.
set -euo pipefail

OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
FFMPEG=${FFMPEG_PATH:-ffmpeg}
NODE=${NODE:-node}
BUDGET_S=${BUDGET_S:-390}
GPU=${GPU:-0}
# nvidia-smi numbers GPUs in PCI bus order, CUDA (and so -hwaccel_device / -gpu) fastest
# first unless told otherwise; the worker's GPU index means the nvidia-smi one.
export CUDA_DEVICE_ORDER=PCI_BUS_ID
WORK=$(mktemp -d /tmp/framesmith-device-check.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
SRC=$WORK/src-1080p30-60s.mp4
FRAMES=1800 # 60 s at 30 fps

SUMMARY=$OUT/summary.txt
LOG=$OUT/ffmpeg.log
: >"$SUMMARY"
: >"$LOG"
say() { echo "$*" | tee -a "$SUMMARY"; }
have() { command -v "$1" >/dev/null 2>&1; }
in_budget() { ((SECONDS < BUDGET_S)); }

say "device-check $(date -u +%FT%TZ) on $(uname -n) ($(nproc) cores), budget ${BUDGET_S}s"

# --- 0. What is here -------------------------------------------------------------------
{
  echo "## uname"; uname -a
  echo "## nproc"; nproc
  echo "## nvidia-smi -L"; (have nvidia-smi && timeout 30 nvidia-smi -L) || echo "nvidia-smi missing or failed"
  echo "## node"; (have "$NODE" && "$NODE" --version) || echo "node missing"
  echo "## ffmpeg -version"; (have "$FFMPEG" && "$FFMPEG" -hide_banner -version | head -3) || echo "ffmpeg missing"
  if have "$FFMPEG"; then
    echo "## ffmpeg -hwaccels"; "$FFMPEG" -hide_banner -hwaccels || true
    echo "## nvenc/x264 encoders"; "$FFMPEG" -hide_banner -encoders 2>/dev/null | grep -E 'nvenc|libx264' || echo "none"
    echo "## cuvid decoders"; "$FFMPEG" -hide_banner -decoders 2>/dev/null | grep -E 'cuvid' || echo "none"
  fi
} >"$OUT/env.txt" 2>&1

# --- 1. nvidia-smi -q -x ---------------------------------------------------------------
if have nvidia-smi; then
  if timeout -k 5 60 nvidia-smi -q -x >"$OUT/nvidia-smi.xml"; then
    say "nvidia-smi.xml: $(grep -c '<gpu id=' "$OUT/nvidia-smi.xml") GPU(s): $(grep -o '<product_name>[^<]*' "$OUT/nvidia-smi.xml" | sed 's/<product_name>//' | paste -sd, -)"
  else
    say "nvidia-smi -q -x FAILED rc=$?"
  fi
else
  say "nvidia-smi SKIPPED: not installed"
fi

# --- 2. The capability probe, as the worker runs it ------------------------------------
PROBE=()
if [ -n "${PROBE_JS:-}" ]; then
  PROBE=("$NODE" "$PROBE_JS")
elif have "$NODE" && [ -d node_modules/tsx ]; then
  if [ ! -e node_modules/@framesmith/core ]; then
    mkdir -p node_modules/@framesmith
    ln -sfn ../../lib/core node_modules/@framesmith/core
  fi
  PROBE=("$NODE" --import tsx workers/gpu/scripts/probe.ts)
fi
if [ ${#PROBE[@]} -gt 0 ]; then
  echo "===== probe (stderr)" >>"$LOG"
  start=$SECONDS
  if timeout -k 5 120 "${PROBE[@]}" >"$OUT/probe.json" 2>>"$LOG"; then rc=0; else rc=$?; fi
  strategy=$(grep -m1 -A1 '"strategy": {' "$OUT/probe.json" | sed -n 's/.*"name": "\([^"]*\)".*/\1/p' || true)
  reason=$(sed -n 's/^  "reason": "\(.*\)",$/\1/p' "$OUT/probe.json" | head -1)
  say "probe rc=$rc $((SECONDS - start))s strategy=${strategy:-none} reason=${reason:-?}"
else
  say "probe SKIPPED: no PROBE_JS, and node or node_modules/tsx missing (use the GPU kit)"
fi

# --- 3. The video activity's paths with that strategy (makeVideo itself) -----------------
VIDEO_PATHS=()
if [ -n "${VIDEO_PATHS_JS:-}" ]; then
  VIDEO_PATHS=("$NODE" "$VIDEO_PATHS_JS")
elif [ ${#PROBE[@]} -gt 0 ]; then
  VIDEO_PATHS=("$NODE" --import tsx workers/gpu/scripts/video-paths.ts)
fi
if [ ${#VIDEO_PATHS[@]} -gt 0 ] && have "$FFMPEG" && in_budget; then
  echo "===== video-paths (stderr)" >>"$LOG"
  start=$SECONDS
  if timeout -k 5 240 "${VIDEO_PATHS[@]}" "$OUT/probe.json" "$OUT/video-paths.json" >>"$LOG" 2>&1; then rc=0; else rc=$?; fi
  say "video-paths rc=$rc $((SECONDS - start))s $(grep -c '"ok": true' "$OUT/video-paths.json" || true) ok, $(grep -c '"ok": false' "$OUT/video-paths.json" || true) failed"
else
  say "video-paths SKIPPED: no Node runner, no ffmpeg or over the budget"
fi

if ! have "$FFMPEG"; then
  say "ffmpeg SKIPPED: $FFMPEG not found; no decode/encode figures"
  exit 0
fi

if ! have nvidia-smi; then
  say "GPU benchmarks SKIPPED: no nvidia-smi (no NVIDIA driver on this machine)"
  say "done in ${SECONDS}s"
  exit 0
fi

# Captured once: `ffmpeg -encoders | grep -q` would die of SIGPIPE under pipefail.
ENCODERS=$("$FFMPEG" -hide_banner -encoders 2>/dev/null || true)

# One ffmpeg step: name, timeout seconds, then ffmpeg's arguments. Logs stderr, records the
# exit code (LAST_RC), wall seconds and frames/s from -benchmark's rtime.
LAST_RC=
step() {
  local name=$1 limit=$2
  shift 2
  if ! in_budget; then
    say "$(printf '%-22s' "$name") SKIPPED: over the ${BUDGET_S}s budget"
    LAST_RC=skipped
    return 0
  fi
  local start=$SECONDS rc err=$WORK/step.err
  if timeout -k 5 "$limit" "$FFMPEG" -nostdin -hide_banner -nostats "$@" 2>"$err"; then rc=0; else rc=$?; fi
  LAST_RC=$rc
  { echo "===== $name (rc=$rc): $FFMPEG $*"; cat "$err"; } >>"$LOG"
  local rtime fps="-"
  rtime=$(sed -n 's/.*rtime=\([0-9.]*\)s.*/\1/p' "$err" | tail -n 1)
  if [ "$rc" = 0 ] && [ -n "$rtime" ]; then fps=$(awk -v f="$FRAMES" -v t="$rtime" 'BEGIN { if (t > 0) printf "%.0f", f / t; else print "-" }'); fi
  say "$(printf '%-22s' "$name") rc=$rc wall=$((SECONDS - start))s rtime=${rtime:-?}s fps=$fps"
  return 0
}

# --- 4. The NVENC trial, exactly as the probe runs it (expected to fail on Hopper) -------
step nvenc-trial 60 -v error -f lavfi -i testsrc2=size=256x144:rate=30 -t 1 \
  -c:v h264_nvenc -gpu "$GPU" -preset p4 -rc vbr -cq 19 -b:v 0 -f null -
nvenc_ok=$([ "$LAST_RC" = 0 ] && echo yes || echo no)

# --- 5. A 1080p30, 60 s H.264 source (High profile, 2 s GOP, B-frames, like real VOD) -----
if [[ $ENCODERS == *libx264* ]]; then
  step make-source 150 -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" -t 60 \
    -c:v libx264 -preset veryfast -g 60 -bf 2 -pix_fmt yuv420p "$SRC"
elif [ "$nvenc_ok" = yes ]; then
  step make-source 150 -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30" -t 60 \
    -c:v h264_nvenc -gpu "$GPU" -g 60 -bf 2 -pix_fmt yuv420p "$SRC"
fi
if [ ! -s "$SRC" ]; then
  say "benchmarks SKIPPED: no source clip (neither libx264 nor NVENC made one)"
  exit 0
fi

# --- 6. Decode: CPU vs NVDEC (1800 frames each) ----------------------------------------
step decode-cpu 90 -benchmark -i "$SRC" -map 0:v:0 -f null -
# What jobs do: NVDEC, frames copied back to system memory for CPU filters and libx264.
step decode-nvdec 90 -benchmark -hwaccel cuda -hwaccel_device "$GPU" -i "$SRC" -map 0:v:0 -f null -
# NVDEC alone, frames left on the GPU: the engine's ceiling.
step decode-nvdec-gpuframes 90 -benchmark -hwaccel cuda -hwaccel_output_format cuda -hwaccel_device "$GPU" \
  -i "$SRC" -map 0:v:0 -f null -

# --- 7. Whole video path per strategy (encoder options as encodeArgs gives them) ---------
step job-cpu 120 -benchmark -i "$SRC" -map 0:v:0 -c:v libx264 -preset veryfast -crf 18 -f null -
step job-nvdec-x264 120 -benchmark -hwaccel cuda -hwaccel_device "$GPU" -i "$SRC" -map 0:v:0 \
  -c:v libx264 -preset veryfast -crf 18 -f null -
if [ "$nvenc_ok" = yes ]; then
  step job-nvdec-nvenc 120 -benchmark -hwaccel cuda -hwaccel_device "$GPU" -i "$SRC" -map 0:v:0 \
    -c:v h264_nvenc -gpu "$GPU" -preset p4 -rc vbr -cq 19 -b:v 0 -f null -
else
  say "$(printf '%-22s' job-nvdec-nvenc) SKIPPED: the NVENC trial failed"
fi

say "done in ${SECONDS}s"
