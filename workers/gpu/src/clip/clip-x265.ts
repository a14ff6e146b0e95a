// What the smart cut needs to re-encode an edge of an HEVC source so that it joins the copied
// GOPs: the source's parameter sets (VPS/SPS/PPS) and the options x265 recorded in its
// user-data SEI (the x265 CLI, GStreamer's x265enc and ffmpeg's libx265 all write it), which
// are handed back to libx265 so the edges come out with the same parameter sets. As for H.264
// (clip-x264.ts), the joined MP4 holds one hvcC, so the join is only safe when the bytes are
// identical; the worker compares them after encoding and falls back to a full re-encode.
//
// One difference ffmpeg's libx265 wrapper forces: it always writes a video_signal_type in the
// SPS VUI (x265 itself only when asked), and the chroma location ffmpeg's decoder reports.
// normaliseHevcBsf rewrites those VUI fields, in the edges and the copied GOPs alike, to the
// values the source declares or implies (hevc_metadata: parameter sets only, slices untouched).
import { splitAnnexB } from './clip-x264.js';

/** The first packet's VPS, SPS, PPS and prefix SEI as Annex B on stdout. */
export function hevcParameterSetArgs(o: { input: string; inputOptions: string[]; streamIndex: number; bsf?: string | null }): string[] {
  return [
    '-nostdin', '-hide_banner', '-v', 'error',
    ...o.inputOptions, '-i', o.input,
    '-map', `0:${o.streamIndex}`, '-c', 'copy', '-frames:v', '1',
    '-bsf:v', `${o.bsf ? `${o.bsf},` : ''}hevc_mp4toannexb,filter_units=pass_types=32-34|39`,
    '-f', 'hevc', 'pipe:1',
  ];
}

export interface HevcHeaders {
  /** VPS, SPS and PPS NAL units (with their 2-byte headers), duplicates removed. */
  parameterSets: Buffer[];
  /** x265's options from its user-data SEI; null when x265 did not make the stream. */
  x265: Map<string, string> | null;
}

export function parseHevcHeaders(annexB: Buffer): HevcHeaders {
  const sets = new Map<string, Buffer>();
  let x265: Map<string, string> | null = null;
  for (const nal of splitAnnexB(annexB)) {
    const type = ((nal[0] ?? 0) >> 1) & 0x3f;
    if (type >= 32 && type <= 34) sets.set(nal.toString('hex'), Buffer.from(nal));
    else if (type === 39 && x265 === null) x265 = parseX265Options(nal.toString('latin1'));
  }
  return { parameterSets: [...sets.values()], x265 };
}

/** `x265 (build 199) - 3.5+1-... - options: cpuid=1111039 wpp no-pmode ... crf=24.0 ...` → map. */
export function parseX265Options(text: string): Map<string, string> | null {
  const at = text.indexOf('x265 (build');
  if (at < 0) return null;
  const marker = text.indexOf(' - options: ', at);
  if (marker < 0) return null;
  // The string ends at the SEI's end: a NUL, or the RBSP trailing bits (0x80).
  const list = /^[\x20-\x7e]*/.exec(text.slice(marker + ' - options: '.length))![0];
  const options = new Map<string, string>();
  for (const item of list.split(' ')) {
    const eq = item.indexOf('=');
    const [key, value] = eq > 0 ? [item.slice(0, eq), item.slice(eq + 1)] : item.startsWith('no-') ? [item.slice(3), '0'] : [item, '1'];
    if (/^[a-z0-9-]+$/.test(key) && /^[A-Za-z0-9.,:/_+-]*$/.test(value)) options.set(key, value);
  }
  return options.size > 0 ? options : null;
}

export type X265Mirror = { ok: true; params: string } | { ok: false; reason: string };

/**
 * Options that do not reach the bitstream's headers, that ffmpeg sets from the stream itself
 * (size, pixel format, bit depth), that x265 prints but does not parse back, or that name
 * files. Everything else the SEI lists is handed back to libx265 as recorded.
 */
