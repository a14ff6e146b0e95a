// Reads `ffmpeg -progress pipe:1 -nostats`: blocks of key=value lines, each closed by
// `progress=continue` (or `progress=end` for the last). Pure: the process runner feeds it
// whatever chunks stdout delivers.

export interface FfmpegProgress {
  /** Frames written so far; null for outputs without video. */
  frame: number | null;
  fps: number | null;
  /** Position reached in the output, in seconds. */
  outTimeSeconds: number | null;
  /** Multiple of real time (`1.23x` → 1.23); null while ffmpeg reports N/A. */
  speed: number | null;
  /** True for the final block (`progress=end`). */
  done: boolean;
}

export interface ProgressParser {
  push(chunk: string): void;
}

export function createProgressParser(onUpdate: (p: FfmpegProgress) => void): ProgressParser {
  let partial = '';
  let block = new Map<string, string>();

  const line = (text: string): void => {
    const eq = text.indexOf('=');
    if (eq === -1) return;
    const key = text.slice(0, eq).trim();
    const value = text.slice(eq + 1).trim();
    if (key !== 'progress') {
      block.set(key, value);
      return;
    }
    onUpdate({
      frame: integer(block.get('frame')),
      fps: decimal(block.get('fps')),
      outTimeSeconds: outTimeSeconds(block),
      speed: decimal(block.get('speed')?.replace(/x$/, '')),
      done: value === 'end',
    });
    block = new Map();
  };

  return {
    push(chunk: string): void {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const text of lines) line(text.endsWith('\r') ? text.slice(0, -1) : text);
    },
  };
}

function outTimeSeconds(block: Map<string, string>): number | null {
  // out_time_ms is in microseconds too (https://trac.ffmpeg.org/ticket/7345); out_time is
  // the same value as HH:MM:SS.micro, kept as a fallback for builds that print only it.
  const micros = integer(block.get('out_time_us')) ?? integer(block.get('out_time_ms'));
  const seconds = micros !== null ? micros / 1e6 : clockSeconds(block.get('out_time'));
  // Audio priming can put the first output timestamp below zero; the output has not yet
  // reached its start.
  return seconds === null ? null : Math.max(0, seconds);
}

function clockSeconds(value: string | undefined): number | null {
  const m = value === undefined ? null : /^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value);
  if (!m) return null;
  const seconds = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
  return m[1] === '-' ? -seconds : seconds;
}

function integer(value: string | undefined): number | null {
  if (value === undefined || !/^-?\d+$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

// ffmpeg prints speed with %g, which turns to exponent form from 1000x (`1.2e+03x`).
function decimal(value: string | undefined): number | null {
  if (value === undefined || !/^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(value)) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}
