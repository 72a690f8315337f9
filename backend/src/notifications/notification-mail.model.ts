import { Schema, type Connection, type Model } from 'mongoose';

/** The kinds of notification a member chooses e-mail for, one mode each. */
export const MAIL_KINDS = ['mention', 'reply', 'answer', 'decision', 'subscribed_alert', 'critical_alert'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

export const MAIL_MODES = ['immediate', 'hourly', 'daily', 'off'] as const;
export type MailMode = (typeof MAIL_MODES)[number];

/**
 * Defaults: what needs a person soon (mentions, decisions, critical alerts) at once when they are
 * away; conversation (replies, answers) gathered hourly; subscribed alerts once a day.
 */
export const DEFAULT_MAIL_PREFS: Record<MailKind, MailMode> = {
  mention: 'immediate',
  reply: 'hourly',
  answer: 'hourly',
  decision: 'immediate',
  subscribed_alert: 'daily',
  critical_alert: 'immediate',
};

/** Critical alerts are sent at once or not at all: a digest would defeat their purpose. */
export const CRITICAL_MODES: readonly MailMode[] = ['immediate', 'off'];

/** A member's choices, one document per member (`_id` = member id as a string): a point lookup. Kinds not set use the defaults. */
export interface MailPrefsDoc {
  _id: string;
  prefs: Partial<Record<MailKind, MailMode>>;
  updatedAt: Date;
}
const prefsSchema = new Schema<MailPrefsDoc>(
  { _id: String, prefs: { type: Schema.Types.Mixed, default: {} }, updatedAt: { type: Date, required: true } },
  { versionKey: false, minimize: false },
);

/**
 * A notification waiting to be mailed, one document per member and notification
 * (`_id` = `<memberId>:<notificationId>`). It holds only the safe subject and line decided when it
 * was queued (safeNotificationContent), never the notification's body. The collection holds only
 * what is still waiting, so the job's scan reads as much as the backlog.
 */
export interface PendingMailDoc {
  _id: string;
  memberId: string;
  notificationId: string;
  kind: MailKind;
  mode: Exclude<MailMode, 'off'>;
  subject: string;
  line: string;
  link: string;
  at: Date;
}
const pendingSchema = new Schema<PendingMailDoc>(
  {
    _id: String,
    memberId: { type: String, required: true },
    notificationId: { type: String, required: true },
    kind: { type: String, enum: MAIL_KINDS, required: true },
    mode: { type: String, enum: ['immediate', 'hourly', 'daily'], required: true },
    subject: { type: String, required: true },
    line: { type: String, required: true },
    link: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

/** When a member last had a live socket (`_id` = member id): set on connect and on disconnect. */
export interface PresenceDoc {
  _id: string;
  lastSeenAt: Date;
}
const presenceSchema = new Schema<PresenceDoc>({ _id: String, lastSeenAt: { type: Date, required: true } }, { versionKey: false });

/**
 * The marker that a critical alert was mailed to a member: `_id` = `<alertId>:<memberId>`, unique
 * by construction, so of two publishes, widenings or updates racing, exactly one inserts it and sends.
 */
export interface AlertMailMarkDoc {
  _id: string;
  at: Date;
}
const markSchema = new Schema<AlertMailMarkDoc>({ _id: String, at: { type: Date, required: true } }, { versionKey: false });

export function registerNotificationMail(connection: Connection) {
  return {
    MailPrefs: connection.model<MailPrefsDoc>('MailPrefs', prefsSchema, 'notification_mail_prefs') as Model<MailPrefsDoc>,
    PendingMail: connection.model<PendingMailDoc>('PendingMail', pendingSchema, 'notification_mail_pending') as Model<PendingMailDoc>,
    Presence: connection.model<PresenceDoc>('Presence', presenceSchema, 'presence') as Model<PresenceDoc>,
    AlertMailMark: connection.model<AlertMailMarkDoc>('AlertMailMark', markSchema, 'alert_mail_marks') as Model<AlertMailMarkDoc>,
  };
}
