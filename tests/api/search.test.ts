import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Models } from '../../backend/src/db/models.ts';
import { messageSearchDocument } from '../../backend/src/messages/message.search.ts';
import { SearchIndex } from '../../backend/src/search/search.index.ts';
import type { SpaceDoc } from '../../backend/src/spaces/space.model.ts';
import { ApiClient } from '../helpers/client.ts';
import { freshDatabase } from '../helpers/engine.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { makeMember, signedIn } from '../factories/members.ts';

const key = () => randomBytes(8).toString('hex');
/** A word nobody else uses, letters only (so it stems and prefixes like a word). */
const word = () =>
  `zq${[...randomBytes(7)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('')}`;

interface Hit {
  type: string;
  key: string;
  title: string;
  snippet: { text: string; match: boolean }[];
  link: string;
  spaceId: string | null;
  channelId: string | null;
  authorId: string | null;
  createdAt: string;
}
interface Result {
  total: number;
  page: number;
  pageSize: number;
  hits: Hit[];
  words: string[];
}

describe('search (HTTP)', function () {
  let server: TestServer;
  let models: Models;
  const general: Record<string, string> = {};
  const spaceIds: Record<string, string> = {};

  before(async function () {
    server = await startTestServer({ postingBurst: 500 });
    models = server.server.ctx.models;
    for (const space of await models.Space.find({}).lean<SpaceDoc[]>()) {
      const channel = await models.Channel.findOne({ spaceId: space._id, name: 'general' }).lean();
      general[space.slug] = String(channel!._id);
      spaceIds[space.slug] = String(space._id);
    }
  });

  after(async function () {
    await server.close();
  });

  const idle = () => server.server.ctx.search.idle();

  async function send(client: ApiClient, channelId: string, text: string): Promise<{ seq: number; id: string }> {
    const res = await client.post(`/api/channels/${channelId}/messages`, { text, idempotencyKey: key() });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  }

  async function search(client: ApiClient, query: Record<string, string | number>): Promise<Result> {
    await idle();
    const res = await client.get(`/api/search?${new URLSearchParams(Object.entries(query).map(([name, value]): [string, string] => [name, String(value)]))}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  }

  describe('access', function () {
    it('answers 401 to visitors and 403 to applicants', async function () {
      expect((await new ApiClient(server.url).get('/api/search?q=hello')).status).to.equal(401);
      const { client } = await signedIn(server.url, models, { status: 'applicant' });
      expect((await client.get('/api/search?q=hello')).status).to.equal(403);
    });

    it('answers 400 naming the field for bad input', async function () {
      const { client } = await signedIn(server.url, models);
      const cases: [string, string][] = [
        ['', 'q'],
        ['?q=', 'q'],
        ['?q=%20%20', 'q'],
        [`?q=${'a'.repeat(201)}`, 'q'],
        ['?q=a%00b', 'q'],
        ['?q=the%20and', 'q'],
        ['?q=word&type=secret', 'type'],
        ['?q=word&spaceId=abc', 'spaceId'],
        ['?q=word&authorId=%7B%22%24ne%22%3Anull%7D', 'authorId'],
        ['?q=word&from=yesterday', 'from'],
        ['?q=word&from=2026-02-30', 'from'],
        ['?q=word&from=2026-05-02&to=2026-05-01', 'from'],
        ['?q=word&page=0', 'page'],
        ['?q=word&pageSize=51', 'pageSize'],
        ['?q=word&sort=score', 'query'],
      ];
      for (const [query, field] of cases) {
        const res = await client.get(`/api/search${query}`);
        expect(res.status, query).to.equal(400);
        expect(res.body.error.code, query).to.equal('invalid_request');
        expect(res.body.error.message, query).to.contain(field === 'query' ? 'query: unknown field: sort' : `query.${field}`);
      }
    });
  });

  describe('finding messages', function () {
    it('finds a message by any form of its words, accents and case ignored, and highlights them', async function () {
      const { client, member } = await signedIn(server.url, models);
      const unique = word();
      const sent = await send(client, general.plenary!, `Néw **${unique}** accounts were Posting the same manifesto.`);
      const result = await search(client, { q: `${unique.toUpperCase()} account posted` });
      expect(result.total).to.equal(1);
      const [hit] = result.hits;
      expect(hit).to.include({ type: 'message', key: `message:${general.plenary}:${sent.seq}`, link: `/channels/${general.plenary}#${sent.seq}`, channelId: general.plenary, spaceId: spaceIds.plenary, authorId: String(member._id) });
      expect(hit!.title).to.equal('#general · Plenary');
      expect(hit!.snippet.filter((segment) => segment.match).map((segment) => segment.text)).to.deep.equal([unique, 'accounts', 'Posting']);
      expect(hit!.snippet.map((segment) => segment.text).join('')).to.equal(`Néw ${unique} accounts were Posting the same manifesto.`);
    });

    it('requires every word (AND) and matches the last word as a prefix', async function () {
      const { client } = await signedIn(server.url, models);
      const [a, b] = [word(), word()];
      await send(client, general.plenary!, `${a} radicalisation pathways`);
      await send(client, general.plenary!, `${a} ${b} both words`);
      await send(client, general.plenary!, `${b} only`);
      expect((await search(client, { q: a })).total).to.equal(2);
      expect((await search(client, { q: `${a} ${b}` })).total).to.equal(1);
      expect((await search(client, { q: `${a} radicali` })).total).to.equal(1);
      expect((await search(client, { q: `${a} radicalized` })).total).to.equal(1);
      // Only the last word is a prefix.
      expect((await search(client, { q: `radicali ${a}` })).total).to.equal(0);
      expect((await search(client, { q: `${b.slice(0, 6)}` })).total).to.equal(2);
      expect((await search(client, { q: `${a} nothingelse` })).total).to.equal(0);
    });

    it('pages newest first, with the total on every page and no hit twice', async function () {
      const { client } = await signedIn(server.url, models);
      const unique = word();
      const sent: number[] = [];
      for (let index = 0; index < 25; index++) sent.push((await send(client, general.plenary!, `${unique} number ${index}`)).seq);
      const seen: string[] = [];
      for (const page of [1, 2, 3]) {
        const result = await search(client, { q: unique, pageSize: 10, page });
        expect(result.total).to.equal(25);
        expect(result.hits).to.have.length(page === 3 ? 5 : 10);
        seen.push(...result.hits.map((hit) => hit.key));
      }
      expect(new Set(seen).size).to.equal(25);
      expect(seen).to.deep.equal([...sent].reverse().map((seq) => `message:${general.plenary}:${seq}`));
      expect((await search(client, { q: unique, pageSize: 10, page: 4 })).hits).to.deep.equal([]);
    });

    it('filters by type, space, author and time', async function () {
      const { client: one, member: first } = await signedIn(server.url, models, { sector: 'industry' });
      const { client: two } = await signedIn(server.url, models, { sector: 'industry' });
      const unique = word();
      await send(one, general.plenary!, `${unique} in plenary by one`);
      await send(one, general.industry!, `${unique} in industry by one`);
      await send(two, general.industry!, `${unique} in industry by two`);
      expect((await search(one, { q: unique })).total).to.equal(3);
      expect((await search(one, { q: unique, type: 'message' })).total).to.equal(3);
      expect((await search(one, { q: unique, type: 'member' })).total).to.equal(0);
      expect((await search(one, { q: unique, spaceId: spaceIds.industry! })).total).to.equal(2);
      expect((await search(one, { q: unique, authorId: String(first._id) })).total).to.equal(2);
      expect((await search(one, { q: unique, authorId: String(first._id), spaceId: spaceIds.industry! })).total).to.equal(1);
      const today = new Date().toISOString().slice(0, 10);
      expect((await search(one, { q: unique, from: today, to: today })).total).to.equal(3);
      expect((await search(one, { q: unique, to: '2020-01-01' })).total).to.equal(0);
      expect((await search(one, { q: unique, from: new Date(Date.now() + 60_000).toISOString() })).total).to.equal(0);
    });

    it('finds an edited message by its new words and not its old ones; a deleted one not at all', async function () {
      const { client } = await signedIn(server.url, models);
      const [before, after, gone] = [word(), word(), word()];
      const sent = await send(client, general.plenary!, `${before} first version`);
      expect((await search(client, { q: before })).total).to.equal(1);
      expect((await client.patch(`/api/channels/${general.plenary}/messages/${sent.seq}`, { text: `${after} second version` })).status).to.equal(200);
      expect((await search(client, { q: before })).total).to.equal(0);
      const edited = await search(client, { q: after });
      expect(edited.total).to.equal(1);
      expect(edited.hits[0]!.snippet.map((segment) => segment.text).join('')).to.equal(`${after} second version`);
      const doomed = await send(client, general.plenary!, `${gone} soon deleted`);
      expect((await search(client, { q: gone })).total).to.equal(1);
      expect((await client.delete(`/api/channels/${general.plenary}/messages/${doomed.seq}`)).status).to.equal(200);
      expect((await search(client, { q: gone })).total).to.equal(0);
      // Nothing of it stays in the index.
      expect(await server.server.ctx.search.item(`message:${general.plenary}:${doomed.seq}`)).to.equal(null);
    });

    it('shows each viewer exactly what they may read, in hits and in counts', async function () {
      const unique = word();
      const { client: government } = await signedIn(server.url, models, { sector: 'government' });
      const { client: industry } = await signedIn(server.url, models, { sector: 'industry' });
      const { client: academia } = await signedIn(server.url, models, { sector: 'academia' });
      const { client: moderator } = await signedIn(server.url, models, { sector: 'civil_society', roles: ['moderator'] });
      const { client: admin } = await signedIn(server.url, models, { sector: 'industry', roles: ['admin'] });
      const corpus: [ApiClient, string, number][] = [
        [government, 'government', 4],
        [industry, 'industry', 3],
        [academia, 'civil-society-academia', 2],
        [moderator, 'moderators', 5],
        [government, 'plenary', 1],
        [industry, 'plenary', 1],
      ];
      for (const [client, slug, count] of corpus) for (let index = 0; index < count; index++) await send(client, general[slug]!, `${unique} note ${index} for ${slug}`);
      const expected: [ApiClient, string[]][] = [
        [government, ['government', 'plenary']],
        [industry, ['industry', 'plenary']],
        [academia, ['civil-society-academia', 'plenary']],
        [moderator, ['civil-society-academia', 'moderators', 'plenary']],
        // Admins are not exempt from sector rules: an industry admin reads Industry, not Government (and Moderators as staff).
        [admin, ['industry', 'moderators', 'plenary']],
      ];
      for (const [client, slugs] of expected) {
        const result = await search(client, { q: unique, pageSize: 50 });
        const allowed = new Set(slugs.map((slug) => spaceIds[slug]));
        const want = corpus.filter(([, slug]) => slugs.includes(slug)).reduce((sum, [, , count]) => sum + count, 0);
        expect(result.total, JSON.stringify(result.hits.map((hit) => hit.title))).to.equal(want);
        expect(result.hits).to.have.length(want);
        for (const hit of result.hits) expect(allowed.has(hit.spaceId!)).to.equal(true);
        // Asking for a space one may not enter finds nothing, not even a count.
        const forbidden = Object.keys(spaceIds).find((slug) => !slugs.includes(slug))!;
        expect((await search(client, { q: unique, spaceId: spaceIds[forbidden]! })).total).to.equal(0);
      }
    });

    it('follows a space rule change at once', async function () {
      const { client: admin } = await signedIn(server.url, models, { sector: 'academia', roles: ['admin'] });
      const { client: industry } = await signedIn(server.url, models, { sector: 'industry' });
      const space = await admin.post('/api/spaces', { slug: `s-${key()}`, name: 'Working group', access: { sectors: ['academia'], roles: [] } });
      const channel = await models.Channel.create({ spaceId: space.body.id, name: 'wg', kind: 'discussion' });
      const unique = word();
      await send(admin, String(channel._id), `${unique} working group only`);
      expect((await search(industry, { q: unique })).total).to.equal(0);
      expect((await search(admin, { q: unique })).total).to.equal(1);
      await admin.patch(`/api/spaces/${space.body.id}`, { access: { sectors: ['academia', 'industry'], roles: [] } });
      expect((await search(industry, { q: unique })).total).to.equal(1);
    });

    it('finds a message hidden by moderators for moderators only', async function () {
      const { client: author } = await signedIn(server.url, models, { sector: 'civil_society' });
      const { client: moderator } = await signedIn(server.url, models, { sector: 'academia', roles: ['moderator'] });
      const unique = word();
      const sent = await send(author, general.plenary!, `${unique} to be hidden`);
      const stored = await server.server.ctx.messages.get(general.plenary!, sent.seq);
      // What the moderation capability does after hiding it: re-index with its new state.
      await server.server.ctx.search.index({ ...messageSearchDocument(stored!, spaceIds.plenary!), hidden: true });
      expect((await search(author, { q: unique })).total).to.equal(0);
      expect((await search(moderator, { q: unique })).total).to.equal(1);
    });
  });

  describe('finding members', function () {
    it('finds approved members by name, job title or organisation, never by e-mail; not once suspended', async function () {
      const { client: viewer } = await signedIn(server.url, models, { sector: 'government' });
      const { client: moderator } = await signedIn(server.url, models, { sector: 'government', roles: ['moderator'] });
      const name = word();
      const { client: person, member } = await signedIn(server.url, models, { sector: 'industry', email: `${name}mail@example.org` });
      // Profile changes index the member (approval does too).
      expect((await person.patch('/api/me', { name: `Ada ${name}`, jobTitle: 'Trust and safety lead' })).status).to.equal(200);
      const found = await search(viewer, { q: name, type: 'member' });
      expect(found.total).to.equal(1);
      expect(found.hits[0]).to.include({ type: 'member', title: `Ada ${name}`, authorId: String(member._id) });
      expect(found.hits[0]!.link).to.equal(`/directory?q=${encodeURIComponent(`Ada ${name}`)}`);
      expect((await search(viewer, { q: `${name} safety` })).total).to.equal(1);
      expect((await search(viewer, { q: `${name}mail` })).total).to.equal(0);
      expect(JSON.stringify(found)).not.to.contain('@');
      expect((await moderator.post(`/api/admin/members/${member._id}/suspend`, { reason: 'Testing suspension in search' })).status).to.equal(200);
      expect((await search(viewer, { q: name })).total).to.equal(0);
    });

    it('indexes an applicant when approved, and not before', async function () {
      const { client: viewer } = await signedIn(server.url, models);
      const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
      const name = word();
      const applicant = await makeMember(models, { status: 'applicant', name: `Applicant ${name}` });
      const org = (await models.Organisation.findOne({}).lean())!;
      const now = new Date();
      await models.Application.create({ _id: applicant._id, organisationId: org._id, proposedOrganisation: null, sector: org.sector, jobTitle: 'Analyst', reason: 'To work with others on this important topic.', referee: { name: 'A referee', email: 'referee@example.org', organisation: 'Company' }, status: 'pending', thread: [], submittedAt: now, queuedAt: now, decision: null } as never);
      expect((await search(viewer, { q: name })).total).to.equal(0);
      const approved = await moderator.post(`/api/vetting/applications/${applicant._id}/approve`, {});
      expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
      expect((await search(viewer, { q: name })).total).to.equal(1);
    });
  });

  it('limits searches per member', async function () {
    const { client } = await signedIn(server.url, models);
    let limited = 0;
    for (let index = 0; index < 65; index++) if ((await client.get('/api/search?q=anything')).status === 429) limited++;
    expect(limited).to.be.greaterThan(0);
  });
});

