/**
 * Coalesces the point reads of one tick into one query: when hundreds of sockets reconnect at once
 * (a deploy), each handshake misses the cache for its session and its member; instead of one scan
 * of the collection per person (the embedded engine answers even an `_id` lookup by a scan), the
 * misses of one turn of the event loop are read with one `_id: { $in: [...] }` query, MAX_BATCH
 * ids at a time.
 *
 * Only from MIN_BATCH ids on: FerretDB 1.24 pushes a plain `_id` filter into SQL but matches `$in`
 * in Go, decoding every document. Measured on 1,000 sessions: one lookup 2–5 ms, `$in` 50–75 ms
 * whatever its length, so `$in` pays from about a dozen ids (at 20: 46 against 103 ms; at 50: 74
 * against 260 ms). Smaller batches are read one by one.
 */
const MAX_BATCH = 500;
const MIN_BATCH = 16;

export class BatchLoader<T extends { _id: unknown }> {
  #pending = new Map<string, Array<{ resolve: (value: T | null) => void; reject: (error: unknown) => void }>>();
  #scheduled = false;

  constructor(
    private readonly fetchOne: (id: string) => Promise<T[]>,
    private readonly fetchMany: (ids: string[]) => Promise<T[]>,
  ) {}

  load(id: string): Promise<T | null> {
    return new Promise((resolve, reject) => {
      const waiting = this.#pending.get(id);
      if (waiting) waiting.push({ resolve, reject });
      else this.#pending.set(id, [{ resolve, reject }]);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#pending;
    this.#pending = new Map();
    this.#scheduled = false;
    const ids = [...batch.keys()];
    for (let offset = 0; offset < ids.length; offset += MAX_BATCH) {
      const chunk = ids.slice(offset, offset + MAX_BATCH);
      try {
        const docs = chunk.length < MIN_BATCH ? (await Promise.all(chunk.map((id) => this.fetchOne(id)))).flat() : await this.fetchMany(chunk);
        const byId = new Map(docs.map((doc) => [String(doc._id), doc]));
        for (const id of chunk) for (const waiter of batch.get(id)!) waiter.resolve(byId.get(id) ?? null);
      } catch (error) {
        for (const id of chunk) for (const waiter of batch.get(id)!) waiter.reject(error);
      }
    }
  }
}
