import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import type { ChannelKind } from '../../backend/src/channels/channel.model.ts';
import type { Models } from '../../backend/src/db/models.ts';
import { makePdf } from '../../scripts/lib/make-pdf.ts';
import type { ChannelControlsPayload, ClientToServerEvents, ServerToClientEvents } from '../../backend/src/shared/realtime-events.ts';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedIn } from '../factories/members.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
const key = () => randomBytes(8).toString('hex');

describe('channel controls: read-only, slow mode, notice', function () {
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

  async function channelOf(slug = 'plenary', kind: ChannelKind = 'discussion'): Promise<string> {
    const space = await models.Space.findOne({ slug }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name: `ctl-${key()}`, kind });
    return String(channel._id);
  }

  const controls = (client: ApiClient, channelId: string, body: unknown) => client.request('PUT', `/api/channels/${channelId}/controls`, body);

  it('lets only moderators who may enter the space set controls; 401, 403, 404 and 400 otherwise', async function () {
    const channelId = await channelOf();
    const { client: member } = await signedIn(server.url, models);
    expect((await controls(new ApiClient(server.url), channelId, { readOnly: true })).status).to.equal(401);
    expect((await controls(member, channelId, { readOnly: true })).status).to.equal(403);
    const { client: liaison } = await signedIn(server.url, models, { roles: ['liaison'] });
    expect((await controls(liaison, channelId, { readOnly: true })).status).to.equal(403);
    const government = await channelOf('government');
    const { client: industryModerator } = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
    expect((await controls(industryModerator, government, { readOnly: true })).status).to.equal(404);
    expect((await controls(industryModerator, '0123456789abcdef01234567', { readOnly: true })).status).to.equal(404);
    for (const body of [{ readOnly: 'yes' }, { slowModeSeconds: -1 }, { slowModeSeconds: 1.5 }, { notice: 'x'.repeat(2001) }, { other: true }]) {
      const res = await controls(industryModerator, channelId, body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.error.message).to.match(/^body/);
    }
    const { client: admin } = await signedIn(server.url, models, { roles: ['admin'] });
    expect((await controls(admin, channelId, { readOnly: false })).status).to.equal(200);
  });

  it('makes a channel read-only for members on HTTP and sockets alike; moderators still post; live and audited', async function () {
    const channelId = await channelOf();
    const { client: member } = await signedIn(server.url, models);
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    const memberSocket = await open(member);
    await memberSocket.emitWithAck('channel.join', { channelId });
    const heard = new Promise<ChannelControlsPayload>((resolve) => memberSocket.on('channel.updated', resolve));
    const set = await controls(moderator, channelId, { readOnly: true });
    expect(set.status).to.equal(200);
    expect(set.body).to.include({ readOnly: true });
    expect(await heard).to.deep.equal({ channelId, readOnly: true, slowModeSeconds: 0, noticeHtml: null });

    const http = await member.post(`/api/channels/${channelId}/messages`, { text: 'let me speak', idempotencyKey: key() });
    expect(http.status).to.equal(403);
    expect(http.body.error.code).to.equal('channel_read_only');
    // The socket joined before the change: the send still sees it.
    const socketSend = await memberSocket.emitWithAck('message.send', { channelId, text: 'let me speak', idempotencyKey: key() });
    expect(socketSend).to.deep.include({ ok: false });
    expect(!socketSend.ok && socketSend.error.code).to.equal('channel_read_only');
    expect((await moderator.post(`/api/channels/${channelId}/messages`, { text: 'We are pausing this channel.', idempotencyKey: key() })).status).to.equal(201);

    await controls(moderator, channelId, { readOnly: false });
    expect((await member.post(`/api/channels/${channelId}/messages`, { text: 'thanks', idempotencyKey: key() })).status).to.equal(201);
    const audit = await models.AuditEvent.find({ action: 'channel.controls_changed', targetId: channelId }).lean();
    expect(audit).to.have.length(2);
    expect((await member.get(`/api/channels/${channelId}`)).body.readOnly).to.equal(false);
  });

  it('keeps members from editing and reacting in a read-only channel; moderators still may', async function () {
    const channelId = await channelOf();
    const { client: member } = await signedIn(server.url, models);
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    const mine = await member.post(`/api/channels/${channelId}/messages`, { text: 'before the pause', idempotencyKey: key() });
    const theirs = await moderator.post(`/api/channels/${channelId}/messages`, { text: 'moderator note', idempotencyKey: key() });
    expect((await controls(moderator, channelId, { readOnly: true })).status).to.equal(200);
    const edit = await member.patch(`/api/channels/${channelId}/messages/${mine.body.seq}`, { text: 'edited during the pause' });
    expect(edit.status).to.equal(403);
    expect(edit.body.error.code).to.equal('channel_read_only');
    const react = await member.post(`/api/channels/${channelId}/messages/${theirs.body.seq}/reactions`, { emoji: '👍', on: true });
    expect(react.status).to.equal(403);
    expect(react.body.error.code).to.equal('channel_read_only');
    expect((await server.server.ctx.messages.get(channelId, mine.body.seq))!.source).to.equal('before the pause');
    expect((await server.server.ctx.messages.get(channelId, theirs.body.seq))!.reactions).to.deep.equal([]);
    expect((await moderator.patch(`/api/channels/${channelId}/messages/${theirs.body.seq}`, { text: 'moderator note, edited' })).status).to.equal(200);
    expect((await moderator.post(`/api/channels/${channelId}/messages/${mine.body.seq}/reactions`, { emoji: '👍', on: true })).status).to.equal(200);
    await controls(moderator, channelId, { readOnly: false });
    expect((await member.patch(`/api/channels/${channelId}/messages/${mine.body.seq}`, { text: 'edited after' })).status).to.equal(200);
  });

  it('keeps members from every write in read-only Q&A, papers and library channels', async function () {
    const qa = await channelOf('plenary', 'qa');
    const papers = await channelOf('plenary', 'papers');
    const library = await channelOf('plenary', 'library');
    const { client: member } = await signedIn(server.url, models);
    const { client: asker } = await signedIn(server.url, models);
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    const asked = await asker.post(`/api/channels/${qa}/questions`, { title: 'How do we triage?', body: 'Question body', tags: [] });
    const answered = await member.post(`/api/channels/${qa}/questions/${asked.body.id}/answers`, { body: 'An answer' });
    const shared = await member.post(`/api/channels/${papers}/papers`, { title: 'A paper', authors: ['A. Author'], abstract: 'Abstract', tags: [] });
    const resource = await moderator.post(`/api/channels/${library}/resources`, { title: 'Guide', category: 'Guides', body: 'Text' });
    for (const created of [asked, answered, shared, resource]) expect(created.status, JSON.stringify(created.body)).to.equal(201);
    for (const channelId of [qa, papers, library]) expect((await controls(moderator, channelId, { readOnly: true })).status).to.equal(200);

    const upload = async (client: ApiClient, path: string) => {
      const response = await fetch(`${server.url}${path}`, { method: 'PUT', headers: { 'content-type': 'application/pdf', 'x-convene-csrf': '1', cookie: client.cookie ?? '' }, body: makePdf('A title', ['one line']) });
      return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
    };
    const attempts: [string, Promise<{ status: number; body?: { error?: { code: string } } }>][] = [
      ['ask', member.post(`/api/channels/${qa}/questions`, { title: 'Another question?', body: 'text', tags: [] })],
      ['answer', member.post(`/api/channels/${qa}/questions/${asked.body.id}/answers`, { body: 'Another answer' })],
      ['vote', member.post(`/api/channels/${qa}/questions/${asked.body.id}/vote`, { value: 1 })],
      ['accept', asker.post(`/api/channels/${qa}/questions/${asked.body.id}/accept`, { answerId: answered.body.id })],
      ['share', member.post(`/api/channels/${papers}/papers`, { title: 'Another paper', authors: ['B'], abstract: 'x', tags: [] })],
      ['comment', member.post(`/api/channels/${papers}/papers/${shared.body.id}/comments`, { body: 'A comment' })],
      ['upload', upload(member, `/api/channels/${papers}/papers/${shared.body.id}/pdf`)],
      ['suggest', member.post(`/api/channels/${library}/resources/${resource.body.id}/suggestions`, { body: 'Better text', note: 'Clearer wording' })],
    ];
    for (const [name, attempt] of attempts) {
      const res = await attempt;
      expect(res.status, name).to.equal(403);
      expect(res.body?.error?.code, name).to.equal('channel_read_only');
    }
    const question = await asker.get(`/api/channels/${qa}/questions/${asked.body.id}`);
    expect(question.body.answers).to.have.length(1);
    expect(question.body.question).to.include({ score: 0, acceptedAnswerId: null });
    // Moderators keep writing, as in discussions.
    expect((await moderator.post(`/api/channels/${qa}/questions/${asked.body.id}/answers`, { body: 'Moderators answer' })).status).to.equal(201);
    expect((await moderator.post(`/api/channels/${papers}/papers/${shared.body.id}/comments`, { body: 'Moderator comment' })).status).to.equal(201);
    expect((await moderator.patch(`/api/channels/${library}/resources/${resource.body.id}`, { body: 'New text', note: '' })).status).to.equal(200);
    await controls(moderator, qa, { readOnly: false });
    expect((await member.post(`/api/channels/${qa}/questions/${asked.body.id}/vote`, { value: 1 })).status).to.equal(200);
  });

  it('slows questions, answers, papers and comments like messages: one post per member per N seconds', async function () {
    const qa = await channelOf('plenary', 'qa');
    const papers = await channelOf('plenary', 'papers');
    const { client: member, member: memberDoc } = await signedIn(server.url, models);
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    for (const channelId of [qa, papers]) expect((await controls(moderator, channelId, { slowModeSeconds: 60 })).status).to.equal(200);
    const asked = await member.post(`/api/channels/${qa}/questions`, { title: 'First question?', body: 'text', tags: [] });
    expect(asked.status).to.equal(201);
    const again = await member.post(`/api/channels/${qa}/questions/${asked.body.id}/answers`, { body: 'My own answer' });
    expect(again.status).to.equal(429);
    expect(again.body.error.details.retryAfterSeconds).to.be.within(55, 60);
    // Votes are not posts; moderators are not slowed.
    const { client: other } = await signedIn(server.url, models);
    const otherAnswer = await other.post(`/api/channels/${qa}/questions/${asked.body.id}/answers`, { body: 'Someone else answers' });
    expect(otherAnswer.status).to.equal(201);
    expect((await member.post(`/api/channels/${qa}/questions/${asked.body.id}/answers/${otherAnswer.body.id}/vote`, { value: 1 })).status).to.equal(200);
    expect((await moderator.post(`/api/channels/${qa}/questions/${asked.body.id}/answers`, { body: 'one' })).status).to.equal(201);
    expect((await moderator.post(`/api/channels/${qa}/questions/${asked.body.id}/answers`, { body: 'two' })).status).to.equal(201);
    const shared = await member.post(`/api/channels/${papers}/papers`, { title: 'A paper', authors: ['A'], abstract: 'x', tags: [] });
    expect(shared.status).to.equal(201);
    const comment = await member.post(`/api/channels/${papers}/papers/${shared.body.id}/comments`, { body: 'Too soon' });
    expect(comment.status).to.equal(429);
    // The turn is over once the interval has passed (moved back in time rather than waited for).
    for (const channelId of [qa, papers]) await models.SlowModeTurn.updateOne({ _id: `${channelId}:${String(memberDoc._id)}` }, { $set: { at: new Date(Date.now() - 61_000) } });
    expect((await member.post(`/api/channels/${papers}/papers/${shared.body.id}/comments`, { body: 'Later' })).status).to.equal(201);
    expect((await member.post(`/api/channels/${qa}/questions/${asked.body.id}/answers`, { body: 'Later answer' })).status).to.equal(201);
  });

  it('slows a channel to one message per member per N seconds, on HTTP and sockets, with the wait in the answer', async function () {
    const channelId = await channelOf();
    const { client: member } = await signedIn(server.url, models);
    const { client: other } = await signedIn(server.url, models);
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    const socket = await open(member);
    await socket.emitWithAck('channel.join', { channelId });
    await controls(moderator, channelId, { slowModeSeconds: 60 });

    const firstKey = key();
    const first = await member.post(`/api/channels/${channelId}/messages`, { text: 'one', idempotencyKey: firstKey });
    expect(first.status).to.equal(201);
    const second = await member.post(`/api/channels/${channelId}/messages`, { text: 'two', idempotencyKey: key() });
    expect(second.status).to.equal(429);
    expect(second.body.error.details.retryAfterSeconds).to.be.within(55, 60);
    expect(second.headers.get('retry-after')).to.equal(String(second.body.error.details.retryAfterSeconds));
    const bySocket = await socket.emitWithAck('message.send', { channelId, text: 'three', idempotencyKey: key() });
    expect(!bySocket.ok && bySocket.error.code).to.equal('rate_limited');
    // A retry of the stored send is not a new message: it still answers.
    const retry = await member.post(`/api/channels/${channelId}/messages`, { text: 'one', idempotencyKey: firstKey });
    expect(retry.status).to.equal(200);
    expect(retry.body.id).to.equal(first.body.id);
    // Per member: someone else may post; moderators are not slowed.
    expect((await other.post(`/api/channels/${channelId}/messages`, { text: 'mine', idempotencyKey: key() })).status).to.equal(201);
    expect((await moderator.post(`/api/channels/${channelId}/messages`, { text: 'a', idempotencyKey: key() })).status).to.equal(201);
    expect((await moderator.post(`/api/channels/${channelId}/messages`, { text: 'b', idempotencyKey: key() })).status).to.equal(201);
    // The turn is over once the interval has passed (moved back in time rather than waited for).
    await models.SlowModeTurn.updateMany({}, { $set: { at: new Date(Date.now() - 61_000) } });
    const later = await socket.emitWithAck('message.send', { channelId, text: 'later', idempotencyKey: key() });
    expect(later.ok).to.equal(true);
    await controls(moderator, channelId, { slowModeSeconds: 0 });
    expect((await member.post(`/api/channels/${channelId}/messages`, { text: 'free again', idempotencyKey: key() })).status).to.equal(201);
  });

  it('pins a sanitised notice at the top of the channel, broadcast live; null removes it', async function () {
    const channelId = await channelOf();
    const { client: member } = await signedIn(server.url, models);
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    const socket = await open(member);
    await socket.emitWithAck('channel.join', { channelId });
    const heard = new Promise<ChannelControlsPayload>((resolve) => socket.on('channel.updated', resolve));
    const set = await controls(moderator, channelId, { notice: 'Please **stay on topic** <img src=x onerror=alert(1)> [rules](javascript:alert(1))' });
    expect(set.status).to.equal(200);
    const expected = '<p>Please <strong>stay on topic</strong> &lt;img src=x onerror=alert(1)&gt; [rules](javascript:alert(1))</p>';
    expect(set.body.noticeHtml).to.equal(expected);
    expect((await heard).noticeHtml).to.equal(expected);
    expect((await member.get(`/api/channels/${channelId}`)).body.noticeHtml).to.equal(expected);
    const spaces = await member.get('/api/spaces');
    const listed = spaces.body.flatMap((space: { channels: { id: string; noticeHtml: string | null }[] }) => space.channels).find((channel: { id: string }) => channel.id === channelId);
    expect(listed.noticeHtml).to.equal(expected);
    await controls(moderator, channelId, { notice: null });
    expect((await member.get(`/api/channels/${channelId}`)).body.noticeHtml).to.equal(null);
  });
});
