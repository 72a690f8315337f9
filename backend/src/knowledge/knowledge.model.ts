import { Schema, type Connection, type Model } from 'mongoose';

/**
 * A member's anonymous profile: how they appear when they ask or answer without naming their
 * company. One document per member (`_id` = member id). `posts` lists their anonymous items so
 * their own data export can show them (and nobody else's).
 */
export interface AnonymousProfileDoc {
  _id: string;
  /** Free text the member chose, e.g. "file hosting, under 50 staff". */
  description: string;
  posts: { channelId: string; itemId: string; type: 'question' | 'answer'; at: Date }[];
}
const anonymousProfileSchema = new Schema<AnonymousProfileDoc>(
  {
    _id: String,
    description: { type: String, default: '' },
    posts: { type: [new Schema({ channelId: String, itemId: String, type: String, at: Date }, { _id: false })], default: [] },
  },
  { versionKey: false },
);
export type AnonymousProfileModel = Model<AnonymousProfileDoc>;
export const registerAnonymousProfile = (connection: Connection): AnonymousProfileModel =>
  connection.model<AnonymousProfileDoc>('AnonymousProfile', anonymousProfileSchema, 'anonymous_profiles');

/**
 * An uploaded file's metadata (a small collection, one document per file; `_id` chosen by the
 * server). Its bytes are in `files_<id>`, chunks `_id` "0", "1", … of at most 1 MB.
 */
export interface FileDoc {
  _id: string;
  size: number;
  sha256: string;
  chunks: number;
  contentType: 'application/pdf';
  uploaderId: string;
  /** The channel of the paper or resource, or `event:<eventId>` for an event's material. */
  channelId: string;
  /** The paper, resource or event material it belongs to. */
  itemId: string;
  createdAt: Date;
}
const fileSchema = new Schema<FileDoc>(
  {
    _id: String,
    size: { type: Number, required: true },
    sha256: { type: String, required: true },
    chunks: { type: Number, required: true },
    contentType: { type: String, enum: ['application/pdf'], required: true },
    uploaderId: { type: String, required: true },
    channelId: { type: String, required: true },
    itemId: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
export type FileModel = Model<FileDoc>;
export const registerFile = (connection: Connection): FileModel => connection.model<FileDoc>('File', fileSchema, 'files');
