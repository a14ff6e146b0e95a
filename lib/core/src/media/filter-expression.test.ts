import { describe, it, expect } from 'vitest';
import {
  parseTrackFilter,
  evaluateTrackFilter,
  selectTracks,
  FilterSyntaxError,
  MAX_FILTER_DEPTH,
  MAX_FILTER_LENGTH,
  type FilterNode,
} from './filter-expression.js';
import type { TrackInfo } from './track-info.js';

const video = (index: number, width: number, height: number, bitrate: number | null): TrackInfo => ({
  index,
  type: 'video',
  codec: 'h264',
  fourCC: 'AVC1',
  width,
  height,
  bitrate,
  language: null,
  fps: 25,
});
const audio = (index: number, language: string | null, fourCC = 'MP4A', bitrate: number | null = 128000): TrackInfo => ({
  index,
  type: 'audio',
  codec: 'aac',
  fourCC,
  width: null,
  height: null,
  bitrate,
  language,
  fps: null,
});

const TRACKS: TrackInfo[] = [
  video(0, 1920, 1080, 6_000_000),
  video(1, 1024, 576, 1_500_000),
  { ...video(2, 1280, 720, 3_000_000), codec: 'hevc', fourCC: 'HVC1' },
  audio(3, 'eng'),
  audio(4, 'nld', 'EC-3', 384000),
  audio(5, null),
  { index: 6, type: 'text', codec: 'webvtt', fourCC: 'WVTT', width: null, height: null, bitrate: null, language: 'eng', fps: null },
];

const select = (filter: string): number[] => selectTracks(parseTrackFilter(filter), TRACKS).map((t) => t.index);

function syntaxError(filter: string): FilterSyntaxError {
  try {
    parseTrackFilter(filter);
  } catch (err) {
    if (err instanceof FilterSyntaxError) return err;
    throw err;
  }
  throw new Error(`expected ${JSON.stringify(filter)} to be rejected`);
}

describe('parseTrackFilter', () => {
  it('parses the contract example into a comparison tree', () => {
    expect(parseTrackFilter('(type=="video"&&DisplayHeight==576)')).toEqual<FilterNode>({
      kind: 'and',
      operands: [
        { kind: 'compare', field: 'type', op: '==', value: 'video' },
        { kind: 'compare', field: 'DisplayHeight', op: '==', value: 576 },
      ],
    });
  });

  it('binds && tighter than ||', () => {
    expect(parseTrackFilter('type=="audio" || type=="video" && DisplayHeight>=720')).toEqual<FilterNode>({
      kind: 'or',
      operands: [
        { kind: 'compare', field: 'type', op: '==', value: 'audio' },
        {
          kind: 'and',
          operands: [
            { kind: 'compare', field: 'type', op: '==', value: 'video' },
            { kind: 'compare', field: 'DisplayHeight', op: '>=', value: 720 },
          ],
        },
      ],
    });
  });

  it('binds ! tighter than && and ||', () => {
    expect(parseTrackFilter('!FourCC=="AVC1"||SystemBitrate>=1000000')).toEqual<FilterNode>({
      kind: 'or',
      operands: [
        { kind: 'not', operand: { kind: 'compare', field: 'FourCC', op: '==', value: 'AVC1' } },
        { kind: 'compare', field: 'SystemBitrate', op: '>=', value: 1000000 },
      ],
    });
  });

  it('accepts field names in any case and canonicalises them', () => {
    expect(parseTrackFilter('systemlanguage=="eng"')).toEqual({ kind: 'compare', field: 'SystemLanguage', op: '==', value: 'eng' });
    expect(parseTrackFilter('DISPLAYWIDTH<1280')).toEqual({ kind: 'compare', field: 'DisplayWidth', op: '<', value: 1280 });
  });

  it('accepts typographic quotes from word-processed documents', () => {
    expect(parseTrackFilter('type==\u201cvideo\u201d')).toEqual({ kind: 'compare', field: 'type', op: '==', value: 'video' });
    expect(parseTrackFilter('type==\u201daudio\u201d')).toEqual({ kind: 'compare', field: 'type', op: '==', value: 'audio' });
  });

  it('accepts decimal numbers and whitespace anywhere between tokens', () => {
    expect(parseTrackFilter(' ( SystemBitrate \t> 1.5 )\n')).toEqual({ kind: 'compare', field: 'SystemBitrate', op: '>', value: 1.5 });
  });

  it('mirrors the operator when the literal comes first', () => {
    expect(parseTrackFilter('576<DisplayHeight')).toEqual({ kind: 'compare', field: 'DisplayHeight', op: '>', value: 576 });
    expect(parseTrackFilter('"eng"==SystemLanguage')).toEqual({ kind: 'compare', field: 'SystemLanguage', op: '==', value: 'eng' });
  });

  it.each([
    ['', 0, /expected a field name, found the end/],
    ['type', 4, /expected a comparison operator, found the end/],
    ['type==', 6, /expected a quoted string for type, found the end/],
    ['type==video', 6, /expected a quoted string for type, found 'video'/],
    ['DisplayHeight=="576"', 15, /expected a number for DisplayHeight/],
    ['Bogus==1', 0, /unknown field 'Bogus'/],
    ['type="video"', 4, /'=' is not an operator; use '=='/],
    ['type=="video"&DisplayHeight==1', 13, /use '&&'/],
    ['type=="video"|DisplayHeight==1', 13, /use '\|\|'/],
    ['type<"video"', 4, /type can only be compared with == or !=/],
    ['type=="video', 6, /unterminated string/],
    ['(type=="video"', 14, /expected '\)', found the end/],
    ['type=="video")', 13, /expected '&&', '\|\|' or the end of the filter, found '\)'/],
    ['type=="video" DisplayHeight==1', 14, /found 'DisplayHeight'/],
    ['DisplayHeight==1.', 15, /malformed number/],
    ['DisplayHeight==12px', 15, /malformed number/],
    ['DisplayHeight==-1', 15, /unexpected character "-"/],
    ['"a"=="b"', 5, /expected a field name, found "b"/],
    ['&&type=="video"', 0, /expected a field name, found '&&'/],
    ['type=="video"||', 15, /expected a field name, found the end/],
    ['()', 1, /expected a field name, found '\)'/],
  ])('rejects %j at position %i', (filter, position, reason) => {
    const err = syntaxError(filter);
    expect(err.position).toBe(position);
    expect(err.message).toMatch(reason);
    expect(err.message).toContain(`position ${position}`);
  });

  it(`allows ${MAX_FILTER_DEPTH} levels of nesting and rejects one more`, () => {
    const nested = (depth: number) => '('.repeat(depth) + 'type=="video"' + ')'.repeat(depth);
    expect(parseTrackFilter(nested(MAX_FILTER_DEPTH))).toEqual({ kind: 'compare', field: 'type', op: '==', value: 'video' });
    expect(syntaxError(nested(MAX_FILTER_DEPTH + 1))).toMatchObject({ position: MAX_FILTER_DEPTH });
    expect(syntaxError('!'.repeat(MAX_FILTER_DEPTH + 1) + 'type=="video"').reason).toMatch(/nested deeper/);
  });

  it(`rejects filters longer than ${MAX_FILTER_LENGTH} characters before tokenising them`, () => {
    const clause = 'DisplayHeight==1||';
    const long = clause.repeat(Math.ceil(MAX_FILTER_LENGTH / clause.length)) + 'DisplayHeight==1';
    expect(long.length).toBeGreaterThan(MAX_FILTER_LENGTH);
    expect(syntaxError(long).reason).toMatch(/longer than 1024/);
    const fits = 'type=="video"' + ' '.repeat(MAX_FILTER_LENGTH - 13);
    expect(fits.length).toBe(MAX_FILTER_LENGTH);
    expect(parseTrackFilter(fits)).toBeDefined();
  });

  it('keeps long flat chains flat instead of nesting them', () => {
    const tree = parseTrackFilter(Array.from({ length: 50 }, (_, i) => `DisplayHeight==${i}`).join('||'));
    expect(tree.kind).toBe('or');
    expect(tree.kind === 'or' && tree.operands).toHaveLength(50);
  });
});

