import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { SECTORS, type Sector } from '../policy/policy.ts';

export type ApplicationStatus = 'draft' | 'pending' | 'needs_info' | 'approved' | 'rejected';

export interface ThreadEntry {
  at: Date;
  by: Types.ObjectId;
  from: 'moderator' | 'applicant';
  text: string;
}

/** One per applicant: `_id` is the applicant's member id, so "my application" is a point lookup. */
export interface ApplicationDoc {
  _id: Types.ObjectId;
  status: ApplicationStatus;
  organisationId: Types.ObjectId | null;
  proposedOrganisation: { name: string; domain: string } | null;
  sector: Sector;
  jobTitle: string;
  reason: string;
  referee: { name: string; email: string; organisation: string };
  thread: ThreadEntry[];
  submittedAt: Date;
  /** When it last entered the queue (first submission, or an answer to a question). */
  queuedAt: Date;
  decision: { by: Types.ObjectId; at: Date; reason: string } | null;
  createdAt: Date;
  updatedAt: Date;
}

const threadSchema = new Schema<ThreadEntry>(
  { at: Date, by: Schema.Types.ObjectId, from: { type: String, enum: ['moderator', 'applicant'] }, text: String },
  { _id: false },
);

const applicationSchema = new Schema<ApplicationDoc>(
  {
    _id: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, enum: ['draft', 'pending', 'needs_info', 'approved', 'rejected'], required: true },
    organisationId: { type: Schema.Types.ObjectId, default: null },
    proposedOrganisation: { type: new Schema({ name: String, domain: String }, { _id: false }), default: null },
    sector: { type: String, enum: SECTORS, required: true },
    jobTitle: { type: String, required: true },
    reason: { type: String, required: true },
    referee: { type: new Schema({ name: String, email: String, organisation: String }, { _id: false }), required: true },
    thread: { type: [threadSchema], default: [] },
    submittedAt: { type: Date, required: true },
    queuedAt: { type: Date, required: true },
    decision: { type: new Schema({ by: Schema.Types.ObjectId, at: Date, reason: String }, { _id: false }), default: null },
  },
  { timestamps: true, versionKey: false },
);

export type ApplicationModel = Model<ApplicationDoc>;
export const registerApplication = (connection: Connection): ApplicationModel =>
  connection.model<ApplicationDoc>('Application', applicationSchema, 'applications');
