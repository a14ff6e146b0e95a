// One pipeline run timed end to end (POST → the client sees COMPLETED), split into phases
// from the workflow history when Temporal is reachable.
import { formatProfile, type JobProfile } from './profile-job.js';
import { formatSeconds, medianByKey, summarize } from './stats.js';
import type { Finished } from './rest-client.js';
import { type BenchContext, ratioText, type ScenarioOutcome } from './scenario.js';
import { judge, type Measured, type TargetId } from './targets.js';
import { pipelinePhases, workflowTimes } from './workflow-phases.js';

export interface PipelineSample {
  seconds: number;
  phases: Record<string, number> | null;
  finished: Finished;
}

export async function timedAsset(ctx: BenchContext, kind: 'image' | 'gif' | 'video', body: Record<string, unknown>): Promise<PipelineSample> {
  const submitted = await ctx.rest.submit(kind, body);
  const finished = await ctx.rest.waitDone(submitted);
  const phases = ctx.temporal ? pipelinePhases(finished.t0, finished.tDone, await workflowTimes(ctx.temporal, finished.asset.jobId)) : null;
  return { seconds: (finished.tDone - finished.t0) / 1000, phases, finished };
}

/** `phases (medians): submit 0.041 s · queue 0.004 s · work 2.512 s · finish 0.031 s` */
export function phaseLine(samples: PipelineSample[]): string | null {
  const rows = samples.map((s) => s.phases).filter((p): p is Record<string, number> => p !== null);
  if (rows.length === 0) return null;
  const m = medianByKey(rows);
  const total = Object.values(m).reduce((a, b) => a + b, 0);
  return `pipeline phases (medians): ${Object.entries(m)
    .map(([k, v]) => `${k} ${v.toFixed(3)} s (${Math.round((100 * v) / total)}%)`)
    .join(' · ')}`;
}

/** The worker's in-process profile as a breakdown line; a failed profile is reported, not fatal. */
export async function tryProfile(run: () => Promise<JobProfile>): Promise<{ line: string; profile: JobProfile | null }> {
  try {
    const profile = await run();
    return { line: `worker profile: ${formatProfile(profile)}`, profile };
  } catch (err) {
    return { line: `worker profile failed: ${(err as Error).message}`, profile: null };
  }
}

/** The outcome of a timed scenario judged by pipeline median ÷ baseline median against its target (targets.ts). */
export function ratioOutcome(o: {
  id: TargetId;
  samples: { a: PipelineSample[]; b: number[] };
  /** The worker's in-process profile; none where both sides are pipelines (B2s3, B3s3). */
  profile?: { line: string; profile: JobProfile | null };
  notes?: string[];
  /** Further values the target checks (B3s3: exact). */
  measured?: Measured;
}): ScenarioOutcome {
  const p = summarize(o.samples.a.map((s) => s.seconds));
  const b = summarize(o.samples.b);
  const ratio = p.median / b.median;
  return {
    row: { pipeline: formatSeconds(p), baseline: formatSeconds(b), ratio: ratioText(ratio) },
    ...judge(o.id, { ratio, ...o.measured }),
    headline: ratioText(ratio),
    breakdown: [phaseLine(o.samples.a), o.profile?.line ?? null, ...(o.notes ?? [])].filter((l): l is string => l !== null),
    data: { pipeline: p, baseline: b, ratio, phases: o.samples.a.map((s) => s.phases), profile: o.profile?.profile ?? null },
  };
}
