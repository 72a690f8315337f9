import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { connect } from '../../backend/src/db/database.ts';
import { createModels } from '../../backend/src/db/models.ts';
import { REALTIME_PATH } from '../../backend/src/shared/realtime-events.ts';
import { startApp, startBare, type Child } from './children.ts';
import type { BenchContext, BenchOutput } from './context.ts';
import { seedMembers } from './fixtures.ts';
import { fmt, median, percentile } from './stats.ts';
import { int, ratio, table } from './table.ts';

/**
 * The crisis: CLIENTS signed-in members connected; a liaison publishes a critical TLP:GREEN alert;
 * every member gets `alert.created` live and at once opens the alert and its acknowledgement board
 * over HTTP (both requests together, HTTP_SOCKETS keep-alive connections shared by all members, as
 * many browsers behind few connections would look to the server). Against Express and socket.io
 * alone (bare-crisis.ts) doing the same with the same bytes, alternately, medians of ROUNDS rounds.
 * Times count from the moment the publish request is sent.
 */
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECT_CONCURRENCY = 50;
const HTTP_SOCKETS = 100;
const ROUND_TIMEOUT_MS = 60_000;

type ClientSocket = Socket;

interface Round {
  delivery: number[];
  detail: number[];
  board: number[];
  /** From the publish until the last member has both answers. */
  allDoneMs: number;
  errors: number;
  missing: number;
}

