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
import { PASSWORD, makeMember, makeOrganisation } from '../factories/members.ts';

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

  /**
   * The cache layer (on in both processes): what one process changes, the other's next requests
   * see within a second. Each check repeats the request until it holds or a second has passed.
   */
  async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    while (!(await check())) {
      if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    }
    return Date.now() - started;
  }

  it('a suspension, a role change, a sector change, a space rule change and a sign-out on one process hold on the other within a second', async function () {
    const admin = await makeMember(models, { roles: ['admin', 'moderator'] });
    const org = await makeOrganisation(models, { sector: 'industry' });
    const member = await makeMember(models, { organisation: org });
    const adminA = await signIn(urls[0]!, admin);
    const onB = await signIn(urls[1]!, member);
    // Warm process B's cache for this member, session, organisation and the spaces.
    for (let index = 0; index < 2; index++) {
      expect((await onB.get('/api/me')).status).to.equal(200);
      expect((await onB.get('/api/spaces')).status).to.equal(200);
    }
    const stats = (await (await signIn(urls[1]!, admin)).get('/api/admin/cache')).body;
    expect(stats.enabled).to.equal(true);
    expect(stats.redis).to.equal('connected');
    expect(stats.entities.members.hits).to.be.greaterThan(0);
    const slugs = async () => ((await onB.get('/api/spaces')).body as Array<{ slug: string }>).map((space) => space.slug);

    expect((await adminA.post(`/api/admin/members/${member._id}/roles`, { role: 'liaison', grant: true })).status).to.equal(200);
    await within(1000, async () => ((await onB.get('/api/me')).body.roles ?? []).includes('liaison'));

    expect(await slugs()).to.include('industry');
    expect((await adminA.patch(`/api/organisations/${org._id}`, { sector: 'government' })).status).to.equal(200);
    await within(1000, async () => (await slugs()).includes('government') && !(await slugs()).includes('industry'));

    const plenary = await models.Space.findOne({ slug: 'plenary' }).lean();
    const created = await adminA.post('/api/spaces', { slug: `multi-${randomBytes(4).toString('hex')}`, name: 'Multi', access: { sectors: ['government'], roles: [] } });
    expect(created.status).to.equal(201);
    await within(1000, async () => (await slugs()).includes(created.body.slug));
    expect((await adminA.patch(`/api/spaces/${created.body.id}`, { access: { sectors: ['industry'], roles: [] } })).status).to.equal(200);
    await within(1000, async () => !(await slugs()).includes(created.body.slug));
    expect(plenary).to.not.equal(null);

    // Sign-out on A of a session that B has cached.
    const onA = new ApiClient(urls[0]!);
    onA.cookie = onB.cookie;
    expect((await onA.post('/api/auth/sign-out')).status).to.be.oneOf([200, 204]);
    const replay = new ApiClient(urls[1]!);
    replay.cookie = onA.cookie ?? onB.cookie;
    await within(1000, async () => (await replay.get('/api/me')).status === 401);

    const again = await signIn(urls[1]!, member);
    expect((await again.get('/api/me')).status).to.equal(200);
    expect((await adminA.post(`/api/admin/members/${member._id}/suspend`, { reason: 'Cache test across processes' })).status).to.equal(200);
    await within(1000, async () => (await again.get('/api/me')).status === 401);
  });

  it('a message sent through one process is in the history read on the other as soon as its event arrives', async function () {
    const sender = await makeMember(models);
    const reader = await makeMember(models);
    const plenary = await models.Space.findOne({ slug: 'plenary' }).lean();
    const channel = await models.Channel.findOne({ spaceId: plenary!._id, name: 'general' }).lean();
    const channelId = String(channel!._id);
    const readerClient = await signIn(urls[1]!, reader);
    const readerSocket = await socketOn(urls[1]!, readerClient);
    expect((await readerSocket.emitWithAck('channel.join', { channelId })).ok).to.equal(true);
    // B caches the channel's newest block.
    expect((await readerClient.get(`/api/channels/${channelId}/messages`)).status).to.equal(200);
    const senderClient = await signIn(urls[0]!, sender);
    for (let index = 0; index < 3; index++) {
      const received = new Promise<MessagePayload>((resolve) => readerSocket.once('message.created', resolve));
      const sent = await senderClient.post(`/api/channels/${channelId}/messages`, { text: `history ${index}`, idempotencyKey: randomBytes(8).toString('hex') });
      expect(sent.status).to.equal(201);
      await received;
      const history = await readerClient.get(`/api/channels/${channelId}/messages`);
      expect((history.body.messages as Array<{ id: string }>).map((message) => message.id)).to.include(sent.body.id);
      expect(sent.body.seq).to.be.a('number');
      expect(history.body.lastSeq).to.equal(sent.body.seq);
    }
  });
});