const NOT_MIRRORED = new Set([
  'cpuid', 'frame-threads', 'numa-pools', 'pmode', 'pme', 'psnr', 'ssim', 'log-level', 'input-res', 'input-csp', 'bitdepth',
  'total-frames', 'stats-write', 'stats-read', 'analysis-reuse-level', 'analysis-save-reuse-level', 'analysis-load-reuse-level',
  'zone-count', 'scenecut-aware-qp', 'conformance-window-offsets', 'right', 'bottom', 'lookahead-slices', 'copy-pic', 'splice',
  'rc', 'svt', 'decoder-max-rate', 'refine-analysis-type', 'overscan', 'display-window', 'cll', 'interlace', 'field',
  // An extended SAR is printed as "sar=255 sar-width : sar-height=1:1": rebuilt below.
  'sar-width', 'sar-height',
  // The VUI's signal type and chroma location: normaliseHevcBsf sets them on every piece.
  'videoformat', 'range', 'chromaloc',
  // Edges start anywhere and last less than a GOP: each is one closed GOP.
  'open-gop', 'radl', 'idr-recovery-sei',
]);
/** VUI colour fields: x265 writes them only when given, and 2 means "unspecified". */
const UNSPECIFIED_COLOUR: Record<string, string> = { colorprim: '2', transfer: '2', colormatrix: '2' };

/**
 * The `-x265-params` that reproduce the source's parameter sets, or why they cannot: sources
 * whose parameter sets change from picture to picture (opt-qp-pps, opt-ref-list-length-pps),
 * interlaced (field) coding, or intra refresh instead of keyframes.
 */
export function mirrorX265Options(options: ReadonlyMap<string, string>): X265Mirror {
  const on = (k: string) => options.has(k) && options.get(k) !== '0';
  if (on('opt-qp-pps') || on('opt-ref-list-length-pps')) return { ok: false, reason: 'the source rewrites its PPS per picture (opt-qp-pps / opt-ref-list-length-pps)' };
  if (on('interlace') || on('field')) return { ok: false, reason: 'the source is coded as fields' };
  if (on('intra-refresh')) return { ok: false, reason: 'the source uses periodic intra refresh instead of keyframes' };
  if (!options.has('ctu') || !options.has('ref') || !options.has('bframes')) return { ok: false, reason: 'the x265 options lack ctu, ref or bframes' };
  const p: string[] = [];
  for (const [key, value] of options) {
    if (NOT_MIRRORED.has(key) || UNSPECIFIED_COLOUR[key] === value) continue;
    if (key === 'sar' && value === '255') {
      // Extended SAR (GStreamer writes 1:1 so): x265 reads a ratio it has in its table as that
      // table entry, so the width gets a leading zero to keep the extended form it had.
      const ratio = /^(\d+):(\d+)$/.exec(options.get('sar-height') ?? '');
      if (!ratio) return { ok: false, reason: 'the source has an extended SAR the x265 options do not give' };
      p.push(`sar=0${ratio[1]}\\:${ratio[2]}`);
      continue;
    }
    // ':' separates -x265-params pairs; ffmpeg reads "\:" as a colon inside a value.
    p.push(`${key}=${value.replace(/:/g, '\\:')}`);
  }
  p.push('open-gop=0', 'log-level=0');
  return { ok: true, params: p.join(':') };
}

/** ffprobe's chroma_location names → chroma_sample_loc_type (H.265 E.3.1). */
const CHROMA_LOC: Record<string, number> = { left: 0, center: 1, topleft: 2, top: 3, bottomleft: 4, bottom: 5 };

/**
 * The bitstream filter that gives the edges and the copied GOPs the same VUI signal type and
 * chroma location: full range only where the source says so, chroma where its decoder puts it.
 */
export function normaliseHevcBsf(o: { colorRange: string | null; chromaLocation: string | null }): string {
  const full = o.colorRange === 'pc' ? 1 : 0;
  const loc = CHROMA_LOC[o.chromaLocation ?? ''] ?? 0;
  return `hevc_metadata=video_format=5:video_full_range_flag=${full}:chroma_sample_loc_type=${loc}`;
}
