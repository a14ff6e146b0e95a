#!/usr/bin/env bash
# Builds Framesmith's minimal ffmpeg + ffprobe from Debian's ffmpeg source (with Debian's
# patches) and the flags in ffmpeg-configure.txt, into OUT_DIR/bin. Used by build-kit.mjs
# (cached per machine) and by the container images (deploy/docker/ffmpeg.Dockerfile.part).
#   bash scripts/gpu-kit/build-ffmpeg.sh OUT_DIR
#   bash scripts/gpu-kit/build-ffmpeg.sh --print-source-version   (the cache key's version)
# Needs Debian bookworm (or a derivative) and root for apt when a package is missing.
#
# Linking: every library (libx264, OpenSSL, zlib) is static; glibc stays dynamic on purpose.
# NVDEC/NVENC reach the driver by dlopen()ing libcuda.so.1, libnvcuvid.so.1 and
# libnvidia-encode.so.1, and glibc does not support dlopen() from a -static executable
# reliably (the driver libraries bring their own libc into the process). `ldd` therefore
# lists only libc, libm and the loader.
set -euo pipefail

OUT_DIR=${1:?usage: build-ffmpeg.sh OUT_DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
FLAGS_FILE=$HERE/ffmpeg-configure.txt
JOBS=${FFMPEG_BUILD_JOBS:-2}
# Packages linked in or needed to build; not `apt-get build-dep ffmpeg` (hundreds of MB of
# libraries this build leaves out).
PACKAGES=(build-essential pkg-config nasm clang dpkg-dev xz-utils libx264-dev libffmpeg-nvenc-dev libssl-dev zlib1g-dev)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "build-ffmpeg: needs root for: $*" >&2
    exit 1
  fi
}

# A deb-src entry for the mirror the machine already uses, when there is none.
ensure_deb_src() {
  if [ -n "$(apt-cache showsrc ffmpeg 2>/dev/null | head -1)" ]; then return; fi
  echo "[gpu-kit] adding deb-src entries for the configured Debian mirror" >&2
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources |
      as_root tee /etc/apt/sources.list.d/framesmith-deb-src.sources >/dev/null
  else
    grep -h '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
      as_root tee /etc/apt/sources.list.d/framesmith-deb-src.list >/dev/null
  fi
  as_root apt-get update -qq
}

ensure_packages() {
  local missing=()
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "[gpu-kit] apt-get install ${missing[*]}" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_deb_src
if [ "$OUT_DIR" = --print-source-version ]; then
  # The version `apt-get source` picks (the highest of the configured suites).
  apt-get source --print-uris ffmpeg 2>/dev/null | sed -n "s/.*ffmpeg_\([^']*\)\.dsc'.*/\1/p" | sed 's/%2[bB]/+/g; s/%7[eE]/~/g; s/%3[aA]/:/g' | head -1
  exit 0
fi
ensure_packages
LIBDIR=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/framesmith-ffmpeg-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
apt-get source -qq ffmpeg >/dev/null 2>&1 || apt-get source ffmpeg
SRC=$(find "$WORK" -maxdepth 1 -type d -name 'ffmpeg-*' | head -1)
[ -x "$SRC/configure" ] || { echo "build-ffmpeg: apt-get source ffmpeg gave no source tree" >&2; exit 1; }

# Out-of-tree build; static-libs/ holds only the archives, so `-lssl` and friends resolve to
# them (ffmpeg-configure.txt says -Lstatic-libs, relative to this folder).
mkdir -p build/static-libs
for lib in x264 ssl crypto z; do ln -s "$LIBDIR/lib$lib.a" build/static-libs/; done
cd build
mapfile -t FLAGS < <(grep -v '^\s*\(#\|$\)' "$FLAGS_FILE")
nice -n 19 "$SRC/configure" "${FLAGS[@]}" >configure.log 2>&1 || { tail -30 configure.log >&2; exit 1; }
nice -n 19 make -j"$JOBS" ffmpeg ffprobe >make.log 2>&1 || { tail -40 make.log >&2; exit 1; }

mkdir -p "$OUT_DIR/bin"
for b in ffmpeg ffprobe; do
  strip -o "$OUT_DIR/bin/$b.tmp" "$b"
  mv "$OUT_DIR/bin/$b.tmp" "$OUT_DIR/bin/$b"
done
DSC=$(basename "$(ls "$WORK"/ffmpeg_*.dsc)" .dsc)
echo "${DSC#ffmpeg_}" >"$OUT_DIR/source-version.txt"
echo "[gpu-kit] ffmpeg ${DSC#ffmpeg_} built into $OUT_DIR/bin" >&2
