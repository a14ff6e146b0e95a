// B2: an IMAGE through the pipeline vs a raw ffmpeg input-seek grab with ffmpeg's JPEG encoder.
// B2h: the same frame from the HLS twin, asked for by its ISO8601 instant (program date time).
import path from 'node:path';
import { parseClipTime } from '@framesmith/core/time';
import { timeCommand } from '../lib/media-checks.js';
import { ratioOutcome, timedAsset, tryProfile } from '../lib/pipeline-run.js';
import { type BenchContext, interleaved, type Scenario, type ScenarioOutcome } from '../lib/scenario.js';
import { summarize } from '../lib/stats.js';
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

export const imageGrab: Scenario = {
  id: 'B2',
  title: (p) => `IMAGE frame grab at ${p.image.time}`,
  async run(ctx): Promise<ScenarioOutcome> {
    const t = ctx.params.image.time;
    const { r } = await measure(ctx, t, ctx.eventId, path.join(ctx.storageRoot, ctx.mp4Rel), t, 'b2');
    return ratioOutcome({ id: 'B2', samples: r, profile: await tryProfile(() => profileImage(ctx, t)) });
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
    const { r } = await measure(ctx, instant, ctx.hlsEventId, playlist, ctx.params.image.time, 'b2h');
    const out = ratioOutcome({ id: 'B2h', samples: r, notes: [`time ${instant} (program date time of the first segment + ${t.seconds} s)`] });
    return { ...out, data: { ...out.data, instant } };
  },
};
