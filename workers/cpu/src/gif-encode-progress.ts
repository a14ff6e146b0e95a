// Reads gifski's progress bar from its stdout: `\rFrame 10 / 20  ####_....  1s ` — one
// carriage-return-separated update per redraw, even when stdout is not a terminal. Pure: the
// process runner feeds it whatever chunks arrive.

export interface GifskiProgress {
  frame: number;
  total: number;
}

export interface GifskiProgressParser {
  push(chunk: string): void;
}

export function createGifskiProgressParser(onUpdate: (p: GifskiProgress) => void): GifskiProgressParser {
  let partial = '';
  return {
    push(chunk: string): void {
      const parts = (partial + chunk).split(/[\r\n]/);
      partial = parts.pop()!;
      for (const part of parts) {
        const m = /^Frame (\d+) \/ (\d+)\b/.exec(part);
        if (m) onUpdate({ frame: Number(m[1]), total: Number(m[2]) });
      }
    },
  };
}
