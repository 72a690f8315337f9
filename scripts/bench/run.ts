import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT_DIR, loadConfig } from '../../backend/src/config/config.ts';
import { connect } from '../../backend/src/db/database.ts';
import { startEmbeddedDatabase } from '../../backend/src/db/embedded.ts';
import { createLogger } from '../../backend/src/http/logger.ts';
import type { Benchmark } from './context.ts';
import { bundleSize } from './bundle-size.ts';
import { dbCommands } from './db-commands.ts';
import { crisis } from './crisis.ts';
import { secondConnection } from './second-connection.ts';
import { engineLookup } from './engine-lookup.ts';
import { historyAtScale } from './history-scale.ts';
import { realtimeFanout } from './realtime-fanout.ts';
import { restReads } from './rest-reads.ts';
import { searchAtScale } from './search.ts';

/**
 * `npm run bench`: every benchmark, each against a baseline measured in the same run, reported as
 * medians over several rounds. Against a fresh embedded FerretDB, or MONGODB_URI when set. Prints
 * markdown tables and writes everything to bench-results/bench-<time>.json (git-ignored).
 * BENCH_ONLY=name,name runs only those benchmarks.
 */
const BENCHMARKS: Benchmark[] = [
  { name: 'engine-lookup', run: async ({ connection }) => ({ lines: await engineLookup(connection), data: null }) },
  { name: 'db-commands', run: dbCommands },
  { name: 'second-connection', run: secondConnection },
  { name: 'rest-reads', run: restReads },
  { name: 'realtime-fanout', run: realtimeFanout },
  { name: 'crisis', run: crisis },
  { name: 'history-at-scale', run: historyAtScale },
  { name: 'search', run: searchAtScale },
  { name: 'bundle-size', run: bundleSize },
];

const started = performance.now();
const startedAt = new Date();
const config = loadConfig();
const logger = createLogger({ logLevel: 'warn' });
const dir = config.mongodbUri ? undefined : mkdtempSync(join(tmpdir(), 'convene-bench-'));
const embedded = dir ? await startEmbeddedDatabase({ binary: config.ferretdbBinary, dataDir: dir, logger }) : undefined;
const uri = embedded?.uri ?? config.mongodbUri!;
const runId = startedAt.getTime().toString(36);
const connection = await connect(uri, `bench_${runId}`);
const only = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
const engine = embedded ? 'embedded FerretDB 1.24 (SQLite)' : 'MONGODB_URI';
// Anything else running on the machine (a test suite) skews every figure: say how busy it was.
const load = () => loadavg().map((value) => Number(value.toFixed(2)));
const report: Record<string, unknown> = { startedAt: startedAt.toISOString(), engine, node: process.version, cpus: cpus().length, loadAtStart: load(), benchmarks: {} };
let failed = false;
try {
  console.log(`engine: ${engine}; node ${process.version}; ${cpus().length} cores; load average at start ${load().join(' ')}\n`);
  for (const benchmark of BENCHMARKS) {
    if (only && !only.includes(benchmark.name)) continue;
    const benchStarted = performance.now();
    try {
      const output = await benchmark.run({ uri, connection, enginePid: embedded?.pid, runId });
      const seconds = (performance.now() - benchStarted) / 1000;
      console.log(`${output.lines.join('\n')}\n(${benchmark.name}: ${seconds.toFixed(0)} s)\n`);
      (report.benchmarks as Record<string, unknown>)[benchmark.name] = { seconds, markdown: output.lines.join('\n'), data: output.data };
    } catch (error) {
      failed = true;
      console.error(`${benchmark.name} failed: ${(error as Error).stack ?? error}\n`);
      (report.benchmarks as Record<string, unknown>)[benchmark.name] = { error: String((error as Error).stack ?? error) };
    }
  }
} finally {
  await connection.dropDatabase();
  await connection.close();
  await embedded?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
const totalSeconds = (performance.now() - started) / 1000;
report.totalSeconds = totalSeconds;
report.loadAtEnd = load();
const resultsDir = join(ROOT_DIR, 'bench-results');
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`total: ${totalSeconds.toFixed(0)} s; load average at end ${load().join(' ')}; results in ${file.slice(ROOT_DIR.length)}`);
if (failed) process.exitCode = 1;
