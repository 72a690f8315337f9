import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, get } from 'node:http';
import { connect } from '../../backend/src/db/database.ts';
import { createModels } from '../../backend/src/db/models.ts';
import { MessageStore } from '../../backend/src/messages/message.store.ts';
import { startApp, startBare, type Child } from './children.ts';
import type { BenchContext, BenchOutput } from './context.ts';
import { createChannels, messageDocs, plenaryId, seedMembers } from './fixtures.ts';
import { fmt, median, percentile } from './stats.ts';
import { int, ratio, table } from './table.ts';

/**
 * REST reads: the app's cheapest reads as one signed-in member, against a bare Express app serving
 * the same bytes from memory, in the same run, and against the app's own middleware stack serving
 * them (bare-stack.ts: request log, headers, compression, express-session, passport, all in memory),
 * which splits what the app costs into its stack and its handlers. CONCURRENCY keep-alive loops for ROUND_MS per
 * round, rounds alternating app and bare; medians over ROUNDS.
 */
const CONCURRENCY = 10;
const ROUND_MS = Number(process.env.BENCH_REST_ROUND_MS ?? 5000);
const ROUNDS = 3;
const MESSAGES = 100;
/** Members whose sessions the requests take in turn (search is rate-limited per member). */
const MEMBERS = 200;

/** a / b to two significant digits (these ratios run far below 0.1). */
const ratio2 = (a: number, b: number) => (b > 0 ? (a / b).toPrecision(2) : '—');

interface Load {
  rps: number;
  p99: number;
  errors: number;
}

async function load(url: string, cookies: string[], dispatcher: Agent): Promise<Load> {
  let turn = 0;
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + ROUND_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        const status = await new Promise<number>((resolve, reject) => {
          get(url, { agent: dispatcher, headers: { cookie: cookies[turn++ % cookies.length]!, accept: 'application/json' } }, (res) => {
            res.resume();
            res.once('end', () => resolve(res.statusCode ?? 0));
            res.once('error', reject);
          }).once('error', reject);
        });
        if (status !== 200) errors++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { rps: latencies.length / ((performance.now() - started) / 1000), p99: percentile(latencies, 99), errors };
}

export async function restReads(context: BenchContext): Promise<BenchOutput> {
  const sessionSecret = randomBytes(32).toString('base64url');
  const dbName = `bench_rest_${context.runId}`;
  const connection = await connect(context.uri, dbName);
  const dir = mkdtempSync(join(tmpdir(), 'convene-rest-'));
  let app: Child | undefined;
  let uncached: Child | undefined;
  let bare: Child | undefined;
  let stack: Child | undefined;
  const dispatcher = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    app = await startApp('app server (rest)', { MONGODB_URI: context.uri, DB_NAME: dbName, SESSION_SECRET: sessionSecret, POSTING_BURST: '1000' });
    // The same app with its cache layer off (CACHE=off): what the cache is worth, in the same run.
    uncached = await startApp('app server (rest, cache off)', { MONGODB_URI: context.uri, DB_NAME: dbName, SESSION_SECRET: sessionSecret, POSTING_BURST: '1000', CACHE: 'off' });
    const models = createModels(connection);
    const members = await seedMembers(models, MEMBERS, sessionSecret);
    const member = members[0];
    const cookies = members.map((one) => one.cookie);
    const [channelId] = await createChannels(models, await plenaryId(models), ['rest-reads'], MESSAGES);
    const store = new MessageStore(connection, 200);
    await store.collection(channelId!, 0).insertMany(messageDocs(channelId!, 1, MESSAGES, [member!.id]));
    const paths = ['/api/me', '/api/spaces', `/api/channels/${channelId}/messages?limit=50`, '/api/alerts', '/api/search?q=hash'];
    const bodies: Record<string, string> = {};
    for (const path of paths) {
      const res = await fetch(`${app.url}${path}`, { headers: { cookie: member!.cookie, accept: 'application/json' } });
      bodies[path] = await res.text();
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${bodies[path]!.slice(0, 200)}`);
    }
    const file = join(dir, 'bodies.json');
    writeFileSync(file, JSON.stringify(bodies));
    bare = await startBare('bare Express', 'scripts/bench/bare-express.ts', [file]);
    const sessionsFile = join(dir, 'sessions.json');
    const sessionDocs = await models.Session.find({}, { data: 1 }).lean<{ _id: string; data: string }[]>();
    writeFileSync(sessionsFile, JSON.stringify({ sessions: Object.fromEntries(sessionDocs.map((doc) => [doc._id, doc.data])) }));
    stack = await startBare('bare Express with the app stack', 'scripts/bench/bare-stack.ts', [file, sessionsFile], { SESSION_SECRET: sessionSecret });

    const results = new Map<string, { app: Load[]; uncached: Load[]; bare: Load[]; stack: Load[] }>();
    for (const path of paths) results.set(path, { app: [], uncached: [], bare: [], stack: [] });
    const orders = [['app', 'uncached', 'bare', 'stack'], ['bare', 'stack', 'app', 'uncached'], ['stack', 'uncached', 'bare', 'app']] as const;
    for (let round = 0; round < ROUNDS; round++) {
      for (const path of paths) {
        for (const side of orders[round % orders.length]!) {
          const base = { app: app.url, uncached: uncached.url, bare: bare.url, stack: stack.url }[side];
          results.get(path)![side].push(await load(`${base}${path}`, cookies, dispatcher));
        }
      }
    }
    const rows: (string | number)[][] = [];
    const data: Record<string, unknown> = {};
    for (const [path, { app: a, uncached: u, bare: b, stack: st }] of results) {
      const stackRps = median(st.map((x) => x.rps));
      const uncachedRps = median(u.map((x) => x.rps));
      const appRps = median(a.map((x) => x.rps));
      const bareRps = median(b.map((x) => x.rps));
      const appP99 = median(a.map((x) => x.p99));
      const bareP99 = median(b.map((x) => x.p99));
      const errors = [...a, ...u, ...st].reduce((sum, x) => sum + x.errors, 0);
      const label = path.replace(channelId!, ':id');
      rows.push([`\`GET ${label}\``, int(appRps), fmt(appP99), int(uncachedRps), int(stackRps), int(bareRps), fmt(bareP99), ratio2(appRps, bareRps), ratio(appP99, bareP99), ratio2(uncachedRps, bareRps), ratio2(stackRps, bareRps), ratio2(appRps, stackRps), errors]);
      data[label] = { app: a, uncached: u, bare: b, stack: st, bytes: bodies[path]!.length };
    }
    return {
      lines: [
        `**REST reads**: ${MEMBERS} signed-in members taking turns, ${CONCURRENCY} keep-alive connections, ${ROUND_MS / 1000} s per round, medians of ${ROUNDS} rounds; baseline: bare Express serving the same bytes from memory; "stack": the app's own middleware (request log, headers, compression, express-session, passport) serving them from memory`,
        '',
        ...table(['request', 'app req/s', 'app p99 ms', 'cache off req/s', 'stack req/s', 'bare req/s', 'bare p99 ms', 'throughput app / bare', 'p99 app / bare', 'cache off / bare', 'stack / bare', 'app / stack', 'errors'], ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'], rows),
      ],
      data,
    };
  } finally {
    dispatcher.destroy();
    await Promise.all([app?.stop(), uncached?.stop(), bare?.stop(), stack?.stop()]);
    await connection.dropDatabase();
    await connection.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
