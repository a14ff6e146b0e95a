// Runs every operation on every corpus source against one running stack, through its REST
// API, and checks each output by its pixels (checks.ts). Shared by test/corpus.test.ts (the
// test suite's stack) and run-corpus.ts (`npm run corpus`, a stack of its own). Cells run
// concurrently, from all sources at once, so the stack's workers stay busy.
import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkClip, checkGif, checkImage, sourceTruth, type TruthFrame, type Verdict } from './checks.js';
import type { Cell, SourceRow } from './corpus-report.js';
import type { SourceFacts } from './make-corpus.js';

/** Where the cells run: a stack's REST API, its storage root (sources are copied there) and Temporal. */
export interface CorpusTarget {
  restUrl: string;
  apiKey: string;
  storageRoot: string;
  temporalAddress: string;
}

const JOB_TIMEOUT_MS = 180_000;

/** The table's columns, in order. */
export const COLUMNS = ['IMAGE 0', 'IMAGE 0.51', 'IMAGE mid', 'IMAGE end', 'GIF', 'VIDEO exact', 'VIDEO keyframe'] as const;
export type Column = (typeof COLUMNS)[number];

const hms = (s: number) => {
  const ms = Math.round(s * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(Math.floor(ms / 3_600_000))}:${p(Math.floor(ms / 60_000) % 60)}:${p(Math.floor(ms / 1000) % 60)}.${p(ms % 1000, 3)}`;
};
const r3 = (s: number) => Math.round(s * 1000) / 1000;

interface Op {
  column: Column;
  kind: 'image' | 'gif' | 'video';
  body: (eventId: string) => Record<string, unknown>;
  check: (file: string, truth: TruthFrame[]) => Promise<Verdict>;
}

/** The operations for a source lasting `span` seconds (first to last displayed frame). */
function operations(src: SourceFacts, span: number): Op[] {
  const image = (column: Column, label: string, t: number): Op => ({
    column, kind: 'image',
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
    image('IMAGE 0', '0', 0),
    image('IMAGE 0.51', '0.51', 0.51),
    image('IMAGE mid', 'mid', r3(span * 0.55 + 0.013)),
    image('IMAGE end', 'end', r3(span - 0.05)),
    {
      column: 'GIF', kind: 'gif',
      body: (eventId) => ({ name: 'gif', clip: { eventId, start: hms(gs), end: hms(ge) }, fps: gfps }),
      check: (file, truth) => checkGif(file, truth, gs, ge, gfps),
    },
    clip(true),
    clip(false),
  ];
}

async function api(t: CorpusTarget, method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
  // The stack restarts a component that dies; a GET in flight then fails once.
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${t.restUrl}${route}`, {
        method,
        headers: { 'API-KEY': t.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    } catch (e) {
      if (attempt >= 3 || method !== 'GET') throw e;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

type TemporalClient = import('@temporalio/client').Client;

/** The strategy the worker reported, from the workflow's result (the asset does not carry it). */
async function strategyOf(client: () => Promise<TemporalClient>, jobId: string): Promise<string | null> {
  try {
    return ((await (await client()).workflow.getHandle(jobId).result()) as { strategy: string | null }).strategy;
  } catch {
    return null;
  }
}

const failed = (column: Column, problem: string, seconds = 0): Cell => ({ column, pass: false, exact: null, clean: null, strategy: null, seconds, problems: [problem], notes: [] });

async function runOp(t: CorpusTarget, client: () => Promise<TemporalClient>, op: Op, eventId: string, truth: TruthFrame[], scratch: string): Promise<Cell> {
  const started = Date.now();
  const posted = await api(t, 'POST', `/api/asset/${op.kind}/`, op.body(eventId));
  if (posted.status !== 200) return failed(op.column, `POST ${posted.status}: ${posted.body?.exceptionMessage ?? JSON.stringify(posted.body)}`);
  let asset = posted.body;
  while (asset.stateString === 'GENERATING' && Date.now() - started < JOB_TIMEOUT_MS) {
    await new Promise((r) => setTimeout(r, 250));
    asset = (await api(t, 'GET', `/api/asset/${posted.body.id}/`)).body;
  }
  const seconds = (Date.now() - started) / 1000;
  if (asset.stateString !== 'COMPLETED') return failed(op.column, `${asset.stateString}: ${asset.failureReason ?? 'no reason'}`, seconds);
  const strategy = await strategyOf(client, asset.jobId);
  const file = path.join(scratch, `${op.column.replace(/\W+/g, '-')}.${asset.extension}`);
  const res = await fetch(String(asset.url).replace('//localhost:', '//127.0.0.1:'));
  await writeFile(file, Buffer.from(await res.arrayBuffer()));
  try {
    const v = await op.check(file, truth);
    return { column: op.column, pass: v.problems.length === 0, exact: v.exact, clean: v.clean, strategy, seconds, problems: v.problems, notes: v.notes };
  } catch (e) {
    return { ...failed(op.column, `check failed: ${e instanceof Error ? e.message : String(e)}`, seconds), strategy };
  }
}

/** Runs `jobs` with at most `limit` in flight. */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, async () => {
    for (let i = next++; i < jobs.length; i = next++) out[i] = await jobs[i]!();
  }));
  return out;
}

