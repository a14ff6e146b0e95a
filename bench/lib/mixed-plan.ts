// B10's requests: 70% IMAGE, 20% GIF, 10% frame-accurate VIDEO, interleaved in blocks of ten
// so every stretch of the batch holds the same mix, at times spread over the source (every
// GOP position, no two neighbours on the same part) so caches help neither side more.

export type MixedKind = 'image' | 'gif' | 'video';

/** One block of ten: 7 IMAGE, 2 GIF, 1 VIDEO. */
const BLOCK: readonly MixedKind[] = ['image', 'image', 'gif', 'image', 'video', 'image', 'image', 'gif', 'image', 'image'];

export interface MixedJob {
  i: number;
  kind: MixedKind;
  /** Seconds from the start of the source: the grab's time, or the GIF's / clip's start. */
  start: number;
  /** The GIF's / clip's end; equal to start for an IMAGE. */
  end: number;
}

export function mixedPlan(n: number, o: { sourceSeconds: number; gifSeconds: number; clipSeconds: number }): MixedJob[] {
  const span = { image: 0, gif: o.gifSeconds, video: o.clipSeconds };
  return Array.from({ length: n }, (_, i) => {
    const kind = BLOCK[i % BLOCK.length]!;
    // Room after the range for the last GOP; the step is not a multiple of the 2 s GOP, so the
    // starts fall on every position inside one. The quarter second keeps them off keyframes.
    const room = o.sourceSeconds - span[kind] - 2;
    if (room <= 1) throw new Error(`a ${kind} of ${span[kind]} s does not fit a ${o.sourceSeconds} s source`);
    const start = ((i * 7.37) % room) + 0.25;
    return { i, kind, start, end: start + span[kind] };
  });
}

export function countKinds(jobs: readonly MixedJob[]): Record<MixedKind, number> {
  const out = { image: 0, gif: 0, video: 0 };
  for (const j of jobs) out[j.kind]++;
  return out;
}
