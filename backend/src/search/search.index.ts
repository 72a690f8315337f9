import { plainText } from '../messages/render.ts';
import { ensureSetting } from '../cache/settings.ts';
import { written } from '../cache/cache.layer.ts';
import type { Collection, Connection } from 'mongoose';
import type { Logger } from '../http/logger.ts';
import { fieldInvalid, isDuplicateKey } from '../http/errors.ts';
import type { Actor } from '../policy/policy.ts';
import type { Locale } from '../shared/i18n/locale.ts';
import { ANALYZER_VERSION, bucketOf, indexableWords, parseQuery, PREFIX_LENGTH, stem, terms, type QueryWord } from './search.analyzer.ts';
import { matcherFor, snippet, type SnippetSegment } from './search.snippet.ts';
import type { SearchDocument, SearchIndexer, SearchPresentation, SearchRef, SearchSource, SearchType } from './search.types.ts';
import { m, msg } from '../http/locale.ts';

/**
 * The term index (DESIGN.md, "search keeps an inverted index"), laid out for an engine that scans a
 * whole collection for every query, even an `_id` lookup (FerretDB 1.24 on SQLite):
 *
 *  - `search_terms_<b>`: one small document per term, `_id` = the term, `last` = its newest chunk;
 *  - `search_postings_<b>`: the term's postings in chunks of at most `chunkSize`, `_id` = `<term>:<chunk>`;
 *    a posting is one string carrying the item's ref (key, type, space, channel, author, time,
 *    hidden, tags), so filters and access checks need no item loaded;
 *  - `search_items_<b>`: one document per item, `_id` = its key: its posting string and the chunks
 *    holding it, so a re-index pulls exactly the postings that changed and a removal all of them;
 *  - `search_prefixes_<b>`: `_id` = a 3-letter prefix, the indexed words starting with it (for
 *    matching the last word of a query as a prefix).
 *
 * Buckets `b` are a stable hash mod N (N for postings and items, N/8 for the small term heads and
 * prefixes), fixed per database in `settings` like the message block size: every collection a
 * query touches stays bounded by (index size / N). A query reads each term's head and chunks by
 * `_id`, intersects, filters, asks each type's source which hits the actor may see, and only then
 * counts and pages.
 *
 * Writes go through a per-process queue (`index`/`remove` return at once; `idle()` waits), applied
 * in batches: postings for one term from many items are pushed in one update. A failed batch is
 * retried with a growing delay and logged; the content itself is stored before it is indexed, so a
 * lost index write never loses content (rebuild with `npm run search:reindex`).
 */

export interface SearchIndexOptions {
  /** Buckets for postings and items (term heads and prefixes get N/8). Kept per database. */
  buckets?: number;
  /** Postings per chunk. Kept per database. */
  chunkSize?: number;
  logger?: Logger;
  /** Operations applied together from the queue. */
  batchSize?: number;
  /**
   * How long the queue waits after the first new operation before writing: the request that
   * queued it finishes its own writes and answers first (with one database connection, the index
   * writes would otherwise queue in front of them), and a burst of writes becomes one batch.
   */
  delayMs?: number;
}

interface SettingsDoc {
  _id: string;
  buckets: number;
  chunkSize: number;
  /** The analyzer version the index was built with (missing: 1, before there was one). */
  analyzer?: number;
  /** Set while a process rebuilds the index for a new analyzer version (a lease: see `claimRebuild`). */
  rebuildingSince?: Date;
}
interface HeadDoc {
  _id: string;
  last: number;
}
interface ChunkDoc {
  _id: string;
  n: number;
  postings: string[];
}
interface ItemDoc {
  _id: string;
  ref: string;
  chunks: string[];
}
interface PrefixDoc {
  _id: string;
  words: string[];
}

type Op = { kind: 'index'; key: string; doc: SearchDocument } | { kind: 'remove'; key: string };

export interface SearchQuery {
  q: string;
  type?: SearchType;
  spaceId?: string;
  authorId?: string;
  tag?: string;
  from?: Date;
  to?: Date;
  page: number;
  pageSize: number;
}

