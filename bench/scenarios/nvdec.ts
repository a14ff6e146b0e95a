// G1 (GPU machines only): decoding the B3 range on NVDEC vs on the CPU, the raw ffmpeg runs
// that bound what the GPU worker's decode can gain.
import path from 'node:path';
import { parseClipTime } from '@framesmith/core/time';
import { timeCommand } from '../lib/media-checks.js';
import { interleaved, ratioText, type Scenario, type ScenarioOutcome, SkipScenario } from '../lib/scenario.js';
import { formatSeconds, summarize } from '../lib/stats.js';
import { judge } from '../lib/targets.js';

export const nvdecDecode: Scenario = {
  id: 'G1',
  title: () => 'NVDEC decode of the clip range vs CPU decode',
  async run(ctx): Promise<ScenarioOutcome> {
    if (!ctx.gpu) throw new SkipScenario('no NVIDIA GPU on this machine');
    const src = path.join(ctx.storageRoot, ctx.mp4Rel);
    const c = ctx.params.clip;
    const start = parseClipTime(c.start);
    const end = parseClipTime(c.end);
    if (start?.kind !== 'offset' || end?.kind !== 'offset') throw new Error('offsets expected');
    const t = (end.seconds - start.seconds).toFixed(3);
    const decode = (hw: string[]) => ['-nostdin', '-v', 'error', ...hw, '-ss', c.start, '-i', src, '-t', t, '-map', '0:v:0', '-f', 'null', '-'];
    const gpu = () => timeCommand('ffmpeg', decode(['-hwaccel', 'cuda']));
    const cpu = () => timeCommand('ffmpeg', decode([]));
    await gpu();
    await cpu();
    const r = await interleaved(ctx.params.runs, gpu, cpu);
    const p = summarize(r.a);
    const b = summarize(r.b);
    const ratio = p.median / b.median;
    return {
      row: { pipeline: `NVDEC ${formatSeconds(p)}`, baseline: `CPU ${formatSeconds(b)}`, ratio: ratioText(ratio) },
      ...judge('G1', {}),
      headline: ratioText(ratio),
      breakdown: [`card: ${ctx.gpu}`],
      data: { nvdec: p, cpu: b, ratio, card: ctx.gpu },
    };
  },
};
