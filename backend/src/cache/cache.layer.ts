import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Connection } from 'mongoose';
import type { Logger } from '../http/logger.ts';
import { EntityCache, type EntityStats } from './entity-cache.ts';
import type { CachedDocs } from './cache.types.ts';

/**
 * The cache layer: one bounded cache per kind of hot, read-mostly document, read through by the
 * rest of the code (`ctx.cache.members.get(id, load)` …), on the model of Mattermost's
 * `store/localcachelayer`.
 *
 * Invalidation reaches every process by three routes, so that no process keeps serving a document
 * that was changed, and authorization (member status and roles, organisation sector, space rules,
 * sessions) takes effect everywhere within a second, as without the cache:
 * 1. **This process's writes**: the mongoose plugin (cache.plugin.ts) sees every write to a
 *    cached collection and drops the entries it touched before the write's caller goes on. Writes
 *    that do not go through mongoose models (message blocks, settings) call `written()` themselves.
 * 2. **Other app processes' writes** (REDIS_URL): each write's notice is published on a Redis
 *    channel named after the database, on the same connection as socket.io's adapter, so a notice
 *    arrives before any socket event that the same write caused. While the subscriber is not
 *    connected, notices could be missed: the cache is bypassed, and cleared when it reconnects.
 * 3. **Scripts** (`admin:create`, `seed:demo` …): a process without a cache layer marks each
 *    cached collection it writes in `cache_epochs` (a new random value per write). Every app
 *    process polls that small collection every EPOCH_POLL_MS and clears an entity whose value
 *    changed. App processes never write it, so the poll costs one read and clears nothing.
 */
export const EPOCH_POLL_MS = 400;

export const CACHED_ENTITIES = ['sessions', 'members', 'organisations', 'spaces', 'spaceList', 'channels', 'channelList', 'settings', 'messageBlocks', 'alerts', 'alertAcks', 'readPositions'] as const;
export type CachedEntity = (typeof CACHED_ENTITIES)[number];

/**
 * Entities whose absence is cached too: "my organisation has not answered this alert" is what
 * almost every member reads during a crisis. Safe because every way a document can appear (save,
 * create, insertMany, an upsert) goes through the plugin, which drops the key it names.
 */
const NEGATIVE: ReadonlySet<CachedEntity> = new Set(['alertAcks', 'readPositions']);

/** Writes to one entity also void these derived ones (the lists hold copies of the documents). */
const DEPENDENTS: Partial<Record<CachedEntity, CachedEntity[]>> = {
  spaces: ['spaceList'],
  channels: ['channelList'],
};

/** Share of the memory bound and most entries, per entity. */
const BUDGET: Record<CachedEntity, { share: number; max: number }> = {
  sessions: { share: 0.15, max: 50_000 },
  members: { share: 0.15, max: 50_000 },
  organisations: { share: 0.02, max: 10_000 },
  spaces: { share: 0.01, max: 2_000 },
  spaceList: { share: 0.01, max: 1 },
  channels: { share: 0.03, max: 20_000 },
  channelList: { share: 0.03, max: 1 },
  settings: { share: 0.001, max: 100 },
  messageBlocks: { share: 0.519, max: 5_000 },
  alerts: { share: 0.04, max: 2_000 },
  alertAcks: { share: 0.01, max: 20_000 },
  readPositions: { share: 0.03, max: 50_000 },
};

export const EPOCHS_COLLECTION = 'cache_epochs';

/** A notice between processes: which entity, which keys (null: all), from whom. */
interface Notice {
  origin: string;
  entity: CachedEntity;
  keys: string[] | null;
  /** A hint to apply instead of dropping (a channel's lastSeq rising). */
  lastSeq?: number;
}

/** The Redis clients the socket.io adapter uses; the layer publishes and subscribes on them too. */
export interface RedisPair {
  pub: { publish(channel: string, message: string): Promise<unknown>; isReady: boolean };
  sub: {
    subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
    unsubscribe(channel: string): Promise<unknown>;
    isReady: boolean;
    on(event: 'ready' | 'end' | 'error' | 'reconnecting', listener: (...args: unknown[]) => void): unknown;
  };
}

