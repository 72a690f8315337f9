import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { ChannelKind } from '../../backend/src/channels/channel.model.ts';
import type { Models } from '../../backend/src/db/models.ts';
import type { MemberDoc } from '../../backend/src/members/member.model.ts';
import { indexMember } from '../../backend/src/members/member.search.ts';
import { rebuildSearchIndex } from '../../backend/src/search/search.rebuild.ts';
import type { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { PASSWORD, signedIn } from '../factories/members.ts';

const key = () => randomBytes(6).toString('hex');
/** A word nobody else uses, letters only (so it stems and prefixes like a word). */
const word = () => `zq${[...randomBytes(7)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('')}`;

interface Hit {
  type: string;
  key: string;
  title: string;
  snippet: { text: string; match: boolean }[];
}
interface Result {
  total: number;
  hits: Hit[];
}
type Persona = { client: ApiClient; member: MemberDoc };

/** An item of one indexed kind, holding a word that stays (`kept`) and one moderators may edit out (`secret`). */
interface Made {
  /** The moderation ref. */
  type: string;
  id: string;
  author: Persona;
  /** Changes the item's own text so that `secret` is gone (the kind's edit), or null when the kind has none. */
  edit: ((text: string) => Promise<void>) | null;
  /** Deletes the item, or null when the kind has no deletion. */
  remove: (() => Promise<void>) | null;
}

type Kind = 'message' | 'question' | 'answer' | 'paper' | 'library' | 'alert';
const KINDS: Kind[] = ['message', 'question', 'answer', 'paper', 'library', 'alert'];

/** What a reader who may read the item finds, by each word, after a change. */
interface Expect {
  /** Found by the kept word, and how its snippet reads. */
  kept: 'found' | 'absent';
  /** Found by the secret word. */
  secret: 'found' | 'absent';
  /** The secret word may appear in the snippet. */
  snippetSecret: boolean;
  /** The snippet quotes the text at all (not behind a content warning). */
  quotes: boolean;
}

/**
 * Search after every moderation action and every edit, for every indexed kind, as a reader who may
 * read the item, one who may not (outside its space, or not a recipient of its TLP marking), and a
 * moderator, asserting hits, snippets and counts; then the same after `search:reindex`.
 */
describe('search after moderation actions and edits (HTTP)', function () {
  this.timeout(240_000);
  let server: TestServer;
  let models: Models;
  let reader: Persona;
  /** Writes every item (one member: sign-ins are limited per address). */
  let author: Persona;
  let outsider: Persona;
  let moderator: Persona;
  let second: Persona;
  let librarian: Persona;
  let liaison: Persona;
  const channels = new Map<ChannelKind, string>();
  /** Expectations recorded by `expectFound` while `recording` (the rebuild test re-checks them). */
  let checks: (() => Promise<void>)[] | null = null;

  before(async function () {
    server = await startTestServer({ postingBurst: 500 });
    models = server.server.ctx.models;
    // Everything lives in the industry space and in AMBER alerts for industry.
    reader = await signedIn(server.url, models, { sector: 'industry' });
    author = await signedIn(server.url, models, { sector: 'industry' });
    outsider = await signedIn(server.url, models, { sector: 'government' });
    moderator = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
    second = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
    librarian = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
    liaison = await signedIn(server.url, models, { sector: 'government', roles: ['liaison'] });
    const space = await models.Space.findOne({ slug: 'industry' }).lean();
    for (const kind of ['discussion', 'qa', 'papers', 'library'] as ChannelKind[]) {
      const channel = await models.Channel.create({ spaceId: space!._id, name: `${kind}-${key()}`, kind });
      channels.set(kind, String(channel._id));
    }
  });

  after(async function () {
    await server.close();
  });

  /** Searches as `persona` (this file searches far more than a person could: their minute's limit starts again). */
  async function search({ client, member }: Persona, q: string): Promise<Result> {
    await server.server.ctx.search.idle();
    await models.RateLimit.deleteOne({ _id: `search:member:${String(member._id)}` });
    const res = await client.get(`/api/search?q=${encodeURIComponent(q)}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  }

  const ok = (res: { status: number; body: unknown }, status: number): void => {
    expect(res.status, JSON.stringify(res.body)).to.equal(status);
  };

  async function make(kind: Kind, kept: string, secret: string): Promise<Made> {
    const text = `About ${kept}: call ${secret} at home.`;
    switch (kind) {
      case 'message': {
        const channelId = channels.get('discussion')!;
        const sent = await author.client.post(`/api/channels/${channelId}/messages`, { text, idempotencyKey: key() });
        ok(sent, 201);
        const path = `/api/channels/${channelId}/messages/${sent.body.seq}`;
        return {
          type: 'message',
          id: sent.body.id,
          author,
          edit: async (next) => ok(await author.client.patch(path, { text: next }), 200),
          remove: async () => ok(await author.client.delete(path), 200),
        };
      }
      case 'question':
      case 'answer': {
        const channelId = channels.get('qa')!;
        const asker = kind === 'question' ? author : reader;
        const asked = await asker.client.post(`/api/channels/${channelId}/questions`, { title: kind === 'question' ? `Question on ${kept}` : 'A question', body: kind === 'question' ? text : 'Plain.', tags: [] });
        ok(asked, 201);
        if (kind === 'question') return { type: 'question', id: `${channelId}:${asked.body.id}`, author, edit: null, remove: null };
        const answered = await author.client.post(`/api/channels/${channelId}/questions/${asked.body.id}/answers`, { body: text });
        ok(answered, 201);
        return { type: 'answer', id: `${channelId}:${answered.body.id}`, author, edit: null, remove: null };
      }
      case 'paper': {
        const channelId = channels.get('papers')!;
        const shared = await author.client.post(`/api/channels/${channelId}/papers`, { title: `Paper on ${kept}`, authors: ['A. Author'], abstract: text, tags: [] });
        ok(shared, 201);
        return { type: 'paper', id: `${channelId}:${shared.body.id}`, author, edit: null, remove: null };
      }
      case 'library': {
        const channelId = channels.get('library')!;
        const created = await librarian.client.post(`/api/channels/${channelId}/resources`, { title: `Toolkit on ${kept}`, category: 'Guides', body: text });
        ok(created, 201);
        const path = `/api/channels/${channelId}/resources/${created.body.id}`;
        return {
          type: 'library',
          id: `${channelId}:${created.body.id}`,
          author: librarian,
          edit: async (next) => ok(await librarian.client.patch(path, { body: next, note: 'edited' }), 200),
          remove: null,
        };
      }
      case 'alert': {
        const published = await liaison.client.post('/api/alerts', { title: `Alert on ${kept}`, summary: text, severity: 'medium', marking: 'TLP:AMBER', recipients: { sectors: ['industry'] } });
        ok(published, 201);
        return { type: 'alert', id: published.body.id, author: liaison, edit: null, remove: null };
      }
    }
  }

  /** What each reader finds now, by both words; recorded to be checked again after a rebuild. */
  async function expectFound(label: string, made: Made, words: { kept: string; secret: string }, member: Expect, forModerator: 'found' | 'absent') {
    const check = async () => {
      const where = `${label} (${made.type})`;
      for (const [word, wanted] of [
        [words.kept, member.kept],
        [words.secret, member.secret],
      ] as const) {
        const result = await search(reader, word);
        expect(result.total, `${where}: member, "${word === words.kept ? 'kept' : 'secret'}" word, total`).to.equal(wanted === 'found' ? 1 : 0);
        expect(result.hits, `${where}: member hits`).to.have.length(wanted === 'found' ? 1 : 0);
        const shown = JSON.stringify(result.hits);
        if (!member.snippetSecret) expect(shown, `${where}: member snippet or title quotes the removed text`).to.not.include(words.secret);
        if (wanted === 'found' && !member.quotes) expect(shown, `${where}: snippet behind a content warning`).to.not.include('at home');
        if (wanted === 'found' && member.quotes) expect(result.hits[0]!.snippet.map((part) => part.text).join(''), `${where}: snippet`).to.include(word);
        // Outside the space, or not a recipient: nothing, not even in the count.
        const outside = await search(outsider, word);
        expect(outside.total, `${where}: outsider total`).to.equal(0);
        expect(JSON.stringify(outside.hits), `${where}: outsider`).to.not.include(words.kept);
      }
      const moderated = await search(moderator, words.kept);
      expect(moderated.total, `${where}: moderator total`).to.equal(forModerator === 'found' ? 1 : 0);
    };
    await check();
    checks?.push(check);
  }

  /** A moderator (not the author) acts on the item; a redaction edits the secret word out. */
  async function act(made: Made, action: string, words: { kept: string; secret: string }) {
    const acted = await moderator.client.post('/api/moderation/actions', {
      type: made.type,
      id: made.id,
      kind: action,
      reason: 'personal_data',
      note: '',
      ...(action === 'redact' ? { redactedText: `About ${words.kept}: call [removed] at home.` } : {}),
    });
    ok(acted, 201);
    return acted;
  }

  const readable: Expect = { kept: 'found', secret: 'found', snippetSecret: true, quotes: true };
  const EXPECTED: Record<'hide' | 'warning' | 'redact' | 'dismiss' | 'warn', Expect> = {
    hide: { kept: 'absent', secret: 'absent', snippetSecret: false, quotes: false },
    // Readable on the item after one click, so found; the snippet never quotes it.
    warning: { kept: 'found', secret: 'found', snippetSecret: false, quotes: false },
    redact: { kept: 'found', secret: 'absent', snippetSecret: false, quotes: true },
    dismiss: readable,
    warn: readable,
  };

  for (const kind of KINDS) {
    for (const action of Object.keys(EXPECTED) as (keyof typeof EXPECTED)[]) {
      it(`${action} on a ${kind}: search shows what each reader may read, and a reversal restores it`, async function () {
        const words = { kept: word(), secret: word() };
        const made = await make(kind, words.kept, words.secret);
        await expectFound('before', made, words, readable, 'found');
        const acted = await act(made, action, words);
        // Moderators find hidden items (they read them); redacted words are in no index.
        await expectFound(`after ${action}`, made, words, EXPECTED[action], 'found');
        if (action === 'dismiss' || action === 'warn') return;
        const reversed = await second.client.post(`/api/moderation/actions/${acted.body.id}/reverse`, { note: '' });
        ok(reversed, 200);
        await expectFound(`after reversing ${action}`, made, words, readable, 'found');
      });
    }

    it(`an overturned appeal on a ${kind} makes it findable again`, async function () {
      const words = { kept: word(), secret: word() };
      const made = await make(kind, words.kept, words.secret);
      const acted = await moderator.client.post('/api/moderation/actions', { type: made.type, id: made.id, kind: 'redact', reason: 'personal_data', note: '', redactedText: `About ${words.kept}.` });
      ok(acted, 201);
      ok(await made.author.client.post(`/api/moderation/actions/${acted.body.id}/appeal`, { note: 'Public address.' }), 201);
      ok(await second.client.post(`/api/moderation/actions/${acted.body.id}/appeal/decision`, { outcome: 'overturn', note: '' }), 200);
      await expectFound('after an overturned appeal', made, words, readable, 'found');
    });
  }

  it('edits: the words an edit removed are no longer found, the new ones are', async function () {
    for (const kind of KINDS) {
      const words = { kept: word(), secret: word() };
      const made = await make(kind, words.kept, words.secret);
      if (!made.edit) continue;
      await made.edit(`About ${words.kept}, nothing else.`);
      await expectFound('after an edit', made, words, { kept: 'found', secret: 'absent', snippetSecret: false, quotes: true }, 'found');
    }
  });

  it('an edit of a redacted item keeps the redaction in search', async function () {
    const words = { kept: word(), secret: word() };
    const made = await make('library', words.kept, words.secret);
    ok(await moderator.client.post('/api/moderation/actions', { type: made.type, id: made.id, kind: 'redact', reason: 'personal_data', note: '', redactedText: `About ${words.kept}.` }), 201);
    const extra = word();
    await made.edit!(`About ${words.kept}: call ${words.secret} at home, and ${extra}.`);
    await expectFound('after editing a redacted resource', made, words, { kept: 'found', secret: 'absent', snippetSecret: false, quotes: true }, 'found');
  });

  it("hiding a question withholds its answers from members' search too (they carry its title), and reversing brings them back", async function () {
    const words = { kept: word(), secret: word() };
    const channelId = channels.get('qa')!;
    const asked = await author.client.post(`/api/channels/${channelId}/questions`, { title: `Where is ${words.secret}?`, body: 'Plain.', tags: [] });
    ok(asked, 201);
    const answered = await reader.client.post(`/api/channels/${channelId}/questions/${asked.body.id}/answers`, { body: `Try ${words.kept}.` });
    ok(answered, 201);
    const answers = async (persona: Persona, q: string) => (await search(persona, q)).hits.filter((hit) => hit.type === 'answer').length;
    expect(await answers(reader, words.kept)).to.equal(1);
    const hidden = await moderator.client.post('/api/moderation/actions', { type: 'question', id: `${channelId}:${asked.body.id}`, kind: 'hide', reason: 'personal_data', note: '' });
    ok(hidden, 201);
    for (const q of [words.kept, words.secret]) {
      const result = await search(reader, q);
      expect(result.total, q).to.equal(0);
      expect(JSON.stringify(result.hits)).to.not.include(words.secret);
    }
    expect(await answers(moderator, words.kept)).to.equal(1);
    ok(await second.client.post(`/api/moderation/actions/${hidden.body.id}/reverse`, { note: '' }), 200);
    expect(await answers(reader, words.kept)).to.equal(1);
  });

  it('deletion, by the author or by a moderator, removes a message from every reader', async function () {
    for (const by of ['author', 'moderator'] as const) {
      const words = { kept: word(), secret: word() };
      const made = await make('message', words.kept, words.secret);
      if (by === 'author') await made.remove!();
      else ok(await moderator.client.delete(`/api/channels/${made.id.replace(':', '/messages/')}`), 200);
      await expectFound(`after deletion by the ${by}`, made, words, { kept: 'absent', secret: 'absent', snippetSecret: false, quotes: false }, 'absent');
    }
  });

  it('members: suspension (a moderation action) removes a member from search, reinstatement brings them back', async function () {
    const name = word();
    const subject = await signedIn(server.url, models, { sector: 'industry', name: `Person ${name}` });
    // Factory members skip vetting, where approval indexes a member: index them as approval does.
    await indexMember(server.server.ctx, subject.member);
    const channelId = channels.get('discussion')!;
    const sent = await subject.client.post(`/api/channels/${channelId}/messages`, { text: 'Hello.', idempotencyKey: key() });
    ok(sent, 201);
    const total = async (persona: Persona) => (await search(persona, name)).hits.filter((hit) => hit.type === 'member').length;
    expect(await total(reader)).to.equal(1);
    expect(await total(outsider)).to.equal(1);
    const suspended = await moderator.client.post('/api/moderation/actions', { type: 'message', id: sent.body.id, kind: 'suspend', reason: 'harassment', note: '' });
    ok(suspended, 201);
    const gone = async () => {
      for (const persona of [reader, outsider, moderator]) expect(await total(persona)).to.equal(0);
    };
    await gone();
    ok(await second.client.post(`/api/moderation/actions/${suspended.body.id}/reverse`, { note: '' }), 200);
    expect(await total(reader)).to.equal(1);
    // An edit of one's profile: found by the new name, not the old.
    const renamed = word();
    // The suspension ended the subject's session: they sign in again.
    ok(await subject.client.post('/api/auth/sign-in', { email: subject.member.email, password: PASSWORD }), 200);
    ok(await subject.client.patch('/api/me', { name: `Person ${renamed}` }), 200);
    expect(await total(reader)).to.equal(0);
    expect((await search(reader, renamed)).hits.filter((hit) => hit.type === 'member')).to.have.length(1);
  });

  it('search:reindex agrees: every kind in every moderated state finds the same after a rebuild', async function () {
    const recorded: (() => Promise<void>)[] = [];
    checks = recorded;
    try {
      for (const kind of KINDS) {
        for (const action of ['hide', 'warning', 'redact'] as const) {
          const words = { kept: word(), secret: word() };
          const made = await make(kind, words.kept, words.secret);
          await act(made, action, words);
          await expectFound(`after ${action}`, made, words, EXPECTED[action], 'found');
        }
      }
    } finally {
      checks = null;
    }
    const { ctx } = server.server;
    await ctx.search.idle();
    await rebuildSearchIndex(server.database.connection, ctx.models, ctx.messages);
    for (const check of recorded) await check();
  });
});