export interface SearchHit {
  type: SearchType;
  key: string;
  title: string;
  snippet: SnippetSegment[];
  link: string;
  spaceId: string | null;
  channelId: string | null;
  authorId: string | null;
  createdAt: string;
}

export interface SearchResult {
  total: number;
  page: number;
  pageSize: number;
  hits: SearchHit[];
  /** The words searched for (stop words dropped). */
  words: string[];
}

/** The snippet of a hit behind a content warning, in the reader's language. */
export const concealedSnippet = (locale: Locale) => m.search_concealed_snippet({}, { locale });

/** Terms a prefix may expand to, at most (the shortest words first). */
const MAX_PREFIX_TERMS = 50;
const RETRY_DELAYS_MS = [50, 250, 1000, 5000, 15000];
const HEAD_CACHE_LIMIT = 200_000;

// ---- Postings: one string per item, fields separated by |, lists by , (both escaped) ----

const esc = (value: string) => value.replace(/%/g, '%25').replace(/\|/g, '%7C').replace(/,/g, '%2C');
const unesc = (value: string) => (value.includes('%') ? decodeURIComponent(value) : value);

export function encodeRef(ref: SearchRef): string {
  return [
    esc(ref.key),
    ref.type,
    esc(ref.spaceId ?? ''),
    esc(ref.channelId ?? ''),
    esc(ref.authorId ?? ''),
    ref.createdAt.getTime().toString(36),
    ref.hidden ? '1' : '',
    ref.tags.map(esc).join(','),
  ].join('|');
}

export function decodeRef(posting: string): SearchRef {
  const [key, type, spaceId, channelId, authorId, created, hidden, tags] = posting.split('|');
  return {
    key: unesc(key!),
    type: type as SearchType,
    spaceId: spaceId ? unesc(spaceId) : null,
    channelId: channelId ? unesc(channelId) : null,
    authorId: authorId ? unesc(authorId) : null,
    createdAt: new Date(parseInt(created!, 36)),
    hidden: hidden === '1',
    tags: tags ? tags.split(',').map(unesc) : [],
  };
}

function groupByType(refs: SearchRef[]): Map<SearchType, SearchRef[]> {
  const out = new Map<SearchType, SearchRef[]>();
  for (const ref of refs) {
    const list = out.get(ref.type);
    if (list) list.push(ref);
    else out.set(ref.type, [ref]);
  }
  return out;
}

const keyOfPosting = (posting: string) => unesc(posting.slice(0, posting.indexOf('|')));
const termOfChunk = (chunkId: string) => chunkId.slice(0, chunkId.lastIndexOf(':'));

export class SearchIndex implements SearchIndexer {
  readonly #connection: Connection;
  readonly #logger: Logger | undefined;
  readonly #batchSize: number;
  readonly #delayMs: number;
  #buckets: number;
  #chunkSize: number;
  readonly #sources = new Map<SearchType, SearchSource>();
  /** Waiting operations by item key; a newer one for a key replaces the older. */
  readonly #pending = new Map<string, Op>();
  #draining: Promise<void> | null = null;
  /** Per term: its newest chunk and how full it is, as this process last saw them. */
  readonly #heads = new Map<string, { last: number; n: number }>();
  /** Words this process knows the prefix table has. */
  readonly #knownWords = new Set<string>();
  /** Operations given up after every retry (logged); tests assert it stays 0. */
  failures = 0;

  constructor(connection: Connection, options: SearchIndexOptions = {}) {
    this.#connection = connection;
    this.#logger = options.logger;
    this.#buckets = options.buckets ?? 512;
    this.#chunkSize = options.chunkSize ?? 500;
    this.#batchSize = options.batchSize ?? 200;
    this.#delayMs = options.delayMs ?? 50;
  }

