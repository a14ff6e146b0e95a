// Idempotency-Key on the create requests (docs/api.md, Idempotent requests). The first request
// with a key claims it in PostgreSQL with the id its asset will get; a retry with the same key
// and the same request gets that asset (waiting while the first is still creating it) and
// starts nothing; the same key with another request is a 422.
import { createHash, randomUUID } from 'node:crypto';
import type { AssetObject, JobKind } from '@framesmith/core/domain/asset';
import type { IdempotencyStore } from '../db/idempotency.js';
import { ApiError } from '@framesmith/core/errors';
import type { CreateRequest } from '../api-schema/asset-requests.js';

/** The key as a client sent it, and whose it is (see `idempotencyScope`). */
export interface IdempotencyKey {
  scope: string;
  key: string;
}

/** Keys belong to the API key that sent them (the gateway's only notion of a client); only a hash is stored. */
export function idempotencyScope(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 32);
}

/**
 * What "the same request" means: the kind and the normalised request, so REST and gRPC, field
 * order, and defaults spelled out or left out all compare equal.
 */
export function requestHash(kind: JobKind, req: CreateRequest): string {
  return createHash('sha256').update(JSON.stringify({ kind, req })).digest('hex');
}

export interface IdempotencyTiming {
  /** How long a retry waits for the first request to finish before a 409. */
  waitMs: number;
  /** First and longest pause between looks at the claim. */
  pollMs: [number, number];
}

export const DEFAULT_TIMING: IdempotencyTiming = { waitMs: 30_000, pollMs: [25, 500] };

export const reusedKey = () =>
  new ApiError('IdempotencyKeyReused', 'Unable to create the asset because the Idempotency-Key was already used with a different request', { field: 'Idempotency-Key' });

export async function idempotentCreate(
  store: IdempotencyStore,
  idem: IdempotencyKey,
  hash: string,
  create: (assetId: string) => Promise<AssetObject>,
  replay: (assetId: string) => Promise<AssetObject>,
  timing: IdempotencyTiming = DEFAULT_TIMING,
): Promise<AssetObject> {
  const { scope, key } = idem;
  const own = async (assetId: string) => {
    try {
      const asset = await create(assetId);
      await store.markDone(scope, key, assetId);
      return asset;
    } catch (err) {
      // Nothing was made (create removes what it wrote), so the key is free for a retry.
      await store.release(scope, key, assetId).catch(() => undefined);
      throw err;
    }
  };
  const deadline = Date.now() + timing.waitMs;
  let pause = timing.pollMs[0];
  for (;;) {
    const claim = await store.claim(scope, key, hash, randomUUID());
    if (claim.won) return own(claim.assetId);
    const row = claim.row;
    if (row === null) continue; // released or expired between the two statements: claim again
    if (row.requestHash !== hash) throw reusedKey();
    if (row.done) return replay(row.assetId);
    // The first request's gateway stopped mid-create: one retry finishes its work, same asset id.
    if (row.stale && (await store.takeOver(scope, key))) return own(row.assetId);
    if (Date.now() > deadline) {
      throw new ApiError('Conflict', 'Unable to create the asset because a request with the same Idempotency-Key is still being processed; retry later', { field: 'Idempotency-Key' });
    }
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(pause * 2, timing.pollMs[1]);
  }
}
