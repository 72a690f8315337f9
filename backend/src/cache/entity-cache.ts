import { LRUCache } from 'lru-cache';

/** What an entity's counters say (`GET /api/admin/cache`, README). */
export interface EntityStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  /** Entries dropped because their document was written (one key or, for a wide write, all). */
  invalidations: number;
  /** Whole-entity drops: a write whose documents the layer cannot name, or a notice from a script. */
  clears: number;
  /** Entries pushed out by the bounds (least recently used first). */
  evictions: number;
}

export interface EntityCacheOptions {
  /** Most entries kept. */
  max: number;
  /** Most bytes kept (estimated from the document's JSON size). */
  maxBytes: number;
  /** Also remember that a key has no document (only where every insert names its `_id` to the plugin). */
  negative?: boolean;
}

/** What a remembered absence is stored as. */
const ABSENT = Object.freeze({ absent: true });

/**
 * One bounded read-through cache of one kind of document, keyed by a string (usually `_id`).
 *
 * Correctness rests on two rules:
 * - **Drop on write.** The layer calls `invalidate` after every write (this process's, via the
 *   mongoose plugin; other processes', via Redis; scripts', via the epoch poll). Nothing is ever
 *   updated in place from a write's own idea of the result, except `refine`, for hints that may lag.
 * - **A load that raced a write is not kept.** Every invalidation raises the generation; a load
 *   stores its result only if no invalidation happened while it was reading, so a read that began
 *   before a write and answered after it cannot put the old document back.
 *
 * Concurrent misses for one key share one database read. Values are frozen (plain objects and
 * arrays, deeply): a caller that tried to change a cached document would throw, not corrupt it.
 */
export class EntityCache<T extends object> {
  readonly #lru: LRUCache<string, T | typeof ABSENT>;
  readonly #negative: boolean;
  readonly #inflight = new Map<string, { generation: number; promise: Promise<T | null> }>();
  #generation = 0;
  #stats = { hits: 0, misses: 0, invalidations: 0, clears: 0, evictions: 0 };

  readonly #max: number;

  constructor(
    readonly name: string,
    options: EntityCacheOptions,
    /** False while the layer cannot trust its notices (Redis down): every read goes to the database. */
    private readonly usable: () => boolean = () => true,
  ) {
    this.#max = options.max;
    this.#negative = options.negative === true;
    this.#lru = new LRUCache<string, T | typeof ABSENT>({
      max: options.max,
      maxSize: options.maxBytes,
      sizeCalculation: (value) => Math.max(1, approximateBytes(value)),
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') this.#stats.evictions++;
      },
    });
  }

  /** The cached document, or `load()`'s (kept unless a write raced it). Null is never cached. */
  async get(key: string, load: () => Promise<T | null>): Promise<T | null> {
    if (!this.usable()) {
      this.#stats.misses++;
      const value = await load();
      return value === null ? null : deepFreeze(value);
    }
    const hit = this.#lru.get(key);
    if (hit !== undefined) {
      this.#stats.hits++;
      return hit === ABSENT ? null : (hit as T);
    }
    this.#stats.misses++;
    const running = this.#inflight.get(key);
    if (running && running.generation === this.#generation) return running.promise;
    const generation = this.#generation;
    const promise = load().then((value) => {
      if (value === null) {
        if (this.#negative && generation === this.#generation && this.usable()) this.#lru.set(key, ABSENT);
        return null;
      }
      const frozen = deepFreeze(value);
      if (generation === this.#generation && this.usable()) this.#lru.set(key, frozen);
      return frozen;
    });
    this.#inflight.set(key, { generation, promise });
    try {
      return await promise;
    } finally {
      if (this.#inflight.get(key)?.promise === promise) this.#inflight.delete(key);
    }
  }

  /** The generation now: `prime` keeps nothing read before an invalidation that came after it. */
  get generation(): number {
    return this.#generation;
  }

  /** Fills in documents read in bulk (at start), unless a write came since `generation`. */
  prime(entries: Iterable<[string, T]>, generation: number): number {
    if (generation !== this.#generation || !this.usable()) return 0;
    let count = 0;
    for (const [key, value] of entries) {
      if (this.#lru.size >= this.#max) break;
      if (!this.#lru.has(key)) {
        this.#lru.set(key, deepFreeze(value));
        count++;
      }
    }
    return count;
  }

  /** Whether `key` is cached (tests, and `refine`). */
  has(key: string): boolean {
    return this.#lru.has(key);
  }

  /** Drops `keys`, or everything when `keys` is null. */
  invalidate(keys: readonly string[] | null): void {
    this.#generation++;
    if (keys === null) {
      this.#stats.clears++;
      this.#stats.invalidations += this.#lru.size;
      this.#lru.clear();
      this.#inflight.clear();
      return;
    }
    for (const key of keys) {
      if (this.#lru.delete(key)) this.#stats.invalidations++;
      this.#inflight.delete(key);
    }
  }

  /**
   * Replaces a cached value by `change(value)` without a database read, for fields that are hints
   * allowed to lag (a channel's highest message number only ever rises). Absent keys stay absent.
   */
  refine(key: string, change: (value: T) => T): void {
    const value = this.#lru.peek(key);
    if (value !== undefined && value !== ABSENT) this.#lru.set(key, deepFreeze(change(value as T)), { noUpdateTTL: true });
  }

  stats(): EntityStats {
    return { entries: this.#lru.size, bytes: this.#lru.calculatedSize, ...this.#stats };
  }
}

/** JSON size, a fair estimate of what a lean document costs in memory (strings dominate). */
export function approximateBytes(value: unknown): number {
  try {
    return (JSON.stringify(value)?.length ?? 16) * 2;
  } catch {
    return 1024;
  }
}

/** Freezes plain objects and arrays all the way down; class instances (ObjectId, Date) are left alone. */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  Object.freeze(value);
  for (const item of Object.values(value as Record<string, unknown>)) deepFreeze(item);
  return value;
}
