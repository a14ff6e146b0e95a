#!/usr/bin/env node
// `npm start`, `npm test`, `npm run test:unit` and `npm run bench` begin here, on a fresh
// clone: install the npm dependencies when missing, provision ffmpeg and the Temporal CLI,
// then hand over.
// Plain JavaScript with no dependencies, because nothing is installed yet when it runs.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync, copyFileSync, chmodSync, renameSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureChromium } from './provision-chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TEMPORAL_VERSION = '1.5.1';
const VERSITYGW_VERSION = '1.8.0';
const GRPCURL_VERSION = '1.9.3';
const mode = process.argv[2] ?? 'start';
const passThrough = process.argv.slice(3);

function say(msg) {
  console.log(`[framesmith] ${msg}`);
}

function onPath(bin) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', bin], { encoding: 'utf8' }).stdout.trim() || null;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  return r.status === 0;
}

function ensureNodeModules() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  const fresh = existsSync(marker) && (!existsSync(lock) || statSync(marker).mtimeMs >= statSync(lock).mtimeMs);
  if (fresh && existsSync(path.join(root, 'node_modules', 'tsx'))) return;
  say('installing npm dependencies (npm ci)...');
  if (!run('npm', ['ci', '--no-audit', '--no-fund'])) {
    console.error('npm ci failed; see above.');
    process.exit(1);
  }
}

function ensureFfmpeg() {
  const ffmpeg = process.env.FFMPEG_PATH || 'ffmpeg';
  const ffprobe = process.env.FFPROBE_PATH || 'ffprobe';
  const have = (b) => (b.includes('/') ? existsSync(b) : onPath(b) !== null);
  if (have(ffmpeg) && have(ffprobe)) return;
  const isRoot = process.getuid?.() === 0;
  if (onPath('apt-get') && (isRoot || onPath('sudo'))) {
    say('ffmpeg is missing: installing it with apt-get...');
    const pre = isRoot ? [] : ['sudo', '-n'];
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const aptGet = (args) => (pre.length ? run(pre[0], [...pre.slice(1), 'apt-get', ...args], { env }) : run('apt-get', args, { env }));
    if (aptGet(['update', '-qq']) && aptGet(['install', '-y', '-qq', 'ffmpeg']) && have(ffmpeg) && have(ffprobe)) return;
  }
  console.error('ffmpeg and ffprobe are required. Install them with: sudo apt-get install -y ffmpeg (or brew install ffmpeg), or set FFMPEG_PATH and FFPROBE_PATH.');
  process.exit(1);
}

