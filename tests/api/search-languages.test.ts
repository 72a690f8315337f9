import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Models } from '../../backend/src/db/models.ts';
import { openDatabase, type Database } from '../../backend/src/db/database.ts';
import { startServer } from '../../backend/src/server.ts';
import type { ApiClient } from '../helpers/client.ts';
import { testLogger } from '../helpers/logger.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedIn } from '../factories/members.ts';

const key = () => randomBytes(8).toString('hex');

interface Hit {
  key: string;
  snippet: { text: string; match: boolean }[];
}
interface Result {
  total: number;
  hits: Hit[];
  words: string[];
}

/** One message per language, each with words no other one has. */
const TEXTS = {
  en: 'Radicalised accounts keep spreading the same manifesto.',
  fr: 'Le résumé de la réunion sur la propagande terroriste en ligne.',
  es: 'La campaña de desinformación llegó a España.',
  ru: 'Экстремистский контент удалён из сети.',
  ar: 'نشرت الجماعةُ دعايةً إرهابية على الإنترنت.',
  'zh-Hans': '恐怖主义分子在互联网上传播暴力极端主义内容。',
} as const;
type Locale = keyof typeof TEXTS;

/** Per language: queries in its own script (as written, and folded or otherwise varied) that must find its message. */
const QUERIES: Record<Locale, string[]> = {
  en: ['radicalized', 'ACCOUNT', 'manifes'],
  fr: ['résumé', 'resume', 'RÉUNION propagande', 'reunion terror'],
  es: ['campaña', 'campana', 'desinformacion', 'ESPAÑA'],
  ru: ['экстремистский', 'удалён', 'удален', 'КОНТЕНТ сети'],
  ar: ['إرهابية', 'ارهابية', 'دعاية', 'الجماعة الانترنت'],
  'zh-Hans': ['极端', '互联网', '传播', '暴力极端主义'],
};

async function sendTo(client: ApiClient, channelId: string, text: string): Promise<number> {
  const res = await client.post(`/api/channels/${channelId}/messages`, { text, idempotencyKey: key() });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body.seq;
}

/** A word nobody else uses, so each test's messages are told apart from every other test's. */
const marker = () => `zq${[...randomBytes(7)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('')}`;

describe('search in the six UN languages (HTTP)', function () {
  let server: TestServer;
  let models: Models;
  let client: ApiClient;
  let channelId: string;

  before(async function () {
    server = await startTestServer({ postingBurst: 200 });
    models = server.server.ctx.models;
    const space = await models.Space.findOne({ slug: 'plenary' }).lean();
    channelId = String((await models.Channel.findOne({ spaceId: space!._id, name: 'general' }).lean())!._id);
  });

  after(async function () {
    await server.close();
  });

  /** This test's own six messages (one per language, each ending in the same new marker word): their keys and texts. */
  async function corpus(): Promise<{ keys: Record<Locale, string>; texts: Record<Locale, string> }> {
    ({ client } = await signedIn(server.url, models));
    const mark = marker();
    const keys = {} as Record<Locale, string>;
    const texts = {} as Record<Locale, string>;
    for (const [locale, text] of Object.entries(TEXTS) as [Locale, string][]) {
      texts[locale] = `${text} ${mark}`;
      keys[locale] = `message:${channelId}:${await sendTo(client, channelId, texts[locale])}`;
    }
    await server.server.ctx.search.idle();
    return { keys, texts };
  }

  async function search(q: string): Promise<Result> {
    const res = await client.get(`/api/search?${new URLSearchParams({ q })}`);
    expect(res.status, `${q}: ${JSON.stringify(res.body)}`).to.equal(200);
    return res.body;
  }

  /** The hit of `key` for `q` (newest first: this test's messages are on the first page). */
  async function hitOf(q: string, key: string): Promise<Hit> {
    const hit = (await search(q)).hits.find((candidate) => candidate.key === key);
    expect(hit, `${q} finds ${key}`).to.not.equal(undefined);
    return hit!;
  }

  const matched = (hit: Hit) => hit.snippet.filter((segment) => segment.match).map((segment) => segment.text);

  for (const locale of Object.keys(TEXTS) as Locale[]) {
    it(`${locale}: each query in its own script finds its message, and none of the other languages'`, async function () {
      const { keys } = await corpus();
      for (const q of QUERIES[locale]) {
        const found = (await search(q)).hits.map((hit) => hit.key);
        expect(found, `${locale}: ${q}`).to.include(keys[locale]);
        for (const other of Object.keys(TEXTS) as Locale[]) if (other !== locale) expect(found, `${locale}: ${q} (${other})`).to.not.include(keys[other]);
        expect(matched(await hitOf(q, keys[locale])), q).to.not.deep.equal([]);
      }
    });
  }

  it('finds a 2-character Chinese word inside a sentence and marks exactly those characters', async function () {
    const { keys, texts } = await corpus();
    const result = await search('极端');
    expect(result.words).to.deep.equal(['极端']);
    const hit = await hitOf('极端', keys['zh-Hans']);
    expect(matched(hit)).to.deep.equal(['极端']);
    expect(hit.snippet.map((segment) => segment.text).join('')).to.equal(texts['zh-Hans']);
    expect((await search('互联网')).words).to.deep.equal(['互联网']);
    expect(matched(await hitOf('互联网', keys['zh-Hans']))).to.deep.equal(['互联网']);
    expect(matched(await hitOf('主义', keys['zh-Hans']))).to.deep.equal(['主义', '主义']);
    // Characters that are in the sentence, but not next to each other, are not a match.
    expect((await search('极内')).total).to.equal(0);
  });

  it('marks folded French, Spanish, Russian and Arabic words as written', async function () {
    const { keys } = await corpus();
    expect(matched(await hitOf('resume', keys.fr))).to.deep.equal(['résumé']);
    expect(matched(await hitOf('campana', keys.es))).to.deep.equal(['campaña']);
    expect(matched(await hitOf('удален', keys.ru))).to.deep.equal(['удалён']);
    expect(matched(await hitOf('دعاية', keys.ar))).to.deep.equal(['دعايةً']);
  });

  it('answers 400 to a query of French, Spanish or Chinese stop words only', async function () {
    ({ client } = await signedIn(server.url, models));
    for (const q of ['les des et', 'los de y', '的']) {
      const res = await client.get(`/api/search?${new URLSearchParams({ q })}`);
      expect(res.status, q).to.equal(400);
      expect(res.body.error.code, q).to.equal('invalid_request');
      expect(res.body.error.message, q).to.contain('not too common');
    }
  });
});

