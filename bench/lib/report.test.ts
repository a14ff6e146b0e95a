import { describe, expect, it } from 'vitest';
import { markdownTable, tally, tallyLine, verdict } from './report.js';
import type { ScenarioResult } from './scenario.js';
import { judge, targetText } from './targets.js';

const machine = { date: '2026-12-02T00:00:00Z', cpu: 'cpu', cores: 2, memoryGiB: 8, os: 'Linux', node: '20', ffmpeg: 'ffmpeg 5.1', gifski: 'gifski 1.7', gpu: null, loadAverageStart: [0] };
const row = { pipeline: 'P', baseline: 'B', ratio: 'R' };

function ok(id: 'B2' | 'B7', measured: Record<string, number>): ScenarioResult {
  return { id, title: id, target: targetText(id), status: 'ok', seconds: 1, row, ...judge(id, measured), headline: '', breakdown: [], data: {} };
}

describe('report', () => {
  const results: ScenarioResult[] = [
    ok('B2', { ratio: 1.1 }),
    ok('B2', { ratio: 1.4 }),
    ok('B7', {}),
    { id: 'B10', title: 'mixed', target: targetText('B10'), status: 'FAILED', error: 'boom', seconds: 1 },
    { id: 'G1', title: 'nvdec', target: targetText('G1'), status: 'SKIPPED', error: 'no GPU', seconds: 0 },
  ];

  it('says met, MISSED, report or why there is no result', () => {
    expect(results.map(verdict)).toEqual(['met', 'MISSED', 'report', 'FAILED', 'SKIPPED']);
    expect(tally(results)).toEqual({ met: 1, missed: 1, report: 1, failed: 1, skipped: 1 });
    expect(tallyLine(results)).toBe('1 of 2 targets met; 1 report only, 1 FAILED, 1 skipped.');
  });

  it('shows the target on every row of the README table, failed ones too', () => {
    const table = markdownTable(results, machine, 'full', '5 runs');
    expect(table).toContain('| B2 | B2 | P | B | R | ≤ 1.25× | met |');
    expect(table).toContain('| B2 | B2 | P | B | R | ≤ 1.25× | MISSED |');
    expect(table).toContain('| B10 | mixed | FAILED: boom |  |  | throughput ≥ 0.85×, none lost | FAILED |');
    expect(table).toContain('1 of 2 targets met');
  });
});
