import type { Collection, Connection } from 'mongoose';
import type { Types } from 'mongoose';
import type { ModerationState } from '../moderation/moderation.types.ts';
import { cacheLayerOf, written } from '../cache/cache.layer.ts';
import { ensureSetting } from '../cache/settings.ts';
import { isDuplicateKey } from '../http/errors.ts';

/**
 * Where messages live. Each channel's messages are numbered 1, 2, 3 … without gaps, and message
 * `seq` of channel `c` has `_id` `c:seq`. They are stored in bounded collections, one per block of
 * `blockSize` numbers of one channel (`messages_<channelId>_<block>`), because the embedded engine
 * (FerretDB 1.24 on SQLite) answers even an `_id` lookup by scanning the whole collection: with
 * blocks, every read touches at most a block or two, whatever the total volume. On MongoDB the same
 * layout costs nothing extra (an index lookup in a small collection).
 *
 * A number is claimed by inserting the message itself: `_id` is unique, so of two writers that
 * try the same number exactly one succeeds and the other takes the next. No counter can hand out
 * a number twice or skip one, on either engine, from any number of processes.
 */

export interface Reaction {
  emoji: string;
  memberIds: string[];
}

export interface Revision {
  at: Date;
  source: string;
  html: string;
}

export interface MessageDoc {
  _id: string;
  channelId: string;
  seq: number;
  authorId: string;
  source: string;
  html: string;
  /** The message this one replies to (thread), by sequence number. */
  parentSeq: number | null;
  mentions: string[];
  idempotencyKey: string;
  createdAt: Date;
  editedAt: Date | null;
  /** Earlier versions, oldest first. */
  history: Revision[];
  deleted: { at: Date; by: string } | null;
  reactions: Reaction[];
  pinned: boolean;
  /** Raised by every change of reactions: updates are conditional on it (optimistic concurrency). */
  rev: number;
  /** What moderators did (absent or null: nothing). Presenters pass content through `moderatedView()`. */
  moderation?: ModerationState | null;
}

export const messageId = (channelId: string, seq: number) => `${channelId}:${seq}`;
/** The cache layer's key of a block. */
export const blockKey = (channelId: string, block: number) => `${channelId}:${block}`;

/** A claimed idempotency key: `_id` = `<memberId>:<key>`; `seq` is null until the message is stored. */
export interface SendKeyDoc {
  _id: string;
  seq: number | null;
  at: Date;
}

/** Keys are kept per channel and UTC day; a retry finds its key today or yesterday. */
const SEND_KEY_PREFIX = 'sendkeys_';
const day = (date: Date) => date.toISOString().slice(0, 10).replace(/-/g, '');

export class MessageStore {
  readonly #connection: Connection;
  #blockSize: number;

  /** `blockSize` is what a new database will use; `open()` adopts the one a database already has. */
  constructor(connection: Connection, blockSize = 200) {
    this.#connection = connection;
    this.#blockSize = blockSize;
  }

  get blockSize(): number {
    return this.#blockSize;
  }

