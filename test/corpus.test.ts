// The media corpus (scripts/corpus/): sources made by other encoders and packagers (x264, x265,
// mkvmerge, GStreamer, ffmpeg's muxers), every operation on each, checked by pixels against
// the frame ffmpeg displays at that time. Every cell must be exact and decode cleanly, except
// the documented refusals (scripts/corpus/refusals.ts); frame-accurate clips must be smart cut
// except where the refusals say why not. The table of the run is written to
// <cache>/corpus/last-run/corpus.md (and to docs/ with CORPUS_DOCS=1).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { availableParallelism } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { COLUMNS, runCorpusCells } from '../scripts/corpus/corpus-cells.js';
import { type SourceRow, writeReport } from '../scripts/corpus/corpus-report.js';
import { buildCorpus, corpusCacheDir, type Corpus } from '../scripts/corpus/make-corpus.js';
import { RECIPES } from '../scripts/corpus/recipes.js';
import { FULL_REENCODE, REFUSED_CELLS } from '../scripts/corpus/refusals.js';
import { stack } from './support/api.js';

let corpus: Corpus;
let rows: SourceRow[] = [];

beforeAll(async () => {
  const t0 = Date.now();
  corpus = await buildCorpus({ log: (l) => console.log(`[corpus] ${l}`) });
  const built = (Date.now() - t0) / 1000;
  const s = stack();
  const t1 = Date.now();
  rows = await runCorpusCells(
    { restUrl: s.restUrl, apiKey: s.apiKey, storageRoot: s.storageRoot, temporalAddress: s.temporalAddress },
    corpus.sources,
    { scratch: path.join(s.dataDir, 'corpus-out'), concurrency: Math.max(4, 2 * availableParallelism()) },
  );
  const ran = (Date.now() - t1) / 1000;
  console.log(`[corpus] corpus ready in ${built.toFixed(0)} s, ${rows.length * COLUMNS.length} cells in ${ran.toFixed(0)} s`);
  const out = path.join(corpusCacheDir(), 'last-run');
  await mkdir(out, { recursive: true });
  await writeReport(out, corpus, rows);
  if (process.env.CORPUS_DOCS === '1') await writeReport(path.resolve('docs'), corpus, rows);
}, 60 * 60_000);

describe('media corpus', () => {
  for (const r of RECIPES) {
    describe(r.name, () => {
      for (const column of COLUMNS) {
        const refused = REFUSED_CELLS[`${r.name} × ${column}`];
        it(`${column}${refused ? ' (refused)' : ''}`, () => {
          const cell = rows.find((x) => x.source.name === r.name)?.cells.find((c) => c.column === column);
          expect(cell, 'the cell ran').toBeDefined();
          if (refused) {
            expect(cell!.pass, `refused (${refused}) but passes: remove it from REFUSED_CELLS`).toBe(false);
            return;
          }
          expect(cell!.problems, `${r.name} × ${column}`).toEqual([]);
          if (column === 'VIDEO exact') {
            const why = FULL_REENCODE[r.name];
            if (why) expect(cell!.strategy, `listed as re-encoded in full (${why}), but smart cut`).toMatch(/full-reencode/);
            else expect(cell!.strategy, 'frame-accurate clip not smart cut').toMatch(/smart-cut/);
          }
        });
      }
    });
  }

  it('smart cuts at least 80 % of the frame-accurate clips', () => {
    const clips = rows.map((row) => row.cells.find((c) => c.column === 'VIDEO exact')!);
    const smart = clips.filter((c) => /smart-cut/.test(c.strategy ?? '')).length;
    expect(smart / clips.length).toBeGreaterThanOrEqual(0.8);
  });
});