describe('selectTracks', () => {
  it('selects by type and height (contract example)', () => {
    expect(select('(type=="video"&&DisplayHeight==576)')).toEqual([1]);
  });

  it('selects audio by language', () => {
    expect(select('type=="audio"&&SystemLanguage=="eng"')).toEqual([3]);
  });

  it('applies negation and || (brief example)', () => {
    // Everything that is not AVC1, plus AVC1 tracks of at least 1 Mbit/s.
    expect(select('!(FourCC=="AVC1")||SystemBitrate>=1000000')).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(select('!(FourCC=="AVC1")||SystemBitrate>=2000000')).toEqual([0, 2, 3, 4, 5, 6]);
  });

  it('respects precedence when evaluating', () => {
    // (audio) || (video && height >= 720): both 1080p and 720p video, all audio.
    expect(select('type=="audio"||type=="video"&&DisplayHeight>=720')).toEqual([0, 2, 3, 4, 5]);
    // (audio || video) && height >= 720: audio has no height, so only video remains.
    expect(select('(type=="audio"||type=="video")&&DisplayHeight>=720')).toEqual([0, 2]);
  });

  it('compares strings case-insensitively', () => {
    expect(select('FourCC=="avc1"')).toEqual([0, 1]);
    expect(select('type=="VIDEO"&&FourCC=="Hvc1"')).toEqual([2]);
    expect(select('SystemLanguage=="ENG"')).toEqual([3, 6]);
  });

  it('accepts Unified Streaming\'s "textstream" for text tracks', () => {
    expect(select('type=="textstream"')).toEqual([6]);
    expect(select('type!="textstream"&&type!="audio"')).toEqual([0, 1, 2]);
  });

  it('supports every comparison operator on numbers', () => {
    expect(select('DisplayWidth==1024')).toEqual([1]);
    expect(select('type=="video"&&DisplayWidth!=1024')).toEqual([0, 2]);
    expect(select('DisplayWidth<1280')).toEqual([1]);
    expect(select('DisplayWidth<=1280')).toEqual([1, 2]);
    expect(select('DisplayWidth>1280')).toEqual([0]);
    expect(select('DisplayWidth>=1280')).toEqual([0, 2]);
    expect(select('SystemBitrate<128000.5&&SystemBitrate>127999.5')).toEqual([3, 5]);
  });

  it('never matches a missing value, whatever the operator', () => {
    expect(select('SystemLanguage!="eng"')).toEqual([4]);
    expect(select('DisplayHeight!=576')).toEqual([0, 2]);
    expect(select('SystemBitrate<1')).toEqual([]);
    // Negating the comparison is how to ask for tracks without the value.
    expect(select('!(SystemLanguage=="eng")&&type=="audio"')).toEqual([4, 5]);
  });

  it('treats an empty fourCC as missing', () => {
    const unknown: TrackInfo = { ...audio(9, null), fourCC: '' };
    expect(evaluateTrackFilter(parseTrackFilter('FourCC!="MP4A"'), unknown)).toBe(false);
    expect(evaluateTrackFilter(parseTrackFilter('FourCC==""'), unknown)).toBe(false);
  });

  it('returns an empty list when nothing matches', () => {
    expect(select('type=="video"&&DisplayHeight==2160')).toEqual([]);
  });
});
