import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { connect } from '../../backend/src/db/database.ts';
import { createModels, initModels } from '../../backend/src/db/models.ts';
import { ensureDefaultSpaces } from '../../backend/src/spaces/space.routes.ts';
import type { Ack, MessagePayload } from '../../backend/src/shared/realtime-events.ts';
import { cpuMs, rssBytes, startApp, startBare, type Child } from './children.ts';
import type { BenchContext, BenchOutput } from './context.ts';
import { createChannels, plenaryId, seedMembers } from './fixtures.ts';
import { fmt, median, percentile } from './stats.ts';
import { int, ratio, table } from './table.ts';

/**
 * Realtime fan-out: the app server (a child process, as `npm start` runs it) with 1,000 signed-in
 * socket.io clients, against a bare socket.io server (scripts/bench/bare-server.ts, also a child)
 * with the same clients, rooms and payload size, measured in the same run, alternately.
 *
 * Every client joins two rooms: one of 10 channels of the Plenary space (100 clients each,
 * scenario A) and one channel everybody is in (scenario B). Senders, taken in turn from the
 * channel's members (so nobody nears the posting limit of 20 + 1 per 1.5 s), send at a steady
 * total rate with `message.send`; each text carries its send time (performance.now() of this
 * process, where every client lives too). Every client records when each message arrives and which
 * ones it got: missing and duplicated messages must be 0. Reported: medians over the rounds.
 *
 * BENCH_CLIENTS, BENCH_ROUNDS, BENCH_RATE and BENCH_PHASE_SECONDS override the defaults, BENCH_VERBOSE=1
 * prints every phase (for trying the benchmark out).
 */

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CHANNELS_A = 10;
/** Messages per second, all senders together, and for how long one measured phase sends. */
const RATE = Number(process.env.BENCH_RATE ?? 20);
const PHASE_SECONDS = Number(process.env.BENCH_PHASE_SECONDS ?? 5);
const WARMUP_SECONDS = 2;
const CONNECT_CONCURRENCY = 50;
/** A message of a typical length (about 200 characters) after the send time. */
const FILLER = 'New cluster of accounts reposting the same manifesto excerpt across three platforms since Tuesday; hash list updated with 14 new perceptual hashes, mostly re-encodes.';

type ClientSocket = Socket<{ 'message.created': (message: MessagePayload) => void; 'session.ready': (payload: { memberId: string | null }) => void }>;

interface Client {
  socket: ClientSocket;
  index: number;
  /** Message ids received in the current phase. */
  seen: Set<string>;
}

interface Target {
  name: 'app' | 'bare';
  child: Child;
  clients: Client[];
  /** Clients per channel id, in join order. */
  members: Map<string, Client[]>;
  /** Whose turn it is to send, per channel. */
  turn: Map<string, number>;
  phase?: Phase;
  /** Disconnects nobody asked for (ping timeouts, server closing sockets). */
  drops: string[];
  closing: boolean;
}

/** What one phase (one scenario, one server, one round) collects. */
class Phase {
  readonly latencies: number[] = [];
  readonly perMessage = new Map<string, { first: number; last: number; bytes: number }>();
  readonly acked = new Map<string, Set<string>>();
  readonly ackLatencies: number[] = [];
  readonly sendErrors: string[] = [];
  deliveries = 0;
  duplicates = 0;
  lastReceipt = 0;
  lastAck = 0;

  receive(client: Client, message: MessagePayload, now: number): void {
    if (client.seen.has(message.id)) {
      this.duplicates++;
      return;
    }
    client.seen.add(message.id);
    this.deliveries++;
    this.lastReceipt = now;
    const latency = now - Number(message.source.slice(2, message.source.indexOf(' ')));
    this.latencies.push(latency);
    // Receipts are handled in time order, so the first seen is the earliest and the last the latest.
    const entry = this.perMessage.get(message.id);
    if (entry) entry.last = latency;
    else this.perMessage.set(message.id, { first: latency, last: latency, bytes: Buffer.byteLength(JSON.stringify(message)) });
  }
}

