import { Schema, type Connection, type Model } from 'mongoose';

/**
 * Each member's recent sends, by idempotency key (one document per member, `_id` = member id):
 * a retried send finds its message here and creates nothing new. Keeps the last 500.
 */
export interface SendKeysDoc {
  _id: string;
  recent: { key: string; channelId: string; seq: number }[];
}
const sendKeysSchema = new Schema<SendKeysDoc>(
  { _id: String, recent: { type: [new Schema({ key: String, channelId: String, seq: Number }, { _id: false })], default: [] } },
  { versionKey: false },
);
export type SendKeysModel = Model<SendKeysDoc>;
export const registerSendKeys = (connection: Connection): SendKeysModel => connection.model<SendKeysDoc>('SendKeys', sendKeysSchema, 'send_keys');
export const SEND_KEYS_KEPT = 500;

/** Per member: the last message read in each channel (one document per member). */
export interface ReadPositionsDoc {
  _id: string;
  channels: Record<string, number>;
}
const readPositionsSchema = new Schema<ReadPositionsDoc>({ _id: String, channels: { type: Schema.Types.Mixed, default: {} } }, { versionKey: false, minimize: false });
export type ReadPositionsModel = Model<ReadPositionsDoc>;
export const registerReadPositions = (connection: Connection): ReadPositionsModel =>
  connection.model<ReadPositionsDoc>('ReadPositions', readPositionsSchema, 'read_positions');
