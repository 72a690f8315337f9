import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { cachePlugin } from '../cache/cache.plugin.ts';
import { moderationStateSchema, type ModerationState } from '../moderation/moderation.types.ts';
import { SECTORS, TLP_MARKINGS, type AlertRule, type Sector, type TlpMarking } from '../policy/policy.ts';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const ALERT_STATUSES = ['active', 'monitoring', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export const TAG_FACETS = ['platforms', 'tactics', 'regions'] as const;
export type TagFacet = (typeof TAG_FACETS)[number];
export const INDICATOR_KINDS = ['url', 'domain', 'ip', 'hash', 'handle', 'keyword'] as const;
export type IndicatorKind = (typeof INDICATOR_KINDS)[number];
export const HASH_ALGORITHMS = ['md5', 'sha1', 'sha256'] as const;
export type HashAlgorithm = (typeof HASH_ALGORITHMS)[number];
export const ACK_STATES = ['reviewed', 'acting', 'not_affected'] as const;
export type AckState = (typeof ACK_STATES)[number];

export const severityRank = (severity: Severity): number => SEVERITIES.indexOf(severity);

export interface Recipients {
  organisationIds: string[];
  sectors: Sector[];
  memberIds: string[];
}

export interface Indicator {
  kind: IndicatorKind;
  value: string;
  /** Hashes only: inferred from the length. */
  algorithm: HashAlgorithm | null;
}

export type AlertTags = Record<TagFacet, string[]>;

/** One entry on an alert's timeline: nothing about an alert changes without one. */
export interface TimelineEntry {
  id: string;
  authorId: string;
  at: Date;
  source: string;
  html: string;
  changes: {
    severity: { from: Severity; to: Severity } | null;
    status: { from: AlertStatus; to: AlertStatus } | null;
    marking: { from: TlpMarking; to: TlpMarking } | null;
  };
}

/** Every marking an alert has had, the first one included: who could see it, and since when. */
export interface MarkingRecord {
  marking: TlpMarking;
  recipients: Recipients;
  by: string;
  at: Date;
}

/**
 * A trend alert. Alerts are a modest-volume collection (a few thousand over years, README): lists
 * read the collection and filter by the policy in memory. Ids are strings because the policy
 * compares them with actors' ids.
 */
export interface AlertDoc {
  _id: Types.ObjectId;
  authorId: string;
  title: string;
  summarySource: string;
  summaryHtml: string;
  severity: Severity;
  status: AlertStatus;
  marking: TlpMarking;
  recipients: Recipients;
  tags: AlertTags;
  indicators: Indicator[];
  timeline: TimelineEntry[];
  markingHistory: MarkingRecord[];
  moderation: ModerationState | null;
  publishedAt: Date;
  updatedAt: Date;
}

export function alertRule(alert: Pick<AlertDoc, 'authorId' | 'marking' | 'recipients'>): AlertRule {
  return { authorId: alert.authorId, marking: alert.marking, recipients: alert.recipients };
}

const recipientsSchema = new Schema<Recipients>(
  { organisationIds: { type: [String], default: [] }, sectors: { type: [{ type: String, enum: SECTORS }], default: [] }, memberIds: { type: [String], default: [] } },
  { _id: false },
);
const indicatorSchema = new Schema<Indicator>({ kind: { type: String, enum: INDICATOR_KINDS, required: true }, value: { type: String, required: true }, algorithm: { type: String, enum: [...HASH_ALGORITHMS, null], default: null } }, { _id: false });
const changeSchema = (values: readonly string[]) => new Schema({ from: { type: String, enum: values }, to: { type: String, enum: values } }, { _id: false });
const timelineSchema = new Schema<TimelineEntry>(
  {
    id: { type: String, required: true },
    authorId: { type: String, required: true },
    at: { type: Date, required: true },
    source: { type: String, default: '' },
    html: { type: String, default: '' },
    changes: {
      severity: { type: changeSchema(SEVERITIES), default: null },
      status: { type: changeSchema(ALERT_STATUSES), default: null },
      marking: { type: changeSchema(TLP_MARKINGS), default: null },
    },
  },
  { _id: false },
);
const markingRecordSchema = new Schema<MarkingRecord>(
  { marking: { type: String, enum: TLP_MARKINGS, required: true }, recipients: { type: recipientsSchema, required: true }, by: { type: String, required: true }, at: { type: Date, required: true } },
  { _id: false },
);

const alertSchema = new Schema<AlertDoc>(
  {
    authorId: { type: String, required: true },
    title: { type: String, required: true },
    summarySource: { type: String, required: true },
    summaryHtml: { type: String, required: true },
    severity: { type: String, enum: SEVERITIES, required: true },
    status: { type: String, enum: ALERT_STATUSES, required: true },
    marking: { type: String, enum: TLP_MARKINGS, required: true },
    recipients: { type: recipientsSchema, required: true },
    tags: {
      platforms: { type: [String], default: [] },
      tactics: { type: [String], default: [] },
      regions: { type: [String], default: [] },
    },
    indicators: { type: [indicatorSchema], default: [] },
    timeline: { type: [timelineSchema], default: [] },
    markingHistory: { type: [markingRecordSchema], default: [] },
    moderation: { type: moderationStateSchema, default: null },
    publishedAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

alertSchema.plugin(cachePlugin, { entity: 'alerts' });
export type AlertModel = Model<AlertDoc>;
export const registerAlert = (connection: Connection): AlertModel => connection.model<AlertDoc>('Alert', alertSchema, 'alerts');

/**
 * An organisation's acknowledgement of an alert: `_id` is `<alertId>:<organisationId>`, so "did my
 * organisation answer" is a point lookup. Later changes keep the earlier answers.
 */
export interface AlertAckDoc {
  _id: string;
  alertId: string;
  organisationId: string;
  state: AckState;
  note: string;
  by: string;
  at: Date;
  history: { state: AckState; note: string; by: string; at: Date }[];
}
const ackSchema = new Schema<AlertAckDoc>(
  {
    _id: String,
    alertId: { type: String, required: true },
    organisationId: { type: String, required: true },
    state: { type: String, enum: ACK_STATES, required: true },
    note: { type: String, default: '' },
    by: { type: String, required: true },
    at: { type: Date, required: true },
    history: { type: [new Schema({ state: String, note: String, by: String, at: Date }, { _id: false })], default: [] },
  },
  { versionKey: false },
);
// The board reads one alert's acknowledgements.
ackSchema.index({ alertId: 1 });
ackSchema.plugin(cachePlugin, { entity: 'alertAcks' });
export type AlertAckModel = Model<AlertAckDoc>;
export const registerAlertAck = (connection: Connection): AlertAckModel => connection.model<AlertAckDoc>('AlertAck', ackSchema, 'alert_acks');

export const ackId = (alertId: string, organisationId: string) => `${alertId}:${organisationId}`;

/** Per facet: the tags one follows and the least severity worth a notification. */
export type Subscription = Record<TagFacet, { tags: string[]; minSeverity: Severity }>;

/**
 * One per member (`_id` = member id): subscriptions and the hash (SHA-256) of the member's one valid
 * feed token. Rotation and revocation replace it in one atomic write, so there is never a second
 * valid token; the token itself is never stored.
 */
export interface AlertSubscriptionDoc {
  _id: Types.ObjectId;
  facets: Subscription;
  feedTokenHash: string | null;
  feedTokenCreatedAt: Date | null;
}
const facetSchema = new Schema({ tags: { type: [String], default: [] }, minSeverity: { type: String, enum: SEVERITIES, default: 'low' } }, { _id: false });
const subscriptionSchema = new Schema<AlertSubscriptionDoc>(
  {
    _id: Schema.Types.ObjectId,
    facets: {
      platforms: { type: facetSchema, default: () => ({}) },
      tactics: { type: facetSchema, default: () => ({}) },
      regions: { type: facetSchema, default: () => ({}) },
    },
    feedTokenHash: { type: String, default: null },
    feedTokenCreatedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
// The Atom feed finds its owner by the token's hash.
subscriptionSchema.index({ feedTokenHash: 1 });
export type AlertSubscriptionModel = Model<AlertSubscriptionDoc>;
export const registerAlertSubscription = (connection: Connection): AlertSubscriptionModel =>
  connection.model<AlertSubscriptionDoc>('AlertSubscription', subscriptionSchema, 'alert_subscriptions');
