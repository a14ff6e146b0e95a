// What every scenario gets and gives back. A scenario that throws becomes a FAILED row with
// its reason; the others still run.
import type { ChildProcess } from 'node:child_process';
import type { Client } from '@temporalio/client';
import type { BenchMedia } from './bench-media.js';
import type { ObjectStorageSide } from './object-storage-stack.js';
import type { RestClient } from './rest-client.js';
import type { TemporalFloor } from './temporal-floor.js';
import type { Stack } from '../../scripts/stack/start-stack.js';
import type { CheckResult, TargetId } from './targets.js';

export interface BenchParams {
  quick: boolean;
  runs: number;
  /** B3's baseline is a full re-encode (~30 s at 1080p): fewer runs. */
  clipRuns: number;
  gif: { start: string; end: string; fps: number; width: number };
  image: { time: string };
  clip: { start: string; end: string };
  priorityBacklog: number;
  loadSeconds: number;
  loadConnections: number;
  throughputJobs: number;
  throughputRuns: number;
  /** B10: the batch's size, its VIDEO clips' length, and the time each side may take. */
  mixed: { requests: number; clipSeconds: number; deadlineSeconds: number };
  /** B11: live clips timed (the p95 wants 20; --runs sets it). */
  liveRequests: number;
}

export interface CpuWorker {
  child: ChildProcess;
  metricsPort: number;
}

/** Starts and stops CPU worker processes; null when the harness uses a stack it did not start. */
export interface WorkerControl {
  start(concurrency: number): Promise<CpuWorker>;
  stop(w: CpuWorker): Promise<void>;
  running(): CpuWorker[];
}

export interface BenchContext {
  params: BenchParams;
  rest: RestClient;
  temporal: Client | null;
  /** The stack's Temporal frontend (host:port), where the harness can run workers of its own; null when unknown. */
  temporalAddress: string | null;
  storageRoot: string;
  media: BenchMedia;
  mp4Rel: string;
  hlsRel: string;
  eventId: string;
  hlsEventId: string;
  /** Scratch folder for baseline outputs, on the same filesystem as the storage root. */
  workDir: string;
  /** Jobs per CPU worker process in the stack (the B5 slot count). */
  cpuConcurrency: number;
  workers: WorkerControl | null;
  /** The stack the harness started (its PIDs, database, gRPC address); null with --url. */
  stack: Stack | null;
  gifski: string;
  gpu: string | null;
  log(msg: string): void;
  /**
   * The S3 stack for B2s3/B3s3, started on first use and stopped with the run; throws
   * SkipScenario when the harness uses a stack it did not start (--url).
   */
  objectStorage(): Promise<ObjectStorageSide>;
  /** Filled by scenarios for later ones (B6 reads a completed asset and a busy event). */
  shared: { completedAssetId?: string; busyEventId?: string; temporalFloor?: Promise<TemporalFloor | null> };
}

/** The measured columns; the target column comes from targets.ts by the scenario's id. */
export interface Row {
  pipeline: string;
  baseline: string;
  ratio: string;
}

export interface ScenarioOutcome {
  row: Row;
  /** true/false against the target (targets.ts judge()); null where the target is "report". */
  met: boolean | null;
  /** Measured value over target, normalised so that <= 1 meets it (the chart); null: no target. */
  score: number | null;
  /** Each check of the target with the value it was judged on. */
  checks: CheckResult[];
  /** The raw ratio (or other headline number) for the chart label. */
  headline: string;
  /** Where the time goes: phase medians and the in-process profile, one line each. */
  breakdown: string[];
  data: Record<string, unknown>;
}

export interface ScenarioResult extends Partial<ScenarioOutcome> {
  id: TargetId;
  /** The target the row was judged by (targets.ts), also on FAILED and SKIPPED rows. */
  target: string;
  title: string;
  status: 'ok' | 'FAILED' | 'SKIPPED';
  error?: string;
  seconds: number;
}

export interface Scenario {
  /** Also the key of its target in targets.ts. */
  id: TargetId;
  /** The row's name, with this run's numbers (quick mode scales the times). */
  title(p: BenchParams): string;
  run(ctx: BenchContext): Promise<ScenarioOutcome>;
  /** Calls ctx.objectStorage(): the S3 stack is stopped once no later scenario does. */
  usesObjectStorage?: true;
}

export class SkipScenario extends Error {
  override name = 'SkipScenario';
}

/** A then B, `runs` times (A B A B ...), so drift on a noisy machine hits both alike. */
export async function interleaved<A, B>(runs: number, a: (i: number) => Promise<A>, b: (i: number) => Promise<B>): Promise<{ a: A[]; b: B[] }> {
  const out = { a: [] as A[], b: [] as B[] };
  for (let i = 0; i < runs; i++) {
    out.a.push(await a(i));
    out.b.push(await b(i));
  }
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function ratioText(r: number): string {
  return Number.isFinite(r) ? `${r < 0.1 ? r.toFixed(3) : r.toFixed(2)}×` : '—';
}

export function seconds(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}
