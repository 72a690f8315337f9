import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { ChannelKind } from '../../backend/src/channels/channel.model.ts';
import type { Models } from '../../backend/src/db/models.ts';
import { rebuildSearchIndex } from '../../backend/src/search/search.rebuild.ts';
import type { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { makeOrganisation, signedIn } from '../factories/members.ts';

const key = () => randomBytes(6).toString('hex');
/** A word nobody else uses, letters only (so it stems and prefixes like a word). */
const word = () => `zq${[...randomBytes(7)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('')}`;

interface Hit {
  type: string;
  key: string;
  title: string;
  authorId: string | null;
  snippet: { text: string; match: boolean }[];
}

/**
 * Search over questions, answers, papers, library resources and alerts: each hit passes the same
 * rule as a direct read (spaces, TLP, moderation, anonymity), counts included, and the index can be
 * rebuilt from what is stored with the same result.
 */
describe('search across content types (HTTP)', function () {
  let server: TestServer;
  let models: Models;

  before(async function () {
    server = await startTestServer({ postingBurst: 200 });
    models = server.server.ctx.models;
  });

  after(async function () {
    await server.close();
  });

  async function channelOf(kind: ChannelKind, slug = 'plenary'): Promise<string> {
    const space = await models.Space.findOne({ slug }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name: `${kind}-${key()}`, kind });
    return String(channel._id);
  }

  async function search(client: ApiClient, q: string, extra = ''): Promise<{ total: number; hits: Hit[] }> {
    await server.server.ctx.search.idle();
    const res = await client.get(`/api/search?q=${encodeURIComponent(q)}${extra}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  }

  /** One corpus with every type, sharing one unusual word; returns who sees what. */
  async function corpus() {
    const shared = word();
    const company = await makeOrganisation(models, { sector: 'industry' });
    const asker = await signedIn(server.url, models, { sector: 'industry' });
    const recipient = await signedIn(server.url, models, { organisation: company });
    const outsider = await signedIn(server.url, models, { sector: 'industry' });
    const government = await signedIn(server.url, models, { sector: 'government' });
    const liaison = await signedIn(server.url, models, { sector: 'government', roles: ['liaison'] });
    const moderator = await signedIn(server.url, models, { sector: 'civil_society', roles: ['moderator'] });

    const qa = await channelOf('qa');
    const asked = await asker.client.post(`/api/channels/${qa}/questions`, { title: `How to spot ${shared} accounts?`, body: 'We see many.', tags: ['accounts'], anonymous: true });
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    const answered = await recipient.client.post(`/api/channels/${qa}/questions/${asked.body.id}/answers`, { body: `Look at ${shared} naming patterns.` });
    expect(answered.status, JSON.stringify(answered.body)).to.equal(201);
    const papers = await channelOf('papers');
    const paper = await recipient.client.post(`/api/channels/${papers}/papers`, { title: 'A study', authors: ['R. Searcher'], year: 2025, venue: 'Preprint', abstract: `The **${shared}** phenomenon _explained_.`, doi: '10.1234/abcd.5678', link: 'https://example.org/p', tags: [] });
    expect(paper.status, JSON.stringify(paper.body)).to.equal(201);
    // A Q&A channel in the government space: industry members never find what is in it.
    const govQa = await channelOf('qa', 'government');
    const govQuestion = await government.client.post(`/api/channels/${govQa}/questions`, { title: `Government ${shared} question`, body: 'Internal.', tags: [] });
    expect(govQuestion.status, JSON.stringify(govQuestion.body)).to.equal(201);
    const alert = (marking: string, recipients: Record<string, string[]> = {}) =>
      liaison.client.post('/api/alerts', {
        title: `${marking} alert on ${shared}`,
        summary: 'Summary.',
        severity: 'medium',
        marking,
        recipients,
        tags: { platforms: [], tactics: [], regions: [] },
        indicators: [],
      });
    const green = await alert('TLP:GREEN');
    const amber = await alert('TLP:AMBER+STRICT', { organisationIds: [String(company._id)] });
    expect([green.status, amber.status]).to.deep.equal([201, 201]);
    return { shared, asker, recipient, outsider, government, moderator, qa, asked, answered, paper, govQa, govQuestion, green, amber, company };
  }

  it('finds each type for exactly the members who may read it, counts included', async function () {
    const c = await corpus();
    const keys = (result: { hits: Hit[] }) => result.hits.map((hit) => hit.key).sort();
    const questionKey = `question:${c.qa}:${c.asked.body.id}`;
    const answerKey = `answer:${c.qa}:${c.answered.body.id}`;

    const forRecipient = await search(c.recipient.client, c.shared);
    const recipientTypes = forRecipient.hits.map((hit) => hit.type).sort();
    expect(recipientTypes).to.deep.equal(['alert', 'alert', 'answer', 'paper', 'question']);
    expect(forRecipient.total).to.equal(5);
    expect(keys(forRecipient)).to.include.members([questionKey, answerKey, `alert:${c.green.body.id}`, `alert:${c.amber.body.id}`]);
    // Snippets are the text a reader sees, not Markdown.
    const paperHit = forRecipient.hits.find((hit) => hit.type === 'paper')!;
    const snippetText = paperHit.snippet.map((part) => part.text).join('');
    expect(snippetText).to.include(`The ${c.shared} phenomenon explained.`);
    expect(paperHit.snippet.filter((part) => part.match).map((part) => part.text)).to.deep.equal([c.shared]);

    // Another company: no AMBER+STRICT alert, not even in the count; no government question.
    const forOutsider = await search(c.outsider.client, c.shared);
    expect(forOutsider.total).to.equal(4);
    expect(keys(forOutsider)).to.not.include(`alert:${c.amber.body.id}`);
    expect(JSON.stringify(forOutsider)).to.not.include('TLP:AMBER+STRICT alert');
    expect((await search(c.outsider.client, c.shared, '&type=alert')).total).to.equal(1);

    // The government member sees the government question, and the GREEN alert but not the strict one.
    const forGovernment = await search(c.government.client, c.shared);
    expect(keys(forGovernment)).to.include(`question:${c.govQa}:${c.govQuestion.body.id}`);
    expect(keys(forOutsider)).to.not.include(`question:${c.govQa}:${c.govQuestion.body.id}`);
    expect(keys(forGovernment)).to.not.include(`alert:${c.amber.body.id}`);
  });

  it('never ties an anonymous question to its author, not even through the author filter', async function () {
    const c = await corpus();
    const anonymous = (await search(c.recipient.client, c.shared, '&type=question')).hits[0]!;
    expect(anonymous.authorId).to.equal(null);
    expect(JSON.stringify(anonymous)).to.not.include(String(c.asker.member._id));
    const byAuthor = await search(c.recipient.client, c.shared, `&authorId=${String(c.asker.member._id)}`);
    expect(byAuthor.total).to.equal(0);
  });

  it('leaves hidden items to moderators and never finds words moderators edited out', async function () {
    const c = await corpus();
    const secret = word();
    const qa = await channelOf('qa');
    const asked = await c.recipient.client.post(`/api/channels/${qa}/questions`, { title: `Contact question ${c.shared}`, body: `Call ${secret} now.`, tags: [] });
    const id = `${qa}:${asked.body.id}`;
    expect((await search(c.outsider.client, secret)).total).to.equal(1);
    const redacted = await c.moderator.client.post('/api/moderation/actions', { type: 'question', id, kind: 'redact', reason: 'personal_data', note: '', redactedText: 'Call [number removed] now.' });
    expect(redacted.status, JSON.stringify(redacted.body)).to.equal(201);
    expect((await search(c.outsider.client, secret)).total).to.equal(0);

    const hidden = await c.moderator.client.post('/api/moderation/actions', { type: 'alert', id: c.green.body.id, kind: 'hide', reason: 'misinformation', note: '' });
    expect(hidden.status, JSON.stringify(hidden.body)).to.equal(201);
    expect((await search(c.outsider.client, c.shared, '&type=alert')).total).to.equal(0);
  });

  it('rebuilds the index from stored questions, answers, papers and alerts with the same access rules', async function () {
    const c = await corpus();
    const before = await search(c.outsider.client, c.shared);
    const beforeRecipient = await search(c.recipient.client, c.shared);
    const { connection } = server.database;
    for (const { name } of await connection.db!.listCollections({}, { nameOnly: true }).toArray()) {
      if (name.startsWith('search_')) await connection.db!.dropCollection(name);
    }
    const { ctx } = server.server;
    await rebuildSearchIndex(connection, ctx.models, ctx.messages);
    const after = await search(c.outsider.client, c.shared);
    expect(after.hits.map((hit) => hit.key).sort()).to.deep.equal(before.hits.map((hit) => hit.key).sort());
    expect(after.total).to.equal(before.total);
    expect((await search(c.recipient.client, c.shared)).total).to.equal(beforeRecipient.total);
    expect((await search(c.recipient.client, c.shared, `&authorId=${String(c.asker.member._id)}`)).total).to.equal(0);
  });
});
