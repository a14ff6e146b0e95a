import { describe, expect, it } from 'vitest';
import { gifskiArgs } from './gif-encode-args.js';
import { createGifskiProgressParser, type GifskiProgress } from './gif-encode-progress.js';

const frames = ['/t/f00001.png', '/t/f00002.png', '/t/f00003.png'];
const base = { frames, output: '/s/out.gif', fps: 18, width: 480, playbackRepeats: 0, reverse: false };

describe('gifskiArgs', () => {
  it('keeps the given order, quality 90, the output rate and width', () => {
    expect(gifskiArgs(base).flat().join(' ')).toBe(
      '--no-sort --quality 90 --fps 18 --repeat 0 --width 480 --output /s/out.gif -- /t/f00001.png /t/f00002.png /t/f00003.png',
    );
  });
  it('hands the frames over backwards for reverse, without touching the input list', () => {
    expect(gifskiArgs({ ...base, reverse: true })[2]).toEqual(['--', '/t/f00003.png', '/t/f00002.png', '/t/f00001.png']);
    expect(frames[0]).toBe('/t/f00001.png');
  });
  it('passes playbackRepeats through: gifski shares the contract meaning', () => {
    expect(gifskiArgs({ ...base, playbackRepeats: -1 })[0]).toContain('-1');
    expect(gifskiArgs({ ...base, playbackRepeats: 3 })[0]!.join(' ')).toContain('--repeat 3');
  });
  it('gives a still frame twice, since gifski refuses a single input', () => {
    expect(gifskiArgs({ ...base, frames: ['/t/f00001.png'] })[2]).toEqual(['--', '/t/f00001.png', '/t/f00001.png']);
    expect(() => gifskiArgs({ ...base, frames: [] })).toThrow(/at least one frame/);
  });
});

describe('createGifskiProgressParser', () => {
  it('reads the progress bar from gifski 1.7.1 stdout, across chunk boundaries', () => {
    // Recorded: `gifski --fps 18 --width 320 -o x.gif f/*.png > out.txt` (20 frames).
    const out =
      '\rFrame 1 / 20  ###_.........................................................  5s ' +
      '\rFrame 10 / 20  #############################_..............................  1s ' +
      '\rFrame 20 / 20  ##############################################################   ' +
      '\rFrame 20 / 20  ##############################################################   ' +
      '\rgifski created /tmp/gx/x.gif                                                    ';
    const seen: GifskiProgress[] = [];
    const p = createGifskiProgressParser((u) => seen.push(u));
    for (let i = 0; i < out.length; i += 7) p.push(out.slice(i, i + 7));
    expect(seen).toEqual([
      { frame: 1, total: 20 },
      { frame: 10, total: 20 },
      { frame: 20, total: 20 },
      { frame: 20, total: 20 },
    ]);
  });
});
