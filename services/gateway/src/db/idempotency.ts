// The idempotency_keys table (migration 002). Every decision is one statement, so PostgreSQL
// settles races between requests and between gateways: one claim wins, a crashed claim is
// taken over by one retry, and nothing is held in memory.
import type pg from 'pg';

/** How long a key is remembered (docs/api.md). */
export const IDEMPOTENCY_TTL_HOURS = 24;
const SWEEP_EVERY_MS = 10 * 60_000;

export interface IdempotencyRow {
  requestHash: string;
  assetId: string;
  done: boolean;
  claimedAt: Date;
  /** Not done and claimed longer ago than the store's `staleMs`, by PostgreSQL's clock: its owner stopped. */
  stale: boolean;
}

export type Claim = { won: true; assetId: string } | { won: false; row: IdempotencyRow | null };

const rowFrom = (r: { request_hash: string; asset_id: string; done: boolean; claimed_at: Date; stale: boolean }): IdempotencyRow => ({
  requestHash: r.request_hash,
  assetId: r.asset_id,
  done: r.done,
  claimedAt: r.claimed_at,
  stale: r.stale,
});

/** `staleMs`: how long a claim may stay unfinished before a retry takes it over (longer than any create takes). */
export function createIdempotencyStore(db: pg.Pool, staleMs: number) {
  const ttl = `${IDEMPOTENCY_TTL_HOURS} hours`;
  const stale = `${staleMs} milliseconds`;
  // Expired rows are already ignored (get) or replaced (claim); this only keeps the table small.
  let sweptAt = 0;
  const sweep = () => {
    if (Date.now() - sweptAt < SWEEP_EVERY_MS) return;
    sweptAt = Date.now();
    db.query(`DELETE FROM idempotency_keys WHERE created_at < now() - $1::interval`, [ttl]).catch(() => undefined);
  };
  return {
    /**
     * Claims (scope, key) for a new asset id. A row older than the TTL is replaced, as if it
     * were absent. Losing returns the row that won (null if it vanished in between).
     */
    async claim(scope: string, key: string, requestHash: string, assetId: string): Promise<Claim> {
      sweep();
      const won = await db.query<{ asset_id: string }>(
        `INSERT INTO idempotency_keys (scope, key, request_hash, asset_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (scope, key) DO UPDATE
           SET request_hash = EXCLUDED.request_hash, asset_id = EXCLUDED.asset_id, done = false, claimed_at = now(), created_at = now()
           WHERE idempotency_keys.created_at < now() - $5::interval
         RETURNING asset_id`,
        [scope, key, requestHash, assetId, ttl],
      );
      if (won.rows[0]) return { won: true, assetId: won.rows[0].asset_id };
      return { won: false, row: await this.get(scope, key) };
    },

    async get(scope: string, key: string): Promise<IdempotencyRow | null> {
      const r = await db.query(
        `SELECT request_hash, asset_id, done, claimed_at, (NOT done AND claimed_at < now() - $4::interval) AS stale
         FROM idempotency_keys WHERE scope = $1 AND key = $2 AND created_at >= now() - $3::interval`,
        [scope, key, ttl, stale],
      );
      return r.rows[0] ? rowFrom(r.rows[0]) : null;
    },

    /**
     * Takes over a stale claim (its owner stopped); true for the one retry that wins, since the
     * winner's update makes the claim fresh again. (Compared in SQL: a JS Date would drop the
     * microseconds of claimed_at.)
     */
    async takeOver(scope: string, key: string): Promise<boolean> {
      const r = await db.query(`UPDATE idempotency_keys SET claimed_at = now() WHERE scope = $1 AND key = $2 AND NOT done AND claimed_at < now() - $3::interval`, [
        scope,
        key,
        stale,
      ]);
      return r.rowCount === 1;
    },

    async markDone(scope: string, key: string, assetId: string): Promise<void> {
      await db.query(`UPDATE idempotency_keys SET done = true WHERE scope = $1 AND key = $2 AND asset_id = $3`, [scope, key, assetId]);
    },

    /** Gives the key back after a failed create, so a retry can try again. */
    async release(scope: string, key: string, assetId: string): Promise<void> {
      await db.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND asset_id = $3 AND NOT done`, [scope, key, assetId]);
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
