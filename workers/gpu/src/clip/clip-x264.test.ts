import { describe, expect, it } from 'vitest';
import { firstCopiedSliceArgs, isIdrPicture, mirrorX264Options, parameterSetsAtArgs, withFixedFrameRate, parseH264Headers, parseX264Options, sameParameterSets, splitAnnexB } from './clip-x264.js';

// ffmpeg 5.1's output of parameterSetsAtArgs for an x264 veryfast CRF 20 stream with B-frames
// (GOP 50, 320x180): the user-data SEI, then the SPS and PPS inserted from the avcC.
const X264_CRF_BFRAMES = Buffer.from(
  'AAAAAQYF//+n3EXpvebZSLeWLNgg2SPu73gyNjQgLSBjb3JlIDE2NCByMzA5NSBiYWVlNDAwIC0gSC4yNjQvTVBFRy00IEFWQyBjb2RlYyAtIENvcHlsZWZ0' +
  'IDIwMDMtMjAyMiAtIGh0dHA6Ly93d3cudmlkZW9sYW4ub3JnL3gyNjQuaHRtbCAtIG9wdGlvbnM6IGNhYmFjPTEgcmVmPTEgZGVibG9jaz0xOjA6MCBhbmFs' +
  'eXNlPTB4MzoweDExMyBtZT1oZXggc3VibWU9MiBwc3k9MSBwc3lfcmQ9MS4wMDowLjAwIG1peGVkX3JlZj0wIG1lX3JhbmdlPTE2IGNocm9tYV9tZT0xIHRy' +
  'ZWxsaXM9MCA4eDhkY3Q9MSBjcW09MCBkZWFkem9uZT0yMSwxMSBmYXN0X3Bza2lwPTEgY2hyb21hX3FwX29mZnNldD0wIHRocmVhZHM9MyBsb29rYWhlYWRf' +
  'dGhyZWFkcz0xIHNsaWNlZF90aHJlYWRzPTAgbnI9MCBkZWNpbWF0ZT0xIGludGVybGFjZWQ9MCBibHVyYXlfY29tcGF0PTAgY29uc3RyYWluZWRfaW50cmE9' +
  'MCBiZnJhbWVzPTMgYl9weXJhbWlkPTIgYl9hZGFwdD0xIGJfYmlhcz0wIGRpcmVjdD0xIHdlaWdodGI9MSBvcGVuX2dvcD0wIHdlaWdodHA9MSBrZXlpbnQ9' +
  'NTAga2V5aW50X21pbj0yNiBzY2VuZWN1dD0wIGludHJhX3JlZnJlc2g9MCByY19sb29rYWhlYWQ9MTAgcmM9Y3JmIG1idHJlZT0xIGNyZj0yMC4wIHFjb21w' +
  'PTAuNjAgcXBtaW49MCBxcG1heD02OSBxcHN0ZXA9NCBpcF9yYXRpbz0xLjQwIGFxPTE6MS4wMACAAAAAAWdkAAys2UFBn58BEAAAAwAQAAADAyDxQplgAAAA' +
  'AWjvhvLA',
  'base64',
);

const QP0_OPTIONS =
  'x264 - core 164 r3095 baee400 - H.264/MPEG-4 AVC codec - Copyleft 2003-2022 - http://www.videolan.org/x264.html - options: ' +
  'cabac=1 ref=1 deblock=1:0:0 analyse=0x3:0x113 me=hex subme=2 psy=0 mixed_ref=0 me_range=16 chroma_me=1 trellis=0 8x8dct=1 cqm=0 ' +
  'deadzone=21,11 fast_pskip=0 chroma_qp_offset=0 threads=3 lookahead_threads=1 sliced_threads=0 nr=0 decimate=1 interlaced=0 ' +
  'bluray_compat=0 constrained_intra=0 bframes=0 weightp=1 keyint=50 keyint_min=26 scenecut=0 intra_refresh=0 rc=cqp mbtree=0 qp=0\0';
const QP0_SPS = Buffer.from('67f4000caeb40a0cfcf808800000030080000019078a1550', 'hex');

