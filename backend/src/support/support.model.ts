import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { SupportRule } from '../policy/policy.ts';
import {
  ALL_SUPPORT_CATEGORIES,
  SUPPORT_KINDS,
  SUPPORT_STATUSES,
  SUPPORT_URGENCIES,
  SUPPORT_VISIBILITIES,
  type SupportCategory,
  type SupportKind,
  type SupportStatus,
  type SupportUrgency,
  type SupportVisibility,
} from '../shared/support-topics.ts';

/** Replies a request's thread may hold (a request is a conversation, not a channel). */
export const MAX_REPLIES = 500;
/** Experts one request may have assigned (by triage and by escalation together). */
export const MAX_EXPERTS = 25;

/** One message in a request's private thread. `side` is fixed when it is written: who spoke for whom. */
export interface SupportReply {
  id: string;
  authorId: string;
  /** `requester`: the requester or a colleague of their organisation; `desk`: triage or an expert. */
  side: 'requester' | 'desk';
  source: string;
  html: string;
  at: Date;
}

/** A library draft written from a resolved request's learnings, only with the requester's consent. */
export interface SupportLibraryDraft {
  title: string;
  category: string;
  source: string;
  html: string;
  authorId: string;
  at: Date;
}

/**
 * A confidential support-desk request. The desk is a small collection (dozens of requests a month):
 * lists and the deadline job read it whole and filter by the policy in memory. The thread lives in
 * the request's own document, so a reply is one atomic `$push`.
 */
export interface SupportRequestDoc {
  _id: Types.ObjectId;
  kind: SupportKind;
  category: SupportCategory;
  urgency: SupportUrgency;
  subject: string;
  descriptionSource: string;
  descriptionHtml: string;
  organisationId: string;
  requesterId: string;
  visibility: SupportVisibility;
  /** Experts never learn the organisation or the requester (on any path). */
  anonymousToExperts: boolean;
  status: SupportStatus;
  assignedExpertIds: string[];
  replies: SupportReply[];
  /** When it was opened, by the server's clock (deadlines count from here). */
  openedAt: Date;
  /** The first-response target for its urgency, fixed when it was opened. */
  firstResponseDueAt: Date;
  /** The desk's first reply. */
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  rating: { score: number; comment: string; at: Date } | null;
  libraryDraftConsent: boolean;
  libraryDraft: SupportLibraryDraft | null;
  /** Removal orders only: when the order arrived, under which law, its legal deadline. */
  orderReceivedAt: Date | null;
  jurisdiction: string | null;
  deadlineAt: Date | null;
  /** Half of the time to the deadline: when it escalates to every expert on duty (once). */
  escalateAt: Date | null;
  escalatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type SupportRequestModel = Model<SupportRequestDoc>;

export const supportRule = (request: Pick<SupportRequestDoc, 'requesterId' | 'organisationId' | 'visibility' | 'assignedExpertIds'>): SupportRule => ({
  requesterId: request.requesterId,
  organisationId: request.organisationId,
  visibility: request.visibility,
  assignedExpertIds: request.assignedExpertIds,
});

const replySchema = new Schema<SupportReply>(
  { id: String, authorId: String, side: { type: String, enum: ['requester', 'desk'] }, source: String, html: String, at: Date },
  { _id: false },
);
const draftSchema = new Schema<SupportLibraryDraft>({ title: String, category: String, source: String, html: String, authorId: String, at: Date }, { _id: false });

export function registerSupportRequest(connection: Connection): SupportRequestModel {
  const schema = new Schema<SupportRequestDoc>(
    {
      kind: { type: String, enum: SUPPORT_KINDS, required: true },
      category: { type: String, enum: ALL_SUPPORT_CATEGORIES, required: true },
      urgency: { type: String, enum: SUPPORT_URGENCIES, required: true },
      subject: { type: String, required: true },
      descriptionSource: { type: String, default: '' },
      descriptionHtml: { type: String, default: '' },
      organisationId: { type: String, required: true },
      requesterId: { type: String, required: true },
      visibility: { type: String, enum: SUPPORT_VISIBILITIES, required: true },
      anonymousToExperts: { type: Boolean, default: false },
      status: { type: String, enum: SUPPORT_STATUSES, default: 'new' },
      assignedExpertIds: { type: [String], default: [] },
      replies: { type: [replySchema], default: [] },
      openedAt: { type: Date, required: true },
      firstResponseDueAt: { type: Date, required: true },
      firstResponseAt: { type: Date, default: null },
      resolvedAt: { type: Date, default: null },
      rating: { type: new Schema({ score: Number, comment: String, at: Date }, { _id: false }), default: null },
      libraryDraftConsent: { type: Boolean, default: false },
      libraryDraft: { type: draftSchema, default: null },
      orderReceivedAt: { type: Date, default: null },
      jurisdiction: { type: String, default: null },
      deadlineAt: { type: Date, default: null },
      escalateAt: { type: Date, default: null },
      escalatedAt: { type: Date, default: null },
    },
    { collection: 'support_requests', timestamps: true, versionKey: false },
  );
  return connection.model<SupportRequestDoc>('SupportRequest', schema);
}
