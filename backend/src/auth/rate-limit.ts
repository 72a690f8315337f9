import type { RateLimitModel } from './auth.model.ts';
import { RateLimited } from '../http/errors.ts';
import { trusted } from '../db/database.ts';

/**
 * Rate limits kept in the database, so that every app process counts the same attempts. Each
 * key is one document reached by `_id`.
 */
export class RateLimiter {
  constructor(private readonly RateLimit: RateLimitModel) {}

  /** Counts one attempt in a fixed window; throws RateLimited past `limit`. */
  async hit(key: string, limit: number, windowMs: number, now = Date.now()): Promise<void> {
    const doc = await this.RateLimit.findById(key).lean();
    if (!doc || doc.windowStart.getTime() + windowMs <= now) {
      await this.RateLimit.replaceOne(
        { _id: key },
        { _id: key, windowStart: new Date(now), count: 1, failures: 0, blockedUntil: null, expiresAt: new Date(now + windowMs) },
        { upsert: true },
      );
      return;
    }
    if (doc.count >= limit) throw new RateLimited(Math.ceil((doc.windowStart.getTime() + windowMs - now) / 1000));
    await this.RateLimit.updateOne({ _id: key }, { $inc: { count: 1 } });
  }

  /** Throws RateLimited while any of `keys` is in its back-off after failures. */
  async assertNotBlocked(keys: string[], now = Date.now()): Promise<void> {
    const docs = await Promise.all(keys.map((key) => this.RateLimit.findById(key).lean()));
    const until = Math.max(0, ...docs.map((doc) => doc?.blockedUntil?.getTime() ?? 0));
    if (until > now) throw new RateLimited(Math.ceil((until - now) / 1000), 'Too many failed attempts. Wait a moment and try again.');
  }

  /**
   * A failed attempt: after `free` failures each further one blocks the key for twice as long
   * as the one before (1 s, 2 s, 4 s … up to `maxDelayMs`). Counts reset after `resetMs` of quiet.
   */
  async fail(key: string, options: { free: number; maxDelayMs: number; resetMs: number }, now = Date.now()): Promise<void> {
    const doc = await this.RateLimit.findById(key).lean();
    const failures = doc && doc.expiresAt.getTime() > now ? doc.failures + 1 : 1;
    const delay = failures > options.free ? Math.min(options.maxDelayMs, 1000 * 2 ** (failures - options.free - 1)) : 0;
    await this.RateLimit.replaceOne(
      { _id: key },
      {
        _id: key,
        windowStart: doc?.windowStart ?? new Date(now),
        count: doc?.count ?? 0,
        failures,
        blockedUntil: delay ? new Date(now + delay) : null,
        expiresAt: new Date(now + options.resetMs),
      },
      { upsert: true },
    );
  }

  async succeed(key: string): Promise<void> {
    await this.RateLimit.deleteOne({ _id: key });
  }

  async removeExpired(now = new Date()): Promise<number> {
    const result = await this.RateLimit.deleteMany({ expiresAt: trusted({ $lte: now }) });
    return result.deletedCount;
  }
}
