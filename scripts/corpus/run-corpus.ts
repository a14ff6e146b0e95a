// `npm run corpus`: builds (or reuses) the media corpus, starts a stack of its own (own DATA_DIR
// and PORT, smart cut whatever the size), registers every source as an event, runs every
// operation on it through the REST API and checks the outputs by their pixels (checks.ts).
// Writes docs/corpus.md and docs/corpus.json. Not part of `npm test`: cells may fail.
// `npm run corpus -- x264-vfr gst-hls-3600` runs some sources only (and writes no docs);
// `npm run corpus -- --resume [--rerun=a,b]` keeps the results of sources a previous run finished.
import { createWriteStream, existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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
/** Sources in flight at once: each already runs its seven operations together. */
const SOURCE_CONCURRENCY = 2;

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

// One Temporal connection for the run: connecting per job fails now and then under load.
let temporal: Promise<import('@temporalio/client').Client> | null = null;

/** The strategy the worker reported, from the workflow's result (the asset does not carry it). */
async function strategyOf(stack: Stack, jobId: string): Promise<string | null> {
  temporal ??= import('@temporalio/client').then(async ({ Connection, Client }) => new Client({ connection: await Connection.connect({ address: stack.temporalAddress }) }));
  try {
    return ((await (await temporal).workflow.getHandle(jobId).result()) as { strategy: string | null }).strategy;
  } catch {
    temporal = null;
    return null;
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

/** Registers one source as an event and runs every operation on it. */
async function runSource(stack: Stack, src: SourceFacts, dataDir: string): Promise<SourceRow> {
  const rel = path.join('corpus', src.name);
  await mkdir(path.join(stack.config.storageRoot, 'corpus'), { recursive: true });
  await cp(path.dirname(src.file), path.join(stack.config.storageRoot, rel), { recursive: true });
  const truth = await sourceTruth(src.file);
  const span = truth[truth.length - 1]!.t;
  const ops = operations(src, span);
  const failed = (column: string, problem: string): Cell => ({ column, pass: false, exact: null, clean: null, strategy: null, seconds: 0, problems: [problem], notes: [] });
  const ev = await api(stack, 'POST', '/api/event/', { title: src.name, vodFile: path.join(rel, src.vod) });
  const scratch = path.join(dataDir, 'out', src.name);
  await mkdir(scratch, { recursive: true });
  const cells = ev.status !== 200
    ? ops.map((op) => failed(op.column, `event ${ev.status}: ${ev.body?.exceptionMessage}`))
    : await Promise.all(ops.map((op) => runOp(stack, op, ev.body.id, truth, scratch).catch((e: unknown) => failed(op.column, `run failed: ${e instanceof Error ? e.message : String(e)}`))));
  const passed = cells.filter((c) => c.pass).length;
  console.log(`[corpus] ${src.name}: ${passed}/${cells.length} pass${cells.filter((c) => !c.pass).map((c) => `\n    ${c.column}: ${c.problems.join('; ')}`).join('')}`);
  return { source: src, frames: truth.length, firstFrame: truth[0]!.n, span, cells };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const resume = args.includes('--resume');
  const only = args.filter((a) => !a.startsWith('--'));
  const rerun = new Set(args.find((a) => a.startsWith('--rerun='))?.slice('--rerun='.length).split(',') ?? []);
  const corpus = await buildCorpus({ only });
  // docs/corpus.json is rewritten after every source, so `--resume` finishes an interrupted
  // run from it (same corpus only), running again just the sources named by `--rerun=a,b`.
  const rows = new Map<string, SourceRow>();
  const previous = path.join(ROOT, 'docs', 'corpus.json');
  if (resume && existsSync(previous)) {
    const json = JSON.parse(await readFile(previous, 'utf8')) as { corpus?: string; buildSeconds?: number; rows?: SourceRow[] };
    const same = json.corpus === undefined ? json.buildSeconds === corpus.buildSeconds : json.corpus === path.basename(corpus.dir);
    for (const row of same ? (json.rows ?? []) : []) {
      if (!rerun.has(row.source.name)) rows.set(row.source.name, { ...row, source: { ...row.source, file: path.join(corpus.dir, row.source.file) } });
    }
  }
  const ordered = () => corpus.sources.flatMap((s) => rows.get(s.name) ?? []);
  const notRun = () => corpus.sources.filter((s) => !rows.has(s.name)).map((s) => s.name);
  const report = async () => {
    if (!only.length) await writeReport(path.join(ROOT, 'docs'), corpus, ordered(), notRun());
  };
  const pending = corpus.sources.filter((s) => !rows.has(s.name));
  if (pending.length) {
    // `npm run corpus` runs bootstrap's provisioning first, which leaves the Temporal CLI here.
    const cachedCli = path.join(ROOT, '.cache', 'bin', 'temporal');
    if (!process.env.TEMPORAL_CLI && !process.env.TEMPORAL_ADDRESS && existsSync(cachedCli)) process.env.TEMPORAL_CLI = cachedCli;
    const dataDir = await mkdtemp(path.join(tmpdir(), 'framesmith-corpus-'));
    // The stack's own log, for diagnosing a failed cell.
    const logFile = path.join(ROOT, '.cache', 'corpus', 'stack.log');
    const log = createWriteStream(logFile);
    console.log(`[corpus] ${pending.length} sources to run; starting a stack (log: ${path.relative(ROOT, logFile)})...`);
    const stack = await startStack({
      env: { DATA_DIR: dataDir, PORT: String(await freePort()), SMART_CUT_MIN_COPIED_PIXELS: '0' },
      log: (line) => log.write(`${line}\n`),
    });
    const stop = () => void stack.stop().finally(() => process.exit(130));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      const next = async (): Promise<void> => {
        for (let src = pending.shift(); src; src = pending.shift()) {
          const row = await runSource(stack, src, dataDir);
          rows.set(src.name, row);
          await report();
        }
      };
      await Promise.all(Array.from({ length: SOURCE_CONCURRENCY }, next));
    } finally {
      await temporal?.then((c) => c.connection.close()).catch(() => undefined);
      await stack.stop();
      log.end();
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  await report();
  if (!only.length) console.log('[corpus] wrote docs/corpus.md and docs/corpus.json');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
