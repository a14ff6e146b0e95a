// The corpus: each source made by an encoder or packager someone else wrote (the x264 and x265
// command-line tools, mkvmerge, GStreamer), plus ffmpeg's own muxers only where nothing else
// here does the job (gpac is not packaged in Debian 12). Every recipe starts from the same
// generated pictures (frame-marks.ts) and tone, so pixels identify frames whoever encodes them.
// A recipe is data: its JSON is hashed to key the cache, so any change rebuilds.
import type { Picture } from './frame-marks.js';

export type Tool = 'ffmpeg' | 'x264' | 'x265' | 'mkvmerge' | 'gst-launch-1.0';

export interface Step {
  bin: Tool;
  args: string[];
}

export interface SourceRecipe {
  name: string;
  /** The event's VOD file inside the source's folder. */
  vod: string;
  /** Who encoded / who packaged. */
  encoder: string;
  packager: string;
  codec: string;
  gop: string;
  /** Constant frame rate the source has, null for variable. */
  fps: number | null;
  rotation: 0 | 90 | 180 | 270;
  /** What the container's timestamps start at, in words (the probed value is recorded too). */
  start: string;
  audio: string[];
  picture: Picture;
  /** Text files the steps read (name → content), written first. */
  files?: Record<string, string>;
  steps: Step[];
}

const ff = (...args: string[]): Step => ({ bin: 'ffmpeg', args: ['-nostdin', '-v', 'error', '-y', ...args] });
const x264 = (...args: string[]): Step => ({ bin: 'x264', args: ['--quiet', '--preset', 'veryfast', '--crf', '20', ...args] });
const x265 = (...args: string[]): Step => ({ bin: 'x265', args: ['--log-level', 'error', '--preset', 'veryfast', '--crf', '24', ...args] });
const mkv = (...args: string[]): Step => ({ bin: 'mkvmerge', args: ['-q', ...args] });
/** gst-launch joins its arguments into one pipeline description; each token is one argument. */
const gst = (pipeline: string): Step => ({ bin: 'gst-launch-1.0', args: ['-q', ...pipeline.trim().split(/\s+/)] });

/** Audio made by ffmpeg's encoders from tone.wav (AAC in ADTS, AC-3, MP3, Opus in Ogg). */
const audio = {
  aac: ff('-i', 'tone.wav', '-c:a', 'aac', '-b:a', '96k', '-f', 'adts', 'tone.aac'),
  ac3: ff('-i', 'tone.wav', '-c:a', 'ac3', '-b:a', '192k', 'tone.ac3'),
  mp3: ff('-i', 'tone.wav', '-c:a', 'libmp3lame', '-b:a', '128k', 'tone.mp3'),
  opus: ff('-i', 'tone.wav', '-c:a', 'libopus', '-b:a', '96k', 'tone.opus'),
};

// One-second GOPs, as broadcast and streaming sources have (and what lets a 2-s clip hold a
// whole GOP for the smart cut to copy).
const GOP25 = ['--keyint', '25', '--min-keyint', '25', '--no-scenecut'];
const P = (width: number, height: number, fps: string, seconds: number, depth: 8 | 10 = 8): Picture => ({ width, height, fps, seconds, depth });

/** GStreamer: the pictures decoded from y4m, and the tone as AAC by VisualOn's encoder. */
const GST_Y4M = 'filesrc location=frames.y4m ! y4mdec ! videoconvert';
const GST_AAC = 'filesrc location=tone.wav ! wavparse ! audioconvert ! voaacenc bitrate=96000 ! aacparse';
const GST_X264 = 'x264enc speed-preset=veryfast bitrate=1500 key-int-max=25 bframes=3 b-pyramid=true option-string=scenecut=0:min-keyint=25 ! video/x-h264,profile=high';

// GStreamer 1.22's mp4mux received taginject's image-orientation tag but wrote an identity
// matrix, so the display matrices come from ffmpeg's mov muxer (its `rotate` stream tag).
const rotated = (deg: 90 | 180 | 270): SourceRecipe => ({
  name: `ffmpeg-rotate-${deg}`, vod: 'vod.mp4', encoder: 'x264 CLI', packager: 'ffmpeg mov (rotate tag → display matrix)',
  codec: 'h264', gop: 'closed, B-pyramid', fps: 25, rotation: deg, start: '0', audio: ['aac'], picture: P(320, 180, '25', 4),
  steps: [x264(...GOP25, '-o', 'video.264', 'frames.y4m'), audio.aac, mkv('-o', 'plain.mkv', '--default-duration', '0:25fps', 'video.264', 'tone.aac'), ff('-i', 'plain.mkv', '-map', '0', '-c', 'copy', '-metadata:s:v:0', `rotate=${deg}`, 'vod.mp4')],
});

