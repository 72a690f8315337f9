import { Schema, type Connection, type Model } from 'mongoose';
import { cachePlugin } from '../cache/cache.plugin.ts';

/** express-session's sessions: `_id` is the session id, so every request's lookup is a point lookup. */
export interface SessionDoc {
  _id: string;
  /** The session as JSON text: its keys are not ours to vet for `$` or `.`. */
  data: string;
  expiresAt: Date;
  /** Whose session, to end them all at suspension. */
  memberId: string | null;
}
const sessionSchema = new Schema<SessionDoc>(
  { _id: String, data: { type: String, required: true }, expiresAt: { type: Date, required: true }, memberId: { type: String, default: null } },
  { versionKey: false },
);
sessionSchema.plugin(cachePlugin, { entity: 'sessions' });
export type SessionModel = Model<SessionDoc>;
export const registerSession = (connection: Connection): SessionModel => connection.model<SessionDoc>('Session', sessionSchema, 'sessions');

/** Attempt counters for rate limits, `_id` = `<scope>:<key>`; shared by all processes through the database. */
export interface RateLimitDoc {
  _id: string;
  windowStart: Date;
  count: number;
  /** Consecutive failures (sign-in), for growing delays. */
  failures: number;
  blockedUntil: Date | null;
  expiresAt: Date;
}
const rateLimitSchema = new Schema<RateLimitDoc>(
  {
    _id: String,
    windowStart: { type: Date, required: true },
    count: { type: Number, default: 0 },
    failures: { type: Number, default: 0 },
    blockedUntil: { type: Date, default: null },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
export type RateLimitModel = Model<RateLimitDoc>;
export const registerRateLimit = (connection: Connection): RateLimitModel => connection.model<RateLimitDoc>('RateLimit', rateLimitSchema, 'rate_limits');

/** The one-time first-admin setup token (only its hash is stored). */
export interface SetupTokenDoc {
  _id: 'first-admin';
  tokenHash: string;
  createdAt: Date;
  usedAt: Date | null;
}
const setupSchema = new Schema<SetupTokenDoc>(
  { _id: String, tokenHash: { type: String, required: true }, createdAt: { type: Date, required: true }, usedAt: { type: Date, default: null } },
  { versionKey: false },
);
export type SetupTokenModel = Model<SetupTokenDoc>;
export const registerSetupToken = (connection: Connection): SetupTokenModel => connection.model<SetupTokenDoc>('SetupToken', setupSchema, 'setup_tokens');