describe('parameterSetsAtArgs', () => {
  it('reads the first packet and a later one in one run, each to its own file', () => {
    expect(parameterSetsAtArgs({ input: 'in.ts', inputOptions: ['-protocol_whitelist', 'file'], streamIndex: 1, reads: [{ at: null, output: 'a.h264' }, { at: '12.500000', output: 'b.h264' }] }).join(' ')).toBe(
      '-nostdin -hide_banner -v error -y ' +
        '-protocol_whitelist file -i in.ts -protocol_whitelist file -seek_timestamp 1 -ss 12.500000 -i in.ts ' +
        '-map 0:1 -c copy -frames:v 1 -bsf:v h264_mp4toannexb,filter_units=pass_types=6-8 -f h264 a.h264 ' +
        '-map 1:1 -c copy -frames:v 1 -bsf:v h264_mp4toannexb,filter_units=pass_types=6-8 -f h264 b.h264',
    );
  });
});

describe('parseH264Headers', () => {
  it('reads the parameter sets and x264’s options from real output', () => {
    const h = parseH264Headers(X264_CRF_BFRAMES);
    expect(h.sps.map((b) => b.toString('hex'))).toEqual(['6764000cacd941419f9f011000000300100000030320f1429960']);
    expect(h.pps.map((b) => b.toString('hex'))).toEqual(['68ef86f2c0']);
    expect(h.x264?.get('bframes')).toBe('3');
    expect(h.x264?.get('rc')).toBe('crf');
    expect(h.x264?.get('crf')).toBe('20.0');
    expect(h.x264?.get('aq')).toBe('1:1.00');
  });
  it('splits 3- and 4-byte start codes and trims trailing zeros', () => {
    const nals = splitAnnexB(Buffer.from('0000000167aa0000000168bb00000106cc', 'hex'));
    expect(nals.map((n) => n.toString('hex'))).toEqual(['67aa', '68bb', '06cc']);
  });
  it('has no x264 options for other encoders', () => {
    expect(parseH264Headers(Buffer.from('0000000167aa0000000168bb', 'hex')).x264).toBeNull();
    expect(parseX264Options('Lavc59 libopenh264')).toBeNull();
  });
});

describe('sameParameterSets', () => {
  it('compares bytes, in any order, and never matches empty sets', () => {
    const a = { sps: [Buffer.from('67aa', 'hex')], pps: [Buffer.from('68bb', 'hex'), Buffer.from('68cc', 'hex')] };
    expect(sameParameterSets(a, { sps: [Buffer.from('67aa', 'hex')], pps: [Buffer.from('68cc', 'hex'), Buffer.from('68bb', 'hex')] })).toBe(true);
    expect(sameParameterSets(a, { ...a, sps: [Buffer.from('67ab', 'hex')] })).toBe(false);
    expect(sameParameterSets({ sps: [], pps: [] }, { sps: [], pps: [] })).toBe(false);
    // An SPS without a PPS (or the other way round) never matches.
    expect(sameParameterSets({ sps: a.sps, pps: [] }, { sps: a.sps, pps: [] })).toBe(false);
    expect(sameParameterSets({ sps: [], pps: a.pps }, { sps: [], pps: a.pps })).toBe(false);
  });
});

