import { describe, expect, it } from 'vitest';
import { objectKey, parseStorageUrl, relativeKey } from './storage-location.js';

describe('parseStorageUrl', () => {
  it('reads bucket and prefix', () => {
    expect(parseStorageUrl('s3://media')).toEqual({ bucket: 'media', prefix: '' });
    expect(parseStorageUrl('s3://media/')).toEqual({ bucket: 'media', prefix: '' });
    expect(parseStorageUrl('s3://media/farm/a/')).toEqual({ bucket: 'media', prefix: 'farm/a' });
  });
  it('refuses what is not an S3 location', () => {
    for (const bad of ['media', 'http://media/x', 's3://', 's3://Media', 's3://a', 's3://media/x/../y', 's3://media/x//y', 's3://media/x?y', 's3://me_dia']) {
      expect(() => parseStorageUrl(bad), bad).toThrow(/STORAGE_URL/);
    }
  });
});

describe('object keys', () => {
  it('maps storage paths under the prefix and back', () => {
    expect(objectKey('', 'ev/a.jpg')).toBe('ev/a.jpg');
    expect(objectKey('farm', 'ev/a.jpg')).toBe('farm/ev/a.jpg');
    expect(relativeKey('farm', 'farm/ev/a.jpg')).toBe('ev/a.jpg');
    expect(relativeKey('farm', 'farmer/a.jpg')).toBeNull();
    expect(relativeKey('', 'x')).toBe('x');
  });
});
