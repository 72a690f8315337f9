import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { TLP_MARKINGS, type TlpMarking } from '../policy/policy.ts';

export const MATERIAL_KINDS = ['findings', 'material'] as const;
export type MaterialKind = (typeof MATERIAL_KINDS)[number];

/** The PDF attached to a material (bytes in the file store, `files_<fileId>`). */
export interface MaterialAttachment {
  fileId: string;
  size: number;
}

/**
 * What organisers publish around an event: findings (after it started) and materials (any time).
 * A small collection (a few per event, dozens of events a year): an event's list reads it by
 * `eventId`; search and the detail read by `_id`.
 */
export interface EventMaterialDoc {
  _id: Types.ObjectId;
  eventId: string;
  kind: MaterialKind;
  title: string;
  bodySource: string;
  bodyHtml: string;
  marking: TlpMarking;
  authorId: string;
  attachment: MaterialAttachment | null;
  createdAt: Date;
  updatedAt: Date;
}

export type EventMaterialModel = Model<EventMaterialDoc>;

export function registerEventMaterial(connection: Connection): EventMaterialModel {
  const schema = new Schema<EventMaterialDoc>(
    {
      eventId: { type: String, required: true },
      kind: { type: String, enum: MATERIAL_KINDS, required: true },
      title: { type: String, required: true },
      bodySource: { type: String, default: '' },
      bodyHtml: { type: String, default: '' },
      marking: { type: String, enum: TLP_MARKINGS, required: true },
      authorId: { type: String, required: true },
      attachment: { type: new Schema<MaterialAttachment>({ fileId: String, size: Number }, { _id: false }), default: null },
    },
    { collection: 'event_materials', timestamps: true },
  );
  schema.index({ eventId: 1 });
  return connection.model<EventMaterialDoc>('EventMaterial', schema);
}

export const FEEDBACK_RATINGS = [1, 2, 3, 4, 5] as const;
/** "What would help you next?" (several may be chosen). */
export const FEEDBACK_WANTED = ['follow_up', 'written_guidance', 'tooling', 'peer_contacts'] as const;
export type FeedbackWanted = (typeof FEEDBACK_WANTED)[number];

/**
 * That a member has answered an event's feedback form, and nothing else: `_id` is
 * `<eventId>:<memberId>`, so a second answer is a duplicate key (atomic, on both engines). Answers
 * are never stored per person: they go straight into the event's tally.
 */
export interface FeedbackGiverDoc {
  _id: string;
  eventId: string;
  memberId: string;
}

export function registerFeedbackGiver(connection: Connection): Model<FeedbackGiverDoc> {
  const schema = new Schema<FeedbackGiverDoc>({ _id: String, eventId: { type: String, required: true }, memberId: { type: String, required: true } }, { collection: 'event_feedback_givers', versionKey: false });
  return connection.model<FeedbackGiverDoc>('FeedbackGiver', schema);
}

export interface FeedbackCounts {
  responses: number;
  rating: Record<`r${(typeof FEEDBACK_RATINGS)[number]}`, number>;
  useful: { yes: number; no: number };
  wanted: Record<FeedbackWanted, number>;
}

/** One document per event (`_id`: the event's id): the counts, raised by `$inc`. */
export interface FeedbackTallyDoc extends FeedbackCounts {
  _id: string;
}

const counter = { type: Number, default: 0 };
const countsOf = (keys: readonly string[]) => new Schema(Object.fromEntries(keys.map((key) => [key, counter])), { _id: false });

export function registerFeedbackTally(connection: Connection): Model<FeedbackTallyDoc> {
  const schema = new Schema<FeedbackTallyDoc>(
    {
      _id: String,
      responses: counter,
      rating: { type: countsOf(FEEDBACK_RATINGS.map((value) => `r${value}`)), default: () => ({}) },
      useful: { type: countsOf(['yes', 'no']), default: () => ({}) },
      wanted: { type: countsOf(FEEDBACK_WANTED), default: () => ({}) },
    },
    { collection: 'event_feedback_tallies', versionKey: false },
  );
  return connection.model<FeedbackTallyDoc>('FeedbackTally', schema);
}
