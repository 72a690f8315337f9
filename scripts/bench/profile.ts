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
import { io, type Socket as ClientSocket } from 'socket.io-client';
import { createChannels, plenaryId, seedMembers } from './fixtures.ts';

/**
 * A CPU profile of the app server under load, summarised by self time per function and per
 * package. For finding where the time goes, not a benchmark (profiling slows the server).
 * - `node --import tsx scripts/bench/profile.ts rest [path] [seconds]`: 10 keep-alive loops of GET path
 *   as 200 signed-in members in turn;
 * - `node --import tsx scripts/bench/profile.ts connect [clients]`: clients signed-in socket.io
 *   clients connect, 50 at a time, each joining two channels (the realtime-fanout connect phase).
 */
const mode = process.argv[2] ?? 'rest';
const path = mode === 'rest' ? (process.argv[3] ?? '/api/me') : '';
const seconds = Number(process.argv[4] ?? 8);
const clients = mode === 'connect' ? Number(process.argv[3] ?? 1000) : 0;
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
const models = createModels(connection);
let count = 0;
if (mode === 'rest') {
  const members = await seedMembers(models, 200, secret);
  const agent = new Agent({ keepAlive: true, maxSockets: 10 });
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
} else {
  const members = await seedMembers(models, clients, secret);
  const channels = await createChannels(models, await plenaryId(models), ['profile-a', 'profile-b']);
  const sockets: ClientSocket[] = [];
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < clients) {
        const member = members[next++]!;
        const socket = io(app.url, { transports: ['websocket'], reconnection: false, forceNew: true, timeout: 60_000, extraHeaders: { cookie: member.cookie } });
        sockets.push(socket);
        const ready = new Promise((resolve) => socket.once('session.ready', resolve));
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', () => resolve());
          socket.once('connect_error', reject);
        });
        await ready;
        for (const channelId of channels) {
          const reply = await new Promise<{ ok: boolean }>((resolve) => socket.emit('channel.join', { channelId }, resolve));
          if (!reply.ok) throw new Error('join refused');
        }
        count++;
      }
    }),
  );
  const ms = performance.now() - started;
  for (const socket of sockets) socket.close();
  await app.stop();
  console.log(`connect: ${count} clients (handshake and two joins each) in ${(ms / 1000).toFixed(1)} s, profiled, LOG_LEVEL=${logLevel}`);
}

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
  [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, time]) => `${((100 * time) / total).toFixed(1).padStart(5)}%  ${(time / 1000 / count).toFixed(3)} ms/op  ${key}`);
console.log('\nself time by package:\n' + top(byPackage, 25).join('\n'));
console.log('\nself time by function:\n' + top(byFunction, 40).join('\n'));
await connection.close();
await embedded.stop();
rmSync(dir, { recursive: true, force: true });