function call(agent: Agent, url: string, method: string, cookie?: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers: { accept: 'application/json', ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/json', 'x-convene-csrf': '1' } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

interface Target {
  name: 'app' | 'bare';
  child: Child;
  sockets: ClientSocket[];
}

async function connectAll(target: Target, members: { id: string; cookie: string }[]): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < members.length) {
      const index = next++;
      const member = members[index]!;
      const socket = io(target.child.url, {
        path: REALTIME_PATH,
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        timeout: 60_000,
        ...(target.name === 'app' ? { extraHeaders: { cookie: member.cookie } } : { query: { member: member.id } }),
      });
      target.sockets[index] = socket;
      const ready = await new Promise<string | null>((resolve, reject) => {
        socket.once('session.ready', (payload: { memberId: string | null }) => resolve(payload.memberId));
        socket.once('connect_error', (error) => reject(new Error(`${target.name} client ${index}: ${error.message}`)));
      });
      if (ready !== member.id) throw new Error(`${target.name} client ${index} is not signed in as its member`);
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  return performance.now() - started;
}

/** One publish and everybody's reaction. `publish` returns the alert id the event will carry. */
async function runRound(target: Target, members: { id: string; cookie: string }[], agent: Agent, publish: () => Promise<string>, pathsOf: (alertId: string) => { detail: string; board: string }): Promise<Round> {
  const round: Round = { delivery: [], detail: [], board: [], allDoneMs: 0, errors: 0, missing: 0 };
  let done = 0;
  let finish!: () => void;
  const allDone = new Promise<void>((resolve) => (finish = resolve));
  let alertId: string | undefined;
  const early: Array<() => void> = [];
  const started = performance.now();
  const listeners = target.sockets.map((socket, index) => {
    const listener = (payload: { id: string }) => {
      const react = () => {
        if (payload.id !== alertId) return;
        const arrived = performance.now();
        round.delivery.push(arrived - started);
        const paths = pathsOf(payload.id);
        const timed = async (path: string, into: number[]) => {
          const t0 = performance.now();
          try {
            const res = await call(agent, `${target.child.url}${path}`, 'GET', target.name === 'app' ? members[index]!.cookie : undefined);
            if (res.status !== 200) round.errors++;
          } catch {
            round.errors++;
          }
          into.push(performance.now() - t0);
        };
        void Promise.all([timed(paths.detail, round.detail), timed(paths.board, round.board)]).then(() => {
          if (++done === target.sockets.length) {
            round.allDoneMs = performance.now() - started;
            finish();
          }
        });
      };
      if (alertId === undefined) early.push(react);
      else react();
    };
    socket.on('alert.created', listener);
    return listener;
  });
  alertId = await publish();
  for (const react of early.splice(0)) react();
  const timer = setTimeout(finish, ROUND_TIMEOUT_MS);
  await allDone;
  clearTimeout(timer);
  if (!round.allDoneMs) round.allDoneMs = performance.now() - started;
  round.missing = target.sockets.length - round.delivery.length;
  target.sockets.forEach((socket, index) => socket.off('alert.created', listeners[index]!));
  return round;
}

export async function crisis(context: BenchContext): Promise<BenchOutput> {
  const sessionSecret = randomBytes(32).toString('base64url');
  const dbName = `bench_crisis_${context.runId}`;
  const connection = await connect(context.uri, dbName);
  const dir = mkdtempSync(join(tmpdir(), 'convene-crisis-'));
  const agent = new Agent({ keepAlive: true, maxSockets: HTTP_SOCKETS });
  const targets: Target[] = [];
  try {
    const app: Target = { name: 'app', child: await startApp('app server (crisis)', { MONGODB_URI: context.uri, DB_NAME: dbName, SESSION_SECRET: sessionSecret }), sockets: [] };
    targets.push(app);
    const models = createModels(connection);
    const seeded = await seedMembers(models, CLIENTS + 1, sessionSecret);
    const liaison = seeded[CLIENTS]!;
    const members = seeded.slice(0, CLIENTS);
    await models.Member.updateOne({ _id: liaison.id }, { $set: { roles: ['liaison'], sector: 'government' } });
    let published = 0;
    const publishOnApp = async () => {
      const res = await call(
        agent,
        `${app.child.url}/api/alerts`,
        'POST',
        liaison.cookie,
        JSON.stringify({
          title: `Coordinated re-upload wave ${++published}`,
          summary: 'Livestream of an attack is being re-uploaded across file hosts; hashes attached.',
          severity: 'critical',
          marking: 'TLP:GREEN',
          tags: { platforms: ['filehost'], tactics: ['re-upload'], regions: ['europe'] },
          indicators: [{ kind: 'domain', value: 'mirror.example.net' }],
        }),
      );
      if (res.status !== 201) throw new Error(`publishing: ${res.status} ${res.text.slice(0, 200)}`);
      return (JSON.parse(res.text) as { id: string }).id;
    };
    const appPaths = (alertId: string) => ({ detail: `/api/alerts/${alertId}`, board: `/api/alerts/${alertId}/acknowledgements` });
    const connectApp = await connectAll(app, members);

    // The bare server answers with the bytes the app answered (first member's view of one alert).
    let sample: unknown;
    app.sockets[0]!.once('alert.created', (payload: unknown) => (sample = payload));
    const warmRound = await runRound(app, members, agent, publishOnApp, appPaths);
    const sampleId = (sample as { id: string }).id;
    const bodies: Record<string, string> = { event: JSON.stringify(sample) };
    for (const path of Object.values(appPaths(sampleId))) bodies[path] = (await call(agent, `${app.child.url}${path}`, 'GET', members[0]!.cookie)).text;
    const file = join(dir, 'bodies.json');
    writeFileSync(file, JSON.stringify(bodies));
    const bare: Target = { name: 'bare', child: await startBare('bare Express + socket.io (crisis)', 'scripts/bench/bare-crisis.ts', [file]), sockets: [] };
    targets.push(bare);
    const connectBare = await connectAll(bare, members);
    const publishOnBare = async () => {
      const res = await call(agent, `${bare.child.url}/publish`, 'POST', undefined, '{}');
      if (res.status !== 201) throw new Error(`bare publish: ${res.status}`);
      return sampleId;
    };
    await runRound(bare, members, agent, publishOnBare, appPaths); // warm-up

    const results: Record<'app' | 'bare', Round[]> = { app: [], bare: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of round % 2 ? [bare, app] : [app, bare]) {
        results[target.name].push(await runRound(target, members, agent, target === app ? publishOnApp : publishOnBare, appPaths));
      }
    }
    const med = (list: Round[], pick: (round: Round) => number) => median(list.map(pick));
    const row = (label: string, pick: (round: Round) => number, unit = 'ms') => {
      const a = med(results.app, pick);
      const b = med(results.bare, pick);
      return [label, unit === 'ms' ? fmt(a) : int(a), unit === 'ms' ? fmt(b) : int(b), ratio(a, b)];
    };
    const totalErrors = (list: Round[]) => list.reduce((sum, round) => sum + round.errors + round.missing, 0);
    const lines = [
      `**Crisis**: ${CLIENTS.toLocaleString('en')} signed-in members connected; a liaison publishes a critical TLP:GREEN alert; each member, on the live event, opens the alert and its acknowledgement board (${HTTP_SOCKETS} keep-alive HTTP connections shared). Medians of ${ROUNDS} rounds (after one warm-up each); baseline: Express + socket.io alone with the same bytes`,
      '',
      ...table(['figure', 'app', 'bare', 'app / bare'], ['l', 'r', 'r', 'r'], [
        row('alert delivered, p50, ms', (r) => percentile(r.delivery, 50)),
        row('alert delivered, p99, ms', (r) => percentile(r.delivery, 99)),
        row('alert detail request, p99, ms', (r) => percentile(r.detail, 99)),
        row('acknowledgement board request, p99, ms', (r) => percentile(r.board, 99)),
        row('last member has both answers (from publish), ms', (r) => r.allDoneMs),
        ['errors and missing events, all rounds (target 0)', int(totalErrors(results.app)), int(totalErrors(results.bare)), '—'],
        ['connecting the members (handshake), ms', fmt(connectApp), fmt(connectBare), ratio(connectApp, connectBare)],
      ]),
    ];
    if (warmRound.missing || warmRound.errors) lines.push('', `warm-up round on the app: ${warmRound.missing} missing events, ${warmRound.errors} errors`);
    const appErrors = app.child.errors();
    if (appErrors.length) lines.push('', `the app logged ${appErrors.length} errors, first: ${JSON.stringify(appErrors[0]).slice(0, 300)}`);
    return { lines, data: { results, connectApp, connectBare, warmRound: { ...warmRound, delivery: undefined, detail: undefined, board: undefined } } };
  } finally {
    for (const target of targets) for (const socket of target.sockets) socket?.disconnect();
    agent.destroy();
    await Promise.all(targets.map((target) => target.child.stop()));
    await connection.dropDatabase();
    await connection.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
