import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import { toActor } from '../../backend/src/auth/auth.ts';
import type { Models } from '../../backend/src/db/models.ts';
import type { MemberDoc } from '../../backend/src/members/member.model.ts';
import { ACK_HISTORY_LIMIT, ACK_RATE_LIMIT } from '../../backend/src/alerts/alert.actions.ts';
import { EXPORT_RATE_LIMIT } from '../../backend/src/alerts/alert.routes.ts';
import type { SearchDocument } from '../../backend/src/search/search.types.ts';
import type { AlertPayload, ClientToServerEvents, ServerToClientEvents } from '../../backend/src/shared/realtime-events.ts';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { makeOrganisation, signedIn, type MakeMember } from '../factories/members.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const key = () => randomBytes(5).toString('hex');
const HIDDEN_TITLE = 'Hidden by moderators: terrorist or violent extremist content shared without a warning';

/** Regression tests for the security review of trend alerts: moderation, exports, feed tokens, limits. */
describe('trend alerts: moderation reaches every path, exports and answers are bounded', function () {
  let server: TestServer;
  let models: Models;
  const sockets: ClientSocket[] = [];

  before(async function () {
    server = await startTestServer();
    models = server.server.ctx.models;
  });

  afterEach(function () {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  after(async function () {
    await server.close();
  });

  const member = (input: MakeMember = {}): Promise<{ client: ApiClient; member: MemberDoc }> => signedIn(server.url, models, input);
  const feedOf = (token: string) => fetch(`${server.url}/api/feeds/alerts.atom?token=${token}`);

  async function open(client: ApiClient): Promise<ClientSocket> {
    const socket: ClientSocket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: client.cookie! } });
    sockets.push(socket);
    await new Promise((resolve, reject) => {
      socket.once('session.ready', resolve);
      socket.once('connect_error', reject);
    });
    return socket;
  }

  /** What the search index is told while `run` runs (the index itself is another capability's). */
  async function indexCalls(run: () => Promise<void>): Promise<{ indexed: SearchDocument[]; removed: string[] }> {
    const search = server.server.ctx.search;
    const calls = { indexed: [] as SearchDocument[], removed: [] as string[] };
    const [index, remove] = [search.index.bind(search), search.remove.bind(search)];
    search.index = async (doc, options) => {
      calls.indexed.push(doc);
      await index(doc, options);
    };
    search.remove = async (docKey, options) => {
      calls.removed.push(docKey);
      await remove(docKey, options);
    };
    try {
      await run();
    } finally {
      search.index = index;
      search.remove = remove;
    }
    return calls;
  }

  async function publish(author: ApiClient, overrides: Record<string, unknown> = {}): Promise<string> {
    const res = await author.post('/api/alerts', {
      title: `Trend ${key()}`,
      summary: 'Researcher home address: 1 Private Lane',
      severity: 'high',
      marking: 'TLP:GREEN',
      tags: { platforms: [], tactics: [], regions: [] },
      indicators: [{ kind: 'keyword', value: 'lanekeyword' }],
      ...overrides,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id as string;
  }

  describe('redaction', function () {
    it('covers the summary and the timeline text for members: detail, Atom feed, STIX, search and the index', async function () {
      const author = await member({ sector: 'government', roles: ['liaison'] });
      const moderator = await member({ sector: 'industry', roles: ['moderator'] });
      const reader = await member({ sector: 'academia' });
      const id = await publish(author.client);
      expect((await author.client.post(`/api/alerts/${id}/updates`, { text: 'She answers on 555-0100.', severity: 'critical' })).status).to.equal(200);

      const calls = await indexCalls(async () => {
        const redact = await moderator.client.post('/api/moderation/actions', { type: 'alert', id, kind: 'redact', reason: 'personal_data', note: '', redactedText: 'Researcher home address: [redacted]' });
        expect(redact.status, JSON.stringify(redact.body)).to.equal(201);
      });
      const personal = /Private Lane|555-0100/;
      expect(calls.removed).to.deep.equal([]);
      expect(calls.indexed).to.have.length(1);
      expect(calls.indexed[0]!.text).to.include('[redacted]').and.not.match(personal);

      // Members: the redacted summary, the timeline's metadata without its text, and why.
      const seen = (await reader.client.get(`/api/alerts/${id}`)).body;
      expect(seen.summarySource).to.equal('Researcher home address: [redacted]');
      expect(seen.timeline).to.have.length(1);
      expect(seen.timeline[0]).to.deep.include({ html: '', withheld: 'redacted' });
      expect(seen.timeline[0].changes.severity).to.deep.equal({ from: 'high', to: 'critical' });
      expect(JSON.stringify(seen)).to.not.match(personal);
      // Moderators read it as written.
      const moderated = (await moderator.client.get(`/api/alerts/${id}`)).body;
      expect(moderated.timeline[0].html).to.include('555-0100');
      expect(moderated.timeline[0].withheld).to.equal(null);
      // An entry that never had text (a widening) is not marked as withheld.
      expect((await author.client.post(`/api/alerts/${id}/marking`, { marking: 'TLP:CLEAR', recipients: { organisationIds: [], sectors: [], memberIds: [] } })).status).to.equal(200);
      expect((await reader.client.get(`/api/alerts/${id}`)).body.timeline.map((entry: { withheld: string | null }) => entry.withheld)).to.deep.equal(['redacted', null]);

      // The feed carries what members see, whoever owns it (a moderator's too).
      for (const owner of [reader, moderator]) {
        const token = (await owner.client.post('/api/me/alert-feed')).body.token;
        const xml = await (await feedOf(token)).text();
        expect(xml).to.include(`urn:convene:alert:${id}`).and.include('[redacted]');
        expect(xml).to.not.match(personal);
      }

      // STIX, one and many.
      const one = await reader.client.get(`/api/alerts/${id}/stix`);
      expect(one.status).to.equal(200);
      expect(JSON.stringify(one.body)).to.include('[redacted]').and.not.match(personal);
      expect(JSON.stringify((await reader.client.get('/api/alerts/export/stix')).body)).to.not.match(personal);

      // Search snippets: redacted for members, as written for moderators.
      const source = server.server.ctx.search.source('alert')!;
      const ref = { key: `alert:${id}`, type: 'alert' as const, spaceId: null, channelId: null, authorId: null, tags: [], createdAt: new Date() };
      expect((await source.present(toActor(reader.member), [ref])).get(ref.key)!.text).to.equal('Researcher home address: [redacted]');
      expect((await source.present(toActor(moderator.member), [ref])).get(ref.key)!.text).to.include('1 Private Lane');
    });
  });

  describe('hidden alerts', function () {
    it('keep their place but not their title, tags or counts for members: list, stats, tags, sockets, search and the index', async function () {
      const author = await member({ sector: 'government', roles: ['liaison'] });
      const moderator = await member({ sector: 'industry', roles: ['moderator'] });
      const otherModerator = await member({ sector: 'industry', roles: ['moderator'] });
      const reader = await member({ sector: 'academia' });
      const tag = `hid-${key()}`;
      const title = `Secret title ${key()}`;
      const id = await publish(author.client, { title, tags: { platforms: [], tactics: [tag], regions: [] } });
      const [readerSocket, moderatorSocket] = await Promise.all([open(reader.client), open(moderator.client)]);
      const heard = { reader: [] as AlertPayload[], moderator: [] as AlertPayload[] };
      readerSocket.on('alert.updated', (payload) => heard.reader.push(payload));
      moderatorSocket.on('alert.updated', (payload) => heard.moderator.push(payload));

      const calls = await indexCalls(async () => {
        const hide = await moderator.client.post('/api/moderation/actions', { type: 'alert', id, kind: 'hide', reason: 'terrorist_content', note: '' });
        expect(hide.status, JSON.stringify(hide.body)).to.equal(201);
      });
      // Kept in the index flagged hidden: found by moderators only, with no text members could not read.
      expect(calls.removed).to.deep.equal([]);
      expect(calls.indexed.map((doc) => [doc.key, doc.hidden])).to.deep.equal([[`alert:${id}`, true]]);

      // Sockets: each hears the view they may see.
      await Promise.all([readerSocket.emitWithAck('system.ping', {}), moderatorSocket.emitWithAck('system.ping', {})]);
      expect(heard.reader).to.have.length(1);
      expect(heard.reader[0]).to.deep.include({ id, title: HIDDEN_TITLE, hidden: true, indicatorCount: 0 });
      expect(heard.reader[0]!.tags).to.deep.equal({ platforms: [], tactics: [], regions: [] });
      expect(heard.moderator[0]).to.deep.include({ id, title, hidden: true });

      // List and detail.
      const listed = (await reader.client.get('/api/alerts')).body.alerts.find((alert: { id: string }) => alert.id === id);
      expect(listed).to.deep.include({ title: HIDDEN_TITLE, hidden: true, indicatorCount: 0 });
      expect(listed.tags).to.deep.equal({ platforms: [], tactics: [], regions: [] });
      expect((await reader.client.get(`/api/alerts/${id}`)).body.title).to.equal(HIDDEN_TITLE);
      expect((await moderator.client.get('/api/alerts')).body.alerts.find((alert: { id: string }) => alert.id === id).title).to.equal(title);

      // Counts: the alert still counts (members see it listed), but no tag finds it for them.
      expect((await reader.client.get('/api/alerts/stats')).body.total).to.equal((await reader.client.get('/api/alerts')).body.total);
      expect((await reader.client.get(`/api/alerts/stats?tag=${tag}`)).body.total).to.equal(0);
      expect((await reader.client.get(`/api/alerts?tag=${tag}`)).body.total).to.equal(0);
      expect((await moderator.client.get(`/api/alerts/stats?tag=${tag}`)).body.total).to.equal(1);
      // Tag autocomplete leaves hidden alerts out for everyone.
      for (const viewer of [reader, moderator, author]) expect((await viewer.client.get(`/api/alerts/tags?facet=tactics&q=${tag}`)).body).to.deep.equal([]);

      // Search: invisible to members, even if asked to present it; moderators see it.
      const source = server.server.ctx.search.source('alert')!;
      const ref = { key: `alert:${id}`, type: 'alert' as const, spaceId: null, channelId: null, authorId: null, tags: [], createdAt: new Date() };
      expect([...(await source.visible(toActor(reader.member), [ref]))]).to.deep.equal([]);
      expect((await source.present(toActor(reader.member), [ref])).size).to.equal(0);
      expect((await source.present(toActor(moderator.member), [ref])).get(ref.key)!.title).to.include(title);

      // An update while hidden keeps it flagged hidden in the index (for moderators only); reversing the hide clears the flag.
      const updateCalls = await indexCalls(async () => {
        expect((await author.client.post(`/api/alerts/${id}/updates`, { text: 'More detail.' })).status).to.equal(200);
      });
      expect(updateCalls.indexed.map((doc) => [doc.key, doc.hidden])).to.deep.equal([[`alert:${id}`, true]]);
      expect(updateCalls.removed).to.deep.equal([]);
      const action = (await models.ModerationAction.findOne({ type: 'alert', itemId: id, kind: 'hide' }).lean())!;
      const reverseCalls = await indexCalls(async () => {
        expect((await otherModerator.client.post(`/api/moderation/actions/${String(action._id)}/reverse`, { note: '' })).status).to.equal(200);
      });
      expect(reverseCalls.indexed.map((doc) => [doc.title, doc.hidden])).to.deep.equal([[title, false]]);
    });
  });

  describe('audit', function () {
    it('a bulk STIX export names the alerts and markings it carried', async function () {
      const org = await makeOrganisation(models, { sector: 'industry' });
      const author = await member({ sector: 'government', roles: ['liaison'] });
      const reader = await member({ organisation: org });
      const amber = await publish(author.client, { marking: 'TLP:AMBER', recipients: { organisationIds: [String(org._id)], sectors: [], memberIds: [] } });
      const green = await publish(author.client);
      const res = await reader.client.get('/api/alerts/export/stix');
      expect(res.status).to.equal(200);
      const entry = (await models.AuditEvent.findOne({ action: 'alert.exported', actorId: reader.member._id }).lean())!;
      const details = entry.details as { count: number; alertIds: string[]; alertIdsOmitted: number; markings: { marking: string; count: number }[] };
      expect(details.alertIds).to.include.members([amber, green]);
      expect(details.alertIds.indexOf(amber)).to.be.lessThan(details.alertIds.indexOf(green));
      expect(details.alertIds).to.have.length(details.count);
      expect(details.alertIdsOmitted).to.equal(0);
      expect(details.markings.find((item) => item.marking === 'TLP:AMBER')!.count).to.be.at.least(1);
    });

    it("a moderator's review of an AMBER or RED alert in the queue is audited; listing the queue and GREEN alerts are not", async function () {
      const author = await member({ sector: 'government', roles: ['liaison'] });
      const reporter = await member({ sector: 'industry' });
      const moderator = await member({ sector: 'industry', roles: ['moderator'] });
      const amber = await publish(author.client, { marking: 'TLP:AMBER', recipients: { organisationIds: [], sectors: ['industry'], memberIds: [] } });
      const green = await publish(author.client);
      for (const id of [amber, green]) expect((await reporter.client.post('/api/moderation/reports', { type: 'alert', id, reason: 'other' })).status).to.equal(201);
      const count = (id: string) => models.AuditEvent.countDocuments({ action: 'alert.read_restricted', actorId: moderator.member._id, targetId: id });

      expect((await moderator.client.get('/api/moderation/queue')).status).to.equal(200);
      expect(await count(amber)).to.equal(0);
      expect((await moderator.client.get(`/api/moderation/queue/alert/${amber}`)).status).to.equal(200);
      expect((await moderator.client.get(`/api/moderation/queue/alert/${green}`)).status).to.equal(200);
      expect(await count(amber)).to.equal(1);
      expect(await count(green)).to.equal(0);
      const entry = (await models.AuditEvent.findOne({ action: 'alert.read_restricted', actorId: moderator.member._id, targetId: amber }).lean())!;
      expect(entry.details).to.deep.equal({ marking: 'TLP:AMBER', via: 'moderation_queue' });
    });
  });

  describe('acknowledgements', function () {
    it('are rate-limited per member (429 with retryAfterSeconds)', async function () {
      const org = await makeOrganisation(models, { sector: 'industry' });
      const author = await member({ sector: 'government', roles: ['liaison'] });
      const reader = await member({ organisation: org });
      const id = await publish(author.client);
      expect((await reader.client.request('PUT', `/api/alerts/${id}/acknowledgement`, { state: 'reviewed', note: '' })).status).to.equal(200);
      await models.RateLimit.updateOne({ _id: `alert-ack:member:${reader.member._id}` }, { $set: { count: ACK_RATE_LIMIT.limit } });
      const limited = await reader.client.request('PUT', `/api/alerts/${id}/acknowledgement`, { state: 'acting', note: '' });
      expect(limited.status).to.equal(429);
      expect(limited.body.error.code).to.equal('rate_limited');
      expect(limited.body.error.details.retryAfterSeconds).to.be.a('number').above(0);
      expect(limited.headers.get('retry-after')).to.match(/^\d+$/);
      expect((await models.AlertAck.findById(`${id}:${String(org._id)}`).lean())!.state).to.equal('reviewed');
    });

    it(`keep only the last ${ACK_HISTORY_LIMIT} earlier answers`, async function () {
      const org = await makeOrganisation(models, { sector: 'industry' });
      const author = await member({ sector: 'government', roles: ['liaison'] });
      const reader = await member({ organisation: org });
      const id = await publish(author.client);
      const by = String(reader.member._id);
      const history = Array.from({ length: ACK_HISTORY_LIMIT }, (_, index) => ({ state: 'reviewed' as const, note: `old ${index}`, by, at: new Date(Date.now() - 60_000 + index) }));
      await models.AlertAck.create({ _id: `${id}:${String(org._id)}`, alertId: id, organisationId: String(org._id), state: 'acting', note: 'latest', by, at: new Date(), history });
      const res = await reader.client.request('PUT', `/api/alerts/${id}/acknowledgement`, { state: 'not_affected', note: 'newest' });
      expect(res.status).to.equal(200);
      expect(res.body.earlier).to.equal(ACK_HISTORY_LIMIT);
      const stored = (await models.AlertAck.findById(`${id}:${String(org._id)}`).lean())!;
      expect(stored.history).to.have.length(ACK_HISTORY_LIMIT);
      expect(stored.history[0]!.note).to.equal('old 1');
      expect(stored.history.at(-1)!.note).to.equal('latest');
    });

    it('answered at the same moment by one organisation: every answer is kept once, none lost', async function () {
      const org = await makeOrganisation(models, { sector: 'industry' });
      const author = await member({ sector: 'government', roles: ['liaison'] });
      const colleagues = await Promise.all([1, 2, 3, 4].map(() => member({ organisation: org })));
      const id = await publish(author.client);
      const answers = await Promise.all(colleagues.map((colleague, index) => colleague.client.request('PUT', `/api/alerts/${id}/acknowledgement`, { state: 'acting', note: `answer ${index}` })));
      expect(answers.map((res) => res.status)).to.deep.equal([200, 200, 200, 200]);
      const stored = (await models.AlertAck.findById(`${id}:${String(org._id)}`).lean())!;
      expect([stored.note, ...stored.history.map((entry) => entry.note)].sort()).to.deep.equal(['answer 0', 'answer 1', 'answer 2', 'answer 3']);
    });
  });

  describe('feed tokens', function () {
    it('after parallel rotations exactly one token works, and revoking stops it', async function () {
      const reader = await member({ sector: 'industry' });
      const rotations = await Promise.all(Array.from({ length: 8 }, () => reader.client.post('/api/me/alert-feed')));
      expect(rotations.map((res) => res.status)).to.deep.equal(Array(8).fill(201));
      const statuses = await Promise.all(rotations.map(async (res) => (await feedOf(res.body.token)).status));
      expect(statuses.filter((status) => status === 200)).to.have.length(1);
      expect(statuses.filter((status) => status === 404)).to.have.length(7);

      const again = await Promise.all(Array.from({ length: 4 }, () => reader.client.post('/api/me/alert-feed')));
      const tokens = [...rotations, ...again].map((res) => res.body.token as string);
      expect((await Promise.all(tokens.map(async (token) => (await feedOf(token)).status))).filter((status) => status === 200)).to.have.length(1);
      expect((await reader.client.delete('/api/me/alert-feed')).status).to.equal(204);
      expect((await Promise.all(tokens.map(async (token) => (await feedOf(token)).status))).every((status) => status === 404)).to.equal(true);
      expect((await reader.client.get('/api/me/alert-feed')).body).to.deep.equal({ active: false, createdAt: null });
    });
  });

  describe('STIX exports', function () {
    it('are rate-limited per member, one alert or many', async function () {
      const author = await member({ sector: 'government', roles: ['liaison'] });
      const reader = await member({ sector: 'industry' });
      const id = await publish(author.client);
      expect((await reader.client.get(`/api/alerts/${id}/stix`)).status).to.equal(200);
      await models.RateLimit.updateOne({ _id: `alert-export:member:${reader.member._id}` }, { $set: { count: EXPORT_RATE_LIMIT.limit } });
      for (const path of [`/api/alerts/${id}/stix`, '/api/alerts/export/stix']) {
        const res = await reader.client.get(path);
        expect(res.status, path).to.equal(429);
        expect(res.body.error.details.retryAfterSeconds).to.be.above(0);
      }
      // Another member is not affected.
      expect((await author.client.get('/api/alerts/export/stix')).status).to.equal(200);
    });
  });
});
