import type { Connection, Query, Schema } from 'mongoose';
import { cacheLayerOf, written, type CachedEntity } from './cache.layer.ts';

/**
 * A mongoose plugin for the schema of a cached collection: after every write, by any path a model
 * offers (save, create, insertMany, updateOne/Many, replaceOne, findOneAnd*, deleteOne/Many,
 * bulkWrite, and a document's own updateOne/deleteOne), the entries it touched are dropped, here
 * and in every other process (cache.layer.ts). Also after a write that failed, which may have
 * changed part of what it matched. A write whose documents cannot be named from its filter (not
 * by `_id`) drops the whole entity.
 *
 * Schemas are shared by every connection (tests run many apps in one process); the layer is found
 * from the connection the model is bound to.
 */
const QUERY_WRITES = ['updateOne', 'updateMany', 'replaceOne', 'findOneAndUpdate', 'findOneAndReplace', 'findOneAndDelete', 'deleteOne', 'deleteMany'] as const;

export function cachePlugin(schema: Schema, options: { entity: CachedEntity; lastSeqHint?: boolean }): void {
  const { entity } = options;

  for (const op of QUERY_WRITES) {
    schema.post(op, { document: false, query: true }, async function (this: Query<unknown, unknown>, result: unknown) {
      await afterQuery(this, result, entity, options.lastSeqHint === true);
    });
    schema.post(op, { document: false, query: true }, async function (this: Query<unknown, unknown>, error: Error, _result: unknown, next: (error?: Error) => void) {
      await afterQuery(this, null, entity, false).catch(() => undefined);
      next(error);
    });
  }
  // Document middleware: save (create), and a document's own updateOne / deleteOne.
  schema.post('save', async function (doc: { _id: unknown; db: Connection }) {
    await written(doc.db, entity, [String(doc._id)]);
  });
  schema.post(['updateOne', 'deleteOne'], { document: true, query: false }, async function (this: { _id: unknown; db: Connection }) {
    await written(this.db, entity, [String(this._id)]);
  });
  schema.post('insertMany', async function (docs: unknown) {
    const ids = Array.isArray(docs) ? docs.map((doc: { _id: unknown }) => String(doc._id)) : null;
    await written((this as unknown as { db: Connection }).db, entity, ids);
  });
  schema.post('bulkWrite', async function (this: { db: Connection }) {
    await written(this.db, entity, null);
  });
}

async function afterQuery(query: Query<unknown, unknown>, result: unknown, entity: CachedEntity, lastSeqHint: boolean): Promise<void> {
  const connection = query.model.db;
  const filter = query.getFilter() as Record<string, unknown>;
  const keys = idsOf(filter) ?? idOfResult(result);
  if (lastSeqHint && keys?.length === 1 && isLastSeqRaise(query.getUpdate())) {
    const layer = cacheLayerOf(connection);
    if (layer) return layer.channelSeqRaised(keys[0]!, (query.getUpdate() as { $max: { lastSeq: number } }).$max.lastSeq);
  }
  await written(connection, entity, keys);
}

/** The `_id`s a filter names (`{ _id: x }` or `{ _id: { $in: [...] } }`), or null. */
function idsOf(filter: Record<string, unknown>): string[] | null {
  const id = filter._id;
  if (id === undefined || id === null) return null;
  if (typeof id === 'string' || typeof id === 'number') return [String(id)];
  if (typeof id === 'object') {
    const operators = id as Record<string, unknown>;
    if (Array.isArray(operators.$in)) return operators.$in.map(String);
    if ('$eq' in operators) return [String(operators.$eq)];
    if (Object.keys(operators).some((key) => key.startsWith('$'))) return null;
    return [String(id)]; // an ObjectId
  }
  return null;
}

/** findOneAnd* answer with the document they touched. */
function idOfResult(result: unknown): string[] | null {
  if (result && typeof result === 'object' && '_id' in result) return [String((result as { _id: unknown })._id)];
  return null;
}

/**
 * `{ $max: { lastSeq: n } }` and nothing else (but the `updatedAt` that timestamps add): the hint
 * every send raises.
 */
function isLastSeqRaise(update: unknown): boolean {
  if (!update || typeof update !== 'object') return false;
  const { $max, $set, $setOnInsert, ...rest } = update as Record<string, Record<string, unknown> | undefined>;
  if (Object.keys(rest).length > 0 || !$max) return false;
  const onlyTimestamps = (fields: Record<string, unknown> | undefined) => !fields || Object.keys(fields).every((key) => key === 'updatedAt' || key === 'createdAt');
  return Object.keys($max).length === 1 && typeof $max.lastSeq === 'number' && onlyTimestamps($set) && onlyTimestamps($setOnInsert);
}
