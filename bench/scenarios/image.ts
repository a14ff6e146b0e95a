// B2: an IMAGE through the pipeline vs a raw ffmpeg input-seek grab with ffmpeg's JPEG encoder.
// B2h: the same frame from the HLS twin, asked for by its ISO8601 instant (program date time).
import path from 'node:path';
import { parseClipTime } from '@framesmith/core/time';
import { timeCommand } from '../lib/media-checks.js';
import { ratioOutcome, timedAsset, tryProfile } from '../lib/pipeline-run.js';
import { type BenchContext, interleaved, type Scenario, type ScenarioOutcome } from '../lib/scenario.js';
import { targetValue } from '../lib/targets.js';
import { summarize } from '../lib/stats.js';
import { measureTemporalFloor, type TemporalFloor } from '../lib/temporal-floor.js';
import { profileImage } from '../lib/worker-profile.js';

/** What a person types: input seek to the time, one frame, ffmpeg's JPEG encoder. */
export function grabByHand(input: string, time: string, out: string): string[] {
  return ['-nostdin', '-v', 'error', '-y', '-ss', time, '-i', input, '-frames:v', '1', '-an', '-q:v', '2', out];
}

async function measure(ctx: BenchContext, requestTime: string, eventId: string, input: string, handTime: string, label: string) {
  const out = path.join(ctx.workDir, `${label}-by-hand.jpg`);
  const request = (name: string) => ({ eventId, name, time: requestTime });
  await timedAsset(ctx, 'image', request(`${label} warm-up`));
  await timeCommand('ffmpeg', grabByHand(input, handTime, out));
  const r = await interleaved(
    ctx.params.runs,
    (i) => timedAsset(ctx, 'image', request(`${label} run ${i}`)),
    () => timeCommand('ffmpeg', grabByHand(input, handTime, out)),
  );
  ctx.shared.completedAssetId ??= r.a[0]?.finished.done.id;
  return { r, p: summarize(r.a.map((s) => s.seconds)), b: summarize(r.b) };
}

const FLOOR_RUNS = 15;

/**
 * The Temporal floor (temporal-floor.ts), measured once a run after the first grab scenario, and
 * what the target leaves beside it: the ratio's allowance over the raw grab, in ms.
 */
async function floorNote(ctx: BenchContext, id: 'B2' | 'B2h', rawSeconds: number): Promise<{ note: string; floor: TemporalFloor | null }> {
  if (!ctx.temporalAddress) return { note: 'Temporal floor: not measured (no Temporal address)', floor: null };
  const address = ctx.temporalAddress;
  ctx.shared.temporalFloor ??= measureTemporalFloor(address, FLOOR_RUNS).catch((err: unknown) => {
    ctx.log(`Temporal floor failed: ${(err as Error).message}`);
    return null;
  });
  const floor = await ctx.shared.temporalFloor;
  if (!floor) return { note: 'Temporal floor: failed (see the log)', floor: null };
  const allowed = (targetValue(id, 'ratio') - 1) * rawSeconds * 1000;
  const m = floor.startToStateMs;
  return {
    note:
      `Temporal floor: a workflow of the same shape with no work in it (start → an activity on another queue → a local activity) ` +
      `reaches its local activity ${m.median.toFixed(0)} ms after the start call (median of ${floor.runs}, ${m.min.toFixed(0)}–${m.max.toFixed(0)}); ` +
      `the target leaves ${allowed.toFixed(0)} ms over this raw grab for everything the pipeline adds`,
    floor,
  };
}

export const imageGrab: Scenario = {
  id: 'B2',
  title: (p) => `IMAGE frame grab at ${p.image.time}`,
  async run(ctx): Promise<ScenarioOutcome> {
    const t = ctx.params.image.time;
    const { r, b } = await measure(ctx, t, ctx.eventId, path.join(ctx.storageRoot, ctx.mp4Rel), t, 'b2');
    const { note, floor } = await floorNote(ctx, 'B2', b.median);
    const out = ratioOutcome({ id: 'B2', samples: r, profile: await tryProfile(() => profileImage(ctx, t)), notes: [note] });
    return { ...out, data: { ...out.data, temporalFloor: floor } };
  },
};

export const imageGrabHls: Scenario = {
  id: 'B2h',
  title: (p) => `IMAGE from the HLS twin, ISO8601 instant of ${p.image.time}`,
  async run(ctx): Promise<ScenarioOutcome> {
    const t = parseClipTime(ctx.params.image.time);
    if (t?.kind !== 'offset') throw new Error('the image time must be an offset');
    const instant = new Date(ctx.media.hlsStartEpochMs + t.seconds * 1000).toISOString();
    const playlist = path.join(ctx.storageRoot, ctx.hlsRel);
    const { r, b } = await measure(ctx, instant, ctx.hlsEventId, playlist, ctx.params.image.time, 'b2h');
    const { note, floor } = await floorNote(ctx, 'B2h', b.median);
    const out = ratioOutcome({ id: 'B2h', samples: r, notes: [`time ${instant} (program date time of the first segment + ${t.seconds} s)`, note] });
    return { ...out, data: { ...out.data, instant, temporalFloor: floor } };
  },
};
