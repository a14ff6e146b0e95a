// ffprobe once per source: duration, first video stream geometry and rate, start time,
// and the raw JSON for track selection.
import { runProcess } from './run-process.js';
import { parseTimeBase } from './source-clock.js';

export interface MediaProbe {
  durationSeconds: number | null;
  startSeconds: number;
  /**
   * The first video stream's start timestamp: the clock that "offset from the beginning of the
   * stream" counts on. HLS/MPEG-TS starts near 1.4 s, and an audio lead-in makes the file start
   * earlier than the first picture.
   */
  videoStartSeconds: number;
  /** Absolute index of the first video stream (not a cover picture); null when there is none. */
  videoStreamIndex: number | null;
  /** Ticks per second of that stream's time base (`1/90000` → 90000); null when not 1/n. */
  videoTimescale: number | null;
  /** Stored (coded) picture size of the first video stream. */
  width: number | null;
  height: number | null;
  /**
   * Clockwise turn, 0/90/180/270, that players apply to the stored pixels (the track's display
   * matrix; phones store landscape pixels and a 90° matrix). ffmpeg's autorotate applies it on
   * decode, so every decoded picture is upright: the displayed size below is what comes out.
   */
  rotation: 0 | 90 | 180 | 270;
  /** Size as displayed: width and height swapped for a quarter turn. */
  displayWidth: number | null;
  displayHeight: number | null;
  /** The demuxer's name (`mov,mp4,...`, `matroska,webm`, `mpegts`, `hls`): how it seeks (seek-plan.ts). */
  formatName: string;
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

/**
 * The clockwise display turn of a stream: the display matrix side data (ffmpeg 5+ reads the
 * `rotate` tag into it) or, from older muxers, the `rotate` tag itself. ffprobe prints the
 * matrix's angle counter-clockwise-positive or not depending on the version, but only a quarter
 * turn changes the displayed shape, and ffmpeg's autorotate applies whichever it is.
 */
export function displayRotation(stream: Record<string, any> | undefined): 0 | 90 | 180 | 270 {
  const side = Array.isArray(stream?.side_data_list) ? (stream!.side_data_list as Record<string, unknown>[]) : [];
  const fromMatrix = side.map((d) => num(d.rotation)).find((r) => r !== null);
  const degrees = fromMatrix ?? num(stream?.tags?.rotate) ?? 0;
  const quarter = ((Math.round(degrees / 90) % 4) + 4) % 4;
  return ([0, 90, 180, 270] as const)[quarter]!;
}

export function mediaProbeFromJson(json: unknown): MediaProbe {
  const j = (json ?? {}) as { streams?: Record<string, any>[]; format?: Record<string, any> };
  const streams = j.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !(s.disposition?.attached_pic === 1));
  const tags = { ...(j.format?.tags ?? {}), ...(video?.tags ?? {}) } as Record<string, string>;
  const creation = tags.creation_time ? Date.parse(tags.creation_time) : NaN;
  const width = num(video?.width);
  const height = num(video?.height);
  const rotation = displayRotation(video);
  const quarterTurn = rotation === 90 || rotation === 270;
  return {
    durationSeconds: num(j.format?.duration) ?? num(video?.duration),
    startSeconds: num(j.format?.start_time) ?? 0,
    videoStartSeconds: num(video?.start_time) ?? num(j.format?.start_time) ?? 0,
    videoStreamIndex: typeof video?.index === 'number' ? video.index : null,
    videoTimescale: parseTimeBase(video?.time_base),
    width,
    height,
    rotation,
    displayWidth: quarterTurn ? height : width,
    displayHeight: quarterTurn ? width : height,
    formatName: typeof j.format?.format_name === 'string' ? j.format.format_name : '',
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
