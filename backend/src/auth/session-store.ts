import session, { type SessionData } from 'express-session';
import type { SessionModel } from './auth.model.ts';
import { trusted } from '../db/database.ts';

type Callback<T = void> = (error?: unknown, result?: T) => void;

/**
 * express-session store on our own collection. Every per-request call is a point lookup or write
 * by `_id` (the session id): ready-made stores filter on `_id` plus an expiry condition, which
 * the embedded engine answers by scanning the whole collection. Expired sessions are refused here
 * and removed by `removeExpired()`, run periodically (the engine has no TTL indexes).
 */
export class DatabaseSessionStore extends session.Store {
  constructor(private readonly Session: SessionModel) {
    super();
  }

  override get(sid: string, callback: Callback<SessionData | null>): void {
    this.Session.findById(sid)
      .lean()
      .then((doc) => {
        if (!doc || doc.expiresAt.getTime() <= Date.now()) return callback(undefined, null);
        callback(undefined, JSON.parse(doc.data) as SessionData);
      }, callback);
  }

  override set(sid: string, data: SessionData, callback?: Callback): void {
    const memberId = (data as { passport?: { user?: { id?: string } } }).passport?.user?.id ?? null;
    this.Session.replaceOne({ _id: sid }, { _id: sid, data: JSON.stringify(data), expiresAt: expiry(data), memberId }, { upsert: true }).then(
      () => callback?.(),
      (error) => callback?.(error),
    );
  }

  override touch(sid: string, data: SessionData, callback?: Callback): void {
    this.Session.updateOne({ _id: sid }, { $set: { expiresAt: expiry(data) } }).then(
      () => callback?.(),
      (error) => callback?.(error),
    );
  }

  override destroy(sid: string, callback?: Callback): void {
    this.Session.deleteOne({ _id: sid }).then(
      () => callback?.(),
      (error) => callback?.(error),
    );
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

function expiry(data: SessionData): Date {
  const expires = data.cookie?.expires;
  return expires ? new Date(expires) : new Date(Date.now() + 24 * 3600 * 1000);
}
