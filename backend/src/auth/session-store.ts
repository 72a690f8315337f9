import session, { type SessionData } from 'express-session';
import type { SessionModel } from './auth.model.ts';
import { trusted } from '../db/database.ts';
import type { CachedStore } from '../cache/cache.store.ts';

type Callback<T = void> = (error?: unknown, result?: T) => void;

/**
 * express-session store on our own collection. Every per-request call is a point lookup or write
 * by `_id` (the session id): ready-made stores filter on `_id` plus an expiry condition, which
 * the embedded engine answers by scanning the whole collection. Expired sessions are refused here
 * and removed by `removeExpired()`, run periodically (the engine has no TTL indexes).
 */
export class DatabaseSessionStore extends session.Store {
  /**
   * The stored expiry of sessions read by this process for a request still running, so that the
   * request's `touch` can tell whether the expiry moved enough to be worth a write. Bounded: an
   * entry is taken by the touch or save that ends its request.
   */
  readonly #storedExpiry = new Map<string, number>();

  constructor(
    private readonly Session: SessionModel,
    /** Reads go through the cache layer; every write below drops the entry there (cache.plugin.ts). */
    private readonly cache?: CachedStore,
  ) {
    super();
  }

  #read(sid: string) {
    return this.cache ? this.cache.session(sid) : this.Session.findById(sid).lean().exec();
  }

  override get(sid: string, callback: Callback<SessionData | null>): void {
    this.#read(sid)
      .then((doc) => {
        if (!doc || doc.expiresAt.getTime() <= Date.now()) return callback(undefined, null);
        if (this.#storedExpiry.size >= MAX_TRACKED) this.#storedExpiry.clear();
        this.#storedExpiry.set(sid, doc.expiresAt.getTime());
        callback(undefined, JSON.parse(doc.data) as SessionData);
      }, callback);
  }

  override set(sid: string, data: SessionData, callback?: Callback): void {
    this.#storedExpiry.delete(sid);
    const memberId = (data as { passport?: { user?: { id?: string } } }).passport?.user?.id ?? null;
    this.Session.replaceOne({ _id: sid }, { _id: sid, data: JSON.stringify(data), expiresAt: expiry(data), memberId }, { upsert: true }).then(
      () => callback?.(),
      (error) => callback?.(error),
    );
  }

  /**
   * express-session touches the session at the end of every request (rolling idle timeout). The
   * expiry is written only when it moved by TOUCH_INTERVAL_MS or more since it was stored, so a
   * busy member costs a write a minute instead of one per request; the idle timeout (12 h) can
   * then end a session at most that much early.
   */
  override touch(sid: string, data: SessionData, callback?: Callback): void {
    const stored = this.#storedExpiry.get(sid);
    this.#storedExpiry.delete(sid);
    const wanted = expiry(data);
    if (stored !== undefined && wanted.getTime() - stored < TOUCH_INTERVAL_MS) {
      callback?.();
      return;
    }
    this.Session.updateOne({ _id: sid }, { $set: { expiresAt: wanted } }).then(
      () => callback?.(),
      (error) => callback?.(error),
    );
  }

  /**
   * A session being rotated (marked `rotatedAt`, see actorMiddleware) is not deleted but kept for
   * ROTATION_GRACE_MS, so that requests the browser already sent with the old cookie still find it.
   */
  override destroy(sid: string, callback?: Callback): void {
    this.#destroy(sid).then(
      () => callback?.(),
      (error) => callback?.(error),
    );
  }

  async #destroy(sid: string): Promise<void> {
    const doc = await this.#read(sid);
    const rotatedAt = doc ? (JSON.parse(doc.data) as { rotatedAt?: number }).rotatedAt : undefined;
    if (rotatedAt && rotatedAt > Date.now() - ROTATION_GRACE_MS) {
      await this.Session.updateOne({ _id: sid }, { $set: { expiresAt: new Date(rotatedAt + ROTATION_GRACE_MS) } });
    } else {
      await this.Session.deleteOne({ _id: sid });
    }
  }

  /** Deletes at once, grace or not (sign-out). */
  async destroyNow(sid: string): Promise<void> {
    await this.Session.deleteOne({ _id: sid });
  }

  /** Ends every session of one person (suspension). Scans sessions: rare, and never per request. */
  async destroyAllFor(memberId: string): Promise<number> {
    const result = await this.Session.deleteMany({ memberId });
    return result.deletedCount;
  }

  async removeExpired(now = new Date()): Promise<number> {
    const result = await this.Session.deleteMany({ expiresAt: trusted({ $lte: now }) });
    return result.deletedCount;
  }
}

/** How far a session's expiry must move before `touch` writes it. */
export const TOUCH_INTERVAL_MS = 60_000;

/** Sessions whose stored expiry is remembered between a request's read and its touch. */
const MAX_TRACKED = 10_000;

/** How long a rotated session id stays valid for requests already on their way. */
export const ROTATION_GRACE_MS = 30_000;

function expiry(data: SessionData): Date {
  const expires = data.cookie?.expires;
  return expires ? new Date(expires) : new Date(Date.now() + 24 * 3600 * 1000);
}
