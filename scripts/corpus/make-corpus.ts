// Builds the media corpus (recipes.ts) under <cache>/corpus/<hash of the recipes>/, once: a
// finished build leaves manifest.json, and a build with the same recipes reuses it. The cache is
// FRAMESMITH_CACHE when set (CI keeps it between clones, like the Temporal CLI), else the
// repository's .cache. Sources build side by side, one per core. Provisions the encoders and
// packagers with apt-get when they are missing (as bootstrap.mjs does for ffmpeg), or prints
// the command to run. `npx tsx scripts/corpus/make-corpus.ts` builds alone.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessTimeoutError, runProcess } from '@framesmith/core/media/run-process';
import { displayRotation, pictureArgs } from './frame-marks.js';
import { RECIPES, type SourceRecipe, type Step, type Tool } from './recipes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// A guard against a hung tool, not a speed check: every step takes seconds alone. GStreamer's
// hlssink2 pipeline (gst-hls-3600) once sat past 5 minutes in a cold CI build and took 2 s when
// built again, so a step that runs out is given a fresh start (STEP_ATTEMPTS) rather than a
// longer wait.
const STEP_TIMEOUT_MS = 180_000;
const STEP_ATTEMPTS = 3;
/** Bump when the building code (not the recipes) changes what comes out. */
const BUILDER_VERSION = 1;

/** Debian packages that provide each tool, and the GStreamer elements the recipes use. */
const PACKAGES: Record<Tool, string[]> = {
  ffmpeg: ['ffmpeg'],
  x264: ['x264'],
  x265: ['x265'],
  mkvmerge: ['mkvtoolnix'],
  'gst-launch-1.0': ['gstreamer1.0-tools', 'gstreamer1.0-plugins-base', 'gstreamer1.0-plugins-good', 'gstreamer1.0-plugins-bad', 'gstreamer1.0-plugins-ugly'],
};
const GST_ELEMENTS = ['y4mdec', 'x264enc', 'x265enc', 'h264parse', 'h265parse', 'mp4mux', 'mpegtsmux', 'hlssink2', 'taginject', 'voaacenc', 'lamemp3enc', 'wavparse'];

export interface SourceFacts extends Omit<SourceRecipe, 'steps' | 'files' | 'picture'> {
  /** Absolute path of the VOD file (or playlist). */
  file: string;
  width: number;
  height: number;
  seconds: number;
  /** Probed: the container's start time, video codec/profile/pixel format/field order, rotation, audio codecs. */
  probed: { startTime: number | null; video: string; rotation: number; audio: string[] };
  buildSeconds: number;
}

export interface Corpus {
  dir: string;
  tools: Record<string, string>;
  /** Wall-clock time of the build (sources side by side), grown by the machine's load; 0 parts resumed. */
  buildSeconds: number;
  /** Sum of the sources' own build times. */
  sourceSeconds: number;
  sources: SourceFacts[];
}

const onPath = (bin: string) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', bin], { encoding: 'utf8' }).stdout.trim() !== '';
const gstHas = (el: string) => spawnSync('gst-inspect-1.0', [el], { stdio: 'ignore' }).status === 0;

/** Installs what the recipes need with apt-get (update first) when missing and allowed. */
export function provisionTools(): void {
  const tools = [...new Set(RECIPES.flatMap((r) => r.steps.map((s) => s.bin)))];
  const missing = tools.filter((t) => !onPath(t) || (t === 'gst-launch-1.0' && !GST_ELEMENTS.every(gstHas)));
  if (!missing.length) return;
  const pkgs = missing.flatMap((t) => PACKAGES[t]);
  const isRoot = process.getuid?.() === 0;
  const pre = isRoot ? [] : onPath('sudo') ? ['sudo', '-n'] : null;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]) => {
    const [cmd, ...rest] = [...(pre ?? []), 'apt-get', ...args];
    return spawnSync(cmd!, rest, { stdio: 'inherit', env }).status === 0;
  };
  if (onPath('apt-get') && pre !== null) {
    console.log(`[corpus] installing ${pkgs.join(' ')} with apt-get...`);
    if (apt(['update', '-qq']) && apt(['install', '-y', '-qq', '--no-install-recommends', ...pkgs])) return;
  }
  throw new Error(`the corpus needs ${missing.join(', ')}: install them with: sudo apt-get install -y --no-install-recommends ${pkgs.join(' ')}`);
}

async function version(bin: string, args: string[]): Promise<string> {
  const r = await runProcess(bin, args, { timeoutMs: 30_000 }).catch((e: unknown) => ({ stdout: Buffer.from(String(e)), stderrTail: '' }));
  const text = `${r.stdout.toString('utf8')}\n${r.stderrTail}`;
  return text.split('\n').map((l) => l.replace(/^x265 \[info\]: /, '').trim()).find((l) => /\d+\.\d+/.test(l)) ?? 'unknown';
}

export async function toolVersions(): Promise<Record<string, string>> {
  return {
    ffmpeg: await version('ffmpeg', ['-version']),
    x264: await version('x264', ['--version']),
    x265: await version('x265', ['--version']),
    mkvmerge: await version('mkvmerge', ['--version']),
    gstreamer: await version('gst-launch-1.0', ['--version']),
  };
}

const run = (s: Step, cwd: string) => runProcess('nice', ['-n', '10', s.bin, ...s.args], { cwd, timeoutMs: STEP_TIMEOUT_MS });

