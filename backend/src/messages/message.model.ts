import { Schema, type Connection, type Model } from 'mongoose';
import { cachePlugin } from '../cache/cache.plugin.ts';

/** Per member: the last message read in each channel (one document per member). */
export interface ReadPositionsDoc {
  _id: string;
  channels: Record<string, number>;
}
const readPositionsSchema = new Schema<ReadPositionsDoc>({ _id: String, channels: { type: Schema.Types.Mixed, default: {} } }, { versionKey: false, minimize: false });
readPositionsSchema.plugin(cachePlugin, { entity: 'readPositions' });
export type ReadPositionsModel = Model<ReadPositionsDoc>;
export const registerReadPositions = (connection: Connection): ReadPositionsModel =>
  connection.model<ReadPositionsDoc>('ReadPositions', readPositionsSchema, 'read_positions');
