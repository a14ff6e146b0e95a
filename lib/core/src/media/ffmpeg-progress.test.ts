import { describe, it, expect } from 'vitest';
import { createProgressParser, type FfmpegProgress } from './ffmpeg-progress.js';

// Recorded from ffmpeg 5.1: `ffmpeg -v error -re -f lavfi -i testsrc2=size=640x360:rate=25
// -f lavfi -i sine=sample_rate=48000 -t 2 -c:v libx264 -preset ultrafast -c:a aac
// -progress pipe:1 -nostats -stats_period 0.5 out.mp4`. Note the padded `speed=   0x` and
// `bitrate=   1.1kbits/s`.
const VIDEO_RUN = `frame=1
fps=0.00
stream_0_0_q=0.0
bitrate=N/A
total_size=48
out_time_us=0
out_time_ms=0
out_time=00:00:00.000000
dup_frames=0
drop_frames=0
speed=   0x
progress=continue
frame=14
fps=0.00
stream_0_0_q=20.0
bitrate=   1.1kbits/s
total_size=48
out_time_us=360078
out_time_ms=360078
out_time=00:00:00.360078
dup_frames=0
drop_frames=0
speed=0.691x
progress=continue
frame=26
fps=25.25
stream_0_0_q=20.0
bitrate=   0.4kbits/s
total_size=48
out_time_us=874667
out_time_ms=874667
out_time=00:00:00.874667
dup_frames=0
drop_frames=0
speed=0.849x
progress=continue
frame=39
fps=25.44
stream_0_0_q=20.0
bitrate=1536.3kbits/s
total_size=262192
out_time_us=1365333
out_time_ms=1365333
out_time=00:00:01.365333
dup_frames=0
drop_frames=0
speed=0.891x
progress=continue
frame=50
fps=24.89
stream_0_0_q=-1.0
bitrate=1816.0kbits/s
total_size=455203
out_time_us=2005333
out_time_ms=2005333
out_time=00:00:02.005333
dup_frames=0
drop_frames=0
speed=0.998x
progress=end
`;

// Recorded from ffmpeg 5.1: `ffmpeg -v error -f lavfi -i sine=sample_rate=48000 -t 1 -c:a aac
// -progress pipe:1 -nostats out.m4a`. Audio-only outputs print no frame or fps lines.
const AUDIO_RUN = `bitrate=N/A
total_size=44
out_time_us=0
out_time_ms=0
out_time=00:00:00.000000
dup_frames=0
drop_frames=0
speed=N/A
progress=continue
bitrate=  79.7kbits/s
total_size=9992
out_time_us=1002667
out_time_ms=1002667
out_time=00:00:01.002667
dup_frames=0
drop_frames=0
speed=51.3x
progress=end
`;

// Recorded from ffmpeg 5.1 (last block): `ffmpeg -v error -f lavfi -i anullsrc=sample_rate=8000
// -t 20000 -f null - -progress pipe:1 -nostats`. Speeds from 1000x print in exponent form.
const FAST_RUN_END = `bitrate=N/A
total_size=N/A
out_time_us=20000000000
out_time_ms=20000000000
out_time=05:33:20.000000
dup_frames=0
drop_frames=0
speed=2.24e+04x
progress=end
`;

function parseAll(chunks: string[]): FfmpegProgress[] {
  const updates: FfmpegProgress[] = [];
  const parser = createProgressParser((p) => updates.push(p));
  for (const chunk of chunks) parser.push(chunk);
  return updates;
}

describe('createProgressParser', () => {
  it('emits one update per block of a recorded video run', () => {
    expect(parseAll([VIDEO_RUN])).toEqual<FfmpegProgress[]>([
      { frame: 1, fps: 0, outTimeSeconds: 0, speed: 0, done: false },
      { frame: 14, fps: 0, outTimeSeconds: 0.360078, speed: 0.691, done: false },
      { frame: 26, fps: 25.25, outTimeSeconds: 0.874667, speed: 0.849, done: false },
      { frame: 39, fps: 25.44, outTimeSeconds: 1.365333, speed: 0.891, done: false },
      { frame: 50, fps: 24.89, outTimeSeconds: 2.005333, speed: 0.998, done: true },
    ]);
  });

  it('reports no frame or fps for audio-only output and N/A speed as null', () => {
    expect(parseAll([AUDIO_RUN])).toEqual<FfmpegProgress[]>([
      { frame: null, fps: null, outTimeSeconds: 0, speed: null, done: false },
      { frame: null, fps: null, outTimeSeconds: 1.002667, speed: 51.3, done: true },
    ]);
  });

  it('reads speeds printed in exponent form', () => {
    expect(parseAll([FAST_RUN_END])).toEqual<FfmpegProgress[]>([{ frame: null, fps: null, outTimeSeconds: 20000, speed: 22400, done: true }]);
  });

  it('gives the same updates however stdout is chunked', () => {
    const whole = parseAll([VIDEO_RUN]);
    expect(parseAll([...VIDEO_RUN])).toEqual(whole);
    for (const size of [2, 7, 13, 64, 333]) {
      const chunks: string[] = [];
      for (let i = 0; i < VIDEO_RUN.length; i += size) chunks.push(VIDEO_RUN.slice(i, i + size));
      expect(parseAll(chunks), `chunks of ${size}`).toEqual(whole);
    }
  });

  it('waits for the line that closes a block', () => {
    const updates: FfmpegProgress[] = [];
    const parser = createProgressParser((p) => updates.push(p));
    parser.push('frame=3\nfps=1.50\nout_time_us=120000\nspeed=0.5x\nprogress=contin');
    expect(updates).toEqual([]);
    parser.push('ue\n');
    expect(updates).toEqual([{ frame: 3, fps: 1.5, outTimeSeconds: 0.12, speed: 0.5, done: false }]);
  });

  it('does not carry values from one block into the next', () => {
    expect(parseAll(['frame=10\nspeed=2x\nprogress=continue\nout_time_us=5\nprogress=continue\n'])).toEqual([
      { frame: 10, fps: null, outTimeSeconds: null, speed: 2, done: false },
      { frame: null, fps: null, outTimeSeconds: 0.000005, speed: null, done: false },
    ]);
  });

  it('handles CRLF line ends, N/A times and the out_time fallback', () => {
    expect(
      parseAll([
        'frame=0\r\nout_time_us=N/A\r\nout_time_ms=N/A\r\nout_time=N/A\r\nspeed=N/A\r\nprogress=continue\r\n',
        'out_time=01:02:03.500000\nprogress=end\n',
      ]),
    ).toEqual([
      { frame: 0, fps: null, outTimeSeconds: null, speed: null, done: false },
      { frame: null, fps: null, outTimeSeconds: 3723.5, speed: null, done: true },
    ]);
  });

  it('clamps a negative output time (audio priming) to zero', () => {
    expect(parseAll(['out_time_us=-23220\nout_time=-00:00:00.023220\nprogress=continue\n', 'out_time=-00:00:00.023220\nprogress=continue\n'])).toEqual([
      { frame: null, fps: null, outTimeSeconds: 0, speed: null, done: false },
      { frame: null, fps: null, outTimeSeconds: 0, speed: null, done: false },
    ]);
  });

  it('ignores lines without a key and unknown keys', () => {
    expect(parseAll(['garbage\n\nstream_0_0_q=28.0\nframe=1\nprogress=continue\n'])).toEqual([
      { frame: 1, fps: null, outTimeSeconds: null, speed: null, done: false },
    ]);
  });
});
