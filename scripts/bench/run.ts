import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../backend/src/config/config.ts';
import { connect } from '../../backend/src/db/database.ts';
import { startEmbeddedDatabase } from '../../backend/src/db/embedded.ts';
import { createLogger } from '../../backend/src/http/logger.ts';
import { engineLookup } from './engine-lookup.ts';

/**
 * `npm run bench`: every benchmark, each against a baseline measured in the same run, reported as
 * medians over several rounds. Against a fresh embedded FerretDB, or MONGODB_URI when set.
 */
const config = loadConfig();
const logger = createLogger({ logLevel: 'warn' });
const dir = config.mongodbUri ? undefined : mkdtempSync(join(tmpdir(), 'convene-bench-'));
const embedded = dir ? await startEmbeddedDatabase({ binary: config.ferretdbBinary, dataDir: dir, logger }) : undefined;
const uri = embedded?.uri ?? config.mongodbUri!;
const connection = await connect(uri, `bench_${Date.now().toString(36)}`);
try {
  console.log(`engine: ${embedded ? 'embedded FerretDB 1.24 (SQLite)' : 'MONGODB_URI'}; node ${process.version}\n`);
  for (const benchmark of [engineLookup]) {
    console.log((await benchmark(connection)).join('\n'));
    console.log();
  }
} finally {
  await connection.dropDatabase();
  await connection.close();
  await embedded?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