interface PhaseResult {
  messages: number;
  acked: number;
  deliveries: number;
  expectedDeliveries: number;
  missing: number;
  duplicates: number;
  unexpected: number;
  sendErrors: string[];
  latencyP50: number;
  latencyP99: number;
  latencyMax: number;
  /** Per message: the earliest receipt (stored + one hop) and the spread to the last receipt. */
  firstP50: number;
  firstP99: number;
  spreadP50: number;
  spreadP99: number;
  ackP50: number;
  ackP99: number;
  deliveriesPerSecond: number;
  /** Messages acknowledged (stored) per second, from the first send to the last ack; offered: RATE. */
  storedPerSecond: number;
  payloadBytes: number;
  /** CPU milliseconds per message sent: the server child, the database engine, this process. */
  serverCpuPerMessage: number;
  engineCpuPerMessage: number;
  benchCpuPerMessage: number;
  /** Share of one core this process (all clients) used during the phase. */
  benchCpuShare: number;
}

function ask<T>(socket: ClientSocket, event: string, payload: unknown, timeoutMs = 60_000): Promise<Parameters<Ack<T>>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${event}: no answer within ${timeoutMs} ms`)), timeoutMs);
    (socket as unknown as Socket).emit(event, payload, (reply: Parameters<Ack<T>>[0]) => {
      clearTimeout(timer);
      resolve(reply);
    });
  });
}

async function connectClient(target: Target, index: number, rooms: string[], member?: { id: string; cookie: string }): Promise<void> {
  const socket: ClientSocket = io(target.child.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 60_000,
    ...(member ? { extraHeaders: { cookie: member.cookie } } : {}),
  });
  const client: Client = { socket, index, seen: new Set() };
  target.clients[index] = client;
  socket.on('message.created', (message) => {
    const now = performance.now();
    target.phase?.receive(client, message, now);
  });
  socket.on('disconnect', (reason) => {
    if (!target.closing) target.drops.push(reason);
  });
  const ready = member
    ? new Promise<string | null>((resolve) => socket.once('session.ready', (payload) => resolve(payload.memberId)))
    : Promise.resolve(null);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(new Error(`${target.name} client ${index}: ${error.message}`)));
  });
  if (member && (await ready) !== member.id) throw new Error(`${target.name} client ${index} is not signed in as its member`);
  for (const channelId of rooms) {
    const reply = await ask<{ lastSeq: number }>(socket, 'channel.join', { channelId });
    if (!reply.ok) throw new Error(`${target.name} client ${index} could not join: ${reply.error.code} ${reply.error.message}`);
    const list = target.members.get(channelId) ?? [];
    list.push(client);
    target.members.set(channelId, list);
  }
}

/** Connects and joins CLIENTS clients, CONNECT_CONCURRENCY at a time; returns milliseconds taken. */
async function connectAll(target: Target, roomsOf: (index: number) => string[], members?: { id: string; cookie: string }[]): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < CLIENTS) {
      const index = next++;
      await connectClient(target, index, roomsOf(index), members?.[index]);
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  return performance.now() - started;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Sends `count` messages at RATE per second, round-robin over `channels`, and waits for every delivery. */
async function runPhase(target: Target, channels: string[], count: number, enginePid: number | undefined): Promise<PhaseResult> {
  for (const client of target.clients) client.seen.clear();
  const phase = new Phase();
  for (const channelId of channels) phase.acked.set(channelId, new Set());
  target.phase = phase;
  const cpuBefore = { server: cpuMs(target.child.pid), engine: enginePid ? cpuMs(enginePid) : 0, bench: process.cpuUsage() };
  const started = performance.now();
  const sends: Promise<void>[] = [];
  for (let index = 0; index < count; index++) {
    const wait = started + (index * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    const channelId = channels[index % channels.length]!;
    const members = target.members.get(channelId)!;
    const turn = target.turn.get(channelId) ?? 0;
    target.turn.set(channelId, turn + 1);
    const sender = members[turn % members.length]!;
    const sentAt = performance.now();
    const text = `t=${sentAt.toFixed(3)} ${FILLER}`;
    sends.push(
      ask<{ message: MessagePayload }>(sender.socket, 'message.send', { channelId, text, idempotencyKey: randomBytes(12).toString('base64url') }, 30_000).then(
        (reply) => {
          phase.lastAck = performance.now();
          phase.ackLatencies.push(phase.lastAck - sentAt);
          if (reply.ok) phase.acked.get(channelId)!.add(reply.data.message.id);
          else phase.sendErrors.push(reply.error.code);
        },
        () => void phase.sendErrors.push('ack_timeout'),
      ),
    );
  }
  await Promise.all(sends);
  const expectedDeliveries = channels.reduce((sum, channelId) => sum + phase.acked.get(channelId)!.size * target.members.get(channelId)!.length, 0);
  await until(() => phase.deliveries >= expectedDeliveries, 30_000);
  await sleep(100); // late duplicates would arrive now
  target.phase = undefined;
  const elapsed = phase.lastReceipt - started;
  const bench = process.cpuUsage(cpuBefore.bench);
  const benchCpu = (bench.user + bench.system) / 1000;

  let missing = 0;
  let unexpected = 0;
  const allAcked = new Set(channels.flatMap((channelId) => [...phase.acked.get(channelId)!]));
  for (const channelId of channels) {
    for (const client of target.members.get(channelId)!) {
      for (const id of phase.acked.get(channelId)!) if (!client.seen.has(id)) missing++;
    }
  }
  for (const client of target.clients) for (const id of client.seen) if (!allAcked.has(id)) unexpected++;
  const firsts = [...phase.perMessage.values()].map((entry) => entry.first);
  const spreads = [...phase.perMessage.values()].map((entry) => entry.last - entry.first);
  const bytes = [...phase.perMessage.values()].map((entry) => entry.bytes);
  return {
    messages: count,
    acked: allAcked.size,
    deliveries: phase.deliveries,
    expectedDeliveries,
    missing,
    duplicates: phase.duplicates,
    unexpected,
    sendErrors: phase.sendErrors,
    latencyP50: percentile(phase.latencies, 50),
    latencyP99: percentile(phase.latencies, 99),
    latencyMax: Math.max(...phase.latencies),
    firstP50: percentile(firsts, 50),
    firstP99: percentile(firsts, 99),
    spreadP50: percentile(spreads, 50),
    spreadP99: percentile(spreads, 99),
    ackP50: percentile(phase.ackLatencies, 50),
    ackP99: percentile(phase.ackLatencies, 99),
    deliveriesPerSecond: (phase.deliveries * 1000) / elapsed,
    storedPerSecond: (allAcked.size * 1000) / (phase.lastAck - started),
    payloadBytes: bytes.reduce((sum, value) => sum + value, 0) / Math.max(1, bytes.length),
    serverCpuPerMessage: (cpuMs(target.child.pid) - cpuBefore.server) / count,
    engineCpuPerMessage: enginePid ? ((cpuMs(enginePid) - cpuBefore.engine) / count) : 0,
    benchCpuPerMessage: benchCpu / count,
    benchCpuShare: benchCpu / elapsed,
  };
}

export async function realtimeFanout(context: BenchContext): Promise<BenchOutput> {
  const sessionSecret = randomBytes(32).toString('base64url');
  const dbName = `bench_rt_${context.runId}`;
  const targets: Target[] = [];
  const newTarget = (name: Target['name'], child: Child): Target => {
    const target: Target = { name, child, clients: [], members: new Map(), turn: new Map(), drops: [], closing: false };
    targets.push(target);
    return target;
  };
  const connection = await connect(context.uri, dbName);
  try {
    const setupStarted = performance.now();
    // The data exists before the app starts, as after a deploy: every member's socket reconnects to
    // a fresh process (which primes its cache with the sessions and members at start).
    const models = createModels(connection);
    await initModels(models);
    await ensureDefaultSpaces({ models });
    const members = await seedMembers(models, CLIENTS, sessionSecret);
    const space = await plenaryId(models);
    const channelsA = await createChannels(models, space, Array.from({ length: CHANNELS_A }, (_, index) => `bench-a-${index}`));
    const [channelB] = await createChannels(models, space, ['bench-all']);
    const app = newTarget('app', await startApp('app server', { MONGODB_URI: context.uri, DB_NAME: dbName, SESSION_SECRET: sessionSecret }));
    const bare = newTarget('bare', await startBare('bare socket.io server'));
    const roomsOf = (index: number) => [channelsA[index % CHANNELS_A]!, channelB!];
    const setupMs = performance.now() - setupStarted;

    const connecting: Record<string, { connectMs: number; rssBefore: number; rssAfter: number; serverCpuMs: number; engineCpuMs: number }> = {};
    for (const target of [app, bare]) {
      await sleep(500);
      const rssBefore = rssBytes(target.child.pid);
      const cpuBefore = { server: cpuMs(target.child.pid), engine: context.enginePid ? cpuMs(context.enginePid) : 0 };
      const connectMs = await connectAll(target, roomsOf, target.name === 'app' ? members : undefined);
      const serverCpuMs = cpuMs(target.child.pid) - cpuBefore.server;
      const engineCpuMs = context.enginePid ? cpuMs(context.enginePid) - cpuBefore.engine : 0;
      await sleep(1000);
      connecting[target.name] = { connectMs, rssBefore, rssAfter: rssBytes(target.child.pid), serverCpuMs, engineCpuMs };
      if (process.env.BENCH_VERBOSE) process.stderr.write(`connect ${target.name} ${JSON.stringify(connecting[target.name])}\n`);
    }

    const scenarios = [
      { key: 'A', label: `A: ${CHANNELS_A} channels × ${CLIENTS / CHANNELS_A}`, channels: channelsA },
      { key: 'B', label: `B: 1 channel × ${CLIENTS}`, channels: [channelB!] },
    ];
    // Warm-up: JIT, first storage block of each channel, connection pools. Not measured.
    for (const scenario of scenarios) for (const target of [app, bare]) await runPhase(target, scenario.channels, RATE * WARMUP_SECONDS, context.enginePid);

    const results: Record<string, Record<string, PhaseResult[]>> = { A: { app: [], bare: [] }, B: { app: [], bare: [] } };
    for (let round = 0; round < ROUNDS; round++) {
      for (const scenario of scenarios) {
        // Alternate who goes first, so drift over the run hits both alike.
        for (const target of round % 2 ? [bare, app] : [app, bare]) {
          await sleep(300);
          const result = await runPhase(target, scenario.channels, RATE * PHASE_SECONDS, context.enginePid);
          results[scenario.key]![target.name]!.push(result);
          if (process.env.BENCH_VERBOSE) process.stderr.write(`${scenario.key} ${target.name} ${JSON.stringify(result)}\n`);
        }
      }
    }

    // --- report ---
    const med = (list: PhaseResult[], pick: (result: PhaseResult) => number) => median(list.map(pick));
    const sum = (list: PhaseResult[], pick: (result: PhaseResult) => number) => list.reduce((total, result) => total + pick(result), 0);
    const lines: string[] = [
      `realtime fan-out: ${CLIENTS.toLocaleString('en')} socket.io clients (websocket), ${RATE} messages/s for ${PHASE_SECONDS} s per phase, medians of ${ROUNDS} rounds; baseline = bare socket.io server, same rooms, clients and payload, measured alternately in the same run`,
      '',
    ];
    const targetsMet: Record<string, boolean> = {};
    for (const scenario of scenarios) {
      const a = results[scenario.key]!.app!;
      const b = results[scenario.key]!.bare!;
      const ms = (pick: (result: PhaseResult) => number) => [`${fmt(med(a, pick))} ms`, `${fmt(med(b, pick))} ms`, ratio(med(a, pick), med(b, pick))];
      targetsMet[scenario.key] = med(a, (r) => r.latencyP99) <= 3 * med(b, (r) => r.latencyP99);
      lines.push(
        `scenario ${scenario.label}`,
        ...table(['measure', 'app', 'bare', 'app / bare'], ['l', 'r', 'r', 'r'], [
          ['latency p50 (send → receipt, every delivery)', ...ms((r) => r.latencyP50)],
          ['latency p99', ...ms((r) => r.latencyP99)],
          ['latency max', ...ms((r) => r.latencyMax)],
          ['first receipt per message p50 (stored + one hop)', ...ms((r) => r.firstP50)],
          ['first receipt per message p99', ...ms((r) => r.firstP99)],
          ['fan-out spread per message p99 (last − first receipt)', ...ms((r) => r.spreadP99)],
          ['sender ack p50', ...ms((r) => r.ackP50)],
          ['deliveries per second', int(med(a, (r) => r.deliveriesPerSecond)), int(med(b, (r) => r.deliveriesPerSecond)), ratio(med(a, (r) => r.deliveriesPerSecond), med(b, (r) => r.deliveriesPerSecond))],
          [`messages acknowledged per second (offered ${RATE})`, med(a, (r) => r.storedPerSecond).toFixed(1), med(b, (r) => r.storedPerSecond).toFixed(1), ''],
          ['deliveries (all rounds)', int(sum(a, (r) => r.deliveries)), int(sum(b, (r) => r.deliveries)), ''],
          ['missing (all rounds, must be 0)', sum(a, (r) => r.missing), sum(b, (r) => r.missing), ''],
          ['duplicated (all rounds, must be 0)', sum(a, (r) => r.duplicates), sum(b, (r) => r.duplicates), ''],
          ['received but never acknowledged', sum(a, (r) => r.unexpected), sum(b, (r) => r.unexpected), ''],
          ['send errors', sum(a, (r) => r.sendErrors.length), sum(b, (r) => r.sendErrors.length), ''],
          ['payload (message.created JSON)', `${int(med(a, (r) => r.payloadBytes))} B`, `${int(med(b, (r) => r.payloadBytes))} B`, ''],
          ['server CPU per message', ...ms((r) => r.serverCpuPerMessage)],
          ['database engine CPU per message', `${fmt(med(a, (r) => r.engineCpuPerMessage))} ms`, '—', ''],
          ['clients\' process CPU (share of one core)', `${Math.round(100 * med(a, (r) => r.benchCpuShare))} %`, `${Math.round(100 * med(b, (r) => r.benchCpuShare))} %`, ''],
        ]),
        `p99 app / bare = ${ratio(med(a, (r) => r.latencyP99), med(b, (r) => r.latencyP99))} (target ≤ 3): ${targetsMet[scenario.key] ? 'met' : 'NOT met'}`,
        '',
      );
    }
    const perClient = (name: string) => (connecting[name]!.rssAfter - connecting[name]!.rssBefore) / CLIENTS;
    const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    lines.push(
      `connecting ${CLIENTS.toLocaleString('en')} clients (handshake + 2 joins each, ${CONNECT_CONCURRENCY} at a time) and memory (server VmRSS before vs after)`,
      ...table(['measure', 'app', 'bare', 'app / bare'], ['l', 'r', 'r', 'r'], [
        ['connect + join all', `${(connecting.app!.connectMs / 1000).toFixed(1)} s`, `${(connecting.bare!.connectMs / 1000).toFixed(1)} s`, ratio(connecting.app!.connectMs, connecting.bare!.connectMs)],
        ['server RSS before', mib(connecting.app!.rssBefore), mib(connecting.bare!.rssBefore), ''],
        ['server RSS after', mib(connecting.app!.rssAfter), mib(connecting.bare!.rssAfter), ''],
        ['memory per connected client', `${(perClient('app') / 1024).toFixed(1)} KiB`, `${(perClient('bare') / 1024).toFixed(1)} KiB`, ratio(perClient('app'), perClient('bare'))],
        ['server CPU while connecting', `${(connecting.app!.serverCpuMs / 1000).toFixed(1)} s`, `${(connecting.bare!.serverCpuMs / 1000).toFixed(1)} s`, ratio(connecting.app!.serverCpuMs, connecting.bare!.serverCpuMs)],
        ['database engine CPU while connecting', `${(connecting.app!.engineCpuMs / 1000).toFixed(1)} s`, '—', ''],
        ['unexpected disconnects', app.drops.length, bare.drops.length, ''],
        ['server errors logged', app.child.errors().length, bare.child.errors().length, ''],
      ]),
    );
    return {
      lines,
      data: {
        clients: CLIENTS,
        rounds: ROUNDS,
        ratePerSecond: RATE,
        phaseSeconds: PHASE_SECONDS,
        setupMs,
        connecting,
        memoryPerClientBytes: { app: perClient('app'), bare: perClient('bare') },
        unexpectedDisconnects: { app: app.drops, bare: bare.drops },
        serverErrors: app.child.errors().slice(0, 20),
        p99TargetMet: targetsMet,
        phases: results,
      },
    };
  } finally {
    for (const target of targets) closeClients(target);
    await Promise.all(targets.map((target) => target.child.stop()));
    await connection.dropDatabase();
    await connection.close();
  }
}

function closeClients(target: Target): void {
  target.closing = true;
  for (const client of target.clients) client?.socket.disconnect();
}
