#!/usr/bin/env node
// Headless Chromium for the page tests (test/api-docs.test.ts): Debian's `chromium` package,
// found or installed here, never assumed. Plain JavaScript with no dependencies, like
// scripts/bootstrap.mjs, which calls it for `npm test` and `provision`.
// CHROMIUM_PATH points at a browser installed some other way (macOS, a Chrome for Testing).
// Run alone: `node scripts/provision-chromium.mjs` prints the browser's path (`--find`: without installing).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const NAMES = ['chromium', 'chromium-browser'];

function onPath(bin) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', bin], { encoding: 'utf8' }).stdout.trim() || null;
}

function findChromium() {
  for (const name of NAMES) {
    const found = onPath(name);
    if (found) return found;
  }
  return null;
}

/** Whether the browser starts at all (a half-installed package or missing library fails here, not in a test). */
function runs(bin) {
  const r = spawnSync(bin, ['--headless', '--no-sandbox', '--version'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0;
}

/**
 * Returns the browser's path, installing Debian's package with apt-get when run as root (or
 * with password-less sudo). The downloaded .deb files are kept in the project's tool cache
 * (FRAMESMITH_CACHE, else ~/.cache/framesmith, /apt-archives) rather than apt's own folder,
 * which Docker-derived images empty after every install (apt.conf.d/docker-clean): a fresh
 * container with the cache mounted installs without downloading. The package lists are
 * refreshed only when apt does not know the package yet. Returns { path: null, error } when
 * it cannot be provided.
 */
export function ensureChromium({ say = (m) => console.log(`[framesmith] ${m}`) } = {}) {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    return existsSync(configured) ? { path: configured } : { path: null, error: `CHROMIUM_PATH=${configured} does not exist` };
  }
  const found = findChromium();
  if (found) return { path: found };
  const isRoot = process.getuid?.() === 0;
  const canSudo = !isRoot && onPath('sudo') && spawnSync('sudo', ['-n', 'true']).status === 0;
  const manual = 'Install it with: sudo apt-get install -y chromium (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary.';
  if (!onPath('apt-get') || !(isRoot || canSudo)) {
    return { path: null, error: `headless Chromium is required by the page tests (test/api-docs.test.ts) and was not found. ${manual}` };
  }
  say('chromium is missing: installing it with apt-get (Debian package chromium)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const cache = path.join(process.env.FRAMESMITH_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'framesmith'), 'apt-archives');
  mkdirSync(path.join(cache, 'partial'), { recursive: true });
  // Another apt run (ffmpeg's, a parallel provision) may hold the lock: wait for it, don't fail.
  const aptGet = (args) => {
    // Downloads run as root: apt's _apt user cannot write into a cache under root's home.
    const full = ['-o', 'DPkg::Lock::Timeout=300', '-o', `Dir::Cache::archives=${cache}`, '-o', 'APT::Sandbox::User=root', ...args];
    const r = isRoot ? spawnSync('apt-get', full, { stdio: 'inherit', env }) : spawnSync('sudo', ['-n', 'apt-get', ...full], { stdio: 'inherit', env });
    return r.status === 0;
  };
  const install = () => aptGet(['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
  const known = spawnSync('apt-cache', ['show', 'chromium'], { stdio: 'ignore' }).status === 0;
  if (!(known && install()) && !(aptGet(['update', '-qq']) && install())) {
    return { path: null, error: `apt-get could not install chromium (see above). ${manual}` };
  }
  const installed = findChromium();
  if (!installed || !runs(installed)) return { path: null, error: `chromium was installed but does not start. ${manual}` };
  return { path: installed };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // --find: only look (what the page tests do when started without `npm test`); installing is
  // left to `node scripts/bootstrap.mjs provision`.
  const r = process.argv.includes('--find')
    ? (() => {
        const found = process.env.CHROMIUM_PATH || findChromium();
        return found ? { path: found } : { path: null, error: 'headless Chromium was not found: run `node scripts/bootstrap.mjs provision` (installs Debian\'s chromium as root), or set CHROMIUM_PATH.' };
      })()
    : ensureChromium();
  if (!r.path) {
    console.error(r.error);
    process.exit(1);
  }
  console.log(r.path);
}
