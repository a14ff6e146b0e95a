// B2s3 and B3s3: the B2 IMAGE and B3 frame-accurate VIDEO requests on a stack whose storage
// is S3 (the project's versitygw on this machine; ffmpeg reads presigned URLs, outputs are
// uploaded from private scratch) against the same requests on the folder stack, interleaved
// (S3 folder S3 folder ...) after one warm-up of each. The ratio is S3 median ÷ folder median.
import path from 'node:path';
import { checkClipEdges } from '../lib/media-checks.js';
import { phaseLine, ratioOutcome, timedAsset } from '../lib/pipeline-run.js';
import { type BenchContext, interleaved, type Scenario, type ScenarioOutcome } from '../lib/scenario.js';
import { expectedEdges, videoRequest } from './clip.js';

type Body = (ctx: BenchContext, name: string) => Record<string, unknown>;

/** The same request on both stacks; `ctx.eventId` is each stack's event for the bench MP4. */
async function sideBySide(ctx: BenchContext, kind: 'image' | 'video', body: Body, runs: number, label: string) {
  const s3 = await ctx.objectStorage();
  const onS3: BenchContext = { ...ctx, rest: s3.rest, temporal: s3.temporal, eventId: s3.eventId };
  const run = (c: BenchContext, name: string) => timedAsset(c, kind, body(c, name));
  await run(onS3, `${label} warm-up (S3)`);
  await run(ctx, `${label} warm-up (folder)`);
  const r = await interleaved(
    runs,
    (i) => run(onS3, `${label} run ${i} (S3)`),
    (i) => run(ctx, `${label} run ${i} (folder)`),
  );
  return {
    s3,
    r,
    samples: { a: r.a, b: r.b.map((s) => s.seconds) },
    // ratioOutcome's phase line and data are the S3 side's; these are the folder side's.
    folderPhases: `folder stack: ${phaseLine(r.b) ?? 'no phases'}`,
    folderData: { folderPhases: r.b.map((s) => s.phases) },
  };
}

export const imageGrabS3: Scenario = {
  id: 'B2s3',
  usesObjectStorage: true,
  title: (p) => `IMAGE frame grab at ${p.image.time}, S3 ÷ folder storage`,
  async run(ctx): Promise<ScenarioOutcome> {
    const body: Body = (c, name) => ({ eventId: c.eventId, name, time: c.params.image.time });
    const { samples, folderPhases, folderData } = await sideBySide(ctx, 'image', body, ctx.params.runs, 'b2s3');
    const out = ratioOutcome({ id: 'B2s3', samples, notes: [folderPhases] });
    return { ...out, data: { ...out.data, ...folderData } };
  },
};

export const clipAccurateS3: Scenario = {
  id: 'B3s3',
  usesObjectStorage: true,
  title: (p) => `VIDEO frame-accurate clip ${p.clip.start} → ${p.clip.end}, S3 ÷ folder storage`,
  async run(ctx): Promise<ScenarioOutcome> {
    const { s3, r, samples, folderPhases, folderData } = await sideBySide(ctx, 'video', (c, name) => videoRequest(c, name, true), ctx.params.clipRuns, 'b3s3');
    // The S3 clip must hold the same frames as B3's: fetched from the bucket and checked.
    const local = path.join(ctx.workDir, 'b3s3-from-bucket.mp4');
    await s3.download(r.a[r.a.length - 1]!.finished.done.path, local);
    const edges = await checkClipEdges(local, path.join(ctx.storageRoot, ctx.mp4Rel), expectedEdges(ctx));
    const out = ratioOutcome({ id: 'B3s3', samples, measured: { exact: edges.exact }, notes: [folderPhases, `S3 clip: ${edges.frames} frames, first matches ${edges.firstMatch}, last ${edges.lastMatch}`] });
    return {
      ...out,
      row: { ...out.row, pipeline: `${out.row.pipeline}, exact: ${edges.exact ? 'yes' : 'NO'}` },
      data: { ...out.data, ...folderData, s3Edges: edges },
    };
  },
};