type Caches = { [E in CachedEntity]: EntityCache<CachedDocs[E]> };

const layers = new WeakMap<Connection, CacheLayer>();

/** The layer reading for `connection`, if this process runs one on it. */
export function cacheLayerOf(connection: Connection): CacheLayer | undefined {
  return layers.get(connection);
}

/**
 * Called after every write to a cached collection (by the plugin, the message store, the
 * settings). With a layer on this connection: drop and tell the other processes. Without (a
 * script): mark the entity's epoch so the app processes clear it.
 */
export async function written(connection: Connection, entity: CachedEntity, keys: string[] | null): Promise<void> {
  const layer = layers.get(connection);
  if (layer) return layer.written(entity, keys);
  if (connection.readyState !== 1) return;
  await connection
    .collection<{ _id: string; value: string; at: Date }>(EPOCHS_COLLECTION)
    .updateOne({ _id: entity }, { $set: { value: randomUUID(), at: new Date() } }, { upsert: true });
}

export class CacheLayer extends EventEmitter<{ invalidated: [entity: CachedEntity, keys: string[] | null, source: 'local' | 'redis' | 'epoch' | 'reconnect'] }> {
  readonly #origin = randomUUID();
  readonly #caches: Caches;
  #redis: RedisPair | null = null;
  #redisChannel = '';
  /** False while Redis is configured but its subscriber is not connected. */
  #trusted = true;
  #epochs = new Map<string, string>();
  #poll: NodeJS.Timeout | null = null;
  #polling: Promise<void> | null = null;
  #stopped = false;

