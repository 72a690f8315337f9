import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { connect } from '../../backend/src/db/database.ts';
import { createModels } from '../../backend/src/db/models.ts';
import { MessageStore } from '../../backend/src/messages/message.store.ts';
import { startApp, type Child } from './children.ts';
import type { BenchContext, BenchOutput } from './context.ts';
import { createChannels, messageDocs, plenaryId, seedMembers } from './fixtures.ts';
import { fmt, percentile } from './stats.ts';
import { int, ratio, table } from './table.ts';

/**
 * History at scale: reading a channel's history over HTTP, as a signed-in member, from a database
 * holding 100,000 messages in 20 channels, against the same reads of a channel of 100 messages in
 * a database holding nothing else. Two app servers (child processes), one per database, on the same
 * engine; requests alternate between them so noise hits both alike. The messages are written
 * directly into the MessageStore's block collections (insertMany per block), `lastSeq` on the
 * channel documents.
 */

const CHANNELS = 20;
const PER_CHANNEL = Number(process.env.BENCH_HISTORY_PER_CHANNEL ?? 5000);
const SMALL = 100;
const REPETITIONS = 30;
const WARMUP = 3;
const BLOCK_SIZE = 200;
const SEED_CONCURRENCY = 4;

interface Side {
  name: 'scale' | 'small';
  dbName: string;
  child?: Child;
  cookie: string;
  channels: string[];
  lastSeq: number;
}

interface Operation {
  name: string;
  query: (lastSeq: number) => string;
  /** How many messages the answer holds. */
  expect: (lastSeq: number) => number;
}

const OPERATIONS: Operation[] = [
  { name: 'newest page `?limit=50`', query: () => '?limit=50', expect: (last) => Math.min(50, last) },
  { name: 'older page `?before=<middle>` (50)', query: (last) => `?before=${Math.floor(last / 2) + 1}&limit=50`, expect: () => 50 },
  { name: 'catch-up `?after=<last−200>&limit=200`', query: (last) => `?after=${Math.max(0, last - 200)}&limit=200`, expect: (last) => Math.min(200, last) },
  { name: 'catch-up `?after=<last−100>&limit=100`', query: (last) => `?after=${last - 100}&limit=100`, expect: () => 100 },
];

async function timedGet(side: Side, path: string, expected: number): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${side.child!.url}${path}`, { headers: { cookie: side.cookie, accept: 'application/json' } });
  const text = await res.text();
  const elapsed = performance.now() - started;
  if (res.status !== 200) throw new Error(`${side.name} GET ${path}: ${res.status} ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as { messages: unknown[]; lastSeq: number };
  if (body.messages.length !== expected || body.lastSeq !== side.lastSeq) {
    throw new Error(`${side.name} GET ${path}: ${body.messages.length} messages (expected ${expected}), lastSeq ${body.lastSeq} (expected ${side.lastSeq})`);
  }
  return elapsed;
}

