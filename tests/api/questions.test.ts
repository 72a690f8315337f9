import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import type { Models } from '../../backend/src/db/models.ts';
import type { ChannelKind } from '../../backend/src/channels/channel.model.ts';
import type { SearchDocument } from '../../backend/src/search/search.types.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../backend/src/shared/realtime-events.ts';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedIn } from '../factories/members.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
const key = () => randomBytes(6).toString('hex');
const MISSING = '0123456789abcdef01234567';

describe('questions and answers (HTTP)', function () {
  let server: TestServer;
  let models: Models;
  /** Every document handed to the search index, as it was handed. */
  const indexed: SearchDocument[] = [];

  before(async function () {
    server = await startTestServer({ postingBurst: 500 });
    models = server.server.ctx.models;
    const search = server.server.ctx.search;
    const original = search.index.bind(search);
    search.index = async (doc: SearchDocument) => {
      indexed.push(structuredClone(doc));
      await original(doc);
    };
  });

  after(async function () {
    await server.close();
  });

  async function channelOf(kind: ChannelKind = 'qa', slug = 'plenary'): Promise<string> {
    const space = await models.Space.findOne({ slug }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name: `${kind}-${key()}`, kind });
    return String(channel._id);
  }

  const ask = (client: ApiClient, channelId: string, body: Record<string, unknown> = {}) =>
    client.post(`/api/channels/${channelId}/questions`, { title: 'How do you handle hash-sharing at small scale?', body: 'We host files and have **two** staff.', tags: ['hashing'], ...body });

  describe('asking and answering', function () {
    it('answers 401 to visitors and 403 to applicants', async function () {
      const channelId = await channelOf();
      const visitor = new ApiClient(server.url);
      expect((await visitor.get(`/api/channels/${channelId}/questions`)).status).to.equal(401);
      expect((await ask(visitor, channelId)).status).to.equal(401);
      const { client: applicant } = await signedIn(server.url, models, { status: 'applicant' });
      expect((await applicant.get(`/api/channels/${channelId}/questions`)).status).to.equal(403);
      expect((await ask(applicant, channelId)).status).to.equal(403);
    });

    it('keeps a Q&A channel in a space one may not enter, or of another kind, as if it did not exist', async function () {
      const government = await channelOf('qa', 'government');
      const discussion = await channelOf('discussion');
      const { client: industry } = await signedIn(server.url, models, { sector: 'industry' });
      const { client: official } = await signedIn(server.url, models, { sector: 'government' });
      const asked = await ask(official, government);
      expect(asked.status).to.equal(201);
      const missing = await industry.get(`/api/channels/${MISSING}/questions`);
      expect(missing.status).to.equal(404);
      for (const res of [
        await industry.get(`/api/channels/${government}/questions`),
        await industry.get(`/api/channels/${government}/questions/${asked.body.id}`),
        await ask(industry, government),
        await industry.post(`/api/channels/${government}/questions/${asked.body.id}/answers`, { body: 'let me in' }),
        await industry.post(`/api/channels/${government}/questions/${asked.body.id}/vote`, { value: 1 }),
        await industry.get(`/api/channels/${discussion}/questions`),
      ]) {
        expect(res.status).to.equal(404);
        expect(res.body).to.deep.equal(missing.body);
      }
      expect((await official.get(`/api/channels/${government}/questions/${MISSING}`)).status).to.equal(404);
    });

    it('refuses bad input with 400 naming the field', async function () {
      const channelId = await channelOf();
      const { client } = await signedIn(server.url, models);
      const cases: [Record<string, unknown>, string][] = [
        [{ title: '' }, 'body.title'],
        [{ title: 'ok title', body: '   ' }, 'body.body'],
        [{ tags: ['no spaces allowed'] }, 'body.tags.0'],
        [{ tags: Array.from({ length: 9 }, (_, i) => `t${i}`) }, 'body.tags'],
        [{ anonymous: 'yes' }, 'body.anonymous'],
        [{ body: 'a\u0000b' }, 'body.body'],
        [{ extra: 1 }, 'body'],
      ];
      for (const [body, field] of cases) {
        const res = await ask(client, channelId, body);
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.body.error.message.startsWith(field), res.body.error.message).to.equal(true);
      }
      expect((await client.get('/api/channels/not-an-id/questions')).status).to.equal(400);
      expect((await client.get(`/api/channels/${channelId}/questions?sort=best`)).status).to.equal(400);
      const asked = await ask(client, channelId);
      expect((await client.post(`/api/channels/${channelId}/questions/${asked.body.id}/answers`, { body: '' })).status).to.equal(400);
      expect((await client.post(`/api/channels/${channelId}/questions/${asked.body.id}/vote`, { value: 2 })).status).to.equal(400);
      expect((await client.post(`/api/channels/${channelId}/questions/${asked.body.id}/accept`, { answerId: 'x' })).status).to.equal(400);
      expect((await client.post(`/api/channels/${channelId}/questions/${asked.body.id}/accept`, { answerId: MISSING })).status).to.equal(400);
    });

    it('stores a question with rendered Markdown, lists it, answers it and notifies the asker', async function () {
      const channelId = await channelOf();
      const { client: asker, member: askerMember } = await signedIn(server.url, models);
      const { client: helper, member: helperMember } = await signedIn(server.url, models, { sector: 'academia' });
      const asked = await ask(asker, channelId, { tags: ['Hashing', 'hashing', 'gifct'] });
      expect(asked.status).to.equal(201);
      expect(asked.body.html).to.equal('<p>We host files and have <strong>two</strong> staff.</p>');
      expect(asked.body.tags).to.deep.equal(['hashing', 'gifct']);
      expect(asked.body.author).to.deep.equal({ id: String(askerMember._id), name: askerMember.name, anonymous: false, mine: true });
      const answered = await helper.post(`/api/channels/${channelId}/questions/${asked.body.id}/answers`, { body: 'Use the shared hash list.' });
      expect(answered.status).to.equal(201);
      expect(answered.body.author.name).to.equal(helperMember.name);
      const page = await asker.get(`/api/channels/${channelId}/questions/${asked.body.id}`);
      expect(page.body.question.answerCount).to.equal(1);
      expect(page.body.answers.map((answer: { id: string }) => answer.id)).to.deep.equal([answered.body.id]);
      const notifications = await asker.get('/api/notifications');
      const item = (notifications.body.items ?? notifications.body).find((entry: { kind: string }) => entry.kind === 'question.answered');
      expect(item.body).to.equal(`From ${helperMember.name}`);
      expect(item.link).to.equal(`/channels/${channelId}/questions/${asked.body.id}`);
    });

    it('sorts by votes, newest and unanswered, and filters by tag', async function () {
      const channelId = await channelOf();
      const { client: a } = await signedIn(server.url, models);
      const { client: b } = await signedIn(server.url, models);
      const first = await ask(a, channelId, { title: 'First question here', tags: ['alpha'] });
      const second = await ask(a, channelId, { title: 'Second question here', tags: ['beta'] });
      const third = await ask(a, channelId, { title: 'Third question here', tags: ['alpha'] });
      await b.post(`/api/channels/${channelId}/questions/${first.body.id}/vote`, { value: 1 });
      await b.post(`/api/channels/${channelId}/questions/${third.body.id}/vote`, { value: -1 });
      await b.post(`/api/channels/${channelId}/questions/${second.body.id}/answers`, { body: 'An answer' });
      const titles = async (query: string) => ((await b.get(`/api/channels/${channelId}/questions${query}`)).body as { title: string }[]).map((q) => q.title.split(' ')[0]);
      expect(await titles('?sort=votes')).to.deep.equal(['First', 'Second', 'Third']);
      expect(await titles('')).to.deep.equal(['Third', 'Second', 'First']);
      expect(await titles('?sort=unanswered')).to.deep.equal(['Third', 'First']);
      expect(await titles('?tag=alpha')).to.deep.equal(['Third', 'First']);
      expect(await titles('?sort=votes&limit=1&offset=1')).to.deep.equal(['Second']);
      expect((await b.get(`/api/channels/${channelId}/questions?limit=0`)).status).to.equal(400);
      const listed = (await b.get(`/api/channels/${channelId}/questions?sort=votes`)).body;
      expect(listed[0].myVote).to.equal(1);
      expect(listed[0].score).to.equal(1);
    });
  });

  describe('votes', function () {
    it('ends at the exact count with 30 parallel voters, and with repeated flips', async function () {
      this.timeout(120_000);
      const channelId = await channelOf();
      const { client: asker } = await signedIn(server.url, models);
      const asked = await ask(asker, channelId);
      const voters = await Promise.all(Array.from({ length: 30 }, () => signedIn(server.url, models)));
      const path = `/api/channels/${channelId}/questions/${asked.body.id}/vote`;
      const results = await Promise.all(voters.map(({ client }) => client.post(path, { value: 1 })));
      expect(results.map((res) => res.status)).to.deep.equal(Array(30).fill(200));
      expect((await asker.get(`/api/channels/${channelId}/questions/${asked.body.id}`)).body.question.score).to.equal(30);
      // Every voter flips down, up, down at once, each sending each vote twice: ends at -30.
      await Promise.all(
        voters.map(async ({ client }) => {
          for (const value of [-1, 1, -1]) await Promise.all([client.post(path, { value }), client.post(path, { value })]);
        }),
      );
      expect((await asker.get(`/api/channels/${channelId}/questions/${asked.body.id}`)).body.question.score).to.equal(-30);
      // Ten withdraw (twice each, at once), ten vote up: -30 + 10 + 20 = 0.
      await Promise.all([
        ...voters.slice(0, 10).flatMap(({ client }) => [client.post(path, { value: 0 }), client.post(path, { value: 0 })]),
        ...voters.slice(10, 20).map(({ client }) => client.post(path, { value: 1 })),
      ]);
      const final = await voters[0]!.client.get(`/api/channels/${channelId}/questions/${asked.body.id}`);
      expect(final.body.question.score).to.equal(0);
      expect(final.body.question.myVote).to.equal(0);
    });

    it('votes on answers, not on one’s own posts', async function () {
      const channelId = await channelOf();
      const { client: asker } = await signedIn(server.url, models);
      const { client: helper } = await signedIn(server.url, models);
      const asked = await ask(asker, channelId);
      const answer = await helper.post(`/api/channels/${channelId}/questions/${asked.body.id}/answers`, { body: 'Mine' });
      expect((await helper.post(`/api/channels/${channelId}/questions/${asked.body.id}/answers/${answer.body.id}/vote`, { value: 1 })).status).to.equal(403);
      expect((await asker.post(`/api/channels/${channelId}/questions/${asked.body.id}/vote`, { value: 1 })).status).to.equal(403);
      const voted = await asker.post(`/api/channels/${channelId}/questions/${asked.body.id}/answers/${answer.body.id}/vote`, { value: -1 });
      expect(voted.status).to.equal(200);
      expect(voted.body).to.deep.equal({ score: -1, myVote: -1 });
      expect((await asker.post(`/api/channels/${channelId}/questions/${asked.body.id}/answers/${MISSING}/vote`, { value: 1 })).status).to.equal(404);
    });
  });

  describe('accepted answers', function () {
    it('lets the asker or a moderator accept one answer, replace it or clear it; nobody else', async function () {
      const channelId = await channelOf();
      const { client: asker } = await signedIn(server.url, models);
      const { client: other } = await signedIn(server.url, models);
      const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
      const asked = await ask(asker, channelId);
      const one = await other.post(`/api/channels/${channelId}/questions/${asked.body.id}/answers`, { body: 'One' });
      const two = await other.post(`/api/channels/${channelId}/questions/${asked.body.id}/answers`, { body: 'Two' });
      const accept = (client: ApiClient, answerId: string | null) => client.post(`/api/channels/${channelId}/questions/${asked.body.id}/accept`, { answerId });
      expect((await accept(other, one.body.id)).status).to.equal(403);
      const accepted = await accept(asker, two.body.id);
      expect(accepted.status).to.equal(200);
      expect(accepted.body.acceptedAnswerId).to.equal(two.body.id);
      let page = await other.get(`/api/channels/${channelId}/questions/${asked.body.id}`);
      expect(page.body.answers.map((answer: { accepted: boolean; source: string }) => [answer.source, answer.accepted])).to.deep.equal([
        ['Two', true],
        ['One', false],
      ]);
      expect(page.body.question.canAccept).to.equal(false);
      expect((await accept(moderator, one.body.id)).body.acceptedAnswerId).to.equal(one.body.id);
      page = await asker.get(`/api/channels/${channelId}/questions/${asked.body.id}`);
      expect(page.body.answers[0].id).to.equal(one.body.id);
      expect((await accept(asker, null)).body.acceptedAnswerId).to.equal(null);
    });
  });

  describe('anonymous posting', function () {
    it('sets and reads an anonymous profile (members only, bounded)', async function () {
      const { client } = await signedIn(server.url, models, { sector: 'industry' });
      expect((await client.get('/api/me/anonymous-profile')).body).to.deep.equal({ description: '', label: 'a member from industry' });
      const set = await client.request('PUT', '/api/me/anonymous-profile', { description: 'file hosting, under 50 staff' });
      expect(set.status).to.equal(200);
      expect(set.body.label).to.equal('a member from industry — file hosting, under 50 staff');
      expect((await client.request('PUT', '/api/me/anonymous-profile', { description: 'x'.repeat(81) })).status).to.equal(400);
      expect((await new ApiClient(server.url).get('/api/me/anonymous-profile')).status).to.equal(401);
      const { client: applicant } = await signedIn(server.url, models, { status: 'applicant' });
      expect((await applicant.get('/api/me/anonymous-profile')).status).to.equal(403);
    });

    it('never gives the author of an anonymous question or answer to members or moderators: responses, sockets, notifications, search, exports', async function () {
      const channelId = await channelOf();
      const { client: asker, member: askerMember } = await signedIn(server.url, models, { sector: 'industry' });
      await asker.request('PUT', '/api/me/anonymous-profile', { description: 'file hosting, under 50 staff' });
      const { client: answerer, member: answererMember } = await signedIn(server.url, models, { sector: 'academia' });
      await answerer.request('PUT', '/api/me/anonymous-profile', { description: 'terrorism researcher' });
      const { client: reader } = await signedIn(server.url, models);
      const { client: moderator } = await signedIn(server.url, models, { sector: 'civil_society', roles: ['moderator'] });
      const org = await models.Organisation.findById(askerMember.organisationId).lean();
      const secrets = [String(askerMember._id), askerMember.name, askerMember.email, org!.name, String(answererMember._id), answererMember.name];
      const leaks = (value: unknown) => secrets.filter((secret) => JSON.stringify(value).includes(secret));

      // Everyone in the room hears every event.
      const heard: unknown[] = [];
      const socket: ClientSocket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: moderator.cookie! } });
      try {
        await new Promise((resolve, reject) => {
          socket.once('session.ready', resolve);
          socket.once('connect_error', reject);
        });
        socket.onAny((event, ...args) => heard.push({ event, args }));
        const joined = await socket.emitWithAck('channel.join', { channelId });
        expect(joined.ok).to.equal(true);

        const indexedBefore = indexed.length;
        const asked = await ask(asker, channelId, { anonymous: true });
        expect(asked.status).to.equal(201);
        expect(asked.body.author).to.deep.equal({ id: null, name: 'a member from industry — file hosting, under 50 staff', anonymous: true, mine: true });
        const answerDone = new Promise((resolve) => socket.on('knowledge.changed', (payload) => payload.type === 'answer' && resolve(payload)));
        const answered = await answerer.post(`/api/channels/${channelId}/questions/${asked.body.id}/answers`, { body: 'Try the hash list', anonymous: true });
        expect(answered.status).to.equal(201);
        expect(answered.body.author).to.deep.equal({ id: null, name: 'a member from academia — terrorism researcher', anonymous: true, mine: true });
        await answerDone;
        await reader.post(`/api/channels/${channelId}/questions/${asked.body.id}/vote`, { value: 1 });
        await asker.post(`/api/channels/${channelId}/questions/${asked.body.id}/accept`, { answerId: answered.body.id });

        const views = [];
        for (const client of [reader, moderator, answerer]) {
          views.push((await client.get(`/api/channels/${channelId}/questions`)).body, (await client.get(`/api/channels/${channelId}/questions/${asked.body.id}`)).body);
        }
        const moderatorPage = views[3] as { question: { author: unknown; canAccept: boolean } };
        expect(moderatorPage.question.author).to.deep.equal({ id: null, name: 'a member from industry — file hosting, under 50 staff', anonymous: true, mine: false });
        expect(moderatorPage.question.canAccept).to.equal(true);
        // The asker's own view says it is theirs, and still carries no id.
        const own = (await asker.get(`/api/channels/${channelId}/questions/${asked.body.id}`)).body;
        expect(own.question.author).to.deep.equal({ id: null, name: 'a member from industry — file hosting, under 50 staff', anonymous: true, mine: true });
        expect(own.answers[0].author.mine).to.equal(false);
        expect(leaks(own.answers)).to.deep.equal([]);

        expect(leaks(views)).to.deep.equal([]);
        expect(heard.length).to.be.greaterThan(2);
        expect(leaks(heard)).to.deep.equal([]);
        const fresh = indexed.slice(indexedBefore);
        expect(fresh.map((doc) => doc.type)).to.deep.equal(['question', 'answer']);
        for (const doc of fresh) expect(doc.authorId).to.equal(null);
        expect(leaks(fresh)).to.deep.equal([]);

        const notifications = (await asker.get('/api/notifications')).body;
        expect(JSON.stringify(notifications)).to.include('From a member from academia — terrorism researcher');
        expect(leaks(notifications)).to.deep.equal([]);

        // Exports: the answerer's export lists their own anonymous answer; the asker's shows nothing of the answerer.
        const askerExport = await asker.get('/api/me/export');
        expect(askerExport.status).to.equal(200);
        expect(JSON.stringify(askerExport.body)).to.not.include(String(answererMember._id));
        expect(JSON.stringify(askerExport.body)).to.not.include(answererMember.name);
        const answererExport = (await answerer.get('/api/me/export')).body;
        expect(answererExport.anonymousProfile.posts).to.have.length(1);
        expect(answererExport.anonymousProfile.posts[0]).to.include({ channelId, itemId: answered.body.id, type: 'answer' });
        expect(JSON.stringify(answererExport)).to.not.include(String(askerMember._id));
        const readerExport = (await reader.get('/api/me/export')).body;
        expect(leaks(readerExport)).to.deep.equal([]);

        // The moderation source marks it anonymous, so the review queue never shows its author
        // (tested through HTTP in moderation-content.test.ts).
        const source = server.server.ctx.moderation.get('question')!;
        const moderatorActor = { id: 'm', status: 'member' as const, roles: ['moderator' as const], sector: 'civil_society' as const, organisationId: null };
        const loaded = await source.load(moderatorActor, `${channelId}:${asked.body.id}`);
        expect(loaded!.anonymous).to.equal(true);
      } finally {
        socket.disconnect();
      }
    });

    it('reveals the author only to moderators, through an audited operation', async function () {
      const channelId = await channelOf();
      const { client: asker, member: askerMember } = await signedIn(server.url, models);
      const asked = await ask(asker, channelId, { anonymous: true });
      const named = await ask(asker, channelId);
      const path = `/api/channels/${channelId}/knowledge/${asked.body.id}/reveal`;
      const { client: member } = await signedIn(server.url, models);
      expect((await member.post(path, { reason: 'I am curious about this' })).status).to.equal(403);
      expect((await new ApiClient(server.url).post(path, { reason: 'I am curious about this' })).status).to.equal(401);
      const { client: moderator, member: moderatorMember } = await signedIn(server.url, models, { roles: ['moderator'] });
      expect((await moderator.post(path, { reason: 'short' })).status).to.equal(400);
      expect((await moderator.post(`/api/channels/${channelId}/knowledge/${MISSING}/reveal`, { reason: 'Reported for abuse, checking' })).status).to.equal(404);
      expect((await moderator.post(`/api/channels/${channelId}/knowledge/${named.body.id}/reveal`, { reason: 'Reported for abuse, checking' })).status).to.equal(400);
      // A moderator who cannot enter the space learns nothing.
      const government = await channelOf('qa', 'government');
      const { client: official } = await signedIn(server.url, models, { sector: 'government' });
      const secret = await ask(official, government, { anonymous: true });
      expect((await moderator.post(`/api/channels/${government}/knowledge/${secret.body.id}/reveal`, { reason: 'Reported for abuse, checking' })).status).to.equal(404);

      const revealed = await moderator.post(path, { reason: 'Reported for abuse, checking' });
      expect(revealed.status).to.equal(200);
      expect(revealed.body.authorId).to.equal(String(askerMember._id));
      expect(revealed.body.name).to.equal(askerMember.name);
      const event = await models.AuditEvent.findOne({ action: 'knowledge.author_revealed', actorId: moderatorMember._id }).lean();
      expect(event).to.not.equal(null);
      expect(event!.targetId).to.equal(`${channelId}:${asked.body.id}`);
      expect(event!.details).to.deep.equal({ reason: 'Reported for abuse, checking' });
    });
  });

  it('refuses writes in an archived channel but still reads it', async function () {
    const channelId = await channelOf();
    const { client } = await signedIn(server.url, models);
    const asked = await ask(client, channelId);
    await models.Channel.updateOne({ _id: channelId }, { $set: { archived: true } });
    expect((await ask(client, channelId)).status).to.equal(403);
    expect((await client.get(`/api/channels/${channelId}/questions/${asked.body.id}`)).status).to.equal(200);
  });
});