  constructor(
    private readonly connection: Connection,
    private readonly logger: Logger,
    options: { maxBytes: number; enabled: boolean },
  ) {
    super();
    const usable = () => options.enabled && this.#trusted && !this.#stopped;
    this.#caches = Object.fromEntries(
      CACHED_ENTITIES.map((entity) => [entity, new EntityCache(entity, { max: BUDGET[entity].max, maxBytes: Math.floor(options.maxBytes * BUDGET[entity].share), negative: NEGATIVE.has(entity) }, usable)]),
    ) as unknown as Caches;
    layers.set(connection, this);
  }

  get sessions() { return this.#caches.sessions; }
  get members() { return this.#caches.members; }
  get organisations() { return this.#caches.organisations; }
  get spaces() { return this.#caches.spaces; }
  get spaceList() { return this.#caches.spaceList; }
  get channels() { return this.#caches.channels; }
  get channelList() { return this.#caches.channelList; }
  get settings() { return this.#caches.settings; }
  get messageBlocks() { return this.#caches.messageBlocks; }
  get alerts() { return this.#caches.alerts; }
  get alertAcks() { return this.#caches.alertAcks; }
  get readPositions() { return this.#caches.readPositions; }

  /** Starts the epoch poll and, with Redis, the notices between processes. */
  async start(redis?: { pair: RedisPair; databaseName: string }): Promise<void> {
    this.#epochs = await this.#readEpochs();
    if (redis) {
      this.#redis = redis.pair;
      this.#redisChannel = `convene:${redis.databaseName}:cache`;
      this.#trusted = redis.pair.sub.isReady;
      redis.pair.sub.on('end', () => this.#distrust('end'));
      redis.pair.sub.on('reconnecting', () => this.#distrust('reconnecting'));
      redis.pair.sub.on('ready', () => {
        if (this.#trusted) return;
        // Notices may have been missed while disconnected: start from nothing.
        for (const entity of CACHED_ENTITIES) this.#drop(entity, null, 'reconnect');
        this.#trusted = true;
        this.logger.info('cache: Redis is back; caches cleared and in use again');
      });
      await redis.pair.sub.subscribe(this.#redisChannel, (message) => this.#receive(message));
    }
    this.#poll = setInterval(() => void this.pollEpochs(), EPOCH_POLL_MS);
    this.#poll.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#poll) clearInterval(this.#poll);
    await this.#polling?.catch(() => undefined);
    if (this.#redis?.sub.isReady) await this.#redis.sub.unsubscribe(this.#redisChannel).catch(() => undefined);
    layers.delete(this.connection);
  }

  /** A write by this process: drop here, then tell the others. */
  async written(entity: CachedEntity, keys: string[] | null): Promise<void> {
    this.#drop(entity, keys, 'local');
    await this.#publish({ origin: this.#origin, entity, keys });
  }

  /**
   * A channel's highest message number rose (every send): raise it in the cached channel and the
   * channel list instead of dropping them. It is a hint that may lag (the message's own id is what
   * claims a number), so no other field is taken from it.
   */
  async channelSeqRaised(channelId: string, lastSeq: number): Promise<void> {
    this.#raiseSeq(channelId, lastSeq);
    await this.#publish({ origin: this.#origin, entity: 'channels', keys: [channelId], lastSeq });
  }

  #raiseSeq(channelId: string, lastSeq: number): void {
    this.channels.refine(channelId, (channel) => (channel.lastSeq >= lastSeq ? channel : { ...channel, lastSeq }));
    this.channelList.refine('all', (list) => list.map((channel) => (String(channel._id) === channelId && channel.lastSeq < lastSeq ? { ...channel, lastSeq } : channel)));
  }

  #drop(entity: CachedEntity, keys: string[] | null, source: 'local' | 'redis' | 'epoch' | 'reconnect'): void {
    this.#caches[entity].invalidate(keys);
    for (const dependent of DEPENDENTS[entity] ?? []) this.#caches[dependent].invalidate(null);
    this.emit('invalidated', entity, keys, source);
  }

  async #publish(notice: Notice): Promise<void> {
    if (!this.#redis) return;
    try {
      await this.#redis.pub.publish(this.#redisChannel, JSON.stringify(notice));
    } catch (error) {
      // The others may now hold a stale entry; they distrust their cache while Redis is away,
      // and a publish only fails when it is.
      this.logger.error({ err: error, entity: notice.entity }, 'cache: could not publish an invalidation');
    }
  }

  #receive(message: string): void {
    let notice: Notice;
    try {
      notice = JSON.parse(message) as Notice;
    } catch {
      return;
    }
    if (notice.origin === this.#origin || !(CACHED_ENTITIES as readonly string[]).includes(notice.entity)) return;
    if (notice.lastSeq !== undefined && notice.keys?.length === 1) this.#raiseSeq(notice.keys[0]!, notice.lastSeq);
    else this.#drop(notice.entity, notice.keys, 'redis');
  }

  #distrust(reason: string): void {
    if (!this.#trusted) return;
    this.#trusted = false;
    this.logger.warn({ reason }, 'cache: Redis subscriber is not connected; reading from the database until it is');
  }

  async #readEpochs(): Promise<Map<string, string>> {
    const docs = await this.connection.collection<{ _id: string; value: string }>(EPOCHS_COLLECTION).find({}).toArray();
    return new Map(docs.map((doc) => [doc._id, doc.value]));
  }

  /** One look at the epochs (run by the timer; tests call it to avoid waiting). */
  pollEpochs(): Promise<void> {
    if (this.#polling || this.#stopped || this.connection.readyState !== 1) return this.#polling ?? Promise.resolve();
    this.#polling = (async () => {
      try {
        const now = await this.#readEpochs();
        for (const [entity, value] of now) {
          if (this.#epochs.get(entity) === value) continue;
          if ((CACHED_ENTITIES as readonly string[]).includes(entity)) this.#drop(entity as CachedEntity, null, 'epoch');
        }
        this.#epochs = now;
      } catch (error) {
        if (!this.#stopped) this.logger.warn({ err: error }, 'cache: epoch poll failed; will retry');
      } finally {
        this.#polling = null;
      }
    })();
    return this.#polling;
  }

  stats(): Record<CachedEntity, EntityStats> & { redis: 'off' | 'connected' | 'disconnected' } {
    const entities = Object.fromEntries(CACHED_ENTITIES.map((entity) => [entity, this.#caches[entity].stats()])) as Record<CachedEntity, EntityStats>;
    return { ...entities, redis: this.#redis ? (this.#trusted ? 'connected' : 'disconnected') : 'off' };
  }
}