async function probe(file: string): Promise<SourceFacts['probed']> {
  const { stdout } = await runProcess('ffprobe', ['-v', 'error', '-show_entries', 'format=start_time:stream=codec_type,codec_name,profile,pix_fmt,field_order', '-of', 'json', file], { timeoutMs: 60_000 });
  const j = JSON.parse(stdout.toString('utf8')) as { format?: { start_time?: string }; streams?: Record<string, string>[] };
  const streams = j.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video') ?? {};
  const start = Number(j.format?.start_time);
  return {
    startTime: Number.isFinite(start) ? start : null,
    video: [v.codec_name, v.profile, v.pix_fmt, v.field_order].filter((x) => x && x !== 'unknown').join(' '),
    rotation: await displayRotation(file),
    audio: streams.filter((s) => s.codec_type === 'audio').map((s) => s.codec_name ?? '?'),
  };
}

async function buildSource(r: SourceRecipe, dir: string): Promise<SourceFacts> {
  const started = Date.now();
  const work = `${dir}.tmp`;
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { recursive: true });
  for (const [name, text] of Object.entries(r.files ?? {})) await writeFile(path.join(work, name), text);
  const pre: Step[] = [
    { bin: 'ffmpeg', args: pictureArgs(r.picture, 'frames.y4m') },
    { bin: 'ffmpeg', args: ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${r.picture.seconds}`, '-ac', '2', 'tone.wav'] },
  ];
  for (const s of [...pre, ...r.steps]) await run(s, work);
  // The intermediates (y4m, elementary streams) are not part of the source.
  for (const f of ['frames.y4m', 'tone.wav']) await rm(path.join(work, f), { force: true });
  await rm(dir, { recursive: true, force: true });
  await rename(work, dir);
  const file = path.join(dir, r.vod);
  const { steps: _s, files: _f, picture, ...facts } = r;
  return { ...facts, file, width: picture.width, height: picture.height, seconds: picture.seconds, probed: await probe(file), buildSeconds: (Date.now() - started) / 1000 };
}

/** buildSource again from scratch when a step hung (ran out its deadline); other failures stand. */
async function buildWithRetries(r: SourceRecipe, dir: string, log: (line: string) => void): Promise<SourceFacts> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await buildSource(r, dir);
    } catch (err) {
      if (!(err instanceof ProcessTimeoutError) || attempt >= STEP_ATTEMPTS) throw err;
      log(`${r.name}: ${err.message}; building it again (attempt ${attempt + 1} of ${STEP_ATTEMPTS})`);
    }
  }
}

export function recipeHash(): string {
  return createHash('sha256').update(JSON.stringify({ BUILDER_VERSION, RECIPES, picture: RECIPES.map((r) => pictureArgs(r.picture, 'frames.y4m')) })).digest('hex').slice(0, 12);
}

/** Where built corpora are kept. */
export function corpusCacheDir(): string {
  return path.join(process.env.FRAMESMITH_CACHE || path.join(ROOT, '.cache'), 'corpus');
}

/** The corpus for the current recipes, built when not cached. `only` limits it to some sources. */
export async function buildCorpus(o: { only?: string[]; log?: (line: string) => void } = {}): Promise<Corpus> {
  const log = o.log ?? ((l: string) => console.log(`[corpus] ${l}`));
  const dir = path.join(corpusCacheDir(), recipeHash());
  const manifest = path.join(dir, 'manifest.json');
  const wanted = RECIPES.filter((r) => !o.only?.length || o.only.includes(r.name));
  if (existsSync(manifest)) {
    const cached = JSON.parse(await readFile(manifest, 'utf8')) as Corpus;
    if (wanted.every((r) => cached.sources.some((s) => s.name === r.name))) return { ...cached, sources: cached.sources.filter((s) => wanted.some((r) => r.name === s.name)) };
  }
  provisionTools();
  await mkdir(dir, { recursive: true });
  const started = Date.now();
  const sources: SourceFacts[] = new Array(wanted.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < wanted.length; i = next++) {
      const r = wanted[i]!;
      // Each finished source leaves its facts beside its folder, so an interrupted build resumes.
      const facts = path.join(dir, `${r.name}.json`);
      if (existsSync(facts)) {
        sources[i] = JSON.parse(await readFile(facts, 'utf8')) as SourceFacts;
        continue;
      }
      log(`building ${r.name} (${r.encoder} → ${r.packager})`);
      const built = await buildWithRetries(r, path.join(dir, r.name), log);
      await writeFile(facts, JSON.stringify(built, null, 2));
      sources[i] = built;
    }
  };
  await Promise.all(Array.from({ length: Math.max(2, availableParallelism()) }, worker));
  const corpus: Corpus = {
    dir,
    tools: await toolVersions(),
    buildSeconds: (Date.now() - started) / 1000,
    sourceSeconds: sources.reduce((a, x) => a + x.buildSeconds, 0),
    sources,
  };
  // A partial build (`only`) is not cached as the corpus.
  if (wanted.length === RECIPES.length) await writeFile(manifest, JSON.stringify(corpus, null, 2));
  log(`built ${sources.length} sources in ${corpus.buildSeconds.toFixed(0)} s (${corpus.sourceSeconds.toFixed(0)} s of work) under ${dir}`);
  return corpus;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const only = process.argv.slice(2);
  buildCorpus({ only }).then(
    (c) => console.log(JSON.stringify(c, null, 2)),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exitCode = 1;
    },
  );
}
