// One shared subscription per gateway to asset changes, instead of every WatchAsset stream
// polling PostgreSQL: a trigger (services/gateway/src/db/migrations/004_asset_notify.sql) NOTIFYs the
// asset id on each commit that changes what a watcher shows, one dedicated connection LISTENs,
// and a small in-process fan-out wakes the streams watching that id. A stream then re-reads its
// one row. A lost connection is reopened with backoff, and on every (re)connect all watchers are
// woken to re-read, so a change committed while nobody was listening is not missed.
import { createListenClient, type ListenClient } from '../db/listen-client.js';
import { databaseUnavailable } from '@framesmith/core/db/pool';
import { log } from '@framesmith/core/ops/lifecycle';

/** The trigger's channel; the same name is in 004_asset_notify.sql. */
export const ASSET_CHANNEL = 'framesmith_asset_changed';
/** The payload of an event or vuflow change (005_read_cache_notify.sql): every asset's URL may have moved. */
export const ALL_ASSETS = '*';

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;

/** One stream's view of the changes to its asset. */
export interface AssetWatch {
  /**
   * Resolves at the next change (at once if one arrived since the last call), after `timeoutMs`,
   * or on abort; true when woken by a change.
   */
  next(timeoutMs: number, signal: AbortSignal): Promise<boolean>;
  close(): void;
}

export interface AssetChanges {
  /** Call before reading the asset, so a change between the read and the wait still wakes it. */
  watch(assetId: string): AssetWatch;
  /**
   * Counts notifications (and losses and reconnects): a row read at one generation is current
   * until the next, so the streams woken by one notification can share one read of their asset,
   * and the read cache refuses a fill that a change overtook.
   */
  generation(): number;
  /**
   * Resolves once every notification of a change committed before the call has been applied:
   * a query on the LISTEN connection itself, since PostgreSQL sends a session's pending
   * notifications before that session's next ReadyForQuery, and the committing transaction
   * signalled this session before its own client heard of the commit. Calls made while one
   * fence is in flight share the next one. False when not listening (or the connection was
   * lost meanwhile): the caller must then read the database itself. Rejects with the API's 503
   * when the round trip stalls (createAssetChanges' fenceTimeoutMs).
   */
  fence(): Promise<boolean>;
  /**
   * Called for each changed asset id, and with null when anything may have changed (an event or
   * vuflow write, or a (re)connect after notifications may have been missed).
   */
  onChange(listener: (assetId: string | null) => void): void;
  /** Resolves once LISTEN is in place (tests and start-up; watching works before too). */
  ready(): Promise<void>;
  /** Whether LISTEN is in place now (read by every stream on each wake: constant time). */
  connected(): boolean;
  /** Open streams and LISTEN connections made so far (metrics, tests). */
  stats(): { watchers: number; connects: number; connected: boolean };
  close(): Promise<void>;
}

/** Exported for its unit test; streams get one from `AssetChanges.watch`. */
export class Watch implements AssetWatch {
  private dirty = false;
  private wake: (() => void) | null = null;
  constructor(private readonly onClose: (w: Watch) => void) {}

  poke(): void {
    this.dirty = true;
    this.wake?.();
  }

