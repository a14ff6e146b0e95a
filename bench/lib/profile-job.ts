// A breakdown of one media job by phase, outside the stack: the worker's own function runs
// in this process with a JobContext that records each progress phase, and ffmpeg, ffprobe
// and gifski are replaced by a tiny wrapper that logs each run's start, end and arguments.
// Phase spans come from the progress marks; the tools inside each span show what it did, and
// the rest of the span is the worker's own JavaScript (sharp's JPEG encode, storage moves).
// The wrapper costs a shell start per tool run (~2 ms); the pipeline timings never use it.
import { constants } from 'node:fs';
import { access, chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface ToolRun {
  tool: string;
  /** What the run did, from its arguments (classifyToolRun). */
  what: string;
  startMs: number;
  ms: number;
  args: string;
}

export interface PhaseSpan {
  phase: string;
  ms: number;
  toolMs: number;
  tools: ToolRun[];
}

export interface JobProfile {
  totalMs: number;
  /** Spans between the worker's own progress phases (its labels, as it reports them). */
  phases: PhaseSpan[];
  /** Tool time by what the tools did, and the worker's own time outside any tool. */
  byWork: { what: string; runs: number; ms: number }[];
  result: unknown;
}

export interface TracedTools {
  ffmpeg: string;
  ffprobe: string;
  gifski: string;
  traceFile: string;
}

async function which(bin: string): Promise<string> {
  if (bin.includes('/')) return bin;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = path.join(dir, bin);
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return bin;
}

export async function makeTracedTools(dir: string, real: { ffmpeg: string; ffprobe: string; gifski: string }): Promise<TracedTools> {
  const traceFile = path.join(dir, 'tool-trace.log');
  const wrap = async (name: string, bin: string) => {
    const file = path.join(dir, `traced-${name}`);
    const target = await which(bin);
    // Single-quoted path; the arguments are passed through untouched ("$@").
    const script = `#!/bin/sh\ns=$(date +%s%N)\n'${target.replace(/'/g, `'\\''`)}' "$@"\nrc=$?\nprintf '%s %s ${name} %s\\n' "$s" "$(date +%s%N)" "$*" >> '${traceFile}'\nexit $rc\n`;
    await writeFile(file, script);
    await chmod(file, 0o755);
    return file;
  };
  return { ffmpeg: await wrap('ffmpeg', real.ffmpeg), ffprobe: await wrap('ffprobe', real.ffprobe), gifski: await wrap('gifski', real.gifski), traceFile };
}

export interface RecordingContext {
  signal: AbortSignal;
  progress(fraction: number, details?: Record<string, unknown>): void;
  defer(cleanup: () => Promise<void>): void;
}

/** Runs `work` with a recording JobContext; returns the phase spans and the tools inside them. */
export async function profileJob(tools: TracedTools, shorten: (args: string) => string, work: (ctx: RecordingContext) => Promise<unknown>): Promise<JobProfile> {
  await rm(tools.traceFile, { force: true });
  const marks: { at: number; phase: string }[] = [];
  let current = 'open source (probe)';
  const t0 = Date.now();
  marks.push({ at: t0, phase: current });
  const cleanups: (() => Promise<void>)[] = [];
  const ctx: RecordingContext = {
    signal: new AbortController().signal,
    defer: (cleanup) => void cleanups.push(cleanup),
    progress(_fraction, details) {
      const phase = typeof details?.phase === 'string' ? details.phase : null;
      if (phase && phase !== current) {
        current = phase;
        marks.push({ at: Date.now(), phase });
      }
    },
  };
  const result = await work(ctx).finally(() => Promise.all(cleanups.map((c) => c().catch(() => undefined))));
  const t1 = Date.now();
  const trace = await readFile(tools.traceFile, 'utf8').catch(() => '');
  const runs: ToolRun[] = trace
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [s, e, tool, ...rest] = line.split(' ');
      const start = Number(s) / 1e6;
      const args = rest.join(' ');
      return { tool: tool!, what: classifyToolRun(tool!, args), startMs: start - t0, ms: (Number(e) - Number(s)) / 1e6, args: shorten(args) };
    });
  const phases: PhaseSpan[] = marks.map((m, i) => {
    const end = marks[i + 1]?.at ?? t1;
    const inside = runs.filter((r) => r.startMs + t0 >= m.at && r.startMs + t0 < end);
    return { phase: m.phase, ms: end - m.at, toolMs: inside.reduce((a, r) => a + r.ms, 0), tools: inside };
  });
  const byWork = new Map<string, { what: string; runs: number; ms: number }>();
  for (const r of runs) {
    const w = byWork.get(r.what) ?? { what: r.what, runs: 0, ms: 0 };
    w.runs++;
    w.ms += r.ms;
    byWork.set(r.what, w);
  }
  const outside = t1 - t0 - unionMs(runs);
  return { totalMs: t1 - t0, phases, byWork: [...byWork.values(), { what: 'worker JS outside tools', runs: 0, ms: Math.max(0, outside) }], result };
}

/** Wall time covered by at least one tool run (runs may overlap). */
function unionMs(runs: ToolRun[]): number {
  const iv = runs.map((r) => [r.startMs, r.startMs + r.ms] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of iv) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/** The kind of work one tool run did, read from its arguments. */
export function classifyToolRun(tool: string, args: string): string {
  if (tool === 'gifski') return 'gifski encode';
  if (tool === 'ffprobe') return /packet=|frame=/.test(args) ? 'ffprobe packet/keyframe list' : 'ffprobe probe';
  if (/framecrc/.test(args)) return 'decode to check (framecrc)';
  if (/filter_units/.test(args)) return 'read SPS/PPS';
  if (/-f concat/.test(args)) return 'join (concat, audio)';
  if (/libx264|h264_nvenc/.test(args)) return 'decode + x264 encode';
  if (/-c:v tiff/.test(args)) return 'decode one frame';
  if (/image2|\.png/.test(args)) return 'decode + PNG frames';
  if (/-c copy|-c:v copy/.test(args)) return 'stream copy';
  return 'ffmpeg (other)';
}

/** `decode one frame 95 ms · ffprobe probe 68 ms · worker JS outside tools 30 ms (total 200 ms)` */
export function formatProfile(p: JobProfile): string {
  const parts = [...p.byWork]
    .sort((a, b) => b.ms - a.ms)
    .filter((w) => w.ms >= 0.5)
    .map((w) => `${w.what} ${Math.round(w.ms)} ms${w.runs > 1 ? ` (${w.runs} runs)` : ''}`);
  const summed = p.byWork.reduce((a, w) => a + w.ms, 0);
  return `${parts.join(' · ')} — total ${Math.round(p.totalMs)} ms${summed > p.totalMs * 1.02 ? ' (tool times are summed; some runs overlap)' : ''}`;
}
