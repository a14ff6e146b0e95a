// `npm run corpus`: builds (or reuses) the media corpus, starts a stack of its own (own DATA_DIR
// and PORT, smart cut whatever the size), registers every source as an event, runs every
// operation on it through the REST API and checks the outputs by their pixels (checks.ts).
// Writes docs/corpus.md and docs/corpus.json. Not part of `npm test`: cells may fail.
// `npm run corpus -- x264-vfr gst-hls-3600` runs some sources only (and writes no docs).
import { createWriteStream, existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../stack/free-port.js';
import { startStack, type Stack } from '../stack/start-stack.js';
import { checkClip, checkGif, checkImage, sourceTruth, type TruthFrame, type Verdict } from './checks.js';
import { buildCorpus, type SourceFacts } from './make-corpus.js';
import { writeReport, type Cell, type SourceRow } from './corpus-report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const JOB_TIMEOUT_MS = 180_000;

const hms = (s: number) => {
  const ms = Math.round(s * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(Math.floor(ms / 3_600_000))}:${p(Math.floor(ms / 60_000) % 60)}:${p(Math.floor(ms / 1000) % 60)}.${p(ms % 1000, 3)}`;
};
const r3 = (s: number) => Math.round(s * 1000) / 1000;

interface Op {
  column: string;
  kind: 'image' | 'gif' | 'video';
  body: (eventId: string) => Record<string, unknown>;
  check: (file: string, truth: TruthFrame[]) => Promise<Verdict>;
}

/** The operations for a source lasting `span` seconds (first to last displayed frame). */
function operations(src: SourceFacts, span: number): Op[] {
  const image = (label: string, t: number): Op => ({
    column: `IMAGE ${label}`, kind: 'image',
    body: (eventId) => ({ eventId, name: `image ${label}`, time: hms(t) }),
    check: (file, truth) => checkImage(file, truth, t),
  });
  // Times sit a few ms off frame boundaries, so container rounding (Matroska's ms) cannot tip them.
  const [gs, ge, gfps] = [1.01, 2.01, 10];
  const [cs, ce] = [1.13, r3(Math.min(span - 0.3, 3.41))];
  const clip = (frameAccurate: boolean): Op => ({
    column: frameAccurate ? 'VIDEO exact' : 'VIDEO keyframe', kind: 'video',
    body: (eventId) => ({ name: `clip ${frameAccurate}`, clip: { eventId, start: hms(cs), end: hms(ce) }, frameAccurate }),
    check: (file, truth) => checkClip(file, truth, { exact: frameAccurate, cfr: src.fps !== null, start: cs, end: ce, sourceAudio: src.probed.audio.length }),
  });
  return [
    image('0', 0),
    image('0.51', 0.51),
    image('mid', r3(span * 0.55 + 0.013)),
    image('end', r3(span - 0.05)),
    {
      column: 'GIF', kind: 'gif',
      body: (eventId) => ({ name: 'gif', clip: { eventId, start: hms(gs), end: hms(ge) }, fps: gfps }),
      check: (file, truth) => checkGif(file, truth, gs, ge, gfps),
    },
    clip(true),
    clip(false),
  ];
}

async function api(stack: Stack, method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  // The stack restarts a component that dies; a request in flight then fails once.
  for (let attempt = 1; ; attempt++) {
    try {
      return await apiOnce(stack, method, route, body);
    } catch (e) {
      if (attempt >= 3 || method !== 'GET') throw e;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

async function apiOnce(stack: Stack, method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${stack.restUrl}${route}`, {
    method,
    headers: { 'API-KEY': stack.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function strategyOf(stack: Stack, jobId: string): Promise<string | null> {
  const { Connection, Client } = await import('@temporalio/client');
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    return ((await new Client({ connection }).workflow.getHandle(jobId).result()) as { strategy: string | null }).strategy;
  } catch {
    return null;
  } finally {
    await connection.close();
  }
}

async function runOp(stack: Stack, op: Op, eventId: string, truth: TruthFrame[], scratch: string): Promise<Cell> {
  const started = Date.now();
  const base = { column: op.column, exact: null, clean: null, strategy: null } as const;
  const posted = await api(stack, 'POST', `/api/asset/${op.kind}/`, op.body(eventId));
  if (posted.status !== 200) return { ...base, pass: false, seconds: 0, problems: [`POST ${posted.status}: ${posted.body?.exceptionMessage ?? JSON.stringify(posted.body)}`], notes: [] };
  let asset = posted.body;
  while (asset.stateString === 'GENERATING' && Date.now() - started < JOB_TIMEOUT_MS) {
    await new Promise((r) => setTimeout(r, 250));
    asset = (await api(stack, 'GET', `/api/asset/${posted.body.id}/`)).body;
  }
  const seconds = (Date.now() - started) / 1000;
  const strategy = asset.stateString === 'COMPLETED' ? await strategyOf(stack, asset.jobId) : null;
  if (asset.stateString !== 'COMPLETED') return { ...base, pass: false, seconds, problems: [`${asset.stateString}: ${asset.failureReason ?? 'no reason'}`], notes: [] };
  const file = path.join(scratch, `${op.column.replace(/\W+/g, '-')}.${asset.extension}`);
  const res = await fetch(String(asset.url).replace('//localhost:', '//127.0.0.1:'));
  await writeFile(file, Buffer.from(await res.arrayBuffer()));
  try {
    const v = await op.check(file, truth);
    return { column: op.column, pass: v.problems.length === 0, exact: v.exact, clean: v.clean, strategy, seconds, problems: v.problems, notes: v.notes };
  } catch (e) {
    return { ...base, strategy, pass: false, seconds, problems: [`check failed: ${e instanceof Error ? e.message : String(e)}`], notes: [] };
  }
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const corpus = await buildCorpus({ only });
  // `npm run corpus` runs bootstrap's provisioning first, which leaves the Temporal CLI here.
  const cachedCli = path.join(ROOT, '.cache', 'bin', 'temporal');
  if (!process.env.TEMPORAL_CLI && !process.env.TEMPORAL_ADDRESS && existsSync(cachedCli)) process.env.TEMPORAL_CLI = cachedCli;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'framesmith-corpus-'));
  // The stack's own log, for diagnosing a failed cell.
  const logFile = path.join(ROOT, '.cache', 'corpus', 'stack.log');
  const log = createWriteStream(logFile);
  console.log(`[corpus] starting a stack (log: ${path.relative(ROOT, logFile)})...`);
  const stack = await startStack({
    env: { DATA_DIR: dataDir, PORT: String(await freePort()), SMART_CUT_MIN_COPIED_PIXELS: '0' },
    log: (line) => log.write(`${line}\n`),
  });
  const rows: SourceRow[] = [];
  try {
    for (const src of corpus.sources) {
      const rel = path.join('corpus', src.name);
      await mkdir(path.join(stack.config.storageRoot, 'corpus'), { recursive: true });
      await cp(path.dirname(src.file), path.join(stack.config.storageRoot, rel), { recursive: true });
      const truth = await sourceTruth(src.file);
      const span = truth[truth.length - 1]!.t;
      const ev = await api(stack, 'POST', '/api/event/', { title: src.name, vodFile: path.join(rel, src.vod) });
      const scratch = path.join(dataDir, 'out', src.name);
      await mkdir(scratch, { recursive: true });
      let cells: Cell[];
      if (ev.status !== 200) {
        cells = operations(src, span).map((op) => ({ column: op.column, pass: false, exact: null, clean: null, strategy: null, seconds: 0, problems: [`event ${ev.status}: ${ev.body?.exceptionMessage}`], notes: [] }));
      } else {
        const ops = operations(src, span);
        cells = await Promise.all(ops.map((op) => runOp(stack, op, ev.body.id, truth, scratch).catch((e: unknown): Cell => ({
          column: op.column, pass: false, exact: null, clean: null, strategy: null, seconds: 0, problems: [`run failed: ${e instanceof Error ? e.message : String(e)}`], notes: [],
        }))));
      }
      const passed = cells.filter((c) => c.pass).length;
      console.log(`[corpus] ${src.name}: ${passed}/${cells.length} pass${cells.filter((c) => !c.pass).map((c) => `\n    ${c.column}: ${c.problems.join('; ')}`).join('')}`);
      rows.push({ source: src, frames: truth.length, firstFrame: truth[0]!.n, span, cells });
    }
  } finally {
    await stack.stop();
    log.end();
    await rm(dataDir, { recursive: true, force: true });
  }
  if (only.length) return;
  await writeReport(path.join(ROOT, 'docs'), corpus, rows);
  console.log('[corpus] wrote docs/corpus.md and docs/corpus.json');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
