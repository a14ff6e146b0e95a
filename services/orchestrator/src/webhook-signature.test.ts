import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, WEBHOOK_TOLERANCE_SECONDS } from './webhook-signature.js';

const secret = 'whsec_test';
const body = '{"id":"a"}';
const t = 1_700_000_000;
const now = t * 1000;

describe('signWebhook', () => {
  it('is HMAC-SHA256 over "<timestamp>.<body>" in hex, as docs/api.md documents', () => {
    // Vector from `printf '%s' '1700000000.{"id":"a"}' | openssl dgst -sha256 -hmac whsec_test`.
    expect(signWebhook(secret, t, body)).toBe('t=1700000000,v1=788fa36193b43030b3271df193dc9aca3bb83e3703a36313282ecbc45548b967');
  });

  it('refuses a timestamp that is not whole seconds', () => {
    expect(() => signWebhook(secret, 1.5, body)).toThrow(/whole Unix seconds/);
  });
});

describe('verifyWebhook', () => {
  const header = signWebhook(secret, t, body);

  it('accepts its own signature within the window', () => {
    expect(verifyWebhook({ secret, body, header, nowMs: now })).toEqual({ ok: true, timestamp: t });
    expect(verifyWebhook({ secret, body, header, nowMs: now + WEBHOOK_TOLERANCE_SECONDS * 1000 }).ok).toBe(true);
    expect(verifyWebhook({ secret, body, header, nowMs: now - WEBHOOK_TOLERANCE_SECONDS * 1000 }).ok).toBe(true);
  });

  it('refuses a replay older than 5 minutes, and a timestamp 5 minutes ahead', () => {
    expect(verifyWebhook({ secret, body, header, nowMs: now + 301_000 })).toEqual({ ok: false, problem: 'expired' });
    expect(verifyWebhook({ secret, body, header, nowMs: now - 301_000 })).toEqual({ ok: false, problem: 'expired' });
  });

  it('refuses a changed body, a wrong secret and a moved timestamp', () => {
    expect(verifyWebhook({ secret, body: '{"id":"b"}', header, nowMs: now })).toEqual({ ok: false, problem: 'invalid' });
    expect(verifyWebhook({ secret: 'other', body, header, nowMs: now })).toEqual({ ok: false, problem: 'invalid' });
    const moved = header.replace(`t=${t}`, `t=${t + 1}`);
    expect(verifyWebhook({ secret, body, header: moved, nowMs: now })).toEqual({ ok: false, problem: 'invalid' });
  });

  it('accepts any matching v1 (secret rotation) and ignores unknown schemes', () => {
    const old = signWebhook('old-secret', t, body).split(',')[1];
    expect(verifyWebhook({ secret, body, header: `t=${t},${old},v0=abc,${header.split(',')[1]}`, nowMs: now }).ok).toBe(true);
    expect(verifyWebhook({ secret, body, header: `t=${t},${old}`, nowMs: now })).toEqual({ ok: false, problem: 'invalid' });
  });

  it('names a missing or malformed header', () => {
    expect(verifyWebhook({ secret, body, header: undefined, nowMs: now }).ok).toBe(false);
    expect(verifyWebhook({ secret, body, header: '', nowMs: now })).toEqual({ ok: false, problem: 'missing' });
    for (const bad of ['garbage', `v1=${'0'.repeat(64)}`, `t=${t}`, `t=soon,v1=${'0'.repeat(64)}`, `t=${t},v1=abcd`, `t=${t},t=${t},v1=${'0'.repeat(64)}`]) {
      expect(verifyWebhook({ secret, body, header: bad, nowMs: now }), bad).toEqual({ ok: false, problem: 'malformed' });
    }
  });
});