export async function historyAtScale(context: BenchContext): Promise<BenchOutput> {
  const sessionSecret = randomBytes(32).toString('base64url');
  const sides: Side[] = [
    { name: 'scale', dbName: `bench_hist_scale_${context.runId}`, cookie: '', channels: [], lastSeq: PER_CHANNEL },
    { name: 'small', dbName: `bench_hist_small_${context.runId}`, cookie: '', channels: [], lastSeq: SMALL },
  ];
  const connections = await Promise.all(sides.map((side) => connect(context.uri, side.dbName)));
  try {
    await Promise.all(
      sides.map(async (side) => {
        side.child = await startApp(`app server (${side.name})`, { MONGODB_URI: context.uri, DB_NAME: side.dbName, SESSION_SECRET: sessionSecret, MESSAGE_BLOCK_SIZE: String(BLOCK_SIZE) });
      }),
    );

    let seedMs = 0;
    let collections = 0;
    for (const [index, side] of sides.entries()) {
      const connection = connections[index]!;
      const models = createModels(connection);
      const [member] = await seedMembers(models, 1, sessionSecret);
      side.cookie = member!.cookie;
      const space = await plenaryId(models);
      const count = side.name === 'scale' ? CHANNELS : 1;
      side.channels = await createChannels(models, space, Array.from({ length: count }, (_, channel) => `history-${channel}`), side.lastSeq);
      // Inserts only, each block by one writer: several connections are safe here, and faster.
      const writer = await mongoose.createConnection(context.uri, { dbName: side.dbName, maxPoolSize: SEED_CONCURRENCY }).asPromise();
      try {
        const store = new MessageStore(writer, BLOCK_SIZE);
        const blocks = side.channels.flatMap((channelId) => Array.from({ length: store.blockOf(side.lastSeq) + 1 }, (_, block) => ({ channelId, block })));
        const started = performance.now();
        let next = 0;
        await Promise.all(
          Array.from({ length: SEED_CONCURRENCY }, async () => {
            while (next < blocks.length) {
              const { channelId, block } = blocks[next++]!;
              const from = block * BLOCK_SIZE + 1;
              await store.collection(channelId, block).insertMany(messageDocs(channelId, from, Math.min(side.lastSeq, from + BLOCK_SIZE - 1), [member!.id]));
            }
          }),
        );
        if (side.name === 'scale') {
          seedMs = performance.now() - started;
          collections = blocks.length;
        }
      } finally {
        await writer.close();
      }
    }

    const times = new Map<string, number[]>();
    for (let repetition = -WARMUP; repetition < REPETITIONS; repetition++) {
      for (const operation of OPERATIONS) {
        for (const side of repetition % 2 ? [...sides].reverse() : sides) {
          const channelId = side.channels[((repetition % side.channels.length) + side.channels.length) % side.channels.length]!;
          const elapsed = await timedGet(side, `/api/channels/${channelId}/messages${operation.query(side.lastSeq)}`, operation.expect(side.lastSeq));
          if (repetition < 0) continue;
          const key = `${operation.name}|${side.name}`;
          times.set(key, [...(times.get(key) ?? []), elapsed]);
        }
      }
    }

    const rows = OPERATIONS.map((operation) => {
      const scale = times.get(`${operation.name}|scale`)!;
      const small = times.get(`${operation.name}|small`)!;
      return {
        operation: operation.name,
        messages: { scale: operation.expect(PER_CHANNEL), small: operation.expect(SMALL) },
        scale: { p50: percentile(scale, 50), p99: percentile(scale, 99), all: scale },
        small: { p50: percentile(small, 50), p99: percentile(small, 99), all: small },
      };
    });
    const totalMessages = CHANNELS * PER_CHANNEL;
    const lines = [
      `history at scale: GET /api/channels/:id/messages as a signed-in member, ${REPETITIONS} repetitions each (p99 of ${REPETITIONS} ≈ the slowest); ` +
        `${totalMessages.toLocaleString('en')} messages in ${CHANNELS} channels (${collections} block collections, seeded in ${(seedMs / 1000).toFixed(1)} s) ` +
        `vs baseline: one channel of ${SMALL} messages in a database holding nothing else; two app servers, requests alternating`,
      ...table(
        ['operation', 'messages returned (scale / base)', 'p50 at scale', 'p50 baseline', '× p50', 'p99 at scale', 'p99 baseline', '× p99'],
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
        rows.map((row) => [
          row.operation,
          `${row.messages.scale} / ${row.messages.small}`,
          `${fmt(row.scale.p50)} ms`,
          `${fmt(row.small.p50)} ms`,
          ratio(row.scale.p50, row.small.p50),
          `${fmt(row.scale.p99)} ms`,
          `${fmt(row.small.p99)} ms`,
          ratio(row.scale.p99, row.small.p99),
        ]),
      ),
    ];
    const met = rows.every((row) => row.scale.p50 <= 2 * row.small.p50 && row.scale.p99 <= 2 * row.small.p99);
    lines.push(`target ≤ 2× baseline (p50 and p99, every operation): ${met ? 'met' : 'NOT met'}`);
    const errors = sides.reduce((total, side) => total + side.child!.errors().length, 0);
    if (errors) lines.push(`server errors logged: ${int(errors)}`);
    return {
      lines,
      data: { channels: CHANNELS, perChannel: PER_CHANNEL, totalMessages, blockSize: BLOCK_SIZE, collections, seedMs, small: SMALL, repetitions: REPETITIONS, targetMet: met, rows },
    };
  } finally {
    await Promise.all(sides.map((side) => side.child?.stop()));
    for (const connection of connections) {
      await connection.dropDatabase();
      await connection.close();
    }
  }
}