describe('search index storage', function () {
  it('rolls posting chunks over at their size, and a removal or re-index pulls exactly its postings', async function () {
    const db = await freshDatabase('searchidx');
    try {
      const index = new SearchIndex(db.connection, { buckets: 4, chunkSize: 5, batchSize: 3 });
      await index.open();
      const doc = (n: number, text: string) => ({
        key: `message:c:${n}`,
        type: 'message' as const,
        spaceId: 's',
        channelId: 'c',
        authorId: 'a',
        tags: [],
        createdAt: new Date(1_700_000_000_000 + n),
        title: '',
        text,
      });
      for (let n = 1; n <= 12; n++) await index.index(doc(n, `common word${n}`));
      await index.idle();
      let chunks = await index.chunksOf('common');
      expect(chunks.map((chunk) => chunk.postings.length)).to.deep.equal([5, 5, 2]);
      expect(chunks.map((chunk) => chunk._id)).to.deep.equal(['common:0', 'common:1', 'common:2']);
      expect((await index.postings('common')).size).to.equal(12);
      // Bulk: the same rule.
      await index.indexMany(Array.from({ length: 9 }, (_, offset) => doc(100 + offset, 'common bulk')), { fresh: true });
      chunks = await index.chunksOf('common');
      expect(chunks.map((chunk) => chunk.postings.length)).to.deep.equal([5, 5, 5, 5, 1]);

      await index.remove('message:c:3');
      await index.index(doc(4, 'different words now'));
      await index.idle();
      const shared = await index.postings('common');
      expect(shared.size).to.equal(19);
      expect(shared.has('message:c:3')).to.equal(false);
      expect(shared.has('message:c:4')).to.equal(false);
      expect((await index.postings('word3')).size).to.equal(0);
      expect((await index.postings('different')).has('message:c:4')).to.equal(true);
      expect(await index.item('message:c:3')).to.equal(null);
      expect((await index.item('message:c:4'))!.chunks.sort()).to.deep.equal(['different:0', 'now:0', 'word:0']);
      // No posting is left anywhere for the removed item.
      const all = (await index.chunksOf('common')).flatMap((chunk) => chunk.postings);
      expect(all.filter((posting) => posting.startsWith('message:c:3|'))).to.deep.equal([]);
      expect(index.failures).to.equal(0);
      // The layout is kept per database: a second index adopts it.
      const again = new SearchIndex(db.connection, { buckets: 64, chunkSize: 500 });
      await again.open();
      expect([again.buckets, again.chunkSize]).to.deep.equal([4, 5]);
    } finally {
      await db.drop();
    }
  });
});