  get buckets(): number {
    return this.#buckets;
  }
  get chunkSize(): number {
    return this.#chunkSize;
  }
  get #smallBuckets(): number {
    return Math.max(1, Math.floor(this.#buckets / 8));
  }

  /** Fixes the layout for this database at its first start (kept in `settings`) and reads it back. */
  async open(): Promise<void> {
    const stored = await ensureSetting<SettingsDoc>(this.#connection, { _id: 'search', buckets: this.#buckets, chunkSize: this.#chunkSize, analyzer: ANALYZER_VERSION });
    this.#buckets = stored.buckets;
    this.#chunkSize = stored.chunkSize;
    this.#analyzer = stored.analyzer ?? 1;
  }

  #analyzer = ANALYZER_VERSION;

  /** Whether the stored index was built by an older analyzer (its terms differ: rebuild it). */
  get outdated(): boolean {
    return this.#analyzer < ANALYZER_VERSION;
  }

  /**
   * Claims the rebuild of an outdated index for this process: true for exactly one process (the
   * claim lapses after `leaseMs`, should that process die before it finishes).
   */
  async claimRebuild(now: Date, leaseMs = 3_600_000): Promise<boolean> {
    const settings = this.#connection.collection<SettingsDoc>('settings');
    const result = await settings.updateOne(
      {
        _id: 'search',
        $and: [
          { $or: [{ analyzer: { $exists: false } }, { analyzer: { $lt: ANALYZER_VERSION } }] },
          { $or: [{ rebuildingSince: { $exists: false } }, { rebuildingSince: { $lt: new Date(now.getTime() - leaseMs) } }] },
        ],
      },
      { $set: { rebuildingSince: now } },
    );
    await written(this.#connection, 'settings', ['search']);
    return result.modifiedCount === 1;
  }

  /** Records that the index now holds the current analyzer's terms (after a rebuild). */
  async markCurrent(): Promise<void> {
    await this.#connection.collection<SettingsDoc>('settings').updateOne({ _id: 'search' }, { $set: { analyzer: ANALYZER_VERSION }, $unset: { rebuildingSince: '' } });
    await written(this.#connection, 'settings', ['search']);
    this.#analyzer = ANALYZER_VERSION;
  }

  registerSource(source: SearchSource): void {
    this.#sources.set(source.type, source);
  }

  source(type: SearchType): SearchSource | undefined {
    return this.#sources.get(type);
  }

  // ---- Collections ----

  #headsOf(term: string): Collection<HeadDoc> {
    return this.#connection.collection<HeadDoc>(`search_terms_${bucketOf(term, this.#smallBuckets)}`);
  }
  #chunks(chunkId: string): Collection<ChunkDoc> {
    return this.#connection.collection<ChunkDoc>(`search_postings_${bucketOf(chunkId, this.#buckets)}`);
  }
  #items(key: string): Collection<ItemDoc> {
    return this.#connection.collection<ItemDoc>(`search_items_${bucketOf(key, this.#buckets)}`);
  }
  #prefixes(prefix: string): Collection<PrefixDoc> {
    return this.#connection.collection<PrefixDoc>(`search_prefixes_${bucketOf(prefix, this.#smallBuckets)}`);
  }

  // ---- Writing ----

  /**
   * Queues `doc` for (re-)indexing and returns at once; with `now`, writes it before returning
   * (edits and moderation: see SearchIndexer). The caller has stored the item.
   */
  async index(doc: SearchDocument, options: { now?: boolean } = {}): Promise<void> {
    if (options.now) await this.#applyNow({ kind: 'index', key: doc.key, doc });
    else this.#enqueue({ kind: 'index', key: doc.key, doc });
  }

  /** Queues the removal of an item (deleted, or no longer to be found at all); `now` as for `index`. */
  async remove(key: string, options: { now?: boolean } = {}): Promise<void> {
    if (options.now) await this.#applyNow({ kind: 'remove', key });
    else this.#enqueue({ kind: 'remove', key });
  }