describe('mirrorX264Options', () => {
  it('mirrors what reaches the SPS/PPS, with the level from the source SPS', () => {
    const h = parseH264Headers(X264_CRF_BFRAMES);
    expect(mirrorX264Options(h.x264!, h.sps[0]!)).toEqual({
      ok: true,
      params:
        'cabac=1:ref=1:bframes=3:weightb=1:weightp=1:8x8dct=1:constrained-intra=0:chroma-qp-offset=0:bluray-compat=0:' +
        'scenecut=0:b-pyramid=normal:keyint=50:crf=20.0:level=12:psy=0',
    });
  });
  it('keeps a lossless source lossless (qp=0 is what makes x264 write High 4:4:4 Predictive)', () => {
    const r = mirrorX264Options(parseX264Options(QP0_OPTIONS)!, QP0_SPS);
    expect(r).toEqual({
      ok: true,
      params: 'cabac=1:ref=1:bframes=0:weightp=1:8x8dct=1:constrained-intra=0:chroma-qp-offset=0:bluray-compat=0:scenecut=0:keyint=50:qp=0:level=12:psy=0',
    });
  });
  it('mirrors ABR with its VBV and HRD settings', () => {
    const o = parseX264Options(QP0_OPTIONS.replace('rc=cqp mbtree=0 qp=0', 'rc=cbr mbtree=1 bitrate=4000 ratetol=1.0 vbv_maxrate=4000 vbv_bufsize=8000 nal_hrd=cbr'))!;
    const r = mirrorX264Options(o, QP0_SPS);
    expect(r.ok && r.params).toContain('keyint=50:bitrate=4000:vbv-maxrate=4000:vbv-bufsize=8000:nal-hrd=cbr:level=12:psy=0');
  });
  it('mirrors MBAFF (x264 --tff / --bff)', () => {
    const with_ = (field: string) => mirrorX264Options(parseX264Options(QP0_OPTIONS.replace('interlaced=0', `interlaced=${field}`))!, QP0_SPS);
    expect(with_('tff')).toMatchObject({ ok: true, params: expect.stringMatching(/:level=12:psy=0:tff=1$/) });
    expect(with_('bff')).toMatchObject({ ok: true, params: expect.stringMatching(/:psy=0:bff=1$/) });
  });
  it('has a second choice with the fixed-frame-rate VUI flag the SEI does not record', () => {
    expect(withFixedFrameRate('cabac=1:ref=1')).toBe('cabac=1:ref=1:force-cfr=1');
  });
  it('refuses what the edges cannot reproduce', () => {
    const with_ = (from: string, to: string) => mirrorX264Options(parseX264Options(QP0_OPTIONS.replace(from, to))!, QP0_SPS);
    expect(with_('interlaced=0', 'interlaced=paff')).toEqual({ ok: false, reason: 'the source is interlaced (paff)' });
    expect(with_('intra_refresh=0', 'intra_refresh=1')).toMatchObject({ ok: false, reason: expect.stringMatching(/intra refresh/) });
    expect(with_('cqm=0', 'cqm=2')).toMatchObject({ ok: false, reason: expect.stringMatching(/quantiser matrices/) });
    expect(with_('bframes=0', 'bframes=3 open_gop=1')).toMatchObject({ ok: false, reason: 'the source uses open GOPs' });
    expect(with_('rc=cqp mbtree=0 qp=0', 'rc=weird')).toMatchObject({ ok: false, reason: expect.stringMatching(/rate control \(weird\)/) });
    expect(with_('keyint=50 ', '')).toMatchObject({ ok: false, reason: 'the x264 options lack keyint' });
    expect(mirrorX264Options(parseX264Options(QP0_OPTIONS)!, Buffer.from('67f4', 'hex'))).toMatchObject({ ok: false });
  });
});

describe('firstCopiedSliceArgs / isIdrPicture', () => {
  it('reads the first packet a keyframe copy would write, slices only', () => {
    expect(firstCopiedSliceArgs({ input: '/s/v.mkv', inputOptions: ['-protocol_whitelist', 'file'], startArgs: ['-seek_timestamp', '1', '-ss', '1.001000'], streamIndex: 0 }).join(' ')).toBe(
      '-nostdin -hide_banner -v error -protocol_whitelist file -seek_timestamp 1 -ss 1.001000 -i /s/v.mkv -map 0:0 -c copy -copypriorss 0 -frames:v 1 ' +
        '-bsf:v h264_mp4toannexb,filter_units=pass_types=1|5 -f h264 pipe:1',
    );
  });
  it('tells an IDR picture from a recovery-point I picture', () => {
    expect(isIdrPicture(Buffer.from('0000000165888400', 'hex'))).toBe(true);
    expect(isIdrPicture(Buffer.from('0000000141e0', 'hex'))).toBe(false);
    expect(isIdrPicture(Buffer.from('000000010605', 'hex'))).toBeNull();
  });
});