describe('search index rebuild', function () {
  it('builds the index again from stored messages and members, leaving deleted messages out', async function () {
    const server = await startTestServer({ postingBurst: 100 });
    try {
      const { ctx } = server.server;
      const space = await ctx.models.Space.findOne({ slug: 'plenary' }).lean();
      const channelId = String((await ctx.models.Channel.findOne({ spaceId: space!._id, name: 'general' }).lean())!._id);
      const { client } = await signedIn(server.url, ctx.models, { name: 'Rebuild Person' });
      const unique = word();
      const kept = await client.post(`/api/channels/${channelId}/messages`, { text: `${unique} kept`, idempotencyKey: key() });
      const gone = await client.post(`/api/channels/${channelId}/messages`, { text: `${unique} deleted`, idempotencyKey: key() });
      await client.delete(`/api/channels/${channelId}/messages/${gone.body.seq}`);
      await ctx.search.idle();
      const { rebuildSearchIndex } = await import('../../backend/src/search/search.rebuild.ts');
      // Lose the index, then rebuild it.
      for (const { name } of await server.database.connection.db!.listCollections({}, { nameOnly: true }).toArray()) {
        if (name.startsWith('search_')) await server.database.connection.db!.dropCollection(name);
      }
      expect((await client.get(`/api/search?q=${unique}`)).body.total).to.equal(0);
      const { items } = await rebuildSearchIndex(server.database.connection, ctx.models, ctx.messages);
      expect(items).to.be.greaterThan(1);
      const found = await client.get(`/api/search?q=${unique}`);
      expect(found.body.total).to.equal(1);
      expect(found.body.hits[0].key).to.equal(`message:${channelId}:${kept.body.seq}`);
      expect((await client.get('/api/search?q=rebuild&type=member')).body.total).to.equal(1);
    } finally {
      await server.close();
    }
  });
});
