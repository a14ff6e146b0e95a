// One shared subscription per gateway to asset changes, instead of every WatchAsset stream
// polling PostgreSQL: a trigger (services/gateway/src/db/migrations/004_asset_notify.sql) NOTIFYs the
// asset id on each commit that changes what a watcher shows, one dedicated connection LISTENs,
// and a small in-process fan-out wakes the streams watching that id. A stream then re-reads its
// one row. A lost connection is reopened with backoff, and on every (re)connect all watchers are
// woken to re-read, so a change committed while nobody was listening is not missed.
import { createListenClient, type ListenClient } from '../db/listen-client.js';
import { log } from '@framesmith/core/ops/lifecycle';

/** The trigger's channel; the same name is in 004_asset_notify.sql. */
export const ASSET_CHANNEL = 'framesmith_asset_changed';

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
   * Counts notifications (and reconnects): a row read at one generation is current until the
   * next, so the streams woken by one notification can share one read of their asset.
   */
  generation(): number;
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

export function createAssetChanges(databaseUrl: string): AssetChanges {
  const watchers = new Map<string, Set<Watch>>();
  let client: ListenClient | null = null;
  let connected = false;
  let connects = 0;
  let closed = false;
  let delay = RECONNECT_MIN_MS;
  let retry: NodeJS.Timeout | null = null;
  let readyWaiters: (() => void)[] = [];
  let generation = 0;

  const pokeAll = () => {
    generation++;
    for (const set of watchers.values()) for (const w of set) w.poke();
  };

  const lost = (c: ListenClient, why: string) => {
    if (client !== c) return; // already handled
    client = null;
    connected = false;
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
      generation++;
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
