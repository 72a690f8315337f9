import { m, msg } from '../http/locale.ts';
import type { RateLimitDoc, RateLimitModel } from './auth.model.ts';
import { RateLimited } from '../http/errors.ts';
import { trusted } from '../db/database.ts';

/**
 * Rate limits kept in the database, so that every app process counts the same attempts. Each
 * key is one document reached by `_id`.
 */
export class RateLimiter {
  constructor(private readonly RateLimit: RateLimitModel) {}

  /**
   * Counts one attempt in a fixed window; throws RateLimited past `limit`. The count is raised
   * before it is judged (one atomic $inc), so a burst of parallel requests cannot slip through.
   */
  async hit(key: string, limit: number, windowMs: number, now = Date.now()): Promise<void> {
    let doc: RateLimitDoc | null = await this.RateLimit.findOneAndUpdate(
      { _id: key },
      { $inc: { count: 1 }, $setOnInsert: { windowStart: new Date(now), failures: 0, blockedUntil: null, expiresAt: new Date(now + windowMs) } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    if (doc && doc.windowStart.getTime() + windowMs <= now) {
      // A new window: start counting again from this attempt.
      doc = await this.RateLimit.findOneAndUpdate(
        { _id: key },
        { $set: { windowStart: new Date(now), count: 1, expiresAt: new Date(now + windowMs) } },
        { returnDocument: 'after' },
      ).lean();
    }
    if (doc && doc.count > limit) throw new RateLimited(Math.max(1, Math.ceil((doc.windowStart.getTime() + windowMs - now) / 1000)));
  }

  /** Throws RateLimited while any of `keys` is in its back-off after failures. */
  async assertNotBlocked(keys: string[], now = Date.now()): Promise<void> {
    const docs = await Promise.all(keys.map((key) => this.RateLimit.findById(key).lean()));
    const until = Math.max(0, ...docs.map((doc) => doc?.blockedUntil?.getTime() ?? 0));
    if (until > now) throw new RateLimited(Math.ceil((until - now) / 1000), msg(m.error_too_many_failed));
  }

  /**
   * A failed attempt: after `free` failures each further one blocks the key for twice as long
   * as the one before (1 s, 2 s, 4 s … up to `maxDelayMs`). Counts reset after `resetMs` of quiet.
   * The failure is counted with one atomic $inc, so parallel guesses each count.
   */
  async fail(key: string, options: { free: number; maxDelayMs: number; resetMs: number }, now = Date.now()): Promise<void> {
    let doc: RateLimitDoc | null = await this.RateLimit.findOneAndUpdate(
      { _id: key },
      { $inc: { failures: 1 }, $setOnInsert: { windowStart: new Date(now), count: 0, blockedUntil: null, expiresAt: new Date(now + options.resetMs) } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    if (doc && doc.expiresAt.getTime() <= now) {
      doc = await this.RateLimit.findOneAndUpdate({ _id: key }, { $set: { failures: 1, blockedUntil: null } }, { returnDocument: 'after' }).lean();
    }
    const failures = doc?.failures ?? 1;
    const delay = failures > options.free ? Math.min(options.maxDelayMs, 1000 * 2 ** (failures - options.free - 1)) : 0;
    await this.RateLimit.updateOne(
      { _id: key },
      { $set: { expiresAt: new Date(now + options.resetMs) }, ...(delay ? { $max: { blockedUntil: new Date(now + delay) } } : {}) },
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