/** Temporal CLI: TEMPORAL_CLI, PATH, the caches, `go install`, then the official release. */
function ensureTemporal() {
  if (process.env.TEMPORAL_ADDRESS) return null;
  if (process.env.TEMPORAL_CLI) {
    if (!existsSync(process.env.TEMPORAL_CLI)) {
      console.error(`TEMPORAL_CLI=${process.env.TEMPORAL_CLI} does not exist`);
      process.exit(1);
    }
    return process.env.TEMPORAL_CLI;
  }
  const fromPath = onPath('temporal');
  if (fromPath) return fromPath;
  const repoCache = path.join(root, '.cache', 'bin', 'temporal');
  const userCache = path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'framesmith', 'bin', `temporal-${TEMPORAL_VERSION}`);
  if (existsSync(repoCache)) return repoCache;
  mkdirSync(path.dirname(repoCache), { recursive: true });
  const place = (from) => {
    copyFileSync(from, repoCache + '.tmp');
    chmodSync(repoCache + '.tmp', 0o755);
    renameSync(repoCache + '.tmp', repoCache);
    return repoCache;
  };
  if (existsSync(userCache)) return place(userCache);
  const go = onPath('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
  if (go) {
    say(`building the Temporal CLI v${TEMPORAL_VERSION} with go install (once per machine)...`);
    const gobin = path.join(tmpdir(), `framesmith-gobin-${process.pid}`);
    if (run(go, ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_VERSION}`], { env: { ...process.env, GOBIN: gobin, GOFLAGS: '-mod=mod' } })) {
      mkdirSync(path.dirname(userCache), { recursive: true });
      copyFileSync(path.join(gobin, 'temporal'), userCache);
      chmodSync(userCache, 0o755);
      return place(userCache);
    }
    say('go install failed; trying the official release download');
  }
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch];
  const os = { linux: 'linux', darwin: 'darwin' }[process.platform];
  if (arch && os) {
    const url = `https://temporal.download/cli/archive/v${TEMPORAL_VERSION}?platform=${os}&arch=${arch}`;
    say(`downloading the Temporal CLI from ${url}`);
    const dir = path.join(tmpdir(), `framesmith-temporal-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    if (run('sh', ['-c', 'curl -fsSL "$1" | tar -xz -C "$2" temporal', 'sh', url, dir])) return place(path.join(dir, 'temporal'));
  }
  console.error(
    'The Temporal CLI is required. Install Go and rerun (it runs: go install github.com/temporalio/cli/cmd/temporal@v1.5.1), ' +
      'or download it from https://temporal.download/cli and set TEMPORAL_CLI, or point TEMPORAL_ADDRESS at a running server.',
  );
  process.exit(1);
}

/**
 * The S3-compatible server for object-storage mode and its tests: versitygw (Apache-2.0,
 * maintained; minio is archived and AGPL), built once per machine with `go install` and
 * cached like the Temporal CLI. S3_SERVER_BIN points at one built elsewhere. Optional: without
 * Go only the object-storage mode and its tests are unavailable.
 */
function ensureS3Server() {
  return ensureGoTool({ name: 'versitygw', module: 'github.com/versity/versitygw/cmd/versitygw', version: VERSITYGW_VERSION, envVar: 'S3_SERVER_BIN', without: 'STORAGE=s3 and the S3 tests are unavailable' });
}

/**
 * grpcurl, the gRPC reflection client the reflection tests use (test/reflection.test.ts), built
 * and cached like the S3 server. GRPCURL_BIN points at one built elsewhere.
 */
function ensureGrpcurl() {
  return ensureGoTool({ name: 'grpcurl', module: 'github.com/fullstorydev/grpcurl/cmd/grpcurl', version: GRPCURL_VERSION, envVar: 'GRPCURL_BIN', without: 'the reflection tests cannot run' });
}

/**
 * A Go tool built once per machine with `go install` into the user cache and copied into
 * .cache/bin with a version stamp; `envVar` points at one built elsewhere. Null without Go.
 */
function ensureGoTool({ name, module, version, envVar, without }) {
  if (process.env[envVar]) return existsSync(process.env[envVar]) ? process.env[envVar] : null;
  const repoCache = path.join(root, '.cache', 'bin', name);
  const userCache = path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'framesmith', 'bin', `${name}-${version}`);
  const place = (from) => {
    mkdirSync(path.dirname(repoCache), { recursive: true });
    copyFileSync(from, repoCache + '.tmp');
    chmodSync(repoCache + '.tmp', 0o755);
    renameSync(repoCache + '.tmp', repoCache);
    return repoCache;
  };
  const stamp = repoCache + '.version';
  if (existsSync(repoCache) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === version) return repoCache;
  const stamped = (bin) => {
    writeFileSync(stamp, version + '\n');
    return bin;
  };
  if (existsSync(userCache)) return stamped(place(userCache));
  const go = onPath('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
  if (!go) {
    say(`Go is missing: ${name} is not built; ${without}`);
    return null;
  }
  say(`building ${name} v${version} with go install (once per machine)...`);
  const gobin = path.join(tmpdir(), `framesmith-gobin-${process.pid}`);
  if (!run(go, ['install', `${module}@v${version}`], { env: { ...process.env, GOBIN: gobin, GOFLAGS: '-mod=mod' } })) {
    say(`go install of ${name} failed; ${without}`);
    return null;
  }
  mkdirSync(path.dirname(userCache), { recursive: true });
  copyFileSync(path.join(gobin, name), userCache);
  chmodSync(userCache, 0o755);
  return stamped(place(userCache));
}

ensureNodeModules();
ensureFfmpeg();
// The quick loop (`npm run test:unit`) starts no stack: it needs neither Temporal nor S3.
const needsStack = mode !== 'unit';
const temporal = needsStack ? ensureTemporal() : null;
const env = { ...process.env };
if (temporal) env.TEMPORAL_CLI = temporal;
const s3Server = needsStack ? ensureS3Server() : null;
if (s3Server) env.S3_SERVER_BIN = s3Server;
const grpcurl = mode === 'test' || mode === 'provision' ? ensureGrpcurl() : null;
if (grpcurl) env.GRPCURL_BIN = grpcurl;
// Headless Chromium only for the page tests: `npm start` and the bench do without it.
if (mode === 'test' || mode === 'provision') {
  const chromium = ensureChromium({ say });
  if (!chromium.path) {
    console.error(chromium.error);
    process.exit(1);
  }
  env.CHROMIUM_PATH = chromium.path;
}

if (mode === 'provision') {
  say(`provisioned: node_modules, ffmpeg, Temporal CLI ${temporal ?? '(external TEMPORAL_ADDRESS)'}, S3 server ${s3Server ?? '(unavailable)'}, Chromium ${env.CHROMIUM_PATH}`);
  process.exit(0);
}

const entry = {
  start: [process.execPath, ['--import', 'tsx', 'scripts/start.ts', ...passThrough]],
  test: [path.join(root, 'node_modules', '.bin', 'vitest'), ['run', ...passThrough]],
  unit: [path.join(root, 'node_modules', '.bin', 'vitest'), ['run', '--project', 'unit', ...passThrough]],
  bench: [process.execPath, ['--import', 'tsx', 'bench/run.ts', ...passThrough]],
  // The compiled processes (after `npm run build`) against the dev stack: `npm run build:smoke`.
  'build-smoke': [process.execPath, ['--import', 'tsx', 'scripts/build-smoke.ts', ...passThrough]],
}[mode];
if (!entry) {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
const child = spawn(entry[0], entry[1], { stdio: 'inherit', cwd: root, env });
// Ctrl-C reaches the whole foreground process group; the child handles it and we wait.
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
