import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import type { Models } from '../../backend/src/db/models.ts';
import type { ClientToServerEvents, MessagePayload, QueueEntryPayload, ServerToClientEvents } from '../../backend/src/shared/realtime-events.ts';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedIn } from '../factories/members.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
const key = () => randomBytes(8).toString('hex');
const MISSING = '0123456789abcdef01234567';

describe('content moderation (HTTP and sockets)', function () {
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

  async function channelOf(slug = 'plenary'): Promise<string> {
    const space = await models.Space.findOne({ slug }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name: `mod-${key()}` });
    return String(channel._id);
  }

  /** A channel with an author's message in it; returns the ids. */
  async function posted(text = 'Call me on +44 7700 900123, **today**', slug = 'plenary') {
    const channelId = await channelOf(slug);
    const author = await signedIn(server.url, models, { sector: slug === 'government' ? 'government' : 'industry' });
    const res = await author.client.post(`/api/channels/${channelId}/messages`, { text, idempotencyKey: key() });
    expect(res.status).to.equal(201);
    return { channelId, seq: res.body.seq as number, id: res.body.id as string, author };
  }

  const staff = () => signedIn(server.url, models, { roles: ['moderator'] });

  describe('reporting', function () {
    it('lets a member report what they can read, once; the report is private to moderators', async function () {
      const { id } = await posted();
      const { client: reporter } = await signedIn(server.url, models);
      const first = await reporter.post('/api/moderation/reports', { type: 'message', id, reason: 'personal_data', note: 'a phone number' });
      expect(first.status).to.equal(201);
      expect(Object.keys(first.body).sort()).to.deep.equal(['at', 'reported']);
      const second = await reporter.post('/api/moderation/reports', { type: 'message', id, reason: 'harassment' });
      expect(second.status).to.equal(409);
      expect(second.body.error.code).to.equal('already_reported');
      // Only moderators see the queue.
      expect((await reporter.get('/api/moderation/queue')).status).to.equal(403);
      expect((await reporter.get(`/api/moderation/queue/message/${encodeURIComponent(id)}`)).status).to.equal(403);
      const { client: liaison } = await signedIn(server.url, models, { roles: ['liaison'] });
      expect((await liaison.get('/api/moderation/queue')).status).to.equal(403);
      const { client: moderator } = await staff();
      const queue = await moderator.get('/api/moderation/queue');
      const entry = queue.body.entries.find((item: QueueEntryPayload) => item.itemId === id);
      expect(entry).to.include({ type: 'message', reporters: 1, state: 'open', sensitive: false });
      expect(entry.reasons).to.deep.equal({ personal_data: 1 });
      const detail = await moderator.get(`/api/moderation/queue/message/${encodeURIComponent(id)}`);
      expect(detail.status).to.equal(200);
      expect(detail.body.reports).to.deep.equal([{ reason: 'personal_data', note: 'a phone number', at: first.body.at }]);
      expect(JSON.stringify(detail.body)).to.not.include('reporterId');
    });

    it('answers 404 for what the reporter cannot read and for what does not exist, 401 signed out, 400 for bad input', async function () {
      const { id } = await posted('for government eyes', 'government');
      const { client: industry } = await signedIn(server.url, models, { sector: 'industry' });
      const hidden = await industry.post('/api/moderation/reports', { type: 'message', id, reason: 'other' });
      const missing = await industry.post('/api/moderation/reports', { type: 'message', id: `${MISSING}:1`, reason: 'other' });
      expect(hidden.status).to.equal(404);
      expect(hidden.body).to.deep.equal(missing.body);
      expect((await new ApiClient(server.url).post('/api/moderation/reports', { type: 'message', id, reason: 'other' })).status).to.equal(401);
      for (const [body, field] of [
        [{ type: 'message', id, reason: 'rude' }, 'body.reason'],
        [{ type: 'tweet', id, reason: 'other' }, 'body.type'],
        [{ type: 'message', id: '', reason: 'other' }, 'body.id'],
        [{ type: 'message', id: { $ne: null }, reason: 'other' }, 'body.id'],
        [{ type: 'message', id, reason: 'other', note: 'x\u0000' }, 'body.note'],
        [{ type: 'message', id, reason: 'other', extra: 1 }, 'body'],
      ] as const) {
        const res = await industry.post('/api/moderation/reports', body);
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.body.error.message).to.match(new RegExp(`^${field.replace('.', '\\.')}`));
      }
      const { client: applicant } = await signedIn(server.url, models, { status: 'applicant' });
      expect((await applicant.post('/api/moderation/reports', { type: 'message', id, reason: 'other' })).status).to.equal(403);
    });

    it('puts a new report in moderators’ live queue, and nowhere else', async function () {
      const { id } = await posted();
      const { client: moderator } = await staff();
      const { client: member } = await signedIn(server.url, models);
      const moderatorSocket = await open(moderator);
      const memberSocket = await open(member);
      const memberSaw: unknown[] = [];
      memberSocket.on('report.created', (entry) => memberSaw.push(entry));
      const arrived = new Promise<QueueEntryPayload>((resolve) => moderatorSocket.on('report.created', (entry) => entry.itemId === id && resolve(entry)));
      const { client: reporter } = await signedIn(server.url, models);
      await reporter.post('/api/moderation/reports', { type: 'message', id, reason: 'terrorist_content', note: 'propaganda video link' });
      const entry = await arrived;
      expect(entry).to.include({ reporters: 1, sensitive: true });
      expect(JSON.stringify(entry)).to.not.include('propaganda');
      await memberSocket.emitWithAck('system.ping', {});
      expect(memberSaw).to.deep.equal([]);
    });

    it('keeps a report about a space a moderator may not enter out of their live queue, their list and their appeals', async function () {
      const { id, author } = await posted('government matters', 'government');
      const { client: governmentModerator } = await signedIn(server.url, models, { sector: 'government', roles: ['moderator'] });
      const { client: industryModerator } = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
      const insider = await open(governmentModerator);
      const outsider = await open(industryModerator);
      const outsiderSaw: QueueEntryPayload[] = [];
      outsider.on('report.created', (entry) => outsiderSaw.push(entry));
      const arrived = new Promise<QueueEntryPayload>((resolve) => insider.on('report.created', (entry) => entry.itemId === id && resolve(entry)));
      const { client: reporter } = await signedIn(server.url, models, { sector: 'government' });
      expect((await reporter.post('/api/moderation/reports', { type: 'message', id, reason: 'misinformation' })).status).to.equal(201);
      await arrived;
      await outsider.emitWithAck('system.ping', {});
      expect(outsiderSaw.filter((entry) => entry.itemId === id)).to.deep.equal([]);
      const listed = async (client: ApiClient) => (await client.get('/api/moderation/queue')).body.entries.some((entry: QueueEntryPayload) => entry.itemId === id);
      expect(await listed(governmentModerator)).to.equal(true);
      expect(await listed(industryModerator)).to.equal(false);
      expect((await industryModerator.get(`/api/moderation/queue/message/${encodeURIComponent(id)}`)).status).to.equal(404);
      expect((await industryModerator.post('/api/moderation/actions', { type: 'message', id, kind: 'hide', reason: 'other' })).status).to.equal(404);
      // Nor its appeal.
      const hide = await governmentModerator.post('/api/moderation/actions', { type: 'message', id, kind: 'hide', reason: 'misinformation' });
      expect((await author.client.post(`/api/moderation/actions/${hide.body.id}/appeal`, { note: 'It is accurate.' })).status).to.equal(201);
      expect((await industryModerator.get('/api/moderation/appeals')).body.some((action: { id: string }) => action.id === hide.body.id)).to.equal(false);
      expect((await industryModerator.post(`/api/moderation/actions/${hide.body.id}/appeal/decision`, { outcome: 'overturn' })).status).to.equal(404);
      const { client: otherGovernmentModerator } = await signedIn(server.url, models, { sector: 'government', roles: ['moderator'] });
      expect((await otherGovernmentModerator.get('/api/moderation/appeals')).body.some((action: { id: string }) => action.id === hide.body.id)).to.equal(true);
    });
  });

  describe('actions', function () {
    it('refuses every action to members and liaisons; lets moderators and admins act', async function () {
      const { id } = await posted();
      for (const roles of [[], ['liaison']] as const) {
        const { client } = await signedIn(server.url, models, { roles: [...roles] });
        const res = await client.post('/api/moderation/actions', { type: 'message', id, kind: 'hide', reason: 'harassment' });
        expect(res.status).to.equal(403);
      }
      const { client: admin } = await signedIn(server.url, models, { roles: ['admin'] });
      const byAdmin = await admin.post('/api/moderation/actions', { type: 'message', id, kind: 'dismiss', reason: 'other' });
      expect(byAdmin.status).to.equal(201);
      const { client: moderator } = await staff();
      for (const kind of ['hide', 'warning', 'warn'] as const) {
        const res = await moderator.post('/api/moderation/actions', { type: 'message', id, kind, reason: 'harassment' });
        expect(res.status, kind).to.equal(201);
        expect(res.body.kind).to.equal(kind);
      }
      const redact = await moderator.post('/api/moderation/actions', { type: 'message', id, kind: 'redact', reason: 'personal_data', redactedText: 'Call me on [number removed]' });
      expect(redact.status).to.equal(201);
      expect((await new ApiClient(server.url).post('/api/moderation/actions', { type: 'message', id, kind: 'hide', reason: 'other' })).status).to.equal(401);
    });

    it('answers 400 naming the field, and 404 for an item that does not exist', async function () {
      const { id } = await posted();
      const { client: moderator } = await staff();
      const cases: [Record<string, unknown>, string][] = [
        [{ type: 'message', id, kind: 'redact', reason: 'personal_data' }, 'body.redactedText'],
        [{ type: 'message', id, kind: 'hide', reason: 'other', redactedText: 'x' }, 'body.redactedText'],
        [{ type: 'message', id, kind: 'delete', reason: 'other' }, 'body.kind'],
        [{ type: 'message', id, kind: 'hide' }, 'body.reason'],
      ];
      for (const [body, field] of cases) {
        const res = await moderator.post('/api/moderation/actions', body);
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.body.error.message.startsWith(field), res.body.error.message).to.equal(true);
      }
      expect((await moderator.post('/api/moderation/actions', { type: 'message', id: `${MISSING}:4`, kind: 'hide', reason: 'other' })).status).to.equal(404);
      expect((await moderator.post(`/api/moderation/actions/not-an-id/reverse`, {})).status).to.equal(400);
      expect((await moderator.post(`/api/moderation/actions/${MISSING}/reverse`, {})).status).to.equal(404);
    });

    it('hides a message from members on every path, keeps it for moderators, tells the author the reason but not the reporters', async function () {
      const { channelId, seq, id, author } = await posted('The original words, with **secrets**');
      const { client: member } = await signedIn(server.url, models);
      const { client: moderator } = await staff();
      // A reply and a pin, so thread and pin views are covered too.
      await member.post(`/api/channels/${channelId}/messages`, { text: 'a reply', idempotencyKey: key(), parentSeq: seq });
      await author.client.patch(`/api/channels/${channelId}/messages/${seq}`, { text: 'The original words, edited, with **secrets**' });
      expect((await moderator.post(`/api/channels/${channelId}/messages/${seq}/pin`, { pinned: true })).status).to.equal(200);
      const { client: reporter, member: reporterDoc } = await signedIn(server.url, models);
      await reporter.post('/api/moderation/reports', { type: 'message', id, reason: 'harassment', note: 'reported by ' + reporterDoc.name });

      const memberSocket = await open(member);
      const moderatorSocket = await open(moderator);
      await memberSocket.emitWithAck('channel.join', { channelId });
      await moderatorSocket.emitWithAck('channel.join', { channelId });
      const live: MessagePayload[] = [];
      memberSocket.on('message.updated', (message) => live.push(message));
      const moderatorLive: MessagePayload[] = [];
      moderatorSocket.on('message.updated', (message) => moderatorLive.push(message));

      // The search index hears that the message is hidden: kept for moderators only (the index itself is another capability's).
      const search = server.server.ctx.search;
      const indexed: [string, boolean | undefined][] = [];
      const index = search.index.bind(search);
      search.index = async (doc, options) => {
        indexed.push([doc.key, doc.hidden]);
        await index(doc, options);
      };
      const hide = await moderator.post('/api/moderation/actions', { type: 'message', id, kind: 'hide', reason: 'harassment', note: 'Please keep it civil.' });
      search.index = index;
      expect(hide.status).to.equal(201);
      expect(indexed).to.deep.equal([[`message:${id}`, true]]);
      await memberSocket.emitWithAck('system.ping', {});
      await moderatorSocket.emitWithAck('system.ping', {});
      const secret = /secrets|original words/;
      for (const payload of [...live, ...moderatorLive]) {
        expect(JSON.stringify(payload)).to.not.match(secret);
        expect(payload.moderation).to.deep.equal({ visibility: 'hidden', reason: 'harassment' });
      }
      expect(live).to.have.length(1);

      const paths = [
        `/api/channels/${channelId}/messages`,
        `/api/channels/${channelId}/messages?after=0`,
        `/api/channels/${channelId}/messages?before=3`,
        `/api/channels/${channelId}/pins`,
        `/api/channels/${channelId}/messages/${seq}/history`,
      ];
      for (const client of [member, author.client]) {
        for (const path of paths) {
          const res = await client.get(path);
          expect(res.status, path).to.equal(200);
          expect(JSON.stringify(res.body), path).to.not.match(secret);
        }
      }
      const page = await member.get(`/api/channels/${channelId}/messages`);
      const shown = page.body.messages.find((message: MessagePayload) => message.seq === seq);
      expect(shown).to.include({ html: '', source: '', edits: 0 });
      expect(shown.moderation).to.deep.equal({ visibility: 'hidden', reason: 'harassment' });
      // Notifications of the reply and mention never quoted the body.
      const notes = await author.client.get('/api/notifications');
      expect(JSON.stringify(notes.body)).to.not.match(secret);
      // Moderators still read the original, and its earlier versions.
      const forModerator = (await moderator.get(`/api/channels/${channelId}/messages`)).body.messages.find((message: MessagePayload) => message.seq === seq);
      expect(forModerator.source).to.match(/secrets/);
      expect((await moderator.get(`/api/channels/${channelId}/messages/${seq}/history`)).body).to.have.length(1);
      // The author hears the reason and the note, not who reported.
      const mine = await author.client.get('/api/moderation/mine');
      expect(mine.body[0]).to.include({ kind: 'hide', reason: 'harassment', note: 'Please keep it civil.', appealable: true });
      expect(JSON.stringify(mine.body)).to.not.include(reporterDoc.name);
      expect(JSON.stringify(mine.body)).to.not.include(String(reporterDoc._id));
      const box = await author.client.get('/api/notifications');
      const notice = JSON.stringify(box.body);
      expect(notice).to.include('Moderators hid your content');
      expect(notice).to.not.include(reporterDoc.name);
      // The author cannot edit it past the moderators.
      expect((await author.client.patch(`/api/channels/${channelId}/messages/${seq}`, { text: 'sneaky' })).status).to.equal(409);
      // The queue entry is resolved.
      const queue = await moderator.get('/api/moderation/queue?state=resolved');
      expect(queue.body.entries.some((entry: QueueEntryPayload) => entry.itemId === id)).to.equal(true);
      // Audited.
      const audit = await models.AuditEvent.findOne({ action: 'moderation.action', targetId: id }).lean();
      expect(audit?.details).to.include({ kind: 'hide', reason: 'harassment' });
    });

    it('redacts personal data for members and keeps the original for moderators; a warning keeps content but marks it', async function () {
      const { channelId, seq, id } = await posted('My neighbour lives at 12 Acacia Avenue');
      const { client: member } = await signedIn(server.url, models);
      const { client: moderator } = await staff();
      const redact = await moderator.post('/api/moderation/actions', { type: 'message', id, kind: 'redact', reason: 'personal_data', redactedText: 'My neighbour lives at **[address removed]** <script>x</script>' });
      expect(redact.status).to.equal(201);
      const seen = (await member.get(`/api/channels/${channelId}/messages`)).body.messages.find((message: MessagePayload) => message.seq === seq);
      expect(seen.html).to.equal('<p>My neighbour lives at <strong>[address removed]</strong> &lt;script&gt;x&lt;/script&gt;</p>');
      expect(JSON.stringify(seen)).to.not.include('Acacia');
      expect(seen.moderation).to.deep.equal({ visibility: 'redacted', reason: 'personal_data' });
      const original = (await moderator.get(`/api/channels/${channelId}/messages`)).body.messages.find((message: MessagePayload) => message.seq === seq);
      expect(original.source).to.include('Acacia');

      const other = await posted('Graphic but needed for research');
      const warned = await moderator.post('/api/moderation/actions', { type: 'message', id: other.id, kind: 'warning', reason: 'terrorist_content' });
      expect(warned.status).to.equal(201);
      const behind = (await member.get(`/api/channels/${other.channelId}/messages`)).body.messages[0];
      expect(behind.source).to.equal('Graphic but needed for research');
      expect(behind.moderation).to.deep.equal({ visibility: 'warning', reason: 'terrorist_content' });
    });

    it('lets only another moderator reverse, restoring exactly what was there', async function () {
      const { channelId, seq, id, author } = await posted('Needs a second look');
      const { client: first } = await staff();
      const { client: second } = await staff();
      const { client: member } = await signedIn(server.url, models);
      const before = (await member.get(`/api/channels/${channelId}/messages`)).body.messages[0];
      const storedBefore = await server.server.ctx.messages.get(channelId, seq);
      // A warning, then a hide on top of it.
      const warning = await first.post('/api/moderation/actions', { type: 'message', id, kind: 'warning', reason: 'misinformation' });
      const hide = await first.post('/api/moderation/actions', { type: 'message', id, kind: 'hide', reason: 'harassment' });
      expect((await first.post(`/api/moderation/actions/${hide.body.id}/reverse`, {})).status).to.equal(403);
      const { client: plain } = await signedIn(server.url, models);
      expect((await plain.post(`/api/moderation/actions/${hide.body.id}/reverse`, {})).status).to.equal(403);
      // Reversing the warning first would wipe out the hide: refused.
      const superseded = await second.post(`/api/moderation/actions/${warning.body.id}/reverse`, {});
      expect(superseded.status).to.equal(409);
      expect(superseded.body.error.code).to.equal('superseded');
      const undoHide = await second.post(`/api/moderation/actions/${hide.body.id}/reverse`, { note: 'Not harassment.' });
      expect(undoHide.status).to.equal(200);
      expect(undoHide.body.reversed).to.include({ note: 'Not harassment.' });
      const afterOne = (await member.get(`/api/channels/${channelId}/messages`)).body.messages[0];
      expect(afterOne.moderation).to.deep.equal({ visibility: 'warning', reason: 'misinformation' });
      expect((await second.post(`/api/moderation/actions/${hide.body.id}/reverse`, {})).status).to.equal(409);
      expect((await second.post(`/api/moderation/actions/${warning.body.id}/reverse`, {})).status).to.equal(200);
      const after = (await member.get(`/api/channels/${channelId}/messages`)).body.messages[0];
      expect(after).to.deep.equal(before);
      const storedAfter = await server.server.ctx.messages.get(channelId, seq);
      expect({ ...storedAfter, moderation: undefined }).to.deep.equal({ ...storedBefore, moderation: undefined });
      expect(storedAfter!.moderation).to.equal(null);
      const box = JSON.stringify((await author.client.get('/api/notifications')).body);
      expect(box).to.include('reversed');
      expect(await models.AuditEvent.countDocuments({ action: 'moderation.reversed', targetId: id })).to.equal(2);
    });

    it('warns and suspends the author through the members’ suspension; a reversal reinstates', async function () {
      const { id, author } = await posted('abusive words');
      const { client: first } = await staff();
      const { client: second } = await staff();
      const authorSocket = await open(author.client);
      const ended = new Promise((resolve) => authorSocket.on('session.ended', resolve));
      const suspend = await first.post('/api/moderation/actions', { type: 'message', id, kind: 'suspend', reason: 'harassment', note: 'Repeated abuse.' });
      expect(suspend.status).to.equal(201);
      expect(await ended).to.deep.equal({ reason: 'suspended' });
      expect((await author.client.get('/api/moderation/mine')).status).to.equal(401);
      expect((await models.Member.findById(author.member._id).lean())!.status).to.equal('suspended');
      expect((await second.post(`/api/moderation/actions/${suspend.body.id}/reverse`, {})).status).to.equal(200);
      expect((await models.Member.findById(author.member._id).lean())!.status).to.equal('member');
      // A moderator cannot be suspended by another moderator through moderation either.
      const { client: staffAuthor } = await staff();
      const channelId = await channelOf();
      const staffMessage = await staffAuthor.post(`/api/channels/${channelId}/messages`, { text: 'moderator speaking', idempotencyKey: key() });
      expect((await first.post('/api/moderation/actions', { type: 'message', id: staffMessage.body.id, kind: 'suspend', reason: 'other' })).status).to.equal(403);
    });
  });

  describe('appeals', function () {
    it('lets the author appeal their own item once; another moderator decides; both decisions are kept', async function () {
      const { channelId, id, author } = await posted('Appeal me');
      const { client: first } = await staff();
      const { client: second } = await staff();
      const hide = await first.post('/api/moderation/actions', { type: 'message', id, kind: 'hide', reason: 'off_topic', note: 'Wrong channel.' });
      const { client: stranger } = await signedIn(server.url, models);
      expect((await stranger.post(`/api/moderation/actions/${hide.body.id}/appeal`, { note: 'not mine' })).status).to.equal(404);
      expect((await author.client.post(`/api/moderation/actions/${hide.body.id}/appeal`, { note: '' })).status).to.equal(400);
      const appeal = await author.client.post(`/api/moderation/actions/${hide.body.id}/appeal`, { note: 'It was on topic.' });
      expect(appeal.status).to.equal(201);
      expect(appeal.body.appealable).to.equal(false);
      const again = await author.client.post(`/api/moderation/actions/${hide.body.id}/appeal`, { note: 'Really.' });
      expect(again.status).to.equal(409);
      expect(again.body.error.code).to.equal('already_appealed');
      const pending = await second.get('/api/moderation/appeals');
      expect(pending.body.some((action: { id: string }) => action.id === hide.body.id)).to.equal(true);
      expect((await author.client.get('/api/moderation/appeals')).status).to.equal(403);
      expect((await first.post(`/api/moderation/actions/${hide.body.id}/appeal/decision`, { outcome: 'uphold' })).status).to.equal(403);
      const decided = await second.post(`/api/moderation/actions/${hide.body.id}/appeal/decision`, { outcome: 'overturn', note: 'It was on topic.' });
      expect(decided.status).to.equal(200);
      expect(decided.body.appeal.decision).to.include({ outcome: 'overturned' });
      expect(decided.body.reversed).to.not.equal(null);
      expect((await second.post(`/api/moderation/actions/${hide.body.id}/appeal/decision`, { outcome: 'uphold' })).status).to.equal(409);
      const shown = (await author.client.get(`/api/channels/${channelId}/messages`)).body.messages[0];
      expect(shown).to.include({ source: 'Appeal me' });
      expect(shown.moderation).to.equal(null);
      const mine = (await author.client.get('/api/moderation/mine')).body.find((action: { id: string }) => action.id === hide.body.id);
      expect(mine).to.deep.include({ kind: 'hide', reason: 'off_topic', note: 'Wrong channel.' });
      expect(mine.appeal).to.include({ note: 'It was on topic.' });
      expect(mine.appeal.decision).to.include({ outcome: 'overturned', note: 'It was on topic.' });
      expect(mine.reversed).to.not.equal(null);
      expect(JSON.stringify(mine)).to.not.include('"by"');

      // Upheld: the decision stands, the item stays hidden.
      const other = await posted('Still hidden');
      const hide2 = await first.post('/api/moderation/actions', { type: 'message', id: other.id, kind: 'hide', reason: 'other' });
      await other.author.client.post(`/api/moderation/actions/${hide2.body.id}/appeal`, { note: 'please' });
      const upheld = await second.post(`/api/moderation/actions/${hide2.body.id}/appeal/decision`, { outcome: 'uphold', note: 'The decision stands.' });
      expect(upheld.body.appeal.decision.outcome).to.equal('upheld');
      expect((await other.author.client.get(`/api/channels/${other.channelId}/messages`)).body.messages[0].moderation.visibility).to.equal('hidden');
      // A dismissal has nothing to appeal.
      const third = await posted('Dismissed');
      const dismiss = await first.post('/api/moderation/actions', { type: 'message', id: third.id, kind: 'dismiss', reason: 'other' });
      expect((await third.author.client.post(`/api/moderation/actions/${dismiss.body.id}/appeal`, { note: 'why' })).status).to.equal(400);
    });
  });

  describe('wellbeing', function () {
    it('conceals terrorist-content reports until revealed, and stops offering them past the daily limit', async function () {
      const { id } = await posted('Extremist propaganda text');
      const { client: reporter } = await signedIn(server.url, models);
      await reporter.post('/api/moderation/reports', { type: 'message', id, reason: 'terrorist_content' });
      const { client: moderator } = await staff();
      const concealed = await moderator.get(`/api/moderation/queue/message/${encodeURIComponent(id)}`);
      expect(concealed.body.item).to.include({ concealed: true, html: '', source: '' });
      expect(JSON.stringify(concealed.body)).to.not.include('propaganda');
      expect((await moderator.request('PUT', '/api/moderation/wellbeing', { dailyLimit: 1 })).body).to.deep.equal({ dailyLimit: 1, revealsToday: 0 });
      const revealed = await moderator.post(`/api/moderation/queue/message/${encodeURIComponent(id)}/reveal`);
      expect(revealed.status).to.equal(200);
      expect(revealed.body.item.source).to.equal('Extremist propaganda text');
      const refused = await moderator.post(`/api/moderation/queue/message/${encodeURIComponent(id)}/reveal`);
      expect(refused.status).to.equal(403);
      expect(refused.body.error.code).to.equal('daily_limit_reached');
      const queue = await moderator.get('/api/moderation/queue');
      expect(queue.body.entries.some((entry: QueueEntryPayload) => entry.sensitive)).to.equal(false);
      expect(queue.body.withheldSensitive).to.be.greaterThan(0);
      // Another moderator without a limit is still offered it.
      const { client: other } = await staff();
      expect((await other.get('/api/moderation/queue')).body.entries.some((entry: QueueEntryPayload) => entry.itemId === id)).to.equal(true);
      expect((await moderator.request('PUT', '/api/moderation/wellbeing', { dailyLimit: -1 })).status).to.equal(400);
      expect((await reporter.request('PUT', '/api/moderation/wellbeing', { dailyLimit: 3 })).status).to.equal(403);
    });
  });

  describe('boundaries', function () {
    // These sign many members in: start each with fresh limits (sign-in per address, reports per member).
    beforeEach(async function () {
      await models.RateLimit.deleteMany({});
    });

    it('refuses a moderator any action on their own content, dismissing reports included (403 own_content)', async function () {
      const channelId = await channelOf();
      const { client: moderator } = await staff();
      const { client: other } = await staff();
      const own = await moderator.post(`/api/channels/${channelId}/messages`, { text: 'A moderator says something harsh', idempotencyKey: key() });
      expect(own.status).to.equal(201);
      const { client: reporter } = await signedIn(server.url, models);
      expect((await reporter.post('/api/moderation/reports', { type: 'message', id: own.body.id, reason: 'harassment' })).status).to.equal(201);
      for (const kind of ['dismiss', 'hide', 'warn']) {
        const refused = await moderator.post('/api/moderation/actions', { type: 'message', id: own.body.id, kind, reason: 'harassment' });
        expect(refused.status, kind).to.equal(403);
        expect(refused.body.error.code).to.equal('own_content');
      }
      expect(await models.ModerationAction.countDocuments({ itemId: own.body.id })).to.equal(0);
      expect((await models.ModerationQueue.findById(`message:${own.body.id}`).lean())!.state).to.equal('open');
      expect((await other.post('/api/moderation/actions', { type: 'message', id: own.body.id, kind: 'dismiss', reason: 'other' })).status).to.equal(201);
    });

    it('keeps author history and reversals to items the moderator may read: 404 before anything else', async function () {
      const secret = await posted('Government only', 'government');
      const { client: governmentModerator } = await signedIn(server.url, models, { sector: 'government', roles: ['moderator'] });
      const { client: secondGovernmentModerator } = await signedIn(server.url, models, { sector: 'government', roles: ['moderator'] });
      const { client: industryModerator } = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
      const warned = await governmentModerator.post('/api/moderation/actions', { type: 'message', id: secret.id, kind: 'warn', reason: 'other', note: 'About the operation in the government channel' });
      expect(warned.status).to.equal(201);
      const dismissed = await governmentModerator.post('/api/moderation/actions', { type: 'message', id: secret.id, kind: 'dismiss', reason: 'other' });
      expect(dismissed.status).to.equal(201);
      // The same author writes in plenary, which everyone reads, and is reported there.
      const plenary = await channelOf();
      const open = await secret.author.client.post(`/api/channels/${plenary}/messages`, { text: 'Public words', idempotencyKey: key() });
      const { client: reporter } = await signedIn(server.url, models);
      expect((await reporter.post('/api/moderation/reports', { type: 'message', id: open.body.id, reason: 'other' })).status).to.equal(201);

      const industryView = await industryModerator.get(`/api/moderation/queue/message/${encodeURIComponent(open.body.id)}`);
      expect(industryView.status).to.equal(200);
      expect(industryView.body.authorHistory).to.deep.equal([]);
      expect(JSON.stringify(industryView.body)).to.not.include('operation in the government channel');
      const governmentView = await secondGovernmentModerator.get(`/api/moderation/queue/message/${encodeURIComponent(open.body.id)}`);
      expect(governmentView.body.authorHistory.map((action: { id: string }) => action.id)).to.have.members([warned.body.id, dismissed.body.id]);

      // Reversing any kind of action about an item one cannot read: 404, as for no action at all.
      for (const action of [warned, dismissed]) {
        const refused = await industryModerator.post(`/api/moderation/actions/${action.body.id}/reverse`, { note: 'x' });
        expect(refused.status).to.equal(404);
        expect(refused.body.error.code).to.equal('not_found');
      }
      expect((await models.ModerationAction.findById(warned.body.id).lean())!.reversed).to.equal(null);
      // Even the refusals that would otherwise come first (own action, already reversed) do not show.
      const { client: industryOwner } = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
      expect((await secondGovernmentModerator.post(`/api/moderation/actions/${dismissed.body.id}/reverse`, {})).status).to.equal(200);
      expect((await industryOwner.post(`/api/moderation/actions/${dismissed.body.id}/reverse`, {})).status).to.equal(404);
      expect((await secondGovernmentModerator.post(`/api/moderation/actions/${dismissed.body.id}/reverse`, {})).status).to.equal(409);
    });

    it('takes at most 20 reports an hour from one member, then 429 with the wait', async function () {
      const channelId = await channelOf();
      const { client: author } = await signedIn(server.url, models);
      const ids: string[] = [];
      for (let i = 0; i < 21; i++) ids.push((await author.post(`/api/channels/${channelId}/messages`, { text: `item ${i}`, idempotencyKey: key() })).body.id);
      const { client: flooder } = await signedIn(server.url, models);
      for (const id of ids.slice(0, 20)) expect((await flooder.post('/api/moderation/reports', { type: 'message', id, reason: 'off_topic' })).status).to.equal(201);
      const refused = await flooder.post('/api/moderation/reports', { type: 'message', id: ids[20], reason: 'off_topic' });
      expect(refused.status).to.equal(429);
      expect(refused.body.error.code).to.equal('rate_limited');
      expect(refused.body.error.details.retryAfterSeconds).to.be.within(1, 3600);
      expect(await models.ModerationQueue.countDocuments({ _id: `message:${ids[20]}` })).to.equal(0);
      // Others may still report it.
      const { client: other } = await signedIn(server.url, models);
      expect((await other.post('/api/moderation/reports', { type: 'message', id: ids[20], reason: 'off_topic' })).status).to.equal(201);
    });

    it('orders the queue terrorist content first, then by reporters, then longest waiting; pages it after leaving out what the moderator cannot read', async function () {
      const channelId = await channelOf();
      const { client: author } = await signedIn(server.url, models);
      const post = async (text: string) => (await author.post(`/api/channels/${channelId}/messages`, { text, idempotencyKey: key() })).body.id as string;
      const [older, newer, popular, sensitive] = [await post('older'), await post('newer'), await post('popular'), await post('sensitive')];
      const { client: first } = await signedIn(server.url, models);
      const { client: second } = await signedIn(server.url, models);
      expect((await first.post('/api/moderation/reports', { type: 'message', id: older, reason: 'off_topic' })).status).to.equal(201);
      expect((await first.post('/api/moderation/reports', { type: 'message', id: newer, reason: 'off_topic' })).status).to.equal(201);
      for (const client of [first, second]) expect((await client.post('/api/moderation/reports', { type: 'message', id: popular, reason: 'harassment' })).status).to.equal(201);
      expect((await second.post('/api/moderation/reports', { type: 'message', id: sensitive, reason: 'terrorist_content' })).status).to.equal(201);
      // Items in the government space, ranked high (terrorist content, two reporters), that an industry moderator may not read.
      const hidden: string[] = [];
      const governmentReporters = [await signedIn(server.url, models, { sector: 'government' }), await signedIn(server.url, models, { sector: 'government' })];
      for (let i = 0; i < 3; i++) {
        const item = await posted(`government ${i}`, 'government');
        for (const { client } of governmentReporters) {
          expect((await client.post('/api/moderation/reports', { type: 'message', id: item.id, reason: 'terrorist_content' })).status).to.equal(201);
        }
        hidden.push(item.id);
      }
      const { client: moderator, member } = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
      // Walk every page over HTTP.
      const seen: QueueEntryPayload[] = [];
      let cursor: number | null = 0;
      for (let pages = 0; cursor !== null && pages < 100; pages++) {
        const page: { status: number; body: { entries: QueueEntryPayload[]; nextCursor: number | null } } = await moderator.get(`/api/moderation/queue?cursor=${cursor}`);
        expect(page.status).to.equal(200);
        seen.push(...page.body.entries);
        cursor = page.body.nextCursor;
      }
      expect(cursor).to.equal(null);
      const keys = seen.map((entry) => entry.key);
      expect(new Set(keys).size).to.equal(keys.length);
      expect(keys.filter((k) => hidden.some((id) => k === `message:${id}`))).to.deep.equal([]);
      const mine = keys.filter((k) => [older, newer, popular, sensitive].some((id) => k === `message:${id}`));
      expect(mine).to.deep.equal([sensitive, popular, older, newer].map((id) => `message:${id}`));
      // Every sensitive entry comes before every other one.
      const firstPlain = seen.findIndex((entry) => !entry.sensitive);
      expect(seen.slice(firstPlain).some((entry) => entry.sensitive)).to.equal(false);
      // A small page is still full although unreadable entries rank above: they are left out before the page is cut.
      const { listQueue } = await import('../../backend/src/moderation/moderation.actions.ts');
      const actor = { id: String(member._id), status: 'member' as const, roles: ['moderator' as const], sector: 'industry' as const, organisationId: null };
      const small = await listQueue(server.server.ctx, actor, 'open', 0, 2);
      expect(small.entries).to.have.length(2);
      expect(small.entries.map((entry) => entry.key)).to.deep.equal(keys.slice(0, 2));
      const next = await listQueue(server.server.ctx, actor, 'open', small.nextCursor!, 2);
      expect(next.entries.map((entry) => entry.key)).to.deep.equal(keys.slice(2, 4));
      expect((await moderator.get('/api/moderation/queue?cursor=-1')).status).to.equal(400);
    });
  });
});