describe('search index of an older analyzer', function () {
  it('is rebuilt when the server starts, so words of the new analysis are found', async function () {
    const first = await startTestServer({ postingBurst: 100 });
    let second: Awaited<ReturnType<typeof startServer>> | null = null;
    let database: Database | null = null;
    try {
      const { ctx } = first.server;
      const space = await ctx.models.Space.findOne({ slug: 'plenary' }).lean();
      const channelId = String((await ctx.models.Channel.findOne({ spaceId: space!._id, name: 'general' }).lean())!._id);
      const { client } = await signedIn(first.url, ctx.models);
      const seq = await sendTo(client, channelId, TEXTS['zh-Hans']);
      await first.server.close();
      // What an index of analyzer 1 looks like: its terms (here: none) and no version in its settings.
      const db = first.database.connection.db!;
      for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) if (name.startsWith('search_')) await db.dropCollection(name);
      await db.collection<{ _id: string }>('settings').updateOne({ _id: 'search' }, { $unset: { analyzer: '' } });

      // A new process on the same database (its own connection: models are compiled once per connection).
      database = await openDatabase({ config: first.config, logger: testLogger() });
      second = await startServer({ config: first.config, logger: testLogger(), database, announceSetup: false });
      expect(second.ctx.search.outdated).to.equal(false);
      const settings = await db.collection<{ _id: string; analyzer?: number; rebuildingSince?: Date }>('settings').findOne({ _id: 'search' });
      expect(settings!.analyzer).to.equal(2);
      expect(settings!.rebuildingSince).to.equal(undefined);
      const { client: again } = await signedIn(second.url, second.ctx.models);
      const res = await again.get(`/api/search?${new URLSearchParams({ q: '极端' })}`);
      expect(res.status).to.equal(200);
      expect(res.body.hits.map((hit: Hit) => hit.key)).to.deep.equal([`message:${channelId}:${seq}`]);
    } finally {
      await second?.close();
      await database?.close();
      if (first.database.connection.readyState === 1) await first.database.connection.dropDatabase();
      await first.database.close();
    }
  });

  it('lets exactly one process claim the rebuild, and another once the claim has lapsed', async function () {
    const server = await startTestServer();
    try {
      const { search } = server.server.ctx;
      const settings = server.database.connection.db!.collection<{ _id: string }>('settings');
      expect(await search.claimRebuild(new Date())).to.equal(false);
      await settings.updateOne({ _id: 'search' }, { $set: { analyzer: 1 } });
      const now = new Date();
      const claims = await Promise.all([search.claimRebuild(now), search.claimRebuild(now)]);
      expect(claims.filter(Boolean)).to.have.length(1);
      expect(await search.claimRebuild(new Date(now.getTime() + 60_000))).to.equal(false);
      expect(await search.claimRebuild(new Date(now.getTime() + 3_600_001))).to.equal(true);
    } finally {
      await server.close();
    }
  });
});
