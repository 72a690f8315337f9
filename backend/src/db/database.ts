import mongoose, { type Connection, type Model } from 'mongoose';
import type { Config } from '../config/config.ts';
import type { Logger } from '../http/logger.ts';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded.ts';

// Query filters from clients must never carry operators: with sanitizeFilter, mongoose wraps any
// `$`-key object inside a filter in `$eq`. Unknown filter paths are an error, not silently dropped.
mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', 'throw');

export interface Database {
  readonly connection: Connection;
  /** Whether this process started its own FerretDB. */
  readonly embedded: boolean;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  config: Pick<Config, 'mongodbUri' | 'databaseName' | 'dataDir' | 'ferretdbBinary'>;
  logger: Logger;
  /** Called if the embedded engine dies while the app runs; the server exits on it. */
  onEmbeddedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/**
 * Marks an operator object built by our own code (never client input) as allowed in a filter:
 * `{ seq: trusted({ $gt: 5 }) }`. With sanitizeFilter on, any other `$` object in a filter is
 * wrapped in `$eq` and so matches nothing.
 */
export function trusted<T extends object>(operators: T): T {
  return mongoose.trusted(operators) as T;
}

/** Whether the server is FerretDB (its buildInfo says so). */
export async function isFerretDB(connection: Connection): Promise<boolean> {
  const info = await connection.db!.admin().command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string';
}

function open(uri: string, name: string, maxPoolSize?: number): Promise<Connection> {
  return mongoose
    .createConnection(uri, {
      dbName: name,
      serverSelectionTimeoutMS: 10_000,
      retryWrites: false,
      autoIndex: true,
      ...(maxPoolSize ? { maxPoolSize } : {}),
    })
    .asPromise();
}

/**
 * Connects to `uri` with database `name` and waits for the server to answer a ping.
 *
 * FerretDB 1.x applies every update as read, modify in Go, write back, with nothing stopping two
 * connections from interleaving: 40 concurrent `$inc` by 1 were measured to end at 6. On one
 * connection its commands run one after the other, so against FerretDB this process uses a pool of
 * one connection, which makes `$inc`, `$push`, `$addToSet` and `findOneAndUpdate` atomic again for
 * everything this process does. (Several processes on one FerretDB are not protected: README.)
 */
export async function connect(uri: string, name: string): Promise<Connection> {
  let connection = await open(uri, name);
  if (await isFerretDB(connection)) {
    await connection.close();
    connection = await open(uri, name, 1);
  }
  await connection.db!.admin().command({ ping: 1 });
  return connection;
}

/**
 * MONGODB_URI set: connect to it. Otherwise start the embedded FerretDB in the data folder.
 */
export async function openDatabase({ config, logger, onEmbeddedExit }: OpenDatabaseOptions): Promise<Database> {
  let embedded: EmbeddedDatabase | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    embedded = await startEmbeddedDatabase({ binary: config.ferretdbBinary, dataDir: config.dataDir, logger, onUnexpectedExit: onEmbeddedExit });
    uri = embedded.uri;
  }
  let connection: Connection;
  try {
    connection = await connect(uri, config.databaseName);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  logger.info({ embedded: Boolean(embedded), database: config.databaseName }, 'database connected');
  return {
    connection,
    embedded: Boolean(embedded),
    async ping() {
      try {
        await connection.db!.admin().command({ ping: 1 }, { timeoutMS: 2000 });
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await connection.close();
      await embedded?.stop();
    },
  };
}

/**
 * Keeps the array `field` of document `_id` to its newest `limit` items (items are appended at
 * the end). `$push` with `$slice` would do this in one write on MongoDB, but FerretDB 1.24 ignores
 * `$slice` and keeps everything, so the oldest items are popped, one conditional `$pop` at a time,
 * while the array is longer than `limit`. Parallel trimmers cannot overshoot: each pop requires
 * item number `limit` (the limit+1-th) to exist at the moment it applies.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model with an array field
export async function trimToNewest(model: Model<any>, id: unknown, field: string, limit: number): Promise<void> {
  // Each call appends one item, so one pop is normally enough; the bound stops a runaway loop.
  for (let round = 0; round < 1000; round++) {
    const result = await model.updateOne({ _id: id, [`${field}.${limit}`]: trusted({ $exists: true }) }, { $pop: { [field]: -1 } });
    if (result.modifiedCount === 0) return;
  }
}
