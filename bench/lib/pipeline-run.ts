// One pipeline run timed end to end (POST → the client sees COMPLETED), split into phases
// from the workflow history when Temporal is reachable.
import { medianByKey } from './stats.js';
import type { Finished } from './rest-client.js';
import type { BenchContext } from './scenario.js';
import { pipelinePhases, workflowTimes } from './workflow-phases.js';

export interface PipelineSample {
  seconds: number;
  phases: Record<string, number> | null;
  finished: Finished;
}

/** Poll interval while waiting for one asset: short, so the end is seen within ~25 ms. */
const POLL_MS = 25;

export async function timedAsset(ctx: BenchContext, kind: 'image' | 'gif' | 'video', body: Record<string, unknown>): Promise<PipelineSample> {
  const submitted = await ctx.rest.submit(kind, body);
  const finished = await ctx.rest.waitDone(submitted, { pollMs: POLL_MS });
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
