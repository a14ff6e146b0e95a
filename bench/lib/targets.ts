// Every scenario's target, in one table: the scenarios judge their measurements against it
// and the report (console, README table, JSON, chart) prints it, so a target is written
// once. Round two of the performance issue (#16) sets B1-B4, B6, B9 and B10; B2s3/B3s3, B5
// and B11 keep the values of the issues that introduced them. An empty list is "report".

/** One condition on one measured value: `key` names the value a scenario passes to judge(). */
export type Check =
  | { key: string; op: '<=' | '<' | '>='; value: number; unit: '×' | ' req/s' | ' ms'; label?: string; text?: string }
  | { key: string; op: 'true'; text: string };

export const TARGETS = {
  B1: [{ key: 'ratio', op: '<=', value: 1.1, unit: '×' }],
  // (1 − SSIM) of the pipeline's GIF over that of ffmpeg's palettegen GIF: ≤ 1 is SSIM ≥ it.
  B1q: [{ key: 'dssimRatio', op: '<=', value: 1, unit: '×', text: 'SSIM ≥ palettegen' }],
  B2: [{ key: 'ratio', op: '<=', value: 1.25, unit: '×' }],
  B2h: [{ key: 'ratio', op: '<=', value: 1.3, unit: '×' }],
  B3: [
    { key: 'ratio', op: '<=', value: 0.08, unit: '×' },
    { key: 'exact', op: 'true', text: 'exact frames' },
  ],
  B4: [{ key: 'ratio', op: '<=', value: 2, unit: '×' }],
  B2s3: [{ key: 'ratio', op: '<=', value: 1.15, unit: '×' }],
  B3s3: [
    { key: 'ratio', op: '<=', value: 1.15, unit: '×' },
    { key: 'exact', op: 'true', text: 'exact frames' },
  ],
  // Waiting low-priority jobs that still started first, over the CPU worker's job slots.
  B5: [{ key: 'overtakenPerSlot', op: '<=', value: 1, unit: '×', text: '≤ one job slot started first' }],
  B6: [
    { key: 'getRps', op: '>=', value: 4000, unit: ' req/s', label: 'GET' },
    { key: 'listRps', op: '>=', value: 2000, unit: ' req/s', label: 'list' },
    { key: 'getP99Ms', op: '<', value: 50, unit: ' ms', label: 'GET p99' },
    { key: 'listP99Ms', op: '<', value: 50, unit: ' ms', label: 'list p99' },
    { key: 'clean', op: 'true', text: 'no errors' },
  ],
  B7: [],
  B9: [
    { key: 'maxMs', op: '<=', value: 1000, unit: ' ms', label: 'every stream' },
    { key: 'allSeen', op: 'true', text: 'all streams' },
  ],
  B10: [
    { key: 'throughputRatio', op: '>=', value: 0.85, unit: '×', label: 'throughput' },
    { key: 'noneLost', op: 'true', text: 'none lost' },
  ],
  B11: [{ key: 'p95Ms', op: '<=', value: 3000, unit: ' ms', label: 'p95' }],
  G1: [],
} satisfies Record<string, Check[]>;

export type TargetId = keyof typeof TARGETS;

const SYMBOL = { '<=': '≤', '<': '<', '>=': '≥' } as const;

/** A target's numeric limit (B2's ratio: 1.25), for what a scenario reports beside its value. */
export function targetValue(id: TargetId, key: string): number {
  const c = (TARGETS[id] as readonly Check[]).find((x) => x.key === key);
  if (!c || !('value' in c) || typeof c.value !== 'number') throw new Error(`no numeric target ${id}.${key}`);
  return c.value;
}

export function checkText(c: Check): string {
  if (c.text !== undefined) return c.text;
  if (c.op === 'true') return c.key;
  return `${c.label ? `${c.label} ` : ''}${SYMBOL[c.op]} ${c.value.toLocaleString('en-US')}${c.unit}`;
}

/** The target column: every check of the scenario, or "report". */
export function targetText(id: TargetId): string {
  const checks: readonly Check[] = TARGETS[id];
  return checks.length === 0 ? 'report' : checks.map(checkText).join(', ');
}

export interface CheckResult {
  key: string;
  text: string;
  measured: number | boolean | null;
  met: boolean;
}

export interface Judgement {
  /** Every check met; null where the target is "report". */
  met: boolean | null;
  /**
   * The chart's bar: the worst check as measured ÷ target (target ÷ measured for "at least"),
   * so ≤ 1 meets it; a failed yes/no check counts as 2. null for "report".
   */
  score: number | null;
  checks: CheckResult[];
}

export type Measured = Record<string, number | boolean | null | undefined>;

/**
 * Judges `measured` against the scenario's target. A value that is missing or not a finite
 * number misses its check (a scenario that measured nothing has not met anything).
 */
export function judge(id: TargetId, measured: Measured): Judgement {
  const list: readonly Check[] = TARGETS[id];
  if (list.length === 0) return { met: null, score: null, checks: [] };
  let score = 0;
  const checks = list.map((c): CheckResult => {
    const v = measured[c.key];
    const text = checkText(c);
    if (c.op === 'true') {
      const met = v === true;
      if (!met) score = Math.max(score, 2);
      return { key: c.key, text, measured: typeof v === 'boolean' ? v : null, met };
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      score = Infinity;
      return { key: c.key, text, measured: null, met: false };
    }
    const met = c.op === '<=' ? v <= c.value : c.op === '<' ? v < c.value : v >= c.value;
    const s = c.op === '>=' ? (v > 0 ? c.value / v : Infinity) : c.value > 0 ? v / c.value : v <= 0 ? 0 : Infinity;
    score = Math.max(score, s);
    return { key: c.key, text, measured: v, met };
  });
  return { met: checks.every((c) => c.met), score, checks };
}

/** The table as text, for the JSON (the note reads the targets the run was judged by). */
export function targetTable(): Record<TargetId, string> {
  return Object.fromEntries(Object.keys(TARGETS).map((id) => [id, targetText(id as TargetId)])) as Record<TargetId, string>;
}
