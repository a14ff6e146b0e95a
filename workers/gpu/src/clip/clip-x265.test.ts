import { describe, expect, it } from 'vitest';
import { sameNalUnits } from './clip-x264.js';
import { hevcParameterSetArgs, mirrorX265Options, normaliseHevcBsf, parseHevcHeaders, parseX265Options } from './clip-x265.js';

// x265 3.5 CLI (veryfast, CRF 24, GOP 25, 4 B-frames, 320x180): VPS, SPS and PPS as
// hevcParameterSetArgs prints them (mkvmerge's hvcC, then in-band again, so each twice).
const VPS = '40010c01ffff01600000030090000003000003003c959809';
const SPS = '42010101600000030090000003000003003ca00a080b9f796566924caf01010000030001000003001908';
const PPS = '4401c172b46240';
// The options of its user-data SEI (shortened), as x265 writes them.
const OPTIONS =
  'x265 (build 199) - 3.5+1-f0c1022b6:[Linux][GCC 12.2.0][64 bit] 8bit+10bit+12bit - H.265/HEVC codec - Copyright 2013-2018 (c) Multicoreware, Inc - ' +
  'http://x265.org - options: cpuid=1111039 frame-threads=1 wpp no-pmode no-pme no-psnr no-ssim log-level=0 bitdepth=8 input-csp=1 fps=25/1 ' +
  'input-res=320x180 interlace=0 total-frames=150 level-idc=0 high-tier=1 uhd-bd=0 ref=2 no-allow-non-conformance no-repeat-headers annexb ' +
  'no-aud no-hrd info hash=0 no-temporal-layers open-gop min-keyint=25 keyint=25 gop-lookahead=0 bframes=4 b-adapt=0 b-pyramid ' +
  'ctu=64 min-cu-size=8 no-rect no-amp max-tu-size=32 deblock=0:0 sao no-opt-qp-pps rc=crf crf=24.0 sar=1 overscan=0 videoformat=5 range=0 ' +
  'colorprim=2 transfer=2 colormatrix=1 chromaloc=0 display-window=0 cll=0,0 scenecut-aware-qp=0conformance-window-offsets right=0 bottom=0';
const sei = (text: string) => Buffer.concat([Buffer.from('4e0105', 'hex'), Buffer.alloc(16, 0x2c), Buffer.from(text, 'latin1'), Buffer.from([0x80])]);
const annexB = (...nals: Buffer[]) => Buffer.concat(nals.flatMap((n) => [Buffer.from('00000001', 'hex'), n]));
const hex = (h: string) => Buffer.from(h, 'hex');

describe('hevcParameterSetArgs', () => {
  it('prints the first packet’s VPS, SPS, PPS and prefix SEI as Annex B', () => {
    expect(hevcParameterSetArgs({ input: '/s/vod.mkv', inputOptions: ['-protocol_whitelist', 'file'], streamIndex: 0 }).join(' ')).toBe(
      '-nostdin -hide_banner -v error -protocol_whitelist file -i /s/vod.mkv -map 0:0 -c copy -frames:v 1 ' +
        '-bsf:v hevc_mp4toannexb,filter_units=pass_types=32-34|39 -f hevc pipe:1',
    );
    expect(hevcParameterSetArgs({ input: 'm.mp4', inputOptions: [], streamIndex: 1, bsf: 'hevc_metadata=video_format=5' })).toContain('hevc_metadata=video_format=5,hevc_mp4toannexb,filter_units=pass_types=32-34|39');
  });
});