  /**
   * The block size is part of where every message is stored, so it is fixed when the database
   * gets its first message store: kept in `settings`, read back on every start.
   */
  async open(): Promise<void> {
    const stored = await ensureSetting(this.#connection, { _id: 'messages', messageBlockSize: this.#blockSize });
    this.#blockSize = stored.messageBlockSize;
  }

  blockOf(seq: number): number {
    return Math.floor((seq - 1) / this.#blockSize);
  }

  collection(channelId: string | Types.ObjectId, block: number): Collection<MessageDoc> {
    return this.#connection.collection<MessageDoc>(`messages_${String(channelId)}_${block}`);
  }

  /** The highest number this process has seen taken, per channel: where the next claim starts. */
  readonly #claimed = new Map<string, number>();

  /** Where to try the next claim: past both the stored hint and what this process took last. */
  nextCandidate(channelId: string, storedHint: number): number {
    return Math.max(storedHint, this.#claimed.get(channelId) ?? 0) + 1;
  }

  /** Tries to store `message` under its `seq`; false when that number is taken. */
  async tryInsert(message: MessageDoc): Promise<boolean> {
    try {
      await this.collection(message.channelId, this.blockOf(message.seq)).insertOne(message);
      this.#note(message.channelId, message.seq);
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) {
        this.#note(message.channelId, message.seq);
        return false;
      }
      throw error;
    } finally {
      // Taken by us or by another writer: either way the block changed (or our copy was behind).
      await this.#written(message.channelId, message.seq);
    }
  }

  /**
   * Blocks are read whole through the cache layer when this process runs one (the app), so the
   * newest block of a busy channel is served from memory: history, the join's newest number and
   * replies' parents cost no database read until the block is written. Every write here drops the
   * block, in this process and the others (cache.layer.ts); without a layer (a script) the write
   * tells the app processes through the epoch.
   */
  #blocks() {
    return cacheLayerOf(this.#connection)?.messageBlocks;
  }

  #written(channelId: string, seq: number): Promise<void> {
    return written(this.#connection, 'messageBlocks', [blockKey(channelId, this.blockOf(seq))]);
  }

  /** A whole block, by number, through the cache; undefined when this process has no cache. */
  async #block(channelId: string, block: number): Promise<readonly MessageDoc[] | undefined> {
    const cache = this.#blocks();
    if (!cache) return undefined;
    const docs = await cache.get(blockKey(channelId, block), async () => (await this.collection(channelId, block).find({}).toArray()).sort((a, b) => a.seq - b.seq));
    return docs ?? [];
  }

  /** The message `seq` in a block's sorted docs (they have no gaps but may end early). */
  #inBlock(docs: readonly MessageDoc[], seq: number): MessageDoc | undefined {
    const guess = docs[seq - 1 - this.blockOf(seq) * this.#blockSize];
    return guess?.seq === seq ? guess : docs.find((doc) => doc.seq === seq);
  }

  #note(channelId: string, seq: number): void {
    if (seq > (this.#claimed.get(channelId) ?? 0)) this.#claimed.set(channelId, seq);
  }

  async get(channelId: string, seq: number): Promise<MessageDoc | null> {
    const docs = await this.#block(channelId, this.blockOf(seq));
    if (docs) return this.#inBlock(docs, seq) ?? null;
    return this.collection(channelId, this.blockOf(seq)).findOne({ _id: messageId(channelId, seq) });
  }

  /** Messages `from`..`to` (inclusive) that exist, in order. One query per block touched. */
  async range(channelId: string, from: number, to: number): Promise<MessageDoc[]> {
    if (to < from) return [];
    const byBlock = new Map<number, string[]>();
    for (let seq = Math.max(1, from); seq <= to; seq++) {
      const block = this.blockOf(seq);
      const ids = byBlock.get(block) ?? [];
      ids.push(messageId(channelId, seq));
      byBlock.set(block, ids);
    }
    const batches = await Promise.all(
      [...byBlock].map(async ([block, ids]) => {
        const docs = await this.#block(channelId, block);
        if (!docs) return this.collection(channelId, block).find({ _id: { $in: ids } }).toArray();
        return docs.filter((doc) => doc.seq >= from && doc.seq <= to);
      }),
    );
    return batches.flat().sort((a, b) => a.seq - b.seq);
  }

  /** The highest number taken, starting from a hint that may lag behind (never ahead). */
  async latestSeq(channelId: string, hint: number): Promise<number> {
    let seq = hint;
    if (this.#blocks()) {
      for (;;) {
        const docs = (await this.#block(channelId, this.blockOf(seq + 1)))!;
        if (!this.#inBlock(docs, seq + 1)) return seq;
        seq = Math.max(seq + 1, docs[docs.length - 1]!.seq);
      }
    }
    while (await this.collection(channelId, this.blockOf(seq + 1)).findOne({ _id: messageId(channelId, seq + 1) }, { projection: { _id: 1 } })) seq++;
    return seq;
  }

  /** Applies `update` only if the message is still at revision `rev`; null when it changed meanwhile. */
  async updateIf(channelId: string, seq: number, rev: number, update: Record<string, unknown>): Promise<MessageDoc | null> {
    try {
      return await this.collection(channelId, this.blockOf(seq)).findOneAndUpdate({ _id: messageId(channelId, seq), rev }, update, { returnDocument: 'after' });
    } finally {
      await this.#written(channelId, seq);
    }
  }

  sendKeys(channelId: string, date: Date): Collection<SendKeyDoc> {
    return this.#connection.collection<SendKeyDoc>(`${SEND_KEY_PREFIX}${channelId}_${day(date)}`);
  }

  /**
   * Claims an idempotency key for a send, atomically on either engine (a unique `_id` insert):
   * `claimed` for the first try; otherwise the earlier try's state: its message number, or null
   * while that try is still storing its message.
   */
  async claimSendKey(channelId: string, memberId: string, key: string, now = new Date()): Promise<{ claimed: true } | { claimed: false; seq: number | null; at: Date }> {
    const id = `${memberId}:${key}`;
    const yesterday = await this.sendKeys(channelId, new Date(now.getTime() - 86_400_000)).findOne({ _id: id });
    if (yesterday) return { claimed: false, seq: yesterday.seq, at: yesterday.at };
    try {
      await this.sendKeys(channelId, now).insertOne({ _id: id, seq: null, at: now });
      return { claimed: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.sendKeys(channelId, now).findOne({ _id: id });
      return { claimed: false, seq: existing?.seq ?? null, at: existing?.at ?? now };
    }
  }

  /** Takes over a claim whose send never finished (its process died): true if this caller got it. */
  async takeOverSendKey(channelId: string, memberId: string, key: string, staleAt: Date, now = new Date()): Promise<boolean> {
    const result = await this.sendKeys(channelId, now).updateOne({ _id: `${memberId}:${key}`, seq: null, at: staleAt }, { $set: { at: now } });
    return result.modifiedCount === 1;
  }

  async releaseSendKey(channelId: string, memberId: string, key: string, now = new Date()): Promise<void> {
    await this.sendKeys(channelId, now).deleteOne({ _id: `${memberId}:${key}`, seq: null });
  }

  async completeSendKey(channelId: string, memberId: string, key: string, seq: number, now = new Date()): Promise<void> {
    await this.sendKeys(channelId, now).updateOne({ _id: `${memberId}:${key}` }, { $set: { seq } });
  }

  /** Drops the key collections of days before yesterday (run by the periodic job). */
  async dropOldSendKeys(now = new Date()): Promise<number> {
    const keep = new Set([day(now), day(new Date(now.getTime() - 86_400_000))]);
    const collections = await this.#connection.db!.listCollections({}, { nameOnly: true }).toArray();
    let dropped = 0;
    for (const { name } of collections) {
      if (!name.startsWith(SEND_KEY_PREFIX) || keep.has(name.slice(-8))) continue;
      await this.#connection.db!.dropCollection(name).catch(() => undefined);
      dropped++;
    }
    return dropped;
  }

  async update(channelId: string, seq: number, update: Record<string, unknown>): Promise<MessageDoc | null> {
    try {
      return await this.collection(channelId, this.blockOf(seq)).findOneAndUpdate({ _id: messageId(channelId, seq) }, update, { returnDocument: 'after' });
    } finally {
      await this.#written(channelId, seq);
    }
  }
}
