// Signed, expiring /content URLs (CONTENT_SIGNING_SECRET): the gateway's file route is public
// like a CDN origin, so without a signature anyone who learns or guesses an asset's path can
// read it for ever. With a secret, an asset URL carries `expires` (Unix seconds) and
// `signature` = hex HMAC-SHA256(secret, "<path>\n<expires>"), and /content refuses anything else.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface ContentSignature {
  expires: number;
  signature: string;
}

function mac(secret: string, relPath: string, expires: number): Buffer {
  return createHmac('sha256', secret).update(`${relPath}\n${expires}`).digest();
}

/**
 * Expiry rounded up to a whole TTL window and one more, so every read of an asset within a
 * window returns the same URL (clients and caches see a stable URL), and a URL is valid for at
 * least `ttlSeconds` after it was handed out.
 */
export function contentExpiry(nowMs: number, ttlSeconds: number): number {
  return (Math.floor(nowMs / 1000 / ttlSeconds) + 2) * ttlSeconds;
}

/** When `contentExpiry` next changes (ms): until then a signed URL made now stays the same. */
export function contentExpiryChangesAt(nowMs: number, ttlSeconds: number): number {
  return (Math.floor(nowMs / 1000 / ttlSeconds) + 1) * ttlSeconds * 1000;
}

export function signContentPath(secret: string, relPath: string, expires: number): ContentSignature {
  return { expires, signature: mac(secret, relPath, expires).toString('hex') };
}

/** Appends the signature to a public URL of `relPath`. */
export function signedContentUrl(url: string, secret: string, relPath: string, expires: number): string {
  const s = signContentPath(secret, relPath, expires);
  return `${url}${url.includes('?') ? '&' : '?'}expires=${s.expires}&signature=${s.signature}`;
}

export type SignatureProblem = 'missing' | 'malformed' | 'expired' | 'invalid';

/** Null when the query holds a valid, unexpired signature for `relPath`; else what is wrong. */
export function checkContentSignature(secret: string, relPath: string, query: URLSearchParams, nowMs: number): SignatureProblem | null {
  const expiresRaw = query.get('expires');
  const signature = query.get('signature');
  if (expiresRaw === null || signature === null) return 'missing';
  if (!/^\d{1,12}$/.test(expiresRaw) || !/^[0-9a-f]{64}$/.test(signature)) return 'malformed';
  const expires = Number(expiresRaw);
  // Compared in constant time, so the answer's timing tells nothing about the right signature.
  if (!timingSafeEqual(Buffer.from(signature, 'hex'), mac(secret, relPath, expires))) return 'invalid';
  if (expires * 1000 <= nowMs) return 'expired';
  return null;
}
