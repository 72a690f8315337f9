import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, get } from 'node:http';
import { loadConfig } from '../../backend/src/config/config.ts';
import { connect } from '../../backend/src/db/database.ts';
import { startEmbeddedDatabase } from '../../backend/src/db/embedded.ts';
import { createModels } from '../../backend/src/db/models.ts';
import { createLogger } from '../../backend/src/http/logger.ts';
import { startApp } from './children.ts';
import { seedMembers } from './fixtures.ts';

/**
 * A CPU profile of the app server under REST load, summarised by self time per function and per
 * package: `node --import tsx scripts/bench/profile-rest.ts [path] [seconds]`. For finding where
 * the time of a request goes, not a benchmark (profiling slows the server).
 */
const path = process.argv[2] ?? '/api/me';
const seconds = Number(process.argv[3] ?? 8);
const logLevel = process.env.PROFILE_LOG_LEVEL ?? 'info';
const config = loadConfig();
const logger = createLogger({ logLevel: 'warn' });
const dir = mkdtempSync(join(tmpdir(), 'convene-prof-'));
const profFile = join(dir, 'server.cpuprofile');
const embedded = await startEmbeddedDatabase({ binary: config.ferretdbBinary, dataDir: join(dir, 'db'), logger });
const connection = await connect(embedded.uri, 'prof');
const secret = randomBytes(32).toString('base64url');
const app = await startApp('app (profiled)', {
  MONGODB_URI: embedded.uri,
  DB_NAME: 'prof',
  SESSION_SECRET: secret,
  LOG_LEVEL: logLevel,
  NODE_OPTIONS: `--import ${join(process.cwd(), 'scripts/bench/cpu-profile-preload.mjs')}`,
  CPU_PROFILE_FILE: profFile,
});
const members = await seedMembers(createModels(connection), 200, secret);
const agent = new Agent({ keepAlive: true, maxSockets: 10 });
let count = 0;
let turn = 0;
const end = performance.now() + seconds * 1000;
await Promise.all(
  Array.from({ length: 10 }, async () => {
    while (performance.now() < end) {
      await new Promise<void>((resolve, reject) => {
        get(`${app.url}${path}`, { agent, headers: { cookie: members[turn++ % members.length]!.cookie, accept: 'application/json' } }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
          res.resume();
          res.once('end', () => resolve());
        }).once('error', reject);
      });
      count++;
    }
  }),
);
agent.destroy();
await app.stop();
console.log(`${path}: ${count} requests in ${seconds} s (${Math.round(count / seconds)} req/s, profiled, LOG_LEVEL=${logLevel})`);

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }
const profile = JSON.parse(readFileSync(profFile, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const self = new Map<number, number>();
profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
for (const node of profile.nodes) {
  const time = self.get(node.id) ?? 0;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '');
  const pkg = where.includes('node_modules/') ? where.split('node_modules/').pop()!.split('/').slice(0, where.split('node_modules/').pop()!.startsWith('@') ? 2 : 1).join('/') : where.startsWith('node:') ? 'node:' + where.slice(5).split('/')[0] : where ? where.split('/').slice(0, 3).join('/') : `(${functionName || 'native'})`;
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time);
  const key = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + time);
}
const top = (map: Map<string, number>, n: number) =>
  [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, time]) => `${((100 * time) / total).toFixed(1).padStart(5)}%  ${(time / 1000 / count).toFixed(3)} ms/req  ${key}`);
console.log('\nself time by package:\n' + top(byPackage, 25).join('\n'));
console.log('\nself time by function:\n' + top(byFunction, 40).join('\n'));
await connection.close();
await embedded.stop();
rmSync(dir, { recursive: true, force: true });
