import type { Connection } from 'mongoose';
import { cacheLayerOf, written } from './cache.layer.ts';
import { isDuplicateKey } from '../http/errors.ts';

type Setting = { _id: string };

/**
 * The `settings` collection (layouts fixed at a database's first start: message block size,
 * search buckets), read through the cache layer. `initial` is stored if the setting does not
 * exist yet (the first process wins); what is stored is returned.
 */
export async function ensureSetting<T extends Setting>(connection: Connection, initial: T): Promise<T> {
  const settings = connection.collection<Setting & Record<string, unknown>>('settings');
  try {
    await settings.insertOne(initial);
    await written(connection, 'settings', [initial._id]);
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
  }
  const load = async () => (await settings.findOne({ _id: initial._id })) as (Setting & Record<string, unknown>) | null;
  const layer = cacheLayerOf(connection);
  const stored = layer ? await layer.settings.get(initial._id, load) : await load();
  if (!stored) throw new Error(`setting ${initial._id} vanished`);
  return stored as unknown as T;
}
