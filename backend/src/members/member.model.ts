import { locales, type Locale } from '../shared/i18n/locale.ts';
import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { cachePlugin } from '../cache/cache.plugin.ts';
import { EXPERT_AREAS, type ExpertArea } from '../shared/support-topics.ts';
import { ROLES, SECTORS, type MemberStatus, type Role, type Sector } from '../policy/policy.ts';

export interface MemberDoc {
  _id: Types.ObjectId;
  /** As the person typed it (trimmed). */
  email: string;
  /** Lower-cased; unique. Looked up at sign-in. */
  emailNormalized: string;
  emailDomain: string;
  /** When the current address was proved (a link sent to it was followed, or the identity provider vouched); null until then. */
  emailVerifiedAt: Date | null;
  name: string;
  nameNormalized: string;
  jobTitle: string;
  bio: string;
  /** The language chosen on the profile, for pages, notifications and e-mails; null: the browser's. */
  locale?: Locale | null;
  /** scrypt hash; null for people who only sign in through an identity provider. */
  passwordHash: string | null;
  status: MemberStatus;
  suspension: { reason: string; by: Types.ObjectId; at: Date } | null;
  roles: Role[];
  organisationId: Types.ObjectId | null;
  /** The organisation's sector, copied at approval and whenever the organisation's sector changes. */
  sector: Sector | null;
  /** Experts: the technical and legal topics they answer (support desk). */
  expertAreas: ExpertArea[];
  /** Experts: on duty now (removal orders escalate to every expert on duty). */
  onDuty: boolean;
  /** Raised on every change of roles or status: sessions issued before it are rotated. */
  sessionEpoch: number;
  /**
   * Yearly re-verification (members/reverification.ts): when the affiliation was last confirmed
   * (approval, a followed link, a moderator; null: since `createdAt`), when the member was asked
   * to confirm it again, and when it lapsed.
   */
  affiliation?: { confirmedAt: Date | null; askedAt: Date | null; lapsedAt: Date | null } | null;
  createdAt: Date;
  updatedAt: Date;
}

const memberSchema = new Schema<MemberDoc>(
  {
    email: { type: String, required: true },
    emailNormalized: { type: String, required: true },
    emailDomain: { type: String, required: true },
    emailVerifiedAt: { type: Date, default: null },
    name: { type: String, required: true },
    nameNormalized: { type: String, required: true },
    jobTitle: { type: String, default: '' },
    bio: { type: String, default: '' },
    locale: { type: String, enum: [...locales, null], default: null },
    passwordHash: { type: String, default: null },
    status: { type: String, enum: ['applicant', 'member', 'suspended', 'lapsed'], required: true },
    suspension: { type: new Schema({ reason: String, by: Schema.Types.ObjectId, at: Date }, { _id: false }), default: null },
    roles: { type: [{ type: String, enum: ROLES }], default: [] },
    organisationId: { type: Schema.Types.ObjectId, ref: 'Organisation', default: null },
    sector: { type: String, enum: [...SECTORS, null], default: null },
    expertAreas: { type: [{ type: String, enum: EXPERT_AREAS }], default: [] },
    onDuty: { type: Boolean, default: false },
    sessionEpoch: { type: Number, default: 0 },
    affiliation: { type: new Schema({ confirmedAt: Date, askedAt: Date, lapsedAt: Date }, { _id: false }), default: null },
  },
  { timestamps: true, versionKey: false },
);
// Sign-in and sign-up look people up by normalised e-mail; the members collection stays small.
memberSchema.index({ emailNormalized: 1 }, { unique: true });
// Read through the cache layer on every request: every write drops the cached member everywhere.
memberSchema.plugin(cachePlugin, { entity: 'members' });

export type MemberModel = Model<MemberDoc>;
export const registerMember = (connection: Connection): MemberModel => connection.model<MemberDoc>('Member', memberSchema, 'members');

/** Sign-in by an identity provider: `_id` is a hash of issuer and subject, so finding it is a point lookup. */
export interface IdentityDoc {
  _id: string;
  issuer: string;
  subject: string;
  providerId: string;
  memberId: Types.ObjectId;
  createdAt: Date;
}
const identitySchema = new Schema<IdentityDoc>(
  {
    _id: String,
    issuer: { type: String, required: true },
    subject: { type: String, required: true },
    providerId: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
// The data export lists a person's linked identities.
identitySchema.index({ memberId: 1 });
export type IdentityModel = Model<IdentityDoc>;
export const registerIdentity = (connection: Connection): IdentityModel => connection.model<IdentityDoc>('Identity', identitySchema, 'identities');

export function normaliseEmail(email: string): { email: string; emailNormalized: string; emailDomain: string } {
  const trimmed = email.trim();
  const emailNormalized = trimmed.toLowerCase();
  return { email: trimmed, emailNormalized, emailDomain: emailNormalized.slice(emailNormalized.lastIndexOf('@') + 1) };
}

export function normaliseName(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}
