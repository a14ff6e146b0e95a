#!/usr/bin/env node
// `npm run build`: the compiled JavaScript the images run. Every workspace's src/ to its dist/
// (tsc -b tsconfig.build.json, in dependency order; tests and fixtures left out), the files
// src/ reads at run time next to its code (the gateway's SQL migrations), then the
// orchestrator's prebuilt workflow bundle (scripts/build-workflow-bundle.mjs).
// Development and the tests never need it: they run src/ through tsx and vitest, and the
// packages' "default" export is src/; compiled code runs with --conditions=framesmith-dist.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Files under src/ that are neither TypeScript nor test material: copied beside the output. */
function copyAssets(ws) {
  const src = path.join(root, ws, 'src');
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) {
        if (name !== 'fixtures') walk(p);
      } else if (!/\.(ts|mts|cts)$/.test(name)) {
        cpSync(p, path.join(root, ws, 'dist', path.relative(src, p)));
      }
    }
  };
  walk(src);
}

run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json']);
for (const ws of JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).workspaces) copyAssets(ws);
run(process.execPath, ['--conditions=framesmith-dist', path.join(root, 'scripts/build-workflow-bundle.mjs')]);
