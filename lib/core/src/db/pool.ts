import pg from 'pg';
import type { Timeouts } from '../config.js';
import { ApiError } from '../errors.js';
import { log } from '../ops/lifecycle.js';

// timestamptz comes back as Date; bigint counts as numbers (they stay far below 2^53).
pg.types.setTypeParser(20, (v) => Number(v));

export type DbTimeouts = Pick<Timeouts, 'dbConnectMs' | 'dbQueryMs' | 'dbStatementMs' | 'dbIdleInTransactionMs'>;

// SQLSTATEs that mean "the database cannot serve us now", not "this statement is wrong":
// connection exceptions (08…), shutdown/not-accepting (57P0x), too many connections and other
// resource shortages (53…), a statement cancelled by statement_timeout (57014) and a
// transaction ended by idle_in_transaction_session_timeout (25P03).
const UNAVAILABLE_SQLSTATE = /^(08...|57P0.|53...|57014|25P03)$/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
// node-postgres reports its own timeouts and lost connections as plain Errors.
const UNAVAILABLE_MESSAGE = /Query read timeout|timeout exceeded when trying to connect|timeout expired|Connection terminated|not queryable|Cannot use a pool after calling end/i;

/** True for errors that say PostgreSQL is unreachable, stalled or overloaded (a retry later may work). */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) return true;
  if (err instanceof AggregateError) return err.errors.some(isDatabaseUnavailable);
  return UNAVAILABLE_MESSAGE.test(err.message);
}

/** The API's 503 for a database that cannot serve us now (the cause is kept for the log). */
export function databaseUnavailable(cause: unknown): ApiError {
  return new ApiError('Unavailable', 'Unable to complete the request because the database is unavailable', {}, { cause });
}

/** Unavailable database errors become the API's 503 (cause kept for the log); others pass unchanged. */
export function asUnavailable(err: unknown): unknown {
  if (err instanceof ApiError || !isDatabaseUnavailable(err)) return err;
  return databaseUnavailable(err);
}

/**
 * A pool whose queries fail fast: a stalled or unreachable server gives an error within the
 * timeouts instead of a wait as long as the outage, and that error is `Unavailable` (503).
 */
class FailFastPool extends pg.Pool {
  // pg's query() has many overloads; only the promise forms are used in this code base.
  override query(...args: unknown[]): any {
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    return result instanceof Promise ? result.catch((err: unknown) => Promise.reject(asUnavailable(err))) : result;
  }

  override connect(...args: unknown[]): any {
    const result = (super.connect as (...a: unknown[]) => unknown)(...args);
    return result instanceof Promise ? result.catch((err: unknown) => Promise.reject(asUnavailable(err))) : result;
  }
}

/** `timeouts: null` waits as long as it takes (migrations, which may lock and run long). */
export function createPool(databaseUrl: string, timeouts: DbTimeouts | null, max = 10): pg.Pool {
  const pool = new FailFastPool({
    connectionString: databaseUrl,
    max,
    idleTimeoutMillis: 30_000,
    // Finds a peer that vanished (host down, network cut) on connections that sit idle.
    keepAlive: true,
    ...(timeouts && {
      connectionTimeoutMillis: timeouts.dbConnectMs,
      query_timeout: timeouts.dbQueryMs,
      statement_timeout: timeouts.dbStatementMs,
      idle_in_transaction_session_timeout: timeouts.dbIdleInTransactionMs,
    }),
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (err) => log('db', 'idle client error', { error: err.message }, 'warn'));
  return pool;
}

export type { Pool, PoolClient } from 'pg';