/** Frame times (ms) of the variable-rate source: 25 fps, then 50, then 30, as a phone might. */
export function vfrTimestamps(): string {
  const t: number[] = [];
  let ms = 0;
  for (let n = 0; n < 150; n++) {
    t.push(Math.round(ms));
    ms += n < 50 ? 40 : n < 100 ? 20 : 1000 / 30;
  }
  return `# timestamp format v2\n${t.join('\n')}\n`;
}

export const RECIPES: SourceRecipe[] = [
  {
    name: 'ffmpeg-reference', vod: 'vod.mp4', encoder: 'ffmpeg libx264', packager: 'ffmpeg mov', codec: 'h264', gop: 'closed, B-pyramid',
    fps: 25, rotation: 0, start: '0', audio: ['aac'], picture: P(320, 180, '25', 4),
    steps: [ff('-i', 'frames.y4m', '-i', 'tone.wav', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-g', '25', '-keyint_min', '25', '-sc_threshold', '0', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-shortest', '-movflags', '+faststart', 'vod.mp4')],
  },
  {
    name: 'x264-bpyramid', vod: 'vod.mkv', encoder: 'x264 CLI', packager: 'mkvmerge', codec: 'h264', gop: 'closed, 3 B, B-pyramid',
    fps: 25, rotation: 0, start: '0', audio: ['opus'], picture: P(640, 360, '25', 4),
    steps: [x264(...GOP25, '--bframes', '3', '--b-pyramid', 'normal', '-o', 'video.264', 'frames.y4m'), audio.opus, mkv('-o', 'vod.mkv', '--default-duration', '0:25fps', 'video.264', 'tone.opus')],
  },
  {
    name: 'x264-open-gop', vod: 'vod.mkv', encoder: 'x264 CLI', packager: 'mkvmerge', codec: 'h264', gop: 'open (recovery point SEI)',
    fps: 30000 / 1001, rotation: 0, start: '0', audio: ['aac'], picture: P(320, 180, '30000/1001', 5),
    steps: [x264('--keyint', '30', '--min-keyint', '30', '--no-scenecut', '--open-gop', '--bframes', '3', '-o', 'video.264', 'frames.y4m'), audio.aac, mkv('-o', 'vod.mkv', '--default-duration', '0:30000/1001fps', 'video.264', 'tone.aac')],
  },
  {
    name: 'x264-mbaff', vod: 'vod.mkv', encoder: 'x264 CLI (--tff: MBAFF)', packager: 'mkvmerge', codec: 'h264', gop: 'closed, interlaced MBAFF',
    fps: 25, rotation: 0, start: '0', audio: ['ac3'], picture: P(320, 240, '25', 4),
    steps: [x264(...GOP25, '--tff', '-o', 'video.264', 'frames.y4m'), audio.ac3, mkv('-o', 'vod.mkv', '--default-duration', '0:25fps', 'video.264', 'tone.ac3')],
  },
  {
    name: 'x264-10bit', vod: 'vod.mkv', encoder: 'x264 CLI (--output-depth 10)', packager: 'mkvmerge', codec: 'h264 High 10', gop: 'closed, B-pyramid',
    fps: 24, rotation: 0, start: '0', audio: ['mp3'], picture: P(320, 180, '24', 4, 10),
    steps: [x264('--keyint', '24', '--min-keyint', '24', '--no-scenecut', '--output-depth', '10', '-o', 'video.264', 'frames.y4m'), audio.mp3, mkv('-o', 'vod.mkv', '--default-duration', '0:24fps', 'video.264', 'tone.mp3')],
  },
  {
    name: 'x264-four-audio', vod: 'vod.mkv', encoder: 'x264 CLI', packager: 'mkvmerge', codec: 'h264', gop: 'closed, B-pyramid',
    fps: 25, rotation: 0, start: '0', audio: ['aac', 'ac3', 'mp3', 'opus'], picture: P(160, 120, '25', 4),
    steps: [x264(...GOP25, '-o', 'video.264', 'frames.y4m'), audio.aac, audio.ac3, audio.mp3, audio.opus, mkv('-o', 'vod.mkv', '--default-duration', '0:25fps', 'video.264', 'tone.aac', 'tone.ac3', 'tone.mp3', 'tone.opus')],
  },
  {
    name: 'x264-vfr', vod: 'vod.mkv', encoder: 'x264 CLI', packager: 'mkvmerge (--timestamps v2)', codec: 'h264', gop: 'closed, B-pyramid',
    fps: null, rotation: 0, start: '0', audio: ['aac'], picture: P(320, 180, '25', 6), files: { 'vfr.txt': vfrTimestamps() },
    steps: [x264(...GOP25, '-o', 'video.264', 'frames.y4m'), audio.aac, mkv('-o', 'vod.mkv', '--timestamps', '0:vfr.txt', 'video.264', 'tone.aac')],
  },
  {
    name: 'x265-closed-gop', vod: 'vod.mkv', encoder: 'x265 CLI', packager: 'mkvmerge', codec: 'hevc', gop: 'closed (IDR), 4 B',
    fps: 25, rotation: 0, start: '0', audio: ['aac'], picture: P(320, 180, '25', 4),
    steps: [x265(...GOP25, '--no-open-gop', '--bframes', '4', '--input', 'frames.y4m', '-o', 'video.hevc'), audio.aac, mkv('-o', 'vod.mkv', '--default-duration', '0:25fps', 'video.hevc', 'tone.aac')],
  },
  {
    name: 'x265-open-gop-10bit', vod: 'vod.mkv', encoder: 'x265 CLI (--output-depth 10)', packager: 'mkvmerge', codec: 'hevc Main 10', gop: 'open (CRA + RASL)',
    fps: 25, rotation: 0, start: '0', audio: ['ac3'], picture: P(320, 180, '25', 4, 10),
    steps: [x265(...GOP25, '--open-gop', '--output-depth', '10', '--input', 'frames.y4m', '-o', 'video.hevc'), audio.ac3, mkv('-o', 'vod.mkv', '--default-duration', '0:25fps', 'video.hevc', 'tone.ac3')],
  },
  {
    name: 'gst-h264-bpyramid', vod: 'vod.mp4', encoder: 'GStreamer x264enc', packager: 'GStreamer mp4mux', codec: 'h264', gop: 'closed, B-pyramid',
    fps: 25, rotation: 0, start: '0 (edit list for the B-frame delay)', audio: ['aac (voaacenc)'], picture: P(480, 270, '25', 4),
    steps: [gst(`${GST_Y4M} ! ${GST_X264} ! h264parse ! mp4mux name=mux ! filesink location=vod.mp4 ${GST_AAC} ! mux.`)],
  },
  {
    name: 'gst-hevc-open-gop', vod: 'vod.mp4', encoder: 'GStreamer x265enc', packager: 'GStreamer mp4mux', codec: 'hevc', gop: 'open (CRA + RASL)',
    fps: 25, rotation: 0, start: '0', audio: ['aac (voaacenc)'], picture: P(320, 180, '25', 4),
    steps: [gst(`${GST_Y4M} ! x265enc speed-preset=veryfast bitrate=800 key-int-max=25 option-string=open-gop=1:min-keyint=25:scenecut=0:bframes=4 ! h265parse ! video/x-h265,stream-format=hvc1 ! mp4mux name=mux ! filesink location=vod.mp4 ${GST_AAC} ! mux.`)],
  },
  rotated(90),
  rotated(180),
  rotated(270),
  {
    name: 'ffmpeg-edit-list', vod: 'vod.mp4', encoder: 'x264 CLI', packager: 'ffmpeg mov (stream copy from 0.52 s: edit list hides the GOP head)', codec: 'h264', gop: 'closed, B-pyramid',
    fps: 25, rotation: 0, start: '0 (media starts 13 frames before the edit)', audio: ['aac'], picture: P(320, 180, '25', 5),
    steps: [x264(...GOP25, '-o', 'video.264', 'frames.y4m'), audio.aac, mkv('-o', 'plain.mkv', '--default-duration', '0:25fps', 'video.264', 'tone.aac'), ff('-ss', '0.52', '-i', 'plain.mkv', '-map', '0', '-c', 'copy', 'vod.mp4')],
  },
  {
    name: 'gst-hls-3600', vod: 'index.m3u8', encoder: 'GStreamer x264enc', packager: 'GStreamer hlssink2 (mpegtsmux)', codec: 'h264', gop: 'closed, B-pyramid',
    fps: 25, rotation: 0, start: '≈3600 s (mpegtsmux)', audio: ['aac (voaacenc)'], picture: P(320, 180, '25', 6),
    steps: [gst(`${GST_Y4M} ! ${GST_X264} ! h264parse ! hls.video hlssink2 name=hls location=seg%05d.ts playlist-location=index.m3u8 target-duration=2 max-files=0 playlist-length=0 ${GST_AAC} ! hls.audio`)],
  },
  {
    name: 'gst-ts-3600', vod: 'vod.ts', encoder: 'GStreamer x264enc', packager: 'GStreamer mpegtsmux', codec: 'h264', gop: 'closed, B-pyramid',
    fps: 25, rotation: 0, start: '≈3600 s (mpegtsmux)', audio: ['mp3 (lamemp3enc)'], picture: P(320, 180, '25', 4),
    steps: [gst(`${GST_Y4M} ! ${GST_X264} ! h264parse ! mpegtsmux name=mux ! filesink location=vod.ts filesrc location=tone.wav ! wavparse ! audioconvert ! lamemp3enc ! mpegaudioparse ! mux.`)],
  },
  {
    name: 'ffmpeg-ts-wrap', vod: 'vod.ts', encoder: 'x264 CLI', packager: 'ffmpeg mpegts (-output_ts_offset: the 33-bit PTS wraps 2.2 s in)', codec: 'h264', gop: 'closed, B-pyramid',
    fps: 25, rotation: 0, start: '95441.5 s, wraps to 0 at 95443.7 s', audio: ['ac3'], picture: P(320, 180, '25', 5),
    steps: [x264(...GOP25, '-o', 'video.264', 'frames.y4m'), audio.ac3, mkv('-o', 'plain.mkv', '--default-duration', '0:25fps', 'video.264', 'tone.ac3'), ff('-i', 'plain.mkv', '-map', '0', '-c', 'copy', '-output_ts_offset', '95441.5', '-f', 'mpegts', 'vod.ts')],
  },
  {
    name: 'ffmpeg-hls-wrap', vod: 'index.m3u8', encoder: 'x264 CLI', packager: 'ffmpeg hls (MPEG-TS, -output_ts_offset: wraps 2.2 s in)', codec: 'h264', gop: 'closed, B-pyramid',
    fps: 25, rotation: 0, start: '95441.5 s, wraps to 0 at 95443.7 s', audio: ['aac'], picture: P(320, 180, '25', 6),
    steps: [x264(...GOP25, '-o', 'video.264', 'frames.y4m'), audio.aac, mkv('-o', 'plain.mkv', '--default-duration', '0:25fps', 'video.264', 'tone.aac'), ff('-i', 'plain.mkv', '-map', '0', '-c', 'copy', '-output_ts_offset', '95441.5', '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-hls_segment_filename', 'seg%03d.ts', 'index.m3u8')],
  },
  {
    name: 'gst-fmp4', vod: 'vod.mp4', encoder: 'GStreamer x264enc', packager: 'GStreamer mp4mux (fragment-duration 1000)', codec: 'h264', gop: 'closed, B-pyramid',
    fps: 25, rotation: 0, start: '0', audio: ['aac (voaacenc)'], picture: P(320, 180, '25', 4),
    steps: [gst(`${GST_Y4M} ! ${GST_X264} ! h264parse ! mp4mux name=mux fragment-duration=1000 ! filesink location=vod.mp4 ${GST_AAC} ! mux.`)],
  },
  {
    name: 'ffmpeg-fmp4-hevc', vod: 'vod.mp4', encoder: 'x265 CLI', packager: 'ffmpeg mov (frag_keyframe, empty_moov)', codec: 'hevc', gop: 'closed (IDR)',
    fps: 25, rotation: 0, start: '0', audio: ['aac'], picture: P(320, 180, '25', 4),
    steps: [x265(...GOP25, '--no-open-gop', '--input', 'frames.y4m', '-o', 'video.hevc'), audio.aac, mkv('-o', 'plain.mkv', '--default-duration', '0:25fps', 'video.hevc', 'tone.aac'), ff('-i', 'plain.mkv', '-map', '0', '-c', 'copy', '-tag:v', 'hvc1', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', 'vod.mp4')],
  },
  {
    name: 'ffmpeg-hls-fmp4', vod: 'index.m3u8', encoder: 'x264 CLI', packager: 'ffmpeg hls (fMP4 segments)', codec: 'h264', gop: 'closed, B-pyramid',
    fps: 25, rotation: 0, start: '0', audio: ['aac'], picture: P(320, 180, '25', 6),
    steps: [x264(...GOP25, '-o', 'video.264', 'frames.y4m'), audio.aac, mkv('-o', 'plain.mkv', '--default-duration', '0:25fps', 'video.264', 'tone.aac'), ff('-i', 'plain.mkv', '-map', '0', '-c', 'copy', '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4', '-hls_segment_filename', 'seg%03d.m4s', 'index.m3u8')],
  },
];
