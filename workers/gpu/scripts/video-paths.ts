// The video activity's ffmpeg paths (stream copy, smart cut, full re-encode) run through the
// worker's own makeVideo on a generated source, with the strategy the probe chose, and each
// clip's frame count checked. Part of the device check (bundled into the GPU kit), so NVDEC
// and NVENC are proven inside the real job code, not only in hand-written ffmpeg commands.
//   node --import tsx workers/gpu/scripts/video-paths.ts [probe.json] [result.json]
// The JSON goes to result.json (stdout when absent; the worker's own log lines go to stdout
// too). Reads FFMPEG_PATH/FFPROBE_PATH like the worker. Exit code 1 when a path failed, fell
// back to another path (a smart cut re-encoded in full), or gave the wrong number of frames.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '@framesmith/core/config';
import type { VideoJob } from '@framesmith/core/domain/job';
import { runProcess } from '@framesmith/core/media/run-process';
import { CPU_STRATEGY, type VideoStrategy } from '../src/clip/video-strategy.js';
import { createLocalStorage } from '@framesmith/core/storage/local-storage';
import { testVideoArgs } from '../../../scripts/stack/demo-media.js';
import { makeVideo } from '../src/make-video.js';

const SOURCE = { seconds: 12, fps: 25, width: 1280, height: 720, gop: 50, audio: true, crf: 20 };
// 2.36 s is frame 59, 9.84 s frame 246: an exact clip holds frames 59..245.
const CLIP = { start: 2.36, end: 9.84, exactFrames: 187 };
const TIMEOUT_MS = 300_000;
const PATHS = [
  { name: 'stream-copy', frameAccurate: false, smartCutMinCopiedPixels: 0 },
  { name: 'smart-cut', frameAccurate: true, smartCutMinCopiedPixels: 0 },
  { name: 'full-reencode', frameAccurate: true, smartCutMinCopiedPixels: Number.MAX_SAFE_INTEGER },
] as const;

async function strategyFromProbe(file: string | undefined): Promise<VideoStrategy> {
  if (!file) return CPU_STRATEGY;
  const probe = JSON.parse(await readFile(file, 'utf8')) as { strategy?: VideoStrategy | null };
  return probe.strategy ?? CPU_STRATEGY;
}

async function frameCount(ffprobe: string, file: string): Promise<number> {
  const { stdout } = await runProcess(
    ffprobe,
    ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file],
    { timeoutMs: TIMEOUT_MS },
  );
  return Number(stdout.toString('utf8').trim());
}

const root = await mkdtemp(path.join(tmpdir(), 'framesmith-video-paths-'));
try {
  const config = loadConfig({ ...process.env, STORAGE_ROOT: root, DATA_DIR: root });
  const storage = createLocalStorage(root);
  const chosen = await strategyFromProbe(process.argv[2]);
  const strategies = chosen.name === CPU_STRATEGY.name ? [CPU_STRATEGY] : [chosen, CPU_STRATEGY];
  await runProcess(config.ffmpegPath, testVideoArgs(path.join(root, 'src.mp4'), SOURCE), { timeoutMs: TIMEOUT_MS });

  const results = [];
  for (const strategy of strategies) {
    for (const p of PATHS) {
      const job: VideoJob = {
        kind: 'video',
        assetId: `${strategy.name}-${p.name}`,
        eventId: 'device-check',
        source: { kind: 'file', path: 'src.mp4' },
        outputPath: `${strategy.name}-${p.name}.mp4`,
        start: { kind: 'offset', seconds: CLIP.start },
        end: { kind: 'offset', seconds: CLIP.end },
        filter: null,
        mezzanine: false,
        frameAccurate: p.frameAccurate,
        copyTs: false,
      };
      const cleanups: Array<() => Promise<void>> = [];
      const started = Date.now();
      try {
        const result = await makeVideo(
          { config, storage, chooseStrategy: () => strategy, smartCutMinCopiedPixels: p.smartCutMinCopiedPixels },
          job,
          { signal: new AbortController().signal, defer: (c) => void cleanups.push(c), progress: () => {} },
        );
        const frames = await frameCount(config.ffprobePath, path.join(root, result.path));
        const frameCountOk = p.frameAccurate ? frames === CLIP.exactFrames : frames >= CLIP.exactFrames;
        const ok = frameCountOk && result.strategy === `${strategy.name}/${p.name}`;
        results.push({ strategy: strategy.name, path: p.name, ok, ms: Date.now() - started, frames, result });
      } catch (err) {
        results.push({ strategy: strategy.name, path: p.name, ok: false, ms: Date.now() - started, error: err instanceof Error ? err.message : String(err) });
      } finally {
        for (const c of cleanups) await c().catch(() => {});
      }
    }
  }
  const json = JSON.stringify({ source: SOURCE, clip: CLIP, results }, null, 2);
  if (process.argv[3]) await writeFile(process.argv[3], json + '\n');
  else console.log(json);
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
} finally {
  await rm(root, { recursive: true, force: true });
}
