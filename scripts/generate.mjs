#!/usr/bin/env node
// Regenerates the protobuf code from proto/ with buf (protoc-gen-es + ts-proto).
// `--check` generates into a temporary folder and fails when the committed code differs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'node_modules', '.bin');
const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` };
const check = process.argv.includes('--check');
const outputs = ['lib/core/src/gen/es', 'lib/core/src/gen/grpc'];

function buf(args) {
  const r = spawnSync(path.join(bin, 'buf'), args, { cwd: path.join(root, 'proto'), env, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function files(dir) {
  const out = new Map();
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(path.relative(dir, p), readFileSync(p, 'utf8'));
    }
  };
  try { walk(dir); } catch { /* missing folder = no files */ }
  return out;
}

buf(['lint']);
if (!check) {
  buf(['generate']);
  console.log('generated', outputs.join(', '));
} else {
  const tmp = mkdtempSync(path.join(tmpdir(), 'framesmith-gen-'));
  const template = readFileSync(path.join(root, 'proto', 'buf.gen.yaml'), 'utf8').replaceAll('../lib/core/src/gen/', `${tmp}/`);
  writeFileSync(path.join(tmp, 'buf.gen.yaml'), template);
  buf(['generate', '--template', path.join(tmp, 'buf.gen.yaml')]);
  let stale = false;
  for (const out of outputs) {
    const want = files(path.join(tmp, path.basename(out)));
    const have = files(path.join(root, out));
    for (const [f, text] of want) if (have.get(f) !== text) { console.error(`stale generated file: ${out}/${f}`); stale = true; }
    for (const f of have.keys()) if (!want.has(f)) { console.error(`generated file without source: ${out}/${f}`); stale = true; }
  }
  rmSync(tmp, { recursive: true, force: true });
  if (stale) { console.error('Generated code is stale: run `npm run generate` and commit.'); process.exit(1); }
  console.log('generated code is up to date');
}
