// ffprobe once per source: duration, first video stream geometry and rate, start time,
// and the raw JSON for track selection.
import { runProcess } from './run-process.js';

export interface MediaProbe {
  durationSeconds: number | null;
  startSeconds: number;
  /**
   * The first video stream's start timestamp: the clock that "offset from the beginning of the
   * stream" counts on. HLS/MPEG-TS starts near 1.4 s, and an audio lead-in makes the file start
   * earlier than the first picture.
   */
  videoStartSeconds: number;
  width: number | null;
  height: number | null;
  fps: number | null;
  /** Creation time from container tags, for ISO8601 mapping of MP4 sources. */
  creationTimeMs: number | null;
  /** Timecode tag (SMPTE, e.g. 10:00:00:00) of the container or first video stream. */
  timecode: string | null;
  raw: unknown;
}

export function probeArgs(input: string, inputOptions: string[]): string[] {
  return ['-v', 'error', ...inputOptions, '-show_streams', '-show_format', '-of', 'json', input];
}

function num(v: unknown): number | null {
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(n) ? n : null;
}

/** `30000/1001` → 29.97; `0/0` → null. */
export function parseRate(rate: unknown): number | null {
  if (typeof rate !== 'string') return null;
  const [a, b] = rate.split('/').map(Number);
  if (!a || !b || !Number.isFinite(a) || !Number.isFinite(b)) return null;
  return a / b;
}

export function mediaProbeFromJson(json: unknown): MediaProbe {
  const j = (json ?? {}) as { streams?: Record<string, any>[]; format?: Record<string, any> };
  const streams = j.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !(s.disposition?.attached_pic === 1));
  const tags = { ...(j.format?.tags ?? {}), ...(video?.tags ?? {}) } as Record<string, string>;
  const creation = tags.creation_time ? Date.parse(tags.creation_time) : NaN;
  return {
    durationSeconds: num(j.format?.duration) ?? num(video?.duration),
    startSeconds: num(j.format?.start_time) ?? 0,
    videoStartSeconds: num(video?.start_time) ?? num(j.format?.start_time) ?? 0,
    width: num(video?.width),
    height: num(video?.height),
    fps: parseRate(video?.avg_frame_rate) ?? parseRate(video?.r_frame_rate),
    creationTimeMs: Number.isNaN(creation) ? null : creation,
    timecode: tags.timecode ?? null,
    raw: json,
  };
}

export async function probeMedia(
  ffprobe: string,
  input: string,
  inputOptions: string[],
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<MediaProbe> {
  const { stdout } = await runProcess(ffprobe, probeArgs(input, inputOptions), { ...opts, maxStdoutBytes: 8 << 20 });
  return mediaProbeFromJson(JSON.parse(stdout.toString('utf8')));
}