export interface RunCellsOptions {
  /** Where outputs are downloaded to be checked. */
  scratch: string;
  /** Cells in flight at once (jobs queue in the stack's workers beyond their own concurrency). */
  concurrency: number;
  log?: (line: string) => void;
  /** Called as each source's row is complete. */
  onRow?: (row: SourceRow) => void | Promise<void>;
}

/** Registers each source as an event and runs every operation on it; rows in the sources' order. */
export async function runCorpusCells(t: CorpusTarget, sources: readonly SourceFacts[], o: RunCellsOptions): Promise<SourceRow[]> {
  const log = o.log ?? (() => undefined);
  let temporal = null as Promise<TemporalClient> | null;
  // One Temporal connection for the run: connecting per job fails now and then under load.
  const client = () => (temporal ??= import('@temporalio/client').then(async ({ Connection, Client }) => new Client({ connection: await Connection.connect({ address: t.temporalAddress }) })));
  try {
    await mkdir(path.join(t.storageRoot, 'corpus'), { recursive: true });
    const prepared = await pool(sources.map((src) => async () => {
      const rel = path.join('corpus', src.name);
      await cp(path.dirname(src.file), path.join(t.storageRoot, rel), { recursive: true });
      const truth = await sourceTruth(src.file);
      const span = truth[truth.length - 1]!.t;
      const ev = await api(t, 'POST', '/api/event/', { title: src.name, vodFile: path.join(rel, src.vod) });
      const scratch = path.join(o.scratch, src.name);
      await mkdir(scratch, { recursive: true });
      return { src, truth, span, ev, scratch, ops: operations(src, span), cells: new Map<Column, Cell>() };
    }), 2);
    const rows: SourceRow[] = [];
    const finish = async (p: (typeof prepared)[number]) => {
      const cells = p.ops.map((op) => p.cells.get(op.column)!);
      const row: SourceRow = { source: p.src, frames: p.truth.length, firstFrame: p.truth[0]!.n, span: p.span, cells };
      rows.push(row);
      log(`${p.src.name}: ${cells.filter((c) => c.pass).length}/${cells.length} pass${cells.filter((c) => !c.pass).map((c) => `\n    ${c.column}: ${c.problems.join('; ')}`).join('')}`);
      await o.onRow?.(row);
    };
    // Interleaved by column, so the slow kinds (clips) do not all queue at the end.
    const jobs = COLUMNS.flatMap((column) => prepared.map((p) => async () => {
      const op = p.ops.find((x) => x.column === column)!;
      const cell = p.ev.status !== 200
        ? failed(column, `event ${p.ev.status}: ${p.ev.body?.exceptionMessage}`)
        : await runOp(t, client, op, p.ev.body.id, p.truth, p.scratch).catch((e: unknown) => failed(column, `run failed: ${e instanceof Error ? e.message : String(e)}`));
      p.cells.set(column, cell);
      if (p.cells.size === p.ops.length) await finish(p);
    }));
    await pool(jobs, o.concurrency);
    return sources.map((s) => rows.find((r) => r.source.name === s.name)!);
  } finally {
    await temporal?.then((c) => c.connection.close()).catch(() => undefined);
  }
}
