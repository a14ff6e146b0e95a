// The gateway's read cache for GET /asset/{id} and the asset list (the contract's `noCache`
// bypasses it). An entry is dropped by the PostgreSQL notification of any change to its asset
// (005_read_cache_notify.sql); any asset change drops every cached list page, since a page's
// membership can change with any row; an event or vuflow change (which moves asset URLs) drops
// everything. The caller reads through a fence (asset-changes.ts) that makes every change
// committed before the read known here first, so a write through any gateway is visible to the
// next read on every gateway, as the contract requires.
//
// A fill races with notifications: a read that began before a change may return the old row
// after the change's notification was applied. So each fill carries the generation taken
// before its read, and is refused when any change arrived in between. The generation is the
// subscription's own count of changes (AssetChanges.generation), which moves before the cache
// is told of a change.

/** Bounds, so memory stays flat whatever clients ask: a list page is ~50 KB serialized. */
export const READ_CACHE_LIMITS = { assets: 20_000, lists: 500 } as const;

interface Entry<T> {
  value: T;
  /** Until when the presented value holds (signed content URLs expire); Infinity when always. */
  validUntilMs: number;
}

export interface ReadCacheStats {
  hits: number;
  misses: number;
  /** Fills refused because a change arrived while their read ran. */
  refused: number;
  assets: number;
  lists: number;
}

export class ReadCache<A, L> {
  private readonly assets = new Map<string, Entry<A>>();
  private readonly lists = new Map<string, Entry<L>>();
  private readonly counts = { hits: 0, misses: 0, refused: 0 };

  /** `generation`: the count of changes so far, taken before a read whose result is offered to `setAsset`/`setList`. */
  constructor(
    readonly generation: () => number,
    private readonly limits: { assets: number; lists: number } = READ_CACHE_LIMITS,
  ) {}

  getAsset(id: string, nowMs: number): A | undefined {
    return this.hit(this.assets, id, nowMs);
  }

  getList(key: string, nowMs: number): L | undefined {
    return this.hit(this.lists, key, nowMs);
  }

  /** Keeps a value read at `generation`, unless a change arrived since; true when kept. */
  setAsset(id: string, value: A, generation: number, validUntilMs = Infinity): boolean {
    return this.fill(this.assets, this.limits.assets, id, { value, validUntilMs }, generation);
  }

  setList(key: string, value: L, generation: number, validUntilMs = Infinity): boolean {
    return this.fill(this.lists, this.limits.lists, key, { value, validUntilMs }, generation);
  }

  /** One asset changed (inserted, updated or deleted). */
  assetChanged(id: string): void {
    this.assets.delete(id);
    this.lists.clear();
  }

  /** Anything may have changed: an event or vuflow write, or notifications that may have been lost. */
  clear(): void {
    this.assets.clear();
    this.lists.clear();
  }

  stats(): ReadCacheStats {
    return { ...this.counts, assets: this.assets.size, lists: this.lists.size };
  }

  private hit<T>(map: Map<string, Entry<T>>, key: string, nowMs: number): T | undefined {
    const e = map.get(key);
    if (e && nowMs < e.validUntilMs) {
      this.counts.hits++;
      return e.value;
    }
    if (e) map.delete(key);
    this.counts.misses++;
    return undefined;
  }

  private fill<T>(map: Map<string, Entry<T>>, limit: number, key: string, entry: Entry<T>, generation: number): boolean {
    if (generation !== this.generation()) {
      this.counts.refused++;
      return false;
    }
    map.delete(key);
    // Oldest first out (a Map iterates in insertion order; a refill moves the key to the end).
    while (map.size >= limit) map.delete(map.keys().next().value!);
    map.set(key, entry);
    return true;
  }
}
