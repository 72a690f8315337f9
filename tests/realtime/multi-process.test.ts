import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { io as connect, type Socket } from 'socket.io-client';
import { connect as connectDb } from '../../backend/src/db/database.ts';
import { createModels, type Models } from '../../backend/src/db/models.ts';
import type { ClientToServerEvents, MessagePayload, ServerToClientEvents } from '../../backend/src/shared/realtime-events.ts';
import { ApiClient } from '../helpers/client.ts';
import { engineUri, uniqueDatabaseName } from '../helpers/engine.ts';
import { spawnServer, type ServerProcess } from '../helpers/process.ts';
import { PASSWORD, makeMember } from '../factories/members.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * Two app processes on one database and the local Redis (REDIS_URL): what one process does
 * reaches the sockets held by the other.
 */
describe('several processes with the Redis adapter', function () {
  this.timeout(60_000);
  const processes: ServerProcess[] = [];
  const urls: string[] = [];
  const sockets: ClientSocket[] = [];
  let name: string;
  let connection: Connection;
  let models: Models;

  before(async function () {
    name = uniqueDatabaseName('multi');
    const env = { MONGODB_URI: await engineUri(), DB_NAME: name, REDIS_URL: 'redis://127.0.0.1:6379' };
    for (let index = 0; index < 2; index++) {
      const proc = spawnServer(env);
      processes.push(proc);
      const listening = await proc.waitForLog((line) => line.msg === 'listening');
      urls.push(`http://127.0.0.1:${listening.port as number}`);
    }
    expect(processes.every((proc) => proc.logs.some((line) => line.msg === 'socket.io uses the Redis adapter'))).to.equal(true);
    connection = await connectDb(await engineUri(), name);
    models = createModels(connection);
  });

  after(async function () {
    for (const socket of sockets) socket.disconnect();
    for (const proc of processes) {
      if (proc.child.exitCode === null) proc.child.kill('SIGTERM');
      await proc.exited;
    }
    await connection.dropDatabase();
    await connection.close();
  });

  async function signIn(url: string, member: { email: string }): Promise<ApiClient> {
    const client = new ApiClient(url);
    const res = await client.post('/api/auth/sign-in', { email: member.email, password: PASSWORD });
    expect(res.status).to.equal(200);
    return client;
  }

  async function socketOn(url: string, client: ApiClient): Promise<ClientSocket> {
    const socket: ClientSocket = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: client.cookie! } });
    sockets.push(socket);
    const ready = await new Promise<{ memberId: string | null }>((resolve, reject) => {
      socket.once('session.ready', resolve);
      socket.once('connect_error', reject);
    });
    expect(ready.memberId).to.be.a('string');
    return socket;
  }

  it('delivers a message sent through one process to a socket connected to the other', async function () {
    const sender = await makeMember(models);
    const receiver = await makeMember(models);
    const plenary = await models.Space.findOne({ slug: 'plenary' }).lean();
    const channel = await models.Channel.findOne({ spaceId: plenary!._id, name: 'general' }).lean();
    const channelId = String(channel!._id);

    const receiverSocket = await socketOn(urls[1]!, await signIn(urls[1]!, receiver));
    expect((await receiverSocket.emitWithAck('channel.join', { channelId })).ok).to.equal(true);
    const received = new Promise<MessagePayload>((resolve) => receiverSocket.once('message.created', resolve));

    const senderClient = await signIn(urls[0]!, sender);
    const sent = await senderClient.post(`/api/channels/${channelId}/messages`, { text: 'across processes', idempotencyKey: randomBytes(8).toString('hex') });
    expect(sent.status).to.equal(201);
    const message = await received;
    expect(message.id).to.equal(sent.body.id);
    expect(message.html).to.equal('<p>across processes</p>');
  });

  it('disconnects a suspended member on the other process at once', async function () {
    const member = await makeMember(models);
    const moderator = await makeMember(models, { roles: ['moderator'] });
    const memberSocket = await socketOn(urls[1]!, await signIn(urls[1]!, member));
    const ended = new Promise<string>((resolve) => memberSocket.once('session.ended', ({ reason }) => resolve(reason)));
    const disconnected = new Promise<void>((resolve) => memberSocket.once('disconnect', () => resolve()));

    const moderatorClient = await signIn(urls[0]!, moderator);
    const res = await moderatorClient.post(`/api/admin/members/${member._id}/suspend`, { reason: 'Leaked a TLP:RED alert' });
    expect(res.status).to.equal(200);
    expect(await ended).to.equal('suspended');
    await disconnected;
    expect(memberSocket.connected).to.equal(false);
  });
});
