// gifski arguments (gifski 1.7.1, `gifski --help`) that encode the extracted PNG frames.
// Its stdout carries a `Frame n / total` progress line, read by parseGifskiProgress.

/** docs/media.md: quality 90 gave SSIM 0.998 at a smaller size than ffmpeg's palettegen. */
export const GIFSKI_QUALITY = 90;

export interface GifskiOptions {
  /** The frame files in playback order of the clip (as extracted). */
  frames: readonly string[];
  output: string;
  /**
   * The GIF's frame rate; must equal the rate the frames were extracted for (gifski keeps
   * every PNG given and only spaces them). GIF delays are whole 1/100 s, so gifski spreads
   * the rounding: 18 fps plays as 6,5,6,5,... cs; only 100/n fps are exact.
   */
  fps: number;
  /** Width in pixels of the frames; given so gifski does not shrink them to its ~800x600 default. */
  width: number;
  /**
   * The contract's playbackRepeats, -1..65535. gifski's --repeat has the same meaning: -1
   * writes no NETSCAPE2.0 block (plays once), 0 loops forever, n writes loop count n, which
   * players read as n repetitions after the first play.
   */
  playbackRepeats: number;
  /** Play backwards: the same frames handed over in reverse (identical to ffmpeg's `reverse`). */
  reverse: boolean;
}

export function gifskiArgs(o: GifskiOptions): string[][] {
  if (o.frames.length === 0) throw new Error('gifskiArgs needs at least one frame');
  const frames = o.reverse ? [...o.frames].reverse() : [...o.frames];
  // gifski refuses a single input ("not enough to make an animation"); it merges identical
  // consecutive frames, so a still given twice comes out as one frame.
  if (frames.length === 1) frames.push(frames[0]!);
  return [
    // --no-sort: gifski sorts the file names otherwise, which would undo `reverse`.
    ['--no-sort', '--quality', String(GIFSKI_QUALITY), '--fps', String(o.fps), '--repeat', String(o.playbackRepeats), '--width', String(o.width)],
    ['--output', o.output],
    ['--', ...frames],
  ];
}
