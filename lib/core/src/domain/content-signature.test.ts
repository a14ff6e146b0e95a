import { describe, expect, it } from 'vitest';
import { checkContentSignature, contentExpiry, contentExpiryChangesAt, signContentPath, signedContentUrl } from './content-signature.js';

const secret = 's3cret';
const now = Date.UTC(2026, 11, 2, 12, 0, 0);
const q = (url: string) => new URL(url).searchParams;

describe('content signatures', () => {
  it('signs path and expiry with HMAC-SHA256 (a known vector)', () => {
    // printf 'ev/a.jpg\n1800000000' | openssl dgst -sha256 -hmac s3cret
    expect(signContentPath(secret, 'ev/a.jpg', 1_800_000_000).signature).toBe('4b1e6978bf175ba442ac34f89f01526967dd9653fecf594efdc65c02a5b5716d');
  });

  it('accepts its own URL until it expires', () => {
    const exp = contentExpiry(now, 3600);
    const url = signedContentUrl('http://localhost/content/ev/a.jpg', secret, 'ev/a.jpg', exp);
    expect(checkContentSignature(secret, 'ev/a.jpg', q(url), now)).toBeNull();
    expect(checkContentSignature(secret, 'ev/a.jpg', q(url), exp * 1000)).toBe('expired');
  });

  it('refuses another path, another secret, a changed expiry, a missing or malformed signature', () => {
    const url = signedContentUrl('http://h/c/ev/a.jpg', secret, 'ev/a.jpg', contentExpiry(now, 60));
    expect(checkContentSignature(secret, 'ev/b.jpg', q(url), now)).toBe('invalid');
    expect(checkContentSignature('other', 'ev/a.jpg', q(url), now)).toBe('invalid');
    const later = q(url);
    later.set('expires', String(Number(later.get('expires')) + 3600));
    expect(checkContentSignature(secret, 'ev/a.jpg', later, now)).toBe('invalid');
    expect(checkContentSignature(secret, 'ev/a.jpg', new URLSearchParams(), now)).toBe('missing');
    expect(checkContentSignature(secret, 'ev/a.jpg', new URLSearchParams('expires=1&signature=zz'), now)).toBe('malformed');
  });

  it('keeps one URL for a whole TTL window and leaves at least one TTL of validity', () => {
    const a = contentExpiry(now, 3600);
    expect(contentExpiry(now + 3599_000, 3600)).toBe(a);
    for (const t of [now, now + 1_000, now + 3599_000]) expect(a * 1000 - t).toBeGreaterThanOrEqual(3600_000);
  });
});

describe('contentExpiryChangesAt', () => {
  it('is the first moment a URL signed now would carry another expiry', () => {
    for (const now of [1_700_000_000_000, 1_700_000_059_999, 1_700_000_060_000, 1_700_000_030_500]) {
      const at = contentExpiryChangesAt(now, 60);
      expect(at).toBeGreaterThan(now);
      expect(contentExpiry(at - 1, 60)).toBe(contentExpiry(now, 60));
      expect(contentExpiry(at, 60)).not.toBe(contentExpiry(now, 60));
    }
  });
});
