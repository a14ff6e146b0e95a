// The outputs: a console table, a markdown table for the README, the JSON with every sample,
// and an SVG chart of each scenario against its target, drawn by hand (no chart library).
import type { ScenarioResult } from './scenario.js';

export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  ffmpeg: string;
  gifski: string;
  gpu: string | null;
  loadAverageStart: number[];
  loadAverageEnd?: number[];
}

const HEAD = ['id', 'scenario', 'pipeline median (min–max)', 'baseline median (min–max)', 'ratio', 'target', 'met?'];

/** The last column: met, missed, report (no target), or why the row has no result. */
export function verdict(r: Pick<ScenarioResult, 'status' | 'met'>): string {
  if (r.status !== 'ok') return r.status;
  return r.met === null || r.met === undefined ? 'report' : r.met ? 'met' : 'MISSED';
}

/** How many rows met their target, missed it, only report, or have no result. */
export function tally(results: Pick<ScenarioResult, 'status' | 'met'>[]): { met: number; missed: number; report: number; failed: number; skipped: number } {
  const out = { met: 0, missed: 0, report: 0, failed: 0, skipped: 0 };
  for (const r of results) {
    const v = verdict(r);
    if (v === 'met') out.met++;
    else if (v === 'MISSED') out.missed++;
    else if (v === 'report') out.report++;
    else if (v === 'FAILED') out.failed++;
    else out.skipped++;
  }
  return out;
}

export function tallyLine(results: Pick<ScenarioResult, 'status' | 'met'>[]): string {
  const t = tally(results);
  const rest = [t.report && `${t.report} report only`, t.failed && `${t.failed} FAILED`, t.skipped && `${t.skipped} skipped`].filter(Boolean);
  return `${t.met} of ${t.met + t.missed} targets met${rest.length ? `; ${rest.join(', ')}` : ''}.`;
}

function cells(r: ScenarioResult): string[] {
  if (r.status !== 'ok' || !r.row) {
    const why = r.status === 'SKIPPED' ? `SKIPPED: ${r.error}` : `FAILED: ${r.error}`;
    return [r.id, r.title, why, '', '', r.target, verdict(r)];
  }
  return [r.id, r.title, r.row.pipeline, r.row.baseline, r.row.ratio, r.target, verdict(r)];
}

export function machineLine(m: MachineInfo): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB; ${m.os}; Node ${m.node}; ${m.ffmpeg}; ${m.gifski}${m.gpu ? `; GPU ${m.gpu}` : ''}`;
}

export function consoleTable(results: ScenarioResult[]): string {
  const rows = [HEAD, ...results.map(cells)].map((r) => r.map((c) => (c.length > 70 ? `${c.slice(0, 67)}...` : c)));
  const widths = HEAD.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join(' │ ');
  return [line(rows[0]!), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...rows.slice(1).map(line)].join('\n');
}

export function breakdownText(results: ScenarioResult[]): string {
  return results
    .filter((r) => r.breakdown?.length || r.status === 'FAILED')
    .map((r) => [`${r.id} ${r.title}${r.met === false ? ' — target missed' : ''}`, ...(r.breakdown ?? []).map((l) => `  - ${l}`), ...(r.status === 'FAILED' ? [`  - FAILED: ${r.error}`] : [])].join('\n'))
    .join('\n');
}

const md = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(results: ScenarioResult[], machine: MachineInfo, mode: string, runs: string): string {
  return [
    `Benchmark (${mode}; ${runs}) on ${machine.date.slice(0, 10)}: ${machineLine(machine)}.`,
    ...(mode === 'quick' ? ['', 'Quick mode: 40 s 640x360 media and few runs, to keep the harness working; the targets are meant for the full run.'] : []),
    '',
    `| ${HEAD.join(' | ')} |`,
    `|${HEAD.map(() => '---').join('|')}|`,
    ...results.map((r) => `| ${cells(r).map(md).join(' | ')} |`),
    '',
    tallyLine(results),
    '',
    'Where the time goes:',
    '',
    ...results
      .filter((r) => r.breakdown?.length || r.status === 'FAILED')
      .flatMap((r) => [`- **${r.id}** ${r.title}${r.met === false ? ' (target missed)' : ''}`, ...(r.breakdown ?? []).map((l) => `  - ${md(l)}`), ...(r.status === 'FAILED' ? [`  - FAILED: ${md(r.error ?? '')}`] : [])]),
    '',
  ].join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * One bar per scenario: measured over target on a common scale where the target is 1
 * (lower is better; for "at least" targets the inverse), so every row reads the same way:
 * a bar left of the target line meets it. Rows without a target show their number only.
 */
export function svgChart(results: ScenarioResult[], title: string): string {
  const rowH = 34;
  const left = 400;
  const plotW = 480;
  const maxScore = 3;
  const x = (score: number) => left + (Math.min(score, maxScore) / maxScore) * plotW;
  const top = 60;
  const h = top + results.length * rowH + 50;
  const w = left + plotW + 300;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="16" y="26" font-size="16" font-weight="bold">${esc(title)}</text>`,
    `<text x="16" y="46" fill="#555">bar = measured ÷ target (≤ 1 meets it; capped at ${maxScore}); the line is the target</text>`,
  ];
  results.forEach((r, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="16" y="${y + 21}">${esc(`${r.id}  ${r.title}`.slice(0, 54))}</text>`);
    if (r.status !== 'ok') {
      parts.push(`<text x="${left}" y="${y + 21}" fill="#b00" font-weight="bold">${r.status}${r.error ? `: ${esc(r.error.slice(0, 60))}` : ''}</text>`);
      return;
    }
    if (r.score === null || r.score === undefined) {
      parts.push(`<text x="${left}" y="${y + 21}" fill="#555">${esc(r.headline ?? '')} (report only)</text>`);
      return;
    }
    const color = r.met ? '#2a8a3e' : '#c0392b';
    parts.push(`<rect x="${left}" y="${y + 8}" width="${Math.max(1, x(r.score) - left)}" height="18" fill="${color}"/>`);
    parts.push(`<text x="${x(r.score) + 6}" y="${y + 21}">${esc(`${r.headline ?? ''} (target ${r.target})`)} ${r.met ? '✓' : '✗'}</text>`);
  });
  const lineX = x(1);
  parts.push(`<line x1="${lineX}" y1="${top}" x2="${lineX}" y2="${top + results.length * rowH}" stroke="#333" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${lineX - 18}" y="${top + results.length * rowH + 18}" fill="#333">target</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
