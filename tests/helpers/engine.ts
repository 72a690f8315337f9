import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { loadConfig } from '../../backend/src/config/config.ts';
import { connect } from '../../backend/src/db/database.ts';
import { startEmbeddedDatabase, type EmbeddedDatabase } from '../../backend/src/db/embedded.ts';
import { testLogger } from './logger.ts';

/**
 * One database engine per test run: a fresh embedded FerretDB in a temporary folder, or, when
 * MONGODB_URI is set, that server. Each suite takes its own database (`freshDatabase`) and drops
 * it when done, so suites never see each other's data and can run in any order.
 */

type Engine = Promise<{ uri: string; embedded?: EmbeddedDatabase; dir?: string }>;

// Mocha may load the root-hook file through require() and the test files through import(), which
// gives this module two instances; the engine therefore lives on globalThis, shared by both.
const KEY = Symbol.for('convene.test.engine');
const shared = globalThis as { [KEY]?: Engine };

export function engineUri(): Promise<string> {
  const engine = (shared[KEY] ??= (async () => {
    const external = process.env.MONGODB_URI;
    if (external) return { uri: external };
    const dir = mkdtempSync(join(tmpdir(), 'convene-test-'));
    const config = loadConfig({ NODE_ENV: 'test' });
    const embedded = await startEmbeddedDatabase({ binary: config.ferretdbBinary, dataDir: dir, logger: testLogger() });
    return { uri: embedded.uri, embedded, dir };
  })());
  return engine.then((value) => value.uri);
}

/** Called once by the root hook after all tests. */
export async function stopEngine(): Promise<void> {
  const engine = shared[KEY];
  if (!engine) return;
  delete shared[KEY];
  const { embedded, dir } = await engine;
  await embedded?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

export function uniqueDatabaseName(prefix = 't'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase {
  connection: Connection;
  name: string;
  /** Drops the database and closes the connection. */
  drop(): Promise<void>;
}

export async function freshDatabase(prefix = 't'): Promise<TestDatabase> {
  const name = uniqueDatabaseName(prefix);
  const connection = await connect(await engineUri(), name);
  return {
    connection,
    name,
    async drop() {
      await connection.dropDatabase();
      await connection.close();
    },
  };
}
