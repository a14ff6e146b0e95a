// Idempotency-Key on the create requests (docs/api.md, Idempotent requests). The first request
// with a key claims it in PostgreSQL with the id its asset will get; a retry with the same key
// and the same request gets that asset (waiting while the first is still creating it) and
// starts nothing; the same key with another request is a 422.
import { createHash, randomUUID } from 'node:crypto';
import type { AssetObject, JobKind } from '@framesmith/core/domain/asset';
import type { IdempotencyStore } from '../db/idempotency.js';
import { ApiError } from '@framesmith/core/errors';
import { type CreateRequest, idempotencyHeader } from '../api-schema/asset-requests.js';
import { parseBody } from '../api-schema/parse.js';

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
 * The Idempotency-Key a create carries (REST header or gRPC metadata, checked by the schema) in
 * the scope of the caller's checked API key; null when none was sent.
 */
export function idempotencyKeyOf(header: unknown, apiKey: string): IdempotencyKey | null {
  const key = parseBody(idempotencyHeader, { 'Idempotency-Key': header })['Idempotency-Key'];
  return key === undefined ? null : { scope: idempotencyScope(apiKey), key };
}

/**
 * What "the same request" means: the kind and the normalised request, so REST and gRPC, field
 * order, and defaults spelled out or left out all compare equal.
 */
export function requestHash(kind: JobKind, req: CreateRequest): string {
  return createHash('sha256').update(JSON.stringify({ kind, req })).digest('hex');
}

/** First and longest pause between a waiting retry's looks at the claim. */
const POLL_MS: [number, number] = [25, 500];

export const reusedKey = () =>
  new ApiError('IdempotencyKeyReused', 'Unable to create the asset because the Idempotency-Key was already used with a different request', { field: 'Idempotency-Key' });

export async function idempotentCreate(
  store: IdempotencyStore,
  idem: IdempotencyKey,
  hash: string,
  /** `takeover`: the claim was taken over from a request that stopped mid-create, which may have written the row. */
  create: (assetId: string, takeover: boolean) => Promise<AssetObject>,
  replay: (assetId: string) => Promise<AssetObject>,
  /** How long a retry waits for the first request to finish before a 409 (config timeouts.idempotencyWaitMs). */
  waitMs: number,
): Promise<AssetObject> {
  const { scope, key } = idem;
  const own = async (assetId: string, takeover: boolean) => {
    try {
      const asset = await create(assetId, takeover);
      await store.markDone(scope, key, assetId);
      return asset;
    } catch (err) {
      // Nothing was made (create removes what it wrote), so the key is free for a retry.
      await store.release(scope, key, assetId).catch(() => undefined);
      throw err;
    }
  };
  const deadline = Date.now() + waitMs;
  let pause = POLL_MS[0];
  for (;;) {
    const claim = await store.claim(scope, key, hash, randomUUID());
    if (claim.won) return own(claim.assetId, false);
    const row = claim.row;
    if (row === null) continue; // released or expired between the two statements: claim again
    if (row.requestHash !== hash) throw reusedKey();
    if (row.done) return replay(row.assetId);
    // The first request's gateway stopped mid-create: one retry finishes its work, same asset id.
    if (row.stale && (await store.takeOver(scope, key))) return own(row.assetId, true);
    if (Date.now() > deadline) {
      throw new ApiError('Conflict', 'Unable to create the asset because a request with the same Idempotency-Key is still being processed; retry later', { field: 'Idempotency-Key' });
    }
    await new Promise((r) => setTimeout(r, pause));
    pause = Math.min(pause * 2, POLL_MS[1]);
  }
}
