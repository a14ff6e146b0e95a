#!/usr/bin/env node
// npm run gpu:kit: a self-contained folder (.cache/gpu-kit) that runs the GPU device check on
// a machine with nothing installed but the NVIDIA driver, bash and coreutils (+ gzip):
//   bin/ffmpeg.gz, bin/ffprobe.gz  our minimal ffmpeg (ffmpeg-configure.txt), gzip'd
//   node.gz                        this Node binary (process.execPath), gzip'd
//   probe.mjs, video-paths.mjs     the probe and the video activity's ffmpeg paths (esbuild)
//   device-check.sh, run-device-check.sh, ffmpeg-configure.txt, manifest.json
// Everything stays within MAX_KIT_BYTES (what a device check can carry).
//
// The ffmpeg build is cached per machine, like the Temporal CLI: FRAMESMITH_CACHE (default
// ~/.cache/framesmith)/ffmpeg/<Debian source version>-<hash of the configure flags and build
// script>/bin. Options:
//   --ffmpeg-only   build or restore the ffmpeg only and print its bin folder (CI, images)
//   --out DIR       the kit folder (default .cache/gpu-kit)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createGzip } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
export const MAX_KIT_BYTES = 60 * 1024 * 1024;
const cacheRoot = process.env.FRAMESMITH_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'framesmith');
const say = (m) => console.error(`[gpu-kit] ${m}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
  return r.stdout;
}

/** The Debian source version apt-get source would fetch now (adds the deb-src entry if needed). */
function sourceVersion() {
  const out = run('bash', [path.join(here, 'build-ffmpeg.sh'), '--print-source-version']);
  const v = out.trim().split('\n').pop();
  if (!/^[0-9][\w.+:~-]*$/.test(v ?? '')) throw new Error(`unexpected ffmpeg source version: ${out}`);
  return v;
}

/** bin folder holding ffmpeg and ffprobe built from ffmpeg-configure.txt; built once per machine. */
export function ensureFfmpeg() {
  const version = sourceVersion();
  const hash = createHash('sha256');
  for (const f of ['ffmpeg-configure.txt', 'build-ffmpeg.sh']) hash.update(readFileSync(path.join(here, f)));
  const dir = path.join(cacheRoot, 'ffmpeg', `${version.replace(/[^\w.+-]/g, '_')}-${hash.digest('hex').slice(0, 12)}`);
  const bin = path.join(dir, 'bin');
  if (existsSync(path.join(bin, 'ffmpeg')) && existsSync(path.join(bin, 'ffprobe'))) {
    say(`ffmpeg from the cache: ${bin}`);
    return bin;
  }
  say(`building ffmpeg ${version} (once per machine; about 7 minutes of CPU: 4-5 minutes on an idle 2-core machine)...`);
  const started = Date.now();
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  // The build's output goes to stderr: --ffmpeg-only's stdout is only the bin folder.
  run('bash', [path.join(here, 'build-ffmpeg.sh'), tmp], { stdio: ['ignore', 2, 2] });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  say(`ffmpeg built in ${Math.round((Date.now() - started) / 1000)} s: ${bin}`);
  return bin;
}

async function gzipTo(from, to) {
  await pipeline(createReadStream(from), createGzip({ level: 9 }), createWriteStream(to));
}

/** This Node binary, gzip'd once per Node version (~40 s of CPU). */
async function nodeGz() {
  const file = path.join(cacheRoot, 'node', `node-${process.version}-${process.platform}-${process.arch}.gz`);
  if (!existsSync(file)) {
    say(`compressing ${process.execPath} (once per Node version)...`);
    mkdirSync(path.dirname(file), { recursive: true });
    await gzipTo(process.execPath, `${file}.tmp`);
    renameSync(`${file}.tmp`, file);
  }
  return file;
}

async function bundle(out) {
  const esbuild = await import('esbuild');
  const entries = { probe: 'workers/gpu/scripts/probe.ts', 'video-paths': 'workers/gpu/scripts/video-paths.ts' };
  for (const [name, entry] of Object.entries(entries)) {
    await esbuild.build({
      entryPoints: [path.join(root, entry)],
      outfile: path.join(out, `${name}.mjs`),
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      minify: true,
      legalComments: 'none',
      logLevel: 'warning',
      // CommonJS dependencies (xml2js, prom-client) call require() for Node built-ins.
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
  }
}

function folderBytes(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce((n, e) => {
    const p = path.join(dir, e.name);
    return n + (e.isDirectory() ? folderBytes(p) : statSync(p).size);
  }, 0);
}

async function buildKit(out) {
  const bin = ensureFfmpeg();
  const started = Date.now();
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(path.join(tmp, 'bin'), { recursive: true });
  for (const b of ['ffmpeg', 'ffprobe']) await gzipTo(path.join(bin, b), path.join(tmp, 'bin', `${b}.gz`));
  copyFileSync(await nodeGz(), path.join(tmp, 'node.gz'));
  await bundle(tmp);
  copyFileSync(path.join(root, 'workers/gpu/scripts/device-check.sh'), path.join(tmp, 'device-check.sh'));
  copyFileSync(path.join(here, 'run-device-check.sh'), path.join(tmp, 'run-device-check.sh'));
  chmodSync(path.join(tmp, 'run-device-check.sh'), 0o755);
  copyFileSync(path.join(here, 'ffmpeg-configure.txt'), path.join(tmp, 'ffmpeg-configure.txt'));
  const bytes = folderBytes(tmp);
  const manifest = {
    builtAt: new Date().toISOString(),
    node: process.version,
    ffmpegSource: readFileSync(path.join(bin, '..', 'source-version.txt'), 'utf8').trim(),
    ffmpegBytes: statSync(path.join(bin, 'ffmpeg')).size,
    ffprobeBytes: statSync(path.join(bin, 'ffprobe')).size,
    kitBytes: bytes,
  };
  writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  if (bytes > MAX_KIT_BYTES) throw new Error(`the kit is ${(bytes / 2 ** 20).toFixed(1)} MiB, over the ${MAX_KIT_BYTES / 2 ** 20} MiB a device check can carry`);
  rmSync(out, { recursive: true, force: true });
  renameSync(tmp, out);
  say(`kit: ${out} (${(bytes / 2 ** 20).toFixed(1)} MiB; assembled in ${Math.round((Date.now() - started) / 1000)} s)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? path.resolve(args[outAt + 1]) : path.join(root, '.cache', 'gpu-kit');
  if (args.includes('--ffmpeg-only')) console.log(ensureFfmpeg());
  else await buildKit(out);
}
