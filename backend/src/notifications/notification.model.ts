import { Schema, type Connection, type Model, type Types } from 'mongoose';

export const NOTIFICATION_KINDS = ['application.approved', 'application.rejected', 'application.question', 'role.changed', 'account.suspended', 'message.mention', 'message.reply', 'question.answered', 'suggestion.accepted', 'suggestion.declined', 'alert.published', 'alert.updated', 'moderation.action', 'moderation.reversed', 'moderation.appeal_decided', 'event.registration', 'support.request', 'support.assigned', 'support.reply', 'support.status', 'support.escalated'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationItem {
  id: string;
  kind: NotificationKind;
  title: string;
  /** Plain text, shown as text (never HTML). */
  body: string;
  /** In-app path to open, e.g. `/application`. */
  link: string;
  at: Date;
  read: boolean;
}

/** One box per person (`_id` = member id): reading and adding are point lookups. Keeps the newest 200. */
export interface NotificationBoxDoc {
  _id: Types.ObjectId;
  items: NotificationItem[];
  /** Everything at or before this time is read ("mark all read"). */
  readBefore: Date | null;
  /** Items marked read one by one since then. */
  readIds: string[];
}

/** Read state is kept beside the items, so marking read never rewrites the list (no lost pushes). */
export function isRead(box: Pick<NotificationBoxDoc, 'readBefore' | 'readIds'>, item: NotificationItem): boolean {
  return item.read || (box.readBefore !== null && item.at.getTime() <= box.readBefore.getTime()) || box.readIds.includes(item.id);
}

export const NOTIFICATION_BOX_LIMIT = 200;

const itemSchema = new Schema<NotificationItem>(
  { id: String, kind: { type: String, enum: NOTIFICATION_KINDS }, title: String, body: String, link: String, at: Date, read: Boolean },
  { _id: false },
);
const boxSchema = new Schema<NotificationBoxDoc>(
  { _id: Schema.Types.ObjectId, items: { type: [itemSchema], default: [] }, readBefore: { type: Date, default: null }, readIds: { type: [String], default: [] } },
  { versionKey: false },
);

export type NotificationBoxModel = Model<NotificationBoxDoc>;
export const registerNotificationBox = (connection: Connection): NotificationBoxModel =>
  connection.model<NotificationBoxDoc>('NotificationBox', boxSchema, 'notification_boxes');
