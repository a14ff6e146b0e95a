// The benchmark's own media, generated once and cached in .cache/bench-media: an H.264 + AAC
// MP4 with a fixed GOP (keyframes every `gopFrames`, no scene-cut keyframes, as broadcast
// sources have), and its HLS twin (stream copy, 2 s segments, EXT-X-PROGRAM-DATE-TIME).
// testsrc2 moves every frame, so neighbouring frames differ (the exact-frame checks need
// that) and GIF palettes have real colour to fight with.
import { existsSync } from 'node:fs';
import { link, copyFile, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from '@framesmith/core/media/run-process';
import { hlsVodArgs } from '../../scripts/stack/demo-media.js';

export interface MediaSpec {
  seconds: number;
  width: number;
  height: number;
  fps: number;
  gopFrames: number;
}

export interface BenchMedia {
  spec: MediaSpec;
  /** Names the media (size, rate, length, GOP): cache file names and storage folders. */
  key: string;
  mp4: string;
  hlsDir: string;
  hlsPlaylist: string;
  /** EXT-X-PROGRAM-DATE-TIME of the first segment, epoch ms. */
  hlsStartEpochMs: number;
  /** Seconds spent generating now; null when it came from the cache. */
  generatedSeconds: number | null;
}

export function sourceArgs(spec: MediaSpec, out: string): string[] {
  const { seconds, width, height, fps, gopFrames } = spec;
  return [
    '-nostdin', '-hide_banner', '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=s=${width}x${height}:r=${fps}:d=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    '-map', '0:v', '-map', '1:a',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p',
    '-g', String(gopFrames), '-keyint_min', String(gopFrames), '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', '128k',
    '-movflags', '+faststart', '-f', 'mp4', out,
  ];
}

export async function ensureBenchMedia(cacheDir: string, spec: MediaSpec, log: (m: string) => void): Promise<BenchMedia> {
  const key = `testsrc2-${spec.width}x${spec.height}-${spec.fps}fps-${spec.seconds}s-g${spec.gopFrames}`;
  const mp4 = path.join(cacheDir, `${key}.mp4`);
  const hlsDir = path.join(cacheDir, `${key}-hls`);
  await mkdir(cacheDir, { recursive: true });
  let generatedSeconds: number | null = null;
  const t0 = Date.now();
  if (!existsSync(mp4)) {
    log(`generating ${key}.mp4 (once; cached in ${cacheDir})...`);
    const tmp = `${mp4}.partial.mp4`;
    await runProcess('ffmpeg', sourceArgs(spec, tmp), { timeoutMs: 3 * 3600_000 });
    await rename(tmp, mp4);
  }
  if (!existsSync(path.join(hlsDir, 'index.m3u8'))) {
    log(`writing its HLS twin ${key}-hls/...`);
    const tmpDir = `${hlsDir}.partial`;
    await rm(tmpDir, { recursive: true, force: true });
    await mkdir(tmpDir, { recursive: true });
    await runProcess('ffmpeg', hlsVodArgs(mp4, tmpDir, { segmentSeconds: 2, programDateTime: true, digits: 5 }), { timeoutMs: 3600_000 });
    await rm(hlsDir, { recursive: true, force: true });
    await rename(tmpDir, hlsDir);
  }
  if (Date.now() - t0 > 1000) generatedSeconds = (Date.now() - t0) / 1000;
  const playlist = await readFile(path.join(hlsDir, 'index.m3u8'), 'utf8');
  const pdt = /#EXT-X-PROGRAM-DATE-TIME:(\S+)/.exec(playlist)?.[1];
  if (!pdt) throw new Error(`${hlsDir}/index.m3u8 has no EXT-X-PROGRAM-DATE-TIME: this ffmpeg ignored -hls_flags program_date_time`);
  // ffmpeg writes the offset as +0000 (docs/media.md); Date.parse wants +00:00.
  const hlsStartEpochMs = Date.parse(pdt.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(hlsStartEpochMs)) throw new Error(`cannot read the program date time ${pdt}`);
  return { spec, key, mp4, hlsDir, hlsPlaylist: 'index.m3u8', hlsStartEpochMs, generatedSeconds };
}

/** Puts the media under the stack's storage root (hard links: no copy of a 10-minute source). */
export async function placeMedia(media: BenchMedia, storageRoot: string): Promise<{ mp4Rel: string; hlsRel: string }> {
  // Named by the media, so a running stack given with --url never mixes quick and full media.
  const mp4Rel = `bench-${media.key}/source.mp4`;
  const hlsRel = `bench-${media.key}-hls/index.m3u8`;
  const put = async (from: string, rel: string) => {
    const to = path.join(storageRoot, rel);
    await mkdir(path.dirname(to), { recursive: true });
    if (existsSync(to)) return;
    await link(from, to).catch(() => copyFile(from, to));
  };
  await put(media.mp4, mp4Rel);
  for (const f of await readdir(media.hlsDir)) await put(path.join(media.hlsDir, f), path.join(path.dirname(hlsRel), f));
  return { mp4Rel, hlsRel };
}
