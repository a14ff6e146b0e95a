import { describe, expect, it } from 'vitest';
import { ApiError } from '@framesmith/core/errors';
import { checkQuery, checkStrings, checkText } from './parse-input.js';

const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return { type: (err as ApiError).errorType, message: (err as ApiError).message, data: (err as ApiError).data };
  }
  throw new Error('expected a refusal');
};

describe('the text rule at the edge', () => {
  it('names the field in the contract message', () => {
    expect(refusal(() => checkText('a\u0000b', 'name'))).toEqual({
      type: 'ValidationError',
      message: 'Unable to read name because it contains a control character',
      data: { field: 'name' },
    });
    expect(checkText('Goal', 'name')).toBe('Goal');
  });
  it('lets tab and newline through only in multi-line fields', () => {
    expect(checkText('(type=="video"\n\t&& index==0)', 'clip.filter')).toContain('\n');
    expect(checkText('{\n\t"a": 1\n}', 'configurationJson')).toContain('\t');
    expect(refusal(() => checkText('a\tb', 'name')).data).toEqual({ field: 'name' });
    expect(refusal(() => checkText('\u0000', 'clip.filter')).data).toEqual({ field: 'clip.filter' });
  });
  it('walks every string and key of a body or message, named by its path', () => {
    expect(() => checkStrings({ name: 'ok', clip: { eventId: 'e', start: '00:00:01' }, fps: 18, tags: ['a'], raw: new Uint8Array([0]) })).not.toThrow();
    expect(refusal(() => checkStrings({ clip: { eventId: 'e', start: '\u0000' } })).data).toEqual({ field: 'clip.start' });
    expect(refusal(() => checkStrings({ filter: { extensions: ['.gif', '.jp\u0085g'] } })).data).toEqual({ field: 'filter.extensions[1]' });
    expect(refusal(() => checkStrings({ configurationJson: { ['k\u0000']: 1 } })).data).toEqual({ field: 'a field name in configurationJson' });
    expect(refusal(() => checkStrings('\u0000')).data).toEqual({ field: 'body' });
  });
  it('survives JSON nested deeper than the call stack', () => {
    const deep = JSON.parse('['.repeat(30_000) + '"\\u0000"' + ']'.repeat(30_000));
    expect(refusal(() => checkStrings(deep)).type).toBe('ValidationError');
  });
  it('checks query parameter names and values', () => {
    expect(() => checkQuery(new URLSearchParams('name=Goal&pageIndex=0'))).not.toThrow();
    expect(refusal(() => checkQuery(new URLSearchParams('name=%00'))).data).toEqual({ field: 'name' });
    expect(refusal(() => checkQuery(new URLSearchParams('jobId=x%7F'))).data).toEqual({ field: 'jobId' });
    expect(refusal(() => checkQuery(new URLSearchParams('a%00=1'))).data).toEqual({ field: 'a query parameter name' });
  });
});