describe('parseHevcHeaders', () => {
  it('keeps each parameter set once and reads x265’s options', () => {
    const h = parseHevcHeaders(annexB(hex(VPS), hex(SPS), hex(PPS), sei(OPTIONS), hex(VPS), hex(SPS), hex(PPS)));
    expect(h.parameterSets.map((b) => b.toString('hex'))).toEqual([VPS, SPS, PPS]);
    expect(h.x265?.get('bframes')).toBe('4');
    expect(h.x265?.get('wpp')).toBe('1');
    expect(h.x265?.get('pmode')).toBe('0');
    expect(h.x265?.get('deblock')).toBe('0:0');
    // The options end at the SEI's trailing bits.
    expect(h.x265?.get('bottom')).toBe('0');
  });
  it('has no x265 options for other encoders', () => {
    expect(parseHevcHeaders(annexB(hex(VPS), hex(SPS), hex(PPS))).x265).toBeNull();
    expect(parseX265Options('Lavc59 hevc_nvenc')).toBeNull();
  });
});

describe('sameNalUnits (HEVC parameter sets)', () => {
  it('compares bytes, ignores order and repeats, never matches none', () => {
    expect(sameNalUnits([hex(VPS), hex(SPS), hex(PPS)], [hex(PPS), hex(SPS), hex(VPS), hex(SPS)])).toBe(true);
    expect(sameNalUnits([hex(VPS), hex(SPS), hex(PPS)], [hex(VPS), hex(SPS), hex('4401c172b46241')])).toBe(false);
    expect(sameNalUnits([], [])).toBe(false);
  });
});

describe('mirrorX265Options', () => {
  const options = parseX265Options(OPTIONS)!;
  it('hands back what reaches the headers, as -x265-params pairs, with closed edges', () => {
    const m = mirrorX265Options(options);
    if (!m.ok) throw new Error(m.reason);
    expect(m.params).toBe(
      'wpp=1:fps=25/1:level-idc=0:high-tier=1:uhd-bd=0:ref=2:allow-non-conformance=0:repeat-headers=0:annexb=1:aud=0:hrd=0:info=1:hash=0:' +
        'temporal-layers=0:min-keyint=25:keyint=25:gop-lookahead=0:bframes=4:b-adapt=0:b-pyramid=1:ctu=64:min-cu-size=8:rect=0:amp=0:' +
        'max-tu-size=32:deblock=0\\:0:sao=1:opt-qp-pps=0:crf=24.0:sar=1:colormatrix=1:open-gop=0:log-level=0',
    );
  });
  it('keeps an extended SAR (GStreamer’s x265enc) extended, from x265’s odd printing of it', () => {
    const gst = parseX265Options(OPTIONS.replace('sar=1 ', 'sar=255 sar-width : sar-height=1:1 '))!;
    const m = mirrorX265Options(gst);
    expect(m.ok && m.params).toContain(':sar=01\\:1:');
    expect(m.ok && m.params).not.toMatch(/sar-/);
  });
  it('refuses sources whose parameter sets change per picture, fields and intra refresh', () => {
    expect(mirrorX265Options(new Map([...options, ['opt-qp-pps', '1']]))).toMatchObject({ ok: false, reason: /PPS per picture/ });
    expect(mirrorX265Options(new Map([...options, ['field', '1']]))).toMatchObject({ ok: false, reason: /fields/ });
    expect(mirrorX265Options(new Map([...options, ['intra-refresh', '1']]))).toMatchObject({ ok: false, reason: /intra refresh/ });
    expect(mirrorX265Options(new Map([['crf', '20']]))).toMatchObject({ ok: false, reason: /lack ctu/ });
  });
});

describe('normaliseHevcBsf', () => {
  it('sets the signal type and chroma location the source declares or implies', () => {
    expect(normaliseHevcBsf({ colorRange: 'tv', chromaLocation: 'left' })).toBe('hevc_metadata=video_format=5:video_full_range_flag=0:chroma_sample_loc_type=0');
    expect(normaliseHevcBsf({ colorRange: 'pc', chromaLocation: 'topleft' })).toBe('hevc_metadata=video_format=5:video_full_range_flag=1:chroma_sample_loc_type=2');
    expect(normaliseHevcBsf({ colorRange: null, chromaLocation: null })).toBe('hevc_metadata=video_format=5:video_full_range_flag=0:chroma_sample_loc_type=0');
  });
});
