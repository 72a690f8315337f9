import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * The outbox: one document per mail still to be sent, and only those. A sent or finally failed
 * mail leaves it for `mail_log` (without its body), so the worker's poll reads a collection that
 * stays as small as the backlog (DESIGN: on the embedded engine every filter but `_id` scans).
 * `_id` is the mail's id and the left part of its Message-ID, fixed when it is queued: a retry
 * after a crash between sending and recording sends the same Message-ID again.
 */
export interface OutboxDoc {
  _id: string;
  /** What kind of mail (verify-email, password-reset, …): shown to admins instead of the body. */
  kind: string;
  to: string;
  memberId: Types.ObjectId | null;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
}
const outboxSchema = new Schema<OutboxDoc>(
  {
    _id: String,
    kind: { type: String, required: true },
    to: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, default: null },
    subject: { type: String, required: true },
    text: { type: String, required: true },
    html: { type: String, required: true },
    headers: { type: Schema.Types.Mixed, default: {} },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    lastError: { type: String, default: null },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, minimize: false },
);
export type OutboxModel = Model<OutboxDoc>;
export const registerOutbox = (connection: Connection): OutboxModel => connection.model<OutboxDoc>('Outbox', outboxSchema, 'mail_outbox');

/**
 * A worker's claim on one attempt of one mail: `_id` = `<mailId>:<attempt>`. Inserting a
 * duplicate `_id` is atomic on both engines, so of several workers exactly one sends an attempt.
 */
export interface MailClaimDoc {
  _id: string;
  at: Date;
}
const claimSchema = new Schema<MailClaimDoc>({ _id: String, at: { type: Date, required: true } }, { versionKey: false });
export type MailClaimModel = Model<MailClaimDoc>;
export const registerMailClaim = (connection: Connection): MailClaimModel => connection.model<MailClaimDoc>('MailClaim', claimSchema, 'mail_claims');

/** What became of a mail, for admins: never its body, never its subject's values beyond the kind. */
export interface MailLogDoc {
  _id: string;
  kind: string;
  to: string;
  status: 'sent' | 'failed';
  attempts: number;
  reason: string | null;
  queuedAt: Date;
  at: Date;
}
const mailLogSchema = new Schema<MailLogDoc>(
  {
    _id: String,
    kind: { type: String, required: true },
    to: { type: String, required: true },
    status: { type: String, enum: ['sent', 'failed'], required: true },
    attempts: { type: Number, required: true },
    reason: { type: String, default: null },
    queuedAt: { type: Date, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
export type MailLogModel = Model<MailLogDoc>;
export const registerMailLog = (connection: Connection): MailLogModel => connection.model<MailLogDoc>('MailLog', mailLogSchema, 'mail_log');

/** Single-use link tokens (verify an address, reset a password): `_id` is the token's SHA-256, never the token. */
export interface MailTokenDoc {
  _id: string;
  purpose: 'verify-email' | 'password-reset' | 'change-email' | 'affiliation';
  memberId: Types.ObjectId;
  /** The address being verified (normalised): a token verifies the address it was sent to, nothing else. */
  email: string;
  expiresAt: Date;
}
const mailTokenSchema = new Schema<MailTokenDoc>(
  {
    _id: String,
    purpose: { type: String, enum: ['verify-email', 'password-reset', 'change-email', 'affiliation'], required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
    email: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
export type MailTokenModel = Model<MailTokenDoc>;
export const registerMailToken = (connection: Connection): MailTokenModel => connection.model<MailTokenDoc>('MailToken', mailTokenSchema, 'mail_tokens');

export function registerMail(connection: Connection) {
  return {
    Outbox: registerOutbox(connection),
    MailClaim: registerMailClaim(connection),
    MailLog: registerMailLog(connection),
    MailToken: registerMailToken(connection),
  };
}
