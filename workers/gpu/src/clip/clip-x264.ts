// What the smart cut needs to re-encode a GOP's edge so that it joins the source's copied
// GOPs: the source's H.264 parameter sets (SPS/PPS) and, when x264 made the source, the
// options it recorded in its SEI, which are mirrored so the edges come out with the same
// SPS/PPS. The copied middle keeps using the parameter sets of the first piece (the MP4
// holds one avcC), so the join is only safe when those bytes are identical; the worker checks
// that after encoding the first edge and falls back to a full re-encode otherwise.
//
// One ffmpeg run per file gives both: the first video packet in Annex B with everything but
// SEI/SPS/PPS NAL units filtered out (h264_mp4toannexb first, so MP4 sources get their avcC
// parameter sets in-band too).

/**
 * The same read at several places of one source in one ffmpeg run: each `at` (a source time,
 * the `-ss` already formatted; null for the stream's start) opens the source once and writes
 * that packet's SEI/SPS/PPS to its own file.
 */
export function parameterSetsAtArgs(o: { input: string; inputOptions: string[]; streamIndex: number; reads: readonly { at: string | null; output: string }[] }): string[] {
  return [
    '-nostdin', '-hide_banner', '-v', 'error', '-y',
    ...o.reads.flatMap((r) => [...o.inputOptions, ...(r.at === null ? [] : ['-seek_timestamp', '1', '-ss', r.at]), '-i', o.input]),
    ...o.reads.flatMap((r, i) => [
      '-map', `${i}:${o.streamIndex}`, '-c', 'copy', '-frames:v', '1',
      '-bsf:v', 'h264_mp4toannexb,filter_units=pass_types=6-8',
      '-f', 'h264', r.output,
    ]),
  ];
}

export interface H264Headers {
  sps: Buffer[];
  pps: Buffer[];
  /** x264's option string from its user-data SEI; null when x264 did not make the stream. */
  x264: Map<string, string> | null;
}

/** NAL units of an Annex B byte stream (start codes removed, trailing zero bytes trimmed). */
export function splitAnnexB(data: Buffer): Buffer[] {
  const starts: { at: number; len: number }[] = [];
  for (let i = 0; i + 2 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      starts.push({ at: i, len: 3 });
      i += 2;
    }
  }
  return starts.map((s, k) => {
    let end = k + 1 < starts.length ? starts[k + 1]!.at : data.length;
    while (end > s.at + s.len && data[end - 1] === 0) end--;
    return data.subarray(s.at + s.len, end);
  });
}

export function parseH264Headers(annexB: Buffer): H264Headers {
  const sps: Buffer[] = [];
  const pps: Buffer[] = [];
  let x264: Map<string, string> | null = null;
  for (const nal of splitAnnexB(annexB)) {
    const type = (nal[0] ?? 0) & 0x1f;
    if (type === 7) sps.push(Buffer.from(nal));
    else if (type === 8) pps.push(Buffer.from(nal));
    else if (type === 6 && x264 === null) x264 = parseX264Options(nal.toString('latin1'));
  }
  return { sps, pps, x264 };
}

/** `x264 - core 164 r3095 ... - options: cabac=1 ref=3 deblock=1:0:0 ...` → option map. */
export function parseX264Options(text: string): Map<string, string> | null {
  const at = text.indexOf('x264 - core');
  if (at < 0) return null;
  const marker = text.indexOf(' - options: ', at);
  if (marker < 0) return null;
  const end = text.indexOf('\0', marker);
  const list = text.slice(marker + ' - options: '.length, end < 0 ? undefined : end);
  const options = new Map<string, string>();
  for (const item of list.split(' ')) {
    const eq = item.indexOf('=');
    if (eq > 0 && /^[a-z0-9_]+$/.test(item.slice(0, eq))) options.set(item.slice(0, eq), item.slice(eq + 1));
  }
  return options.size > 0 ? options : null;
}

/**
 * The first video packet a keyframe copy (clipCopyArgs: the same start, `-copypriorss 0`)
 * would write, with only its slice NAL units (types 1 and 5), as Annex B: whether the copy
 * starts on an IDR picture.
 */
export function firstCopiedSliceArgs(o: { input: string; inputOptions: string[]; startArgs: string[]; streamIndex: number }): string[] {
  return [
    '-nostdin', '-hide_banner', '-v', 'error',
    ...o.inputOptions, ...o.startArgs, '-i', o.input,
    '-map', `0:${o.streamIndex}`, '-c', 'copy', '-copypriorss', '0', '-frames:v', '1',
    '-bsf:v', 'h264_mp4toannexb,filter_units=pass_types=1|5',
    '-f', 'h264', 'pipe:1',
  ];
}

/**
 * Whether the slices are an IDR picture (NAL type 5); null when there is none. A recovery-point
 * I picture (x264 --open-gop's keyframes, which mkvmerge flags as keyframes) is type 1:
 * decoding from it, its memory management commands name frames from before it.
 */
export function isIdrPicture(annexB: Buffer): boolean | null {
  const types = splitAnnexB(annexB).map((n) => (n[0] ?? 0) & 0x1f).filter((t) => t === 1 || t === 5);
  return types.length === 0 ? null : types.includes(5);
}

/**
 * The SEI does not record the VUI's fixed_frame_rate_flag: the x264 CLI sets it for a
 * constant-rate input, libx264 under ffmpeg only with force-cfr. The worker tries the mirrored
 * params, then these, and keeps whichever gives the source's SPS byte for byte.
 */
