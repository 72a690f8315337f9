import mongoose from 'mongoose';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { loadConfig } from '../../backend/src/config/config.ts';
import type { Database } from '../../backend/src/db/database.ts';
import { createLogger } from '../../backend/src/http/logger.ts';
import { startServer } from '../../backend/src/server.ts';
import { REALTIME_PATH, type ClientToServerEvents, type ServerToClientEvents } from '../../backend/src/shared/realtime-events.ts';
import type { BenchContext, BenchOutput } from './context.ts';
import { createChannels, messageDocs, plenaryId, seedMembers } from './fixtures.ts';
import { MessageStore } from '../../backend/src/messages/message.store.ts';
import { table } from './table.ts';

/**
 * Database commands per hot path: the app in this process on a connection with command
 * monitoring, each path run REPEAT times after one warm-up, the commands of each run counted by
 * name. The figure is per run of the path, steady state (caches warm), which is what a busy
 * server does most of the time. Counting is exact, so one round is enough.
 */
const REPEAT = 5;

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export async function dbCommands({ uri, runId }: BenchContext): Promise<BenchOutput> {
  const name = `bench_commands_${runId}`;
  const connection = await mongoose.createConnection(uri, { dbName: name, maxPoolSize: 1, retryWrites: false, monitorCommands: true }).asPromise();
  const counts = new Map<string, number>();
  let counting = false;
  connection.getClient().on('commandStarted', (event) => {
    if (!counting || event.commandName === 'find' && (event.command as { find?: string }).find === 'cache_epochs') return; // the epoch poll runs on its own timer
    // Name the collection too: `find members` says more than `find`.
    const target = (event.command as Record<string, unknown>)[event.commandName];
    const key = typeof target === 'string' ? `${event.commandName} ${target.replace(/^(messages|sendkeys)_.*/, '$1_*').replace(/^(search_[a-z]+)_\d+$/, '$1_*')}` : event.commandName;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  });
  const database: Database = { connection, embedded: false, ping: async () => true, close: () => connection.close() };
  const config = loadConfig({ NODE_ENV: 'test' }, { mongodbUri: uri, databaseName: name });
  const server = await startServer({ config, logger: createLogger({ logLevel: 'warn' }), database, announceSetup: false });
  const sockets: ClientSocket[] = [];
  try {
    const models = server.ctx.models;
    const [member, liaison] = await seedMembers(models, 2, config.sessionSecret);
    await models.Member.updateOne({ _id: liaison!.id }, { $set: { roles: ['liaison'], sector: 'government' } });
    const [channelId] = await createChannels(models, await plenaryId(models), ['bench-commands'], 100);
    const store = new MessageStore(connection, config.messageBlockSize);
    await store.open();
    await store.collection(channelId!, 0).insertMany(messageDocs(channelId!, 1, 100, [member!.id]));
    const base = server.url;
    const headers = (cookie: string) => ({ cookie, accept: 'application/json', 'content-type': 'application/json', 'x-convene-csrf': '1' });
    const getOk = async (path: string, cookie = member!.cookie) => {
      const res = await fetch(`${base}${path}`, { headers: headers(cookie) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    };
    const alert = await fetch(`${base}/api/alerts`, {
      method: 'POST',
      headers: headers(liaison!.cookie),
      body: JSON.stringify({ title: 'Bench alert', summary: 'Counting commands.', severity: 'high', marking: 'TLP:GREEN', tags: { platforms: ['bench'], tactics: [], regions: [] }, indicators: [] }),
    });
    if (alert.status !== 201) throw new Error(`publishing the bench alert: ${alert.status} ${await alert.text()}`);
    const alertId = ((await alert.json()) as { id: string }).id;

    const openSocket = () =>
      new Promise<ClientSocket>((resolve, reject) => {
        const socket: ClientSocket = connectSocket(base, { path: REALTIME_PATH, transports: ['websocket'], extraHeaders: { cookie: member!.cookie, origin: base }, reconnection: false, forceNew: true });
        sockets.push(socket);
        socket.once('session.ready', () => resolve(socket));
        socket.once('connect_error', reject);
      });
    const sendSocket = await openSocket();
    await sendSocket.emitWithAck('channel.join', { channelId: channelId! });
    let sent = 0;

    const paths: Array<{ path: string; run: () => Promise<void> }> = [
      { path: 'request authentication (`GET /api/me`)', run: () => getOk('/api/me') },
      { path: '`GET /api/spaces`', run: () => getOk('/api/spaces') },
      {
        path: 'socket handshake and `channel.join`',
        run: async () => {
          const socket = await openSocket();
          const ack = await socket.emitWithAck('channel.join', { channelId: channelId! });
          if (!ack.ok) throw new Error(`join: ${ack.error.code}`);
          socket.disconnect();
        },
      },
      {
        path: 'sending a message (`message.send`)',
        run: async () => {
          const ack = await sendSocket.emitWithAck('message.send', { channelId: channelId!, text: `bench ${sent}`, idempotencyKey: `bench-commands-${sent++}` });
          if (!ack.ok) throw new Error(`send: ${ack.error.code}`);
        },
      },
      { path: 'reading history (`GET /api/channels/:id/messages`)', run: () => getOk(`/api/channels/${channelId}/messages`) },
      { path: 'opening an alert (`GET /api/alerts/:id`)', run: () => getOk(`/api/alerts/${alertId}`) },
    ];
    const rows: string[][] = [];
    const data: Record<string, { perRun: number; byCommand: Record<string, number> }> = {};
    for (const { path, run } of paths) {
      await run();
      await server.ctx.search.idle();
      counts.clear();
      counting = true;
      for (let index = 0; index < REPEAT; index++) await run();
      await server.ctx.search.idle();
      counting = false;
      const total = [...counts.values()].reduce((sum, value) => sum + value, 0);
      const byCommand = Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).map(([key, value]) => [key, value / REPEAT]));
      data[path] = { perRun: total / REPEAT, byCommand };
      rows.push([path, (total / REPEAT).toFixed(1), Object.entries(byCommand).map(([key, value]) => `${key} ×${value}`).join(', ')]);
    }
    return {
      lines: [`**Database commands per hot path** (steady state, mean of ${REPEAT} runs after a warm-up; includes search indexing the path causes)`, '', ...table(['path', 'commands', 'which'], ['l', 'r', 'l'], rows)],
      data,
    };
  } finally {
    for (const socket of sockets) socket.disconnect();
    await server.close();
    await connection.dropDatabase().catch(() => undefined);
    await connection.close().catch(() => undefined);
  }
}