  next(timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    if (this.dirty || signal.aborted) {
      const woke = this.dirty;
      this.dirty = false;
      return Promise.resolve(woke);
    }
    return new Promise<boolean>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wake = null;
        const woke = this.dirty;
        this.dirty = false;
        resolve(woke);
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  close(): void {
    this.wake?.();
    this.onClose(this);
  }
}

/**
 * `fenceTimeoutMs`: a fence unanswered this long (a stalled server or network, which the LISTEN
 * connection's keepalive would notice only after minutes) fails its reads with the API's 503,
 * as any query on a stalled connection does, and counts as a lost connection: it is reopened,
 * and reads go to the database meanwhile.
 */
export function createAssetChanges(databaseUrl: string, fenceTimeoutMs: number): AssetChanges {
  const watchers = new Map<string, Set<Watch>>();
  let client: ListenClient | null = null;
  let connected = false;
  let connects = 0;
  let closed = false;
  let delay = RECONNECT_MIN_MS;
  let retry: NodeJS.Timeout | null = null;
  let readyWaiters: (() => void)[] = [];
  let generation = 0;
  const listeners: ((assetId: string | null) => void)[] = [];
  // Every change (and every moment changes may have been missed) moves the generation first.
  const tell = (assetId: string | null) => {
    generation++;
    for (const l of listeners) l(assetId);
  };

  const pokeAll = () => {
    tell(null);
    for (const set of watchers.values()) for (const w of set) w.poke();
  };

  const fence = sharedRunAfterCall(async () => {
    const c = client;
    if (!c || !connected) return false;
    const epoch = connects;
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const why = `a read fence went unanswered for ${fenceTimeoutMs} ms`;
        lost(c, why);
        reject(databaseUnavailable(new Error(why)));
      }, fenceTimeoutMs);
    });
    const answered = c.query('SELECT 1').then(
      () => client === c && connected && connects === epoch,
      () => false,
    );
    return Promise.race([answered, stalled]).finally(() => clearTimeout(timer));
  });

  const lost = (c: ListenClient, why: string) => {
    if (client !== c) return; // already handled
    client = null;
    connected = false;
    // Notifications are lost until the next LISTEN: what was read before may go stale.
    tell(null);
    c.removeAllListeners();
    c.on('error', () => undefined);
    c.end().catch(() => undefined);
    if (closed) return;
    log('gateway', 'asset change subscription lost; reconnecting', { error: why, retryMs: delay });
    retry = setTimeout(connect, delay);
    delay = Math.min(delay * 2, RECONNECT_MAX_MS);
  };

  async function connect(): Promise<void> {
    retry = null;
    if (closed) return;
    const c = createListenClient(databaseUrl);
    client = c;
    c.on('error', (err) => lost(c, err.message));
    c.on('end', () => lost(c, 'connection ended'));
    c.on('notification', (msg) => {
      if (msg.channel !== ASSET_CHANNEL || !msg.payload) return;
      tell(msg.payload === ALL_ASSETS ? null : msg.payload);
      const set = watchers.get(msg.payload);
      if (set) for (const w of set) w.poke();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${ASSET_CHANNEL}`);
    } catch (err) {
      lost(c, (err as Error).message);
      return;
    }
    if (client !== c) return;
    connected = true;
    connects++;
    delay = RECONNECT_MIN_MS;
    // Whatever changed while nobody listened (or before the first LISTEN): every stream re-reads.
    pokeAll();
    for (const r of readyWaiters) r();
    readyWaiters = [];
  }
  void connect();

  return {
    watch(assetId) {
      const w: Watch = new Watch((x) => {
        const set = watchers.get(assetId);
        set?.delete(x);
        if (set?.size === 0) watchers.delete(assetId);
      });
      let set = watchers.get(assetId);
      if (!set) watchers.set(assetId, (set = new Set()));
      set.add(w);
      return w;
    },
    generation() {
      return generation;
    },
    fence,
    onChange(listener) {
      listeners.push(listener);
    },
    ready() {
      return connected ? Promise.resolve() : new Promise((r) => readyWaiters.push(r));
    },
    connected() {
      return connected;
    },
    stats() {
      let n = 0;
      for (const set of watchers.values()) n += set.size;
      return { watchers: n, connects, connected };
    },
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      connected = false;
      pokeAll();
      if (c) {
        c.removeAllListeners();
        c.on('error', () => undefined);
        await c.end().catch(() => undefined);
      }
    },
  };
}

/**
 * One read per key per `ttlMs`, however many streams ask: a thousand streams on a hundred
 * GENERATING assets ask Temporal for a hundred progresses a period, not a thousand, and the
 * ten streams one notification wakes read their row once (keyed by the generation).
 */
export class SharedReads<T> {
  private readonly cache = new Map<string, { at: number; value: Promise<T> }>();
  constructor(private readonly ttlMs: number) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    if (this.cache.size > 10_000) for (const [k, v] of this.cache) if (now - v.at >= this.ttlMs) this.cache.delete(k);
    const value = load();
    this.cache.set(key, { at: now, value });
    // A failed read is not shared with later callers.
    value.catch(() => this.cache.get(key)?.value === value && this.cache.delete(key));
    return value;
  }
}

/**
 * Runs `start` for callers, sharing runs: a call made while no run is in flight starts one; calls
 * made while one is in flight share the single run started after it ends. Every caller thus gets
 * a run that began after its call (a fence must), and at most two are ever pending.
 */
export function sharedRunAfterCall<T>(start: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  let queued: Promise<T> | null = null;
  const begin = (): Promise<T> => {
    const p = start();
    running = p;
    const done = () => {
      if (running === p) running = null;
    };
    p.then(done, done);
    return p;
  };
  return () => {
    if (!running) return begin();
    if (!queued) {
      const settled = () => undefined;
      queued = running.then(settled, settled).then(() => {
        queued = null;
        return begin();
      });
    }
    return queued;
  };
}
