import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { CONTENT_TYPES, MODERATION_REASONS, moderationStateSchema, type ContentType, type ModerationReason, type ModerationState } from './moderation.types.ts';

/**
 * Moderation's collections. Every per-request path reaches them by `_id`: a report is
 * `<type>:<id>:<reporterId>` (the unique insert is what stops a second report), a queue entry is
 * `<type>:<id>`, a wellbeing record is the moderator's id, a transparency month is `YYYY-MM`.
 * Only moderators' pages scan (the open queue, pending appeals, an author's history).
 */

export const ACTION_KINDS = ['dismiss', 'hide', 'warning', 'redact', 'warn', 'suspend'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

export const queueKey = (type: ContentType, id: string) => `${type}:${id}`;

/** One member's report of one item; private to moderators. */
export interface ReportDoc {
  _id: string;
  type: ContentType;
  itemId: string;
  reporterId: string;
  reason: ModerationReason;
  note: string;
  at: Date;
}
const reportSchema = new Schema<ReportDoc>(
  {
    _id: String,
    type: { type: String, enum: CONTENT_TYPES, required: true },
    itemId: { type: String, required: true },
    reporterId: { type: String, required: true },
    reason: { type: String, enum: MODERATION_REASONS, required: true },
    note: { type: String, default: '' },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);
// The queue detail lists an item's reports (moderators only).
reportSchema.index({ type: 1, itemId: 1 });

/** One reported item in the review queue, its counters updated atomically by each report. */
export interface QueueEntryDoc {
  _id: string;
  type: ContentType;
  itemId: string;
  authorId: string;
  /** The item was posted anonymously: its author is never shown or linked (see ModeratableItem). */
  anonymous: boolean;
  /** Reports per reason: `{ harassment: 2 }`. */
  reasons: Partial<Record<ModerationReason, number>>;
  reporters: number;
  firstReportAt: Date;
  lastReportAt: Date;
  state: 'open' | 'resolved';
  resolvedAt: Date | null;
  /** When a moderator first acted; set once (the transparency report's time to first action). */
  firstActionAt: Date | null;
}
const queueSchema = new Schema<QueueEntryDoc>(
  {
    _id: String,
    type: { type: String, enum: CONTENT_TYPES, required: true },
    itemId: { type: String, required: true },
    authorId: { type: String, required: true },
    anonymous: { type: Boolean, default: false },
    reasons: { type: Schema.Types.Mixed, default: {} },
    reporters: { type: Number, default: 0 },
    firstReportAt: { type: Date, required: true },
    lastReportAt: { type: Date, required: true },
    state: { type: String, enum: ['open', 'resolved'], required: true },
    resolvedAt: { type: Date, default: null },
    firstActionAt: { type: Date, default: null },
  },
  { versionKey: false, minimize: false },
);
queueSchema.index({ state: 1, reporters: -1, lastReportAt: -1 });

export interface AppealDoc {
  note: string;
  at: Date;
  decision: { outcome: 'upheld' | 'overturned'; note: string; by: string; at: Date } | null;
}

/**
 * One moderator's action on one item, with the item's state before and after, so a reversal
 * restores exactly what was there. The author's one appeal lives on the action (a conditional
 * update claims it), so "once per action" is a single atomic write.
 */
export interface ActionDoc {
  _id: Types.ObjectId;
  type: ContentType;
  itemId: string;
  authorId: string;
  /** The item was posted anonymously: `authorId` is never presented and the action is in no author's history. */
  anonymous: boolean;
  kind: ActionKind;
  reason: ModerationReason;
  note: string;
  by: string;
  at: Date;
  before: ModerationState | null;
  after: ModerationState | null;
  link: string;
  reversed: { by: string; at: Date; note: string } | null;
  appeal: AppealDoc | null;
  /** Flat copy of where the appeal stands, for the moderators' list of pending appeals. */
  appealState: 'none' | 'pending' | 'decided';
}
const actionSchema = new Schema<ActionDoc>(
  {
    type: { type: String, enum: CONTENT_TYPES, required: true },
    itemId: { type: String, required: true },
    authorId: { type: String, required: true },
    anonymous: { type: Boolean, default: false },
    kind: { type: String, enum: ACTION_KINDS, required: true },
    reason: { type: String, enum: MODERATION_REASONS, required: true },
    note: { type: String, default: '' },
    by: { type: String, required: true },
    at: { type: Date, required: true },
    before: { type: moderationStateSchema, default: null },
    after: { type: moderationStateSchema, default: null },
    link: { type: String, required: true },
    reversed: { type: new Schema({ by: String, at: Date, note: String }, { _id: false }), default: null },
    appeal: {
      type: new Schema(
        {
          note: String,
          at: Date,
          decision: { type: new Schema({ outcome: { type: String, enum: ['upheld', 'overturned'] }, note: String, by: String, at: Date }, { _id: false }), default: null },
        },
        { _id: false },
      ),
      default: null,
    },
    appealState: { type: String, enum: ['none', 'pending', 'decided'], default: 'none' },
  },
  { versionKey: false },
);
actionSchema.index({ authorId: 1, at: -1 });
actionSchema.index({ type: 1, itemId: 1 });
actionSchema.index({ appealState: 1 });

/** Per moderator: their daily limit on terrorist-content items, and how many they revealed today (UTC). */
export interface WellbeingDoc {
  _id: string;
  dailyLimit: number | null;
  day: string;
  reveals: number;
}
const wellbeingSchema = new Schema<WellbeingDoc>(
  { _id: String, dailyLimit: { type: Number, default: null }, day: { type: String, default: '' }, reveals: { type: Number, default: 0 } },
  { versionKey: false },
);

/**
 * One document per month of counters, raised with `$inc` by the actions themselves, so the report
 * never reads the audit log. Durations from first report to first action (seconds) are kept in a
 * bounded list: the median is exact up to `MEDIAN_SAMPLE_LIMIT` actions a month, then taken over
 * the newest ones.
 */
export interface TransparencyMonthDoc {
  _id: string;
  reports: Record<string, number>;
  actions: Record<string, number>;
  reversals: number;
  appeals: { received: number; upheld: number; overturned: number };
  applications: { approved: number; rejected: number };
  firstActionSeconds: number[];
  /** Support-desk requests opened, by kind (counts only). */
  support: Record<string, number>;
  supportFirstResponseSeconds: number[];
}
export const MEDIAN_SAMPLE_LIMIT = 10_000;
const transparencySchema = new Schema<TransparencyMonthDoc>(
  {
    _id: String,
    reports: { type: Schema.Types.Mixed, default: {} },
    actions: { type: Schema.Types.Mixed, default: {} },
    reversals: { type: Number, default: 0 },
    appeals: { type: Schema.Types.Mixed, default: {} },
    applications: { type: Schema.Types.Mixed, default: {} },
    firstActionSeconds: { type: [Number], default: [] },
    support: { type: Schema.Types.Mixed, default: {} },
    supportFirstResponseSeconds: { type: [Number], default: [] },
  },
  { versionKey: false, minimize: false },
);

/** Slow mode: a member's last message in a channel, `_id` `<channelId>:<memberId>`. */
export interface SlowModeTurnDoc {
  _id: string;
  at: Date;
}
const slowModeSchema = new Schema<SlowModeTurnDoc>({ _id: String, at: { type: Date, required: true } }, { versionKey: false });

export const registerModeration = (connection: Connection) => ({
  Report: connection.model<ReportDoc>('Report', reportSchema, 'moderation_reports') as Model<ReportDoc>,
  ModerationQueue: connection.model<QueueEntryDoc>('ModerationQueue', queueSchema, 'moderation_queue') as Model<QueueEntryDoc>,
  ModerationAction: connection.model<ActionDoc>('ModerationAction', actionSchema, 'moderation_actions') as Model<ActionDoc>,
  Wellbeing: connection.model<WellbeingDoc>('Wellbeing', wellbeingSchema, 'moderator_wellbeing') as Model<WellbeingDoc>,
  TransparencyMonth: connection.model<TransparencyMonthDoc>('TransparencyMonth', transparencySchema, 'transparency_months') as Model<TransparencyMonthDoc>,
  SlowModeTurn: connection.model<SlowModeTurnDoc>('SlowModeTurn', slowModeSchema, 'slow_mode_turns') as Model<SlowModeTurnDoc>,
});
