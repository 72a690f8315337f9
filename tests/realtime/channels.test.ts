import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import type { Models } from '../../backend/src/db/models.ts';
import type { ClientToServerEvents, MessagePayload, ServerToClientEvents } from '../../backend/src/shared/realtime-events.ts';
import type { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedIn } from '../factories/members.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
const key = () => randomBytes(8).toString('hex');

describe('channels in real time', function () {
  let server: TestServer;
  let models: Models;
  const sockets: ClientSocket[] = [];

  before(async function () {
    server = await startTestServer({ postingBurst: 200 });
    models = server.server.ctx.models;
  });

  afterEach(function () {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  after(async function () {
    await server.close();
  });

  async function open(client: ApiClient): Promise<ClientSocket> {
    const socket: ClientSocket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: client.cookie! } });
    sockets.push(socket);
    await new Promise((resolve, reject) => {
      socket.once('session.ready', resolve);
      socket.once('connect_error', reject);
    });
    return socket;
  }

  async function channelOf(slug: string): Promise<string> {
    const space = await models.Space.findOne({ slug }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name: `rt-${key()}` });
    return String(channel._id);
  }

  /** Collects message.created events on a socket. */
  function collect(socket: ClientSocket): MessagePayload[] {
    const seen: MessagePayload[] = [];
    socket.on('message.created', (message) => seen.push(message));
    return seen;
  }

  function waitFor<T>(socket: ClientSocket, event: 'message.created', predicate: (payload: MessagePayload) => boolean): Promise<MessagePayload> {
    return new Promise((resolve) => {
      const listener = (payload: MessagePayload) => {
        if (predicate(payload)) {
          socket.off(event, listener);
          resolve(payload);
        }
      };
      socket.on(event, listener);
    });
  }

  it('acknowledges a send only once stored, then delivers it to everyone in the room', async function () {
    const channelId = await channelOf('plenary');
    const { client: alice } = await signedIn(server.url, models, { sector: 'industry' });
    const { client: bob } = await signedIn(server.url, models, { sector: 'government' });
    const aliceSocket = await open(alice);
    const bobSocket = await open(bob);
    expect(await aliceSocket.emitWithAck('channel.join', { channelId })).to.deep.equal({ ok: true, data: { lastSeq: 0 } });
    expect((await bobSocket.emitWithAck('channel.join', { channelId })).ok).to.equal(true);
    const received = waitFor(bobSocket, 'message.created', (message) => message.channelId === channelId);

    const ack = await aliceSocket.emitWithAck('message.send', { channelId, text: 'Hello *Bob*', idempotencyKey: key() });
    expect(ack.ok).to.equal(true);
    if (!ack.ok) return;
    // Stored before the acknowledgement left the server.
    expect(await server.server.ctx.messages.get(channelId, ack.data.message.seq)).to.not.equal(null);
    const message = await received;
    expect(message).to.include({ seq: 1, html: '<p>Hello <em>Bob</em></p>', id: ack.data.message.id });

    const again = await aliceSocket.emitWithAck('message.send', { channelId, text: 'Hello *Bob*', idempotencyKey: 'different-key-1' });
    expect(again.ok && again.data.message.seq).to.equal(2);
  });

  it('keeps another sector out: no join, no events, whatever room name they guess', async function () {
    const channelId = await channelOf('government');
    const { client: insider } = await signedIn(server.url, models, { sector: 'government' });
    const { client: outsider } = await signedIn(server.url, models, { sector: 'industry' });
    const insiderSocket = await open(insider);
    const outsiderSocket = await open(outsider);
    const leaked = collect(outsiderSocket);
    const joined = await outsiderSocket.emitWithAck('channel.join', { channelId });
    expect(joined).to.deep.equal({ ok: false, error: { code: 'not_found', message: 'No such channel.' } });
    const sent = await outsiderSocket.emitWithAck('message.send', { channelId, text: 'let me in', idempotencyKey: key() });
    expect(sent.ok).to.equal(false);
    // There is no way to name a room: unknown events are ignored, joins go through the policy.
    (outsiderSocket as unknown as Socket).emit('join', `channel:${channelId}`);
    (outsiderSocket as unknown as Socket).emit('channel.join', `channel:${channelId}`, () => undefined);

    await insiderSocket.emitWithAck('channel.join', { channelId });
    const insiderGot = waitFor(insiderSocket, 'message.created', (message) => message.channelId === channelId);
    await insiderSocket.emitWithAck('message.send', { channelId, text: 'government only', idempotencyKey: key() });
    await insiderGot;
    // A round trip on the outsider's socket after the broadcast: had anything leaked, it would be here by now.
    await outsiderSocket.emitWithAck('system.ping', {});
    expect(leaked).to.deep.equal([]);
  });

  it('lets a client that was away catch up with exactly the messages it missed', async function () {
    const channelId = await channelOf('plenary');
    const { client: writer } = await signedIn(server.url, models);
    const { client: reader } = await signedIn(server.url, models);
    const writerSocket = await open(writer);
    await writerSocket.emitWithAck('channel.join', { channelId });
    let readerSocket = await open(reader);
    await readerSocket.emitWithAck('channel.join', { channelId });
    const seen = collect(readerSocket);
    for (let index = 0; index < 3; index++) await writerSocket.emitWithAck('message.send', { channelId, text: `before ${index}`, idempotencyKey: key() });
    await readerSocket.emitWithAck('system.ping', {});
    const cursor = Math.max(...seen.map((message) => message.seq));
    expect(cursor).to.equal(3);

    readerSocket.disconnect();
    for (let index = 0; index < 7; index++) await writerSocket.emitWithAck('message.send', { channelId, text: `while away ${index}`, idempotencyKey: key() });

    readerSocket = await open(reader);
    const live = collect(readerSocket);
    const join = await readerSocket.emitWithAck('channel.join', { channelId });
    expect(join.ok && join.data.lastSeq).to.equal(10);
    await writerSocket.emitWithAck('message.send', { channelId, text: 'after return', idempotencyKey: key() });
    const missed = await reader.get(`/api/channels/${channelId}/messages?after=${cursor}`);
    await readerSocket.emitWithAck('system.ping', {});
    // Merge what came live and what was fetched, by number: exactly 4..11, nothing twice.
    const merged = new Map<number, MessagePayload>();
    for (const message of [...missed.body.messages, ...live] as MessagePayload[]) merged.set(message.seq, message);
    expect([...merged.keys()].sort((a, b) => a - b)).to.deep.equal([4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('shows who is here and who is typing, only to those in the room', async function () {
    const channelId = await channelOf('plenary');
    const { client: alice, member: aliceMember } = await signedIn(server.url, models);
    const { client: bob, member: bobMember } = await signedIn(server.url, models);
    const aliceSocket = await open(alice);
    const bobSocket = await open(bob);
    await aliceSocket.emitWithAck('channel.join', { channelId });
    const bobId = String(bobMember._id);
    const announced = (online: boolean) =>
      new Promise<{ online: string[]; offline: string[] }>((resolve) => {
        const listener = (payload: { channelId: string; online: string[]; offline: string[] }) => {
          if (payload.channelId !== channelId || !(online ? payload.online : payload.offline).includes(bobId)) return;
          aliceSocket.off('presence.changed', listener);
          resolve(payload);
        };
        aliceSocket.on('presence.changed', listener);
      });
    const arrived = announced(true);
    await bobSocket.emitWithAck('channel.join', { channelId });
    expect((await arrived).offline).to.not.include(bobId);
    const here = await aliceSocket.emitWithAck('channel.presence', { channelId });
    expect(here.ok && here.data.memberIds.sort()).to.deep.equal([String(aliceMember._id), String(bobMember._id)].sort());

    const typing = new Promise<{ memberId: string; name: string }>((resolve) => aliceSocket.once('typing', resolve));
    bobSocket.emit('typing', { channelId });
    expect(await typing).to.include({ memberId: String(bobMember._id), name: bobMember.name });

    const left = announced(false);
    bobSocket.disconnect();
    expect((await left).online).to.not.include(bobId);
  });

  it('announces a wave of joins and leaves coalesced, each member named, far fewer events than members', async function () {
    const channelId = await channelOf('plenary');
    const { client: observer } = await signedIn(server.url, models);
    const observerSocket = await open(observer);
    await observerSocket.emitWithAck('channel.join', { channelId });
    const crowd = await Promise.all(Array.from({ length: 20 }, () => signedIn(server.url, models)));
    const ids = crowd.map(({ member }) => String(member._id));
    const crowdSockets = await Promise.all(crowd.map(({ client }) => open(client)));
    const events: { online: string[]; offline: string[] }[] = [];
    const seen = (field: 'online' | 'offline') =>
      new Promise<void>((resolve) => {
        const named = new Set<string>();
        const listener = (payload: { channelId: string; online: string[]; offline: string[] }) => {
          if (payload.channelId !== channelId) return;
          events.push(payload);
          for (const id of payload[field]) named.add(id);
          if (ids.every((id) => named.has(id))) {
            observerSocket.off('presence.changed', listener);
            resolve();
          }
        };
        observerSocket.on('presence.changed', listener);
      });
    const joined = seen('online');
    await Promise.all(crowdSockets.map((socket) => socket.emitWithAck('channel.join', { channelId })));
    await joined;
    // 20 joins within a window or two: the first goes out at once, the rest together.
    expect(events.length).to.be.within(1, 8);
    const here = await observerSocket.emitWithAck('channel.presence', { channelId });
    expect(here.ok && here.data.memberIds).to.include.members(ids);

    events.length = 0;
    const left = seen('offline');
    for (const socket of crowdSockets) socket.disconnect();
    await left;
    expect(events.length).to.be.within(1, 8);
    const after = await observerSocket.emitWithAck('channel.presence', { channelId });
    expect(after.ok && after.data.memberIds).to.not.include.members([ids[0]!]);
  });

  it('cuts the sockets in a channel that is archived; posting there is refused afterwards', async function () {
    const channelId = await channelOf('plenary');
    const { client } = await signedIn(server.url, models);
    const socket = await open(client);
    await socket.emitWithAck('channel.join', { channelId });
    const ended = new Promise<string>((resolve) => socket.once('session.ended', ({ reason }) => resolve(reason)));
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    expect((await moderator.patch(`/api/channels/${channelId}`, { archived: true })).status).to.equal(200);
    expect(await ended).to.equal('access_changed');
    const again = await open(client);
    await again.emitWithAck('channel.join', { channelId });
    const refused = await again.emitWithAck('message.send', { channelId, text: 'too late', idempotencyKey: key() });
    expect(!refused.ok && refused.error.code).to.equal('forbidden');
  });

  it('refuses malformed payloads in the acknowledgement and stays connected', async function () {
    const { client } = await signedIn(server.url, models);
    const socket = await open(client);
    const bad = await socket.emitWithAck('channel.join', { channelId: { $ne: null } } as unknown as { channelId: string });
    expect(bad.ok).to.equal(false);
    expect(!bad.ok && bad.error.code).to.equal('invalid_request');
    const channelId = await channelOf('plenary');
    const empty = await socket.emitWithAck('message.send', { channelId, text: '', idempotencyKey: key() });
    expect(!empty.ok && empty.error.message).to.contain('text');
    expect(socket.connected).to.equal(true);
  });

  it('cuts the sockets of members whose access changes, so they rejoin under the new rule', async function () {
    const { client, member } = await signedIn(server.url, models, { sector: 'government' });
    const socket = await open(client);
    const channelId = await channelOf('government');
    expect((await socket.emitWithAck('channel.join', { channelId })).ok).to.equal(true);
    const ended = new Promise<string>((resolve) => socket.once('session.ended', ({ reason }) => resolve(reason)));
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    const moved = await moderator.patch(`/api/organisations/${member.organisationId}`, { sector: 'industry' });
    expect(moved.status).to.equal(200);
    expect(await ended).to.equal('access_changed');
    const again = await open(client);
    expect((await again.emitWithAck('channel.join', { channelId })).ok).to.equal(false);
  });
});
