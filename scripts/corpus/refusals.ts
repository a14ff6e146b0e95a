// What the corpus test accepts short of "exact, clean, smart cut": each entry is a documented
// limitation with its reason, shown in docs/corpus.md. Never a place to park a bug: a refused
// cell that starts passing, or a listed source whose clip is smart cut, fails the test so the
// entry is removed.

/** Cells (`source × column`) that may fail, and why. */
export const REFUSED_CELLS: Readonly<Record<string, string>> = {};

/** Sources whose frame-accurate clip is re-encoded in full rather than smart cut, and why. */
export const FULL_REENCODE: Readonly<Record<string, string>> = {
  'x264-vfr': 'variable frame rate: the copied GOPs and re-encoded edges are joined on a constant-rate grid, so the frames would not keep their times',
  'ffmpeg-hls-fmp4': 'HLS with fMP4 segments: ffmpeg 5.1 cannot seek in it (measured), and every smart-cut piece starts with a seek; the clip is re-encoded from the beginning of the stream instead',
  'x264-open-gop': 'open-GOP H.264: the leading B-frames of the first copied GOP reference the GOP before it, and H.264 has no NAL type that lets a stream copy drop them (HEVC does: RASL)',
};