export function withFixedFrameRate(params: string): string {
  return `${params}:force-cfr=1`;
}

/** The same NAL units, byte for byte, in any order and with repeats ignored; never for none (H.264 and HEVC). */
export function sameNalUnits(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  const key = (list: readonly Buffer[]) => [...new Set(list.map((x) => x.toString('hex')))].sort().join(',');
  return a.length > 0 && key(a) === key(b);
}

/** SPS and PPS equal byte for byte (sameNalUnits). */
export function sameParameterSets(a: Pick<H264Headers, 'sps' | 'pps'>, b: Pick<H264Headers, 'sps' | 'pps'>): boolean {
  return sameNalUnits(a.sps, b.sps) && sameNalUnits(a.pps, b.pps);
}

export type X264Mirror = { ok: true; params: string } | { ok: false; reason: string };

const PYRAMID = ['none', 'strict', 'normal'];
const INT = /^-?\d+$/;
const NUM = /^-?\d+(?:\.\d+)?$/;

/**
 * The `-x264-params` that reproduce the source's SPS/PPS. Only options that reach the
 * headers are mirrored (entropy coder, references, B-frame structure, MBAFF, weighted prediction,
 * 8x8 transform, keyint → log2_max_frame_num, rate control → pic_init_qp, level, HRD);
 * the rest only change how the few edge frames look. psy=0 because x264 lowers the chroma QP
 * offset for psy-RD itself, and the SEI already records the lowered value.
 */
export function mirrorX264Options(options: ReadonlyMap<string, string>, sps: Buffer): X264Mirror {
  const get = (k: string) => options.get(k);
  const p: string[] = [];
  const need = (key: string, re: RegExp): string | null => {
    const v = get(key);
    return v !== undefined && re.test(v) ? v : null;
  };
  // Structures that the edges cannot reproduce, or that make copied GOPs depend on others.
  // MBAFF (x264 --tff / --bff) is mirrored below; anything else interlaced is not.
  const interlaced = get('interlaced');
  if (interlaced !== undefined && interlaced !== '0' && interlaced !== 'tff' && interlaced !== 'bff') return { ok: false, reason: `the source is interlaced (${interlaced})` };
  if (get('open_gop') === '1') return { ok: false, reason: 'the source uses open GOPs' };
  if (get('intra_refresh') === '1') return { ok: false, reason: 'the source uses periodic intra refresh instead of keyframes' };
  if (get('cqm') !== undefined && get('cqm') !== '0' && get('cqm') !== '1') return { ok: false, reason: 'the source uses custom quantiser matrices' };

  for (const [from, to] of [
    ['cabac', 'cabac'],
    ['ref', 'ref'],
    ['bframes', 'bframes'],
    ['weightb', 'weightb'],
    ['weightp', 'weightp'],
    ['8x8dct', '8x8dct'],
    ['constrained_intra', 'constrained-intra'],
    ['chroma_qp_offset', 'chroma-qp-offset'],
    ['bluray_compat', 'bluray-compat'],
    ['fake_interlaced', 'fake-interlaced'],
    ['stitchable', 'stitchable'],
  ] as const) {
    const v = need(from, INT);
    if (v !== null) p.push(`${to}=${v}`);
    else if (from === 'cabac' || from === 'ref' || from === 'bframes') return { ok: false, reason: `the x264 options lack ${from}` };
  }
  // Frame-type decisions only, kept so the edges' GOPs look like the source's.
  const scenecut = need('scenecut', INT);
  if (scenecut !== null) p.push(`scenecut=${scenecut}`);
  const pyramid = need('b_pyramid', /^[012]$/);
  if (pyramid !== null) p.push(`b-pyramid=${PYRAMID[Number(pyramid)]}`);
  if (get('cqm') === '1') p.push('cqm=jvt');
  const keyint = get('keyint');
  if (keyint === 'infinite' || (keyint !== undefined && INT.test(keyint))) p.push(`keyint=${keyint}`);
  else return { ok: false, reason: 'the x264 options lack keyint' };

  const rc = get('rc');
  if (rc === 'cqp' && need('qp', INT) !== null) p.push(`qp=${get('qp')}`);
  else if (rc === 'crf' && need('crf', NUM) !== null) p.push(`crf=${get('crf')}`);
  else if ((rc === 'abr' || rc === 'cbr' || rc === '2pass') && need('bitrate', INT) !== null) p.push(`bitrate=${get('bitrate')}`);
  else return { ok: false, reason: `the source's rate control (${rc ?? 'unknown'}) cannot be mirrored` };
  const maxrate = need('vbv_maxrate', INT);
  const bufsize = need('vbv_bufsize', INT);
  if (maxrate !== null && bufsize !== null) p.push(`vbv-maxrate=${maxrate}`, `vbv-bufsize=${bufsize}`);
  const hrd = get('nal_hrd');
  if (hrd === 'vbr' || hrd === 'cbr') p.push(`nal-hrd=${hrd}`);

  // level_idc is the SPS's fourth byte (after the NAL header, profile_idc and the constraint flags).
  if (sps.length < 4) return { ok: false, reason: 'the source SPS is truncated' };
  p.push(`level=${sps[3]}`);
  p.push('psy=0');
  // MBAFF edges: the same field order.
  if (interlaced === 'tff' || interlaced === 'bff') p.push(`${interlaced}=1`);
  return { ok: true, params: p.join(':') };
}
