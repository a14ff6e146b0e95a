// Facts about one stream that TrackInfo leaves out, read from the probe's raw JSON
// (`ffprobe -show_streams -of json`): what the clip needs to place its frames (the track's
// own start and time base), to encode edges (pixel format), and to leave cover art out.
import { parseTimeBase } from '@framesmith/core/media/source-clock';

export interface StreamFacts {
  /** The stream's start_time (its first frame on the source clock), or null. */
  startTime: number | null;
  /** Its time base as a timescale (`1/N`), or null. */
  timescale: number | null;
  pixFmt: string | null;
  /** A cover picture (disposition attached_pic), not a video track. */
  attachedPic: boolean;
}

export function streamFacts(raw: unknown, index: number): StreamFacts {
  const streams = (raw as { streams?: Record<string, unknown>[] } | null)?.streams ?? [];
  const s = streams.find((x) => x.index === index) ?? {};
  const start = typeof s.start_time === 'string' ? Number(s.start_time) : NaN;
  return {
    startTime: Number.isFinite(start) ? start : null,
    timescale: parseTimeBase(s.time_base),
    pixFmt: typeof s.pix_fmt === 'string' && /^[a-z0-9_]+$/.test(s.pix_fmt) ? s.pix_fmt : null,
    attachedPic: (s.disposition as { attached_pic?: number } | undefined)?.attached_pic === 1,
  };
}
