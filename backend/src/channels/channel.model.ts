import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { cachePlugin } from '../cache/cache.plugin.ts';

export const CHANNEL_KINDS = ['discussion', 'qa', 'papers', 'library'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export interface ChannelDoc {
  _id: Types.ObjectId;
  spaceId: Types.ObjectId;
  name: string;
  topic: string;
  kind: ChannelKind;
  archived: boolean;
  pinned: boolean;
  /**
   * The highest sequence number known to be taken. A hint, raised with $max after each message
   * is stored: the message's own `_id` (`<channelId>:<seq>`) is what claims a number.
   */
  lastSeq: number;
  /** Pinned messages of the channel, by number (moderators pin). */
  pinnedSeqs: number[];
  /** Moderation controls: only moderators post; one message per member per N seconds (0: off). */
  readOnly: boolean;
  slowModeSeconds: number;
  /** A moderators' notice shown at the top of the channel (Markdown and its sanitised HTML). */
  notice: { source: string; html: string; at: Date } | null;
  createdBy: Types.ObjectId | null;
  createdAt: Date;
  updatedAt: Date;
}

const channelSchema = new Schema<ChannelDoc>(
  {
    spaceId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    topic: { type: String, default: '' },
    kind: { type: String, enum: CHANNEL_KINDS, default: 'discussion' },
    archived: { type: Boolean, default: false },
    pinned: { type: Boolean, default: false },
    lastSeq: { type: Number, default: 0 },
    pinnedSeqs: { type: [Number], default: [] },
    readOnly: { type: Boolean, default: false },
    slowModeSeconds: { type: Number, default: 0 },
    notice: { type: new Schema({ source: String, html: String, at: Date }, { _id: false }), default: null },
    createdBy: { type: Schema.Types.ObjectId, default: null },
  },
  { timestamps: true, versionKey: false },
);
channelSchema.index({ spaceId: 1 });
// Every send raises `lastSeq` with $max: the plugin raises the cached hint instead of dropping the channel.
channelSchema.plugin(cachePlugin, { entity: 'channels', lastSeqHint: true });

export type ChannelModel = Model<ChannelDoc>;
export const registerChannel = (connection: Connection): ChannelModel => connection.model<ChannelDoc>('Channel', channelSchema, 'channels');
