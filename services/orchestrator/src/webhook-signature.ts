// Signed completion webhooks. The receiver must be able to tell that a POST came from us, was
// not altered, and is not an old request replayed: the signature is HMAC-SHA256 over
// `<timestamp>.<body>` with the shared secret (WEBHOOK_SIGNING_SECRET), carried with its
// timestamp in one header, `Framesmith-Signature: t=<unix seconds>,v1=<hex>` (Stripe's shape,
// which receivers and their libraries already know). The timestamp is inside the signed text,
// so it cannot be changed; the receiver refuses timestamps outside a 5-minute window.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_HEADERS = {
  signature: 'Framesmith-Signature',
  /** Same value on every attempt of one delivery: the receiver's key for dropping duplicates. */
  delivery: 'Framesmith-Delivery',
  /** `asset.completed` or `asset.failed`. */
  event: 'Framesmith-Event',
} as const;

/** How far a signature's timestamp may be from the receiver's clock, either way. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export type WebhookEvent = 'asset.completed' | 'asset.failed';

function mac(secret: string, timestamp: number, body: string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();
}

/** The `Framesmith-Signature` value for `body` sent at `timestamp` (Unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  if (!Number.isInteger(timestamp) || timestamp < 0) throw new Error(`timestamp must be whole Unix seconds, got ${timestamp}`);
  return `t=${timestamp},v1=${mac(secret, timestamp, body).toString('hex')}`;
}

export type WebhookVerification =
  | { ok: true; timestamp: number }
  | { ok: false; problem: 'missing' | 'malformed' | 'invalid' | 'expired' };

/**
 * Checks a received webhook: the header must parse, one of its `v1` signatures must match the
 * raw body (the exact bytes received, before any JSON parsing), and its timestamp must lie
 * within `toleranceSeconds` of `nowMs`. Several `v1` entries are accepted so a sender can
 * sign with an old and a new secret while they are rotated.
 */
export function verifyWebhook(o: {
  secret: string;
  /** The raw request body as received. */
  body: string;
  /** The `Framesmith-Signature` header value. */
  header: string | null | undefined;
  nowMs?: number;
  toleranceSeconds?: number;
}): WebhookVerification {
  if (!o.header) return { ok: false, problem: 'missing' };
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of o.header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return { ok: false, problem: 'malformed' };
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== null) return { ok: false, problem: 'malformed' };
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return { ok: false, problem: 'malformed' };
      signatures.push(Buffer.from(value, 'hex'));
    }
    // Other schemes (a future v2) are ignored, as a receiver written today would.
  }
  if (timestamp === null || signatures.length === 0) return { ok: false, problem: 'malformed' };
  const expected = mac(o.secret, timestamp, o.body);
  // Constant-time comparison: the answer's timing tells nothing about the right signature.
  if (!signatures.some((s) => timingSafeEqual(s, expected))) return { ok: false, problem: 'invalid' };
  const tolerance = o.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  if (Math.abs((o.nowMs ?? Date.now()) / 1000 - timestamp) > tolerance) return { ok: false, problem: 'expired' };
  return { ok: true, timestamp };
}