  /**
   * Writes one operation in the caller's time, after the batch being written (so an older queued
   * change of the same item never lands after it). On failure it goes to the queue, which retries.
   */
  async #applyNow(op: Op): Promise<void> {
    this.#pending.delete(op.key);
    this.#latest.set(op.key, op);
    try {
      await this.#write([op]);
    } catch (error) {
      this.#logger?.warn({ err: error }, 'search index write failed; queued for retry');
      this.#heads.clear();
      this.#enqueue(op);
    }
  }

  /** The newest operation per item key not yet written (queued, in a batch, or being written now). */
  readonly #latest = new Map<string, Op>();
  #writing: Promise<unknown> = Promise.resolve();

  /**
   * Writes operations one batch at a time (the queue's batches and immediate writes), each only if
   * it is still its item's newest: a batch retried after a failure never overwrites a newer change.
   */
  #write(ops: Op[]): Promise<void> {
    const write = async () => {
      await this.#apply(ops.filter((op) => this.#latest.get(op.key) === op));
      this.#settle(ops);
    };
    const run = this.#writing.then(write, write);
    this.#writing = run.catch(() => undefined);
    return run;
  }

  /** These operations are done with (written, or given up). */
  #settle(ops: Op[]): void {
    for (const op of ops) if (this.#latest.get(op.key) === op) this.#latest.delete(op.key);
  }

  /** Resolves once every queued operation is applied (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  #enqueue(op: Op): void {
    this.#pending.delete(op.key);
    this.#pending.set(op.key, op);
    this.#latest.set(op.key, op);
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = null;
    });
  }

  async #drain(): Promise<void> {
    // Let the caller's own writes (the reply to a send) go first.
    await new Promise((resolve) => setTimeout(resolve, this.#delayMs));
    while (this.#pending.size > 0) {
      const batch: Op[] = [];
      for (const [key, op] of this.#pending) {
        batch.push(op);
        this.#pending.delete(key);
        if (batch.length >= this.#batchSize) break;
      }
      for (let attempt = 0; ; attempt++) {
        try {
          await this.#write(batch);
          break;
        } catch (error) {
          if (attempt >= RETRY_DELAYS_MS.length) {
            this.failures += batch.length;
            this.#settle(batch);
            this.#logger?.error({ err: error, items: batch.length }, 'search index: giving up on a batch (rebuild with npm run search:reindex)');
            break;
          }
          this.#logger?.warn({ err: error, attempt: attempt + 1, items: batch.length }, 'search index write failed; retrying');
          this.#heads.clear();
          await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
        }
      }
    }
  }

  /**
   * Indexes many items at once, in the caller's time (bulk loads, rebuilds). `fresh`: the caller
   * asserts none of these keys is indexed yet, so existing item documents are not looked up.
   */
  async indexMany(docs: SearchDocument[], options: { fresh?: boolean } = {}): Promise<void> {
    await this.#apply(
      docs.map((doc) => ({ kind: 'index', key: doc.key, doc })),
      options.fresh ?? false,
    );
  }

  async #apply(batch: Op[], fresh = false): Promise<void> {
    const items = fresh ? new Map<string, ItemDoc>() : await this.#loadItems(batch.map((op) => op.key));
    const pulls = new Map<string, Set<string>>();
    const adds = new Map<string, { posting: string; key: string }[]>();
    const plans = new Map<string, { ref: string; chunks: string[] }>();
    const removed: string[] = [];
    const newWords = new Set<string>();
    const pull = (chunkId: string, posting: string) => {
      const set = pulls.get(chunkId) ?? new Set<string>();
      set.add(posting);
      pulls.set(chunkId, set);
    };

    for (const op of batch) {
      const old = items.get(op.key);
      if (op.kind === 'remove') {
        if (!old) continue;
        for (const chunkId of old.chunks) pull(chunkId, old.ref);
        removed.push(op.key);
        continue;
      }
      const { doc } = op;
      const text = `${doc.title}\n${doc.text}`;
      const ref = encodeRef({ key: doc.key, type: doc.type, spaceId: doc.spaceId, channelId: doc.channelId, authorId: doc.authorId, tags: doc.tags, createdAt: doc.createdAt, hidden: doc.hidden ?? false });
      const wanted = terms(text);
      const plan = { ref, chunks: [] as string[] };
      const had = new Map<string, string>();
      for (const chunkId of old?.chunks ?? []) had.set(termOfChunk(chunkId), chunkId);
      const sameRef = old?.ref === ref;
      for (const [term, chunkId] of had) {
        if (sameRef && wanted.has(term)) plan.chunks.push(chunkId);
        else pull(chunkId, old!.ref);
      }
      for (const term of wanted) {
        if (sameRef && had.has(term)) continue;
        const list = adds.get(term) ?? [];
        list.push({ posting: ref, key: doc.key });
        adds.set(term, list);
      }
      plans.set(doc.key, plan);
      for (const word of indexableWords(text)) if (word.length >= PREFIX_LENGTH && !this.#knownWords.has(word)) newWords.add(word);
    }

    // Pull first: a posting that moves (its ref changed) is never listed twice.
    for (const [chunkId, postings] of pulls) {
      await this.#chunks(chunkId).updateOne({ _id: chunkId }, { $pullAll: { postings: [...postings] }, $inc: { n: -postings.size } });
    }
    if (fresh) await this.#loadAllHeads();
    const created: ChunkDoc[] = [];
    // Bulk loads insert new terms' heads together (the caller is the only writer then).
    const heads: HeadDoc[] | null = fresh ? [] : null;
    for (const [term, list] of adds) {
      for (const { chunkId, keys } of await this.#append(term, list, created, heads)) {
        for (const key of keys) plans.get(key)?.chunks.push(chunkId);
      }
    }
    await this.#insertGrouped(created, (chunk) => this.#chunks(chunk._id));
    if (heads) await this.#insertGrouped(heads, (head) => this.#headsOf(head._id));
    if (fresh) {
      await this.#insertGrouped(
        [...plans].map(([key, plan]) => ({ _id: key, ...plan })),
        (item) => this.#items(item._id),
      );
    } else {
      for (const [key, plan] of plans) await this.#items(key).replaceOne({ _id: key }, plan, { upsert: true });
    }
    for (const key of removed) await this.#items(key).deleteOne({ _id: key });
    await this.#addWords(newWords);
  }

  async #loadItems(keys: string[]): Promise<Map<string, ItemDoc>> {
    const out = new Map<string, ItemDoc>();
    for (const key of new Set(keys)) {
      const item = await this.#items(key).findOne({ _id: key });
      if (item) out.set(key, item);
    }
    return out;
  }

  /** Every term head into the cache (bulk loads: the heads are small). */
  async #loadAllHeads(): Promise<void> {
    for (let bucket = 0; bucket < this.#smallBuckets; bucket++) {
      for (const head of await this.#connection.collection<HeadDoc>(`search_terms_${bucket}`).find({}).toArray()) {
        if (!this.#heads.has(head._id)) this.#heads.set(head._id, { last: head.last, n: -1 });
      }
    }
  }

  async #head(term: string): Promise<{ last: number; n: number } | null> {
    const cached = this.#heads.get(term);
    if (cached && cached.n >= 0) return cached;
    const head = cached ?? (await this.#headsOf(term).findOne({ _id: term }));
    if (!head) return null;
    const chunk = await this.#chunks(`${term}:${head.last}`).findOne({ _id: `${term}:${head.last}` }, { projection: { n: 1 } });
    const known = { last: head.last, n: chunk?.n ?? 0 };
    this.#cacheHead(term, known);
    return known;
  }

  #cacheHead(term: string, head: { last: number; n: number }): void {
    if (this.#heads.size >= HEAD_CACHE_LIMIT) this.#heads.clear();
    this.#heads.set(term, head);
  }

  /**
   * Appends postings to a term: fills its newest chunk, then starts new ones. New chunks of a new
   * term are collected in `created` (inserted together); others are pushed to by `_id`. Another
   * process appending at the same moment can overfill a chunk by at most one batch.
   */
  async #append(term: string, list: { posting: string; key: string }[], created: ChunkDoc[], heads: HeadDoc[] | null = null): Promise<{ chunkId: string; keys: string[] }[]> {
    const out: { chunkId: string; keys: string[] }[] = [];
    let head: { last: number; n: number } | null = await this.#head(term);
    let rest = list;
    if (!head) {
      // A new term: its chunks are inserted whole, its head claims it.
      let chunk = 0;
      for (; rest.length > 0; chunk++) {
        const piece = rest.slice(0, this.#chunkSize);
        rest = rest.slice(this.#chunkSize);
        const chunkId = `${term}:${chunk}`;
        created.push({ _id: chunkId, n: piece.length, postings: piece.map((item) => item.posting) });
        out.push({ chunkId, keys: piece.map((item) => item.key) });
      }
      const last = chunk - 1;
      if (heads) {
        heads.push({ _id: term, last });
        this.#cacheHead(term, { last, n: created[created.length - 1]!.n });
        return out;
      }
      try {
        await this.#headsOf(term).insertOne({ _id: term, last });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // Another process created the term meanwhile: append to its chunks instead.
        created.splice(created.length - out.length, out.length);
        this.#heads.delete(term);
        return this.#append(term, list, created, heads);
      }
      this.#cacheHead(term, { last, n: created[created.length - 1]!.n });
      return out;
    }
    while (rest.length > 0) {
      if (head.n >= this.#chunkSize) {
        head = { last: head.last + 1, n: 0 };
        await this.#headsOf(term).updateOne({ _id: term }, { $max: { last: head.last } }, { upsert: true });
      }
      const piece = rest.slice(0, this.#chunkSize - head.n);
      rest = rest.slice(piece.length);
      const chunkId: string = `${term}:${head.last}`;
      // (FerretDB 1.24 implements no projection in findAndModify: the count comes from the cache.)
      await this.#chunks(chunkId).updateOne({ _id: chunkId }, { $push: { postings: { $each: piece.map((item) => item.posting) } }, $inc: { n: piece.length } }, { upsert: true });
      head = { last: head.last, n: head.n + piece.length };
      out.push({ chunkId, keys: piece.map((item) => item.key) });
    }
    this.#cacheHead(term, head);
    return out;
  }

  async #insertGrouped<T extends { _id: string }>(docs: T[], collectionOf: (doc: T) => Collection<T>): Promise<void> {
    const groups = new Map<string, { collection: Collection<T>; docs: T[] }>();
    for (const doc of docs) {
      const collection = collectionOf(doc);
      const group = groups.get(collection.collectionName) ?? { collection, docs: [] };
      group.docs.push(doc);
      groups.set(collection.collectionName, group);
    }
    for (const { collection, docs: list } of groups.values()) {
      for (let offset = 0; offset < list.length; offset += 500) await collection.insertMany(list.slice(offset, offset + 500) as never, { ordered: false });
    }
  }

  async #addWords(words: Set<string>): Promise<void> {
    const byPrefix = new Map<string, string[]>();
    for (const word of words) {
      const prefix = word.slice(0, PREFIX_LENGTH);
      byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), word]);
    }
    // One round trip per prefix collection.
    const byCollection = new Map<string, { collection: Collection<PrefixDoc>; prefixes: [string, string[]][] }>();
    for (const [prefix, list] of byPrefix) {
      const collection = this.#prefixes(prefix);
      const group = byCollection.get(collection.collectionName) ?? { collection, prefixes: [] };
      group.prefixes.push([prefix, list]);
      byCollection.set(collection.collectionName, group);
    }
    for (const { collection, prefixes } of byCollection.values()) {
      await collection.bulkWrite(
        prefixes.map(([prefix, list]) => ({ updateOne: { filter: { _id: prefix }, update: { $addToSet: { words: { $each: list } } }, upsert: true } })),
        { ordered: false },
      );
      for (const [, list] of prefixes) for (const word of list) this.#knownWords.add(word);
    }
    if (this.#knownWords.size > HEAD_CACHE_LIMIT) this.#knownWords.clear();
  }

  // ---- Reading ----

  /** Every posting of a term, by item key (a key listed twice counts once). */
  async postings(term: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const head = await this.#headsOf(term).findOne({ _id: term });
    if (!head) return out;
    for (let chunk = 0; chunk <= head.last; chunk++) {
      const chunkId = `${term}:${chunk}`;
      const doc = await this.#chunks(chunkId).findOne({ _id: chunkId });
      for (const posting of doc?.postings ?? []) out.set(keyOfPosting(posting), posting);
    }
    return out;
  }

  /** The chunks of a term as stored (tests and diagnostics). */
  async chunksOf(term: string): Promise<ChunkDoc[]> {
    const head = await this.#headsOf(term).findOne({ _id: term });
    const out: ChunkDoc[] = [];
    for (let chunk = 0; head && chunk <= head.last; chunk++) {
      const doc = await this.#chunks(`${term}:${chunk}`).findOne({ _id: `${term}:${chunk}` });
      if (doc) out.push(doc);
    }
    return out;
  }

  /** The item document of a key (tests and diagnostics). */
  async item(key: string): Promise<ItemDoc | null> {
    return this.#items(key).findOne({ _id: key });
  }

  /** The terms a query word matches: its own, and for a prefix the terms of words starting with it. */
  async #alternatives(word: QueryWord): Promise<string[]> {
    if (!word.prefix) return [word.term];
    const doc = await this.#prefixes(word.prefix.slice(0, PREFIX_LENGTH)).findOne({ _id: word.prefix.slice(0, PREFIX_LENGTH) });
    const extended = (doc?.words ?? [])
      .filter((candidate) => candidate.startsWith(word.prefix!))
      .sort((a, b) => a.length - b.length || a.localeCompare(b))
      .map(stem);
    return [...new Set([word.term, ...extended])].slice(0, MAX_PREFIX_TERMS);
  }

  /**
   * Items matching every word of `query.q` (AND; the last word also as a prefix), filtered, checked
   * by their sources for `actor`, then counted and paged, newest first. Precondition: the caller
   * has authorized the actor to search.
   */
  /** `locale`: the reader's language, for the few words the index supplies itself. */
  async search(actor: Actor, query: SearchQuery, locale: Locale): Promise<SearchResult> {
    const words = parseQuery(query.q);
    if (words.length === 0) {
      throw fieldInvalid([{ location: 'query', path: 'q', message: msg(m.error_search_no_rare_word) }]);
    }
    // Each word's postings (a prefix: the union over the terms it extends to); rarest first.
    const lists: Map<string, string>[] = [];
    for (const word of words) {
      const union = new Map<string, string>();
      for (const term of await this.#alternatives(word)) for (const [key, posting] of await this.postings(term)) union.set(key, posting);
      lists.push(union);
      if (union.size === 0) break;
    }
    lists.sort((a, b) => a.size - b.size);
    const [first, ...others] = lists;
    const candidates: SearchRef[] = [];
    for (const [key, posting] of first!) {
      if (others.some((list) => !list.has(key))) continue;
      const ref = decodeRef(posting);
      if (query.type && ref.type !== query.type) continue;
      if (query.spaceId && ref.spaceId !== query.spaceId) continue;
      if (query.authorId && ref.authorId !== query.authorId) continue;
      if (query.tag && !ref.tags.some((tag) => tag.toLowerCase() === query.tag!.toLowerCase())) continue;
      if (query.from && ref.createdAt < query.from) continue;
      if (query.to && ref.createdAt > query.to) continue;
      candidates.push(ref);
    }

    // Access: each source confirms what the actor may see, before anything is counted.
    const byType = groupByType(candidates);
    const visible: SearchRef[] = [];
    for (const [type, refs] of byType) {
      const source = this.#sources.get(type);
      if (!source) continue;
      const allowed = await source.visible(actor, refs);
      for (const ref of refs) if (allowed.has(ref.key)) visible.push(ref);
    }
    visible.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.key < b.key ? 1 : -1));

    let total = visible.length;
    const pageRefs = visible.slice((query.page - 1) * query.pageSize, query.page * query.pageSize);
    const presented = new Map<string, SearchPresentation>();
    for (const [type, refs] of groupByType(pageRefs)) {
      for (const [key, presentation] of await this.#sources.get(type)!.present(actor, refs, locale)) presented.set(key, presentation);
    }
    const matches = matcherFor(words);
    const hits: SearchHit[] = [];
    for (const ref of pageRefs) {
      const shown = presented.get(ref.key);
      // Gone since it was indexed (deleted a moment ago): not a hit, not counted.
      if (!shown) {
        total--;
        continue;
      }
      hits.push({
        type: ref.type,
        key: ref.key,
        title: shown.title,
        // Sources give Markdown as written; a snippet is the text a reader sees, and none of what
        // a content warning folds away.
        snippet: shown.concealed ? [{ text: concealedSnippet(locale), match: false }] : snippet(plainText(shown.text), matches),
        link: shown.link,
        spaceId: ref.spaceId,
        channelId: ref.channelId,
        authorId: ref.authorId,
        createdAt: ref.createdAt.toISOString(),
      });
    }
    return { total, page: query.page, pageSize: query.pageSize, hits, words: [...new Set(words.map((word) => word.word))] };
  }
}
