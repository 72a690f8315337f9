import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Types } from 'mongoose';
import type { Models } from '../../backend/src/db/models.ts';
import type { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedIn } from '../factories/members.ts';

const key = () => randomBytes(6).toString('hex');

/**
 * What moderation must not tell a moderator about items they may not read (a space they may not
 * enter): not through a reversal's or an appeal decision's refusal, not through the queue's cursor,
 * not through the audit log.
 */
describe('moderation: no signals about items the reader may not read (HTTP)', function () {
  let server: TestServer;
  let models: Models;

  before(async function () {
    server = await startTestServer({ postingBurst: 200 });
    models = server.server.ctx.models;
  });

  after(async function () {
    await server.close();
  });

  /** A message in a new channel of the space `slug`, by a new member of `sector`. */
  async function posted(slug: string, sector: 'industry' | 'government') {
    const space = await models.Space.findOne({ slug }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name: `c-${key()}`, kind: 'discussion' });
    const author = await signedIn(server.url, models, { sector });
    const sent = await author.client.post(`/api/channels/${String(channel._id)}/messages`, { text: `Posted in ${slug}.`, idempotencyKey: key() });
    expect(sent.status, JSON.stringify(sent.body)).to.equal(201);
    return { id: sent.body.id as string, channelId: String(channel._id), author };
  }

  const same = (a: { status: number; body: unknown }, b: { status: number; body: unknown }, where: string) => {
    expect({ status: a.status, body: a.body }, where).to.deep.equal({ status: b.status, body: b.body });
  };

  it('reversal and appeal decision answer an action on an unreadable item exactly as a missing action', async function () {
    const item = await posted('government', 'government');
    const { client: governmentModerator } = await signedIn(server.url, models, { sector: 'government', roles: ['moderator'] });
    const acted = await governmentModerator.post('/api/moderation/actions', { type: 'message', id: item.id, kind: 'hide', reason: 'harassment', note: '' });
    expect(acted.status, JSON.stringify(acted.body)).to.equal(201);
    expect((await item.author.client.post(`/api/moderation/actions/${acted.body.id}/appeal`, { note: 'Please look again.' })).status).to.equal(201);
    const { client: outsider } = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
    const missing = String(new Types.ObjectId());
    same(
      await outsider.post(`/api/moderation/actions/${acted.body.id}/reverse`, { note: '' }),
      await outsider.post(`/api/moderation/actions/${missing}/reverse`, { note: '' }),
      'reverse',
    );
    same(
      await outsider.post(`/api/moderation/actions/${acted.body.id}/appeal/decision`, { outcome: 'overturn', note: '' }),
      await outsider.post(`/api/moderation/actions/${missing}/appeal/decision`, { outcome: 'overturn', note: '' }),
      'appeal decision',
    );
    const refused = await outsider.post(`/api/moderation/actions/${acted.body.id}/reverse`, { note: '' });
    expect(refused.status).to.equal(404);
    expect(refused.body.error).to.include({ code: 'not_found', message: 'No such action.' });
    // Nothing changed.
    expect((await models.ModerationAction.findById(acted.body.id).lean())!).to.include({ reversed: null, appealState: 'pending' });
  });

  it("pages the queue over what the moderator may read: no cursor value shows where an unreadable entry sits", async function () {
    // Start from an empty queue (this file's other tests leave resolved entries only, but be sure).
    await models.ModerationQueue.deleteMany({});
    const reporters = [await signedIn(server.url, models, { sector: 'government' }), await signedIn(server.url, models, { sector: 'government' })];
    const report = async (id: string, count: number, client?: ApiClient) => {
      for (const reporter of client ? [{ client }] : reporters.slice(0, count)) {
        const res = await reporter.client.post('/api/moderation/reports', { type: 'message', id, reason: 'off_topic', note: '' });
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
      }
    };
    // Plenary entries the industry moderator reads, and a government one ranked between them (two reporters).
    const readable: string[] = [];
    const top = await posted('plenary', 'industry');
    await report(top.id, 2);
    const hidden = await posted('government', 'government');
    await report(hidden.id, 2);
    for (let i = 0; i < 3; i++) {
      const item = await posted('plenary', 'industry');
      await report(item.id, 1);
      readable.push(item.id);
    }
    readable.unshift(top.id);
    const { client: moderator } = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
    const page = async (cursor: number) => {
      const res = await moderator.get(`/api/moderation/queue?cursor=${cursor}`);
      expect(res.status).to.equal(200);
      return res.body as { entries: { key: string }[]; nextCursor: number | null };
    };
    const expected = readable.map((id) => `message:${id}`);
    expect((await page(0)).entries.map((entry) => entry.key)).to.deep.equal(expected);
    // The page at cursor k starts at the k-th readable entry, for every k; past the last one, pages are empty.
    for (let cursor = 0; cursor <= expected.length + 2; cursor++) {
      const got = await page(cursor);
      expect(got.entries.map((entry) => entry.key), `cursor ${cursor}`).to.deep.equal(expected.slice(cursor));
      expect(got.nextCursor, `cursor ${cursor}`).to.equal(null);
    }
    // A government moderator sees the government entry in its place.
    const { client: governmentModerator } = await signedIn(server.url, models, { sector: 'government', roles: ['moderator'] });
    const theirs = (await governmentModerator.get('/api/moderation/queue')).body.entries.map((entry: { key: string }) => entry.key);
    expect(theirs.slice(0, 2)).to.deep.equal([`message:${top.id}`, `message:${hidden.id}`]);
    await models.ModerationQueue.deleteMany({});
  });

  it('the audit log shows moderation events on unreadable items to admins only as "it happened", and not at all to other moderators', async function () {
    const item = await posted('government', 'government');
    const { client: governmentModerator, member: actingModerator } = await signedIn(server.url, models, { sector: 'government', roles: ['moderator'] });
    const acted = await governmentModerator.post('/api/moderation/actions', { type: 'message', id: item.id, kind: 'hide', reason: 'harassment', note: '' });
    expect(acted.status, JSON.stringify(acted.body)).to.equal(201);
    expect((await item.author.client.post(`/api/moderation/actions/${acted.body.id}/appeal`, { note: 'Please look again.' })).status).to.equal(201);
    const { client: industryModerator } = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
    const { client: industryAdmin } = await signedIn(server.url, models, { sector: 'industry', roles: ['admin'] });
    const { client: governmentAdmin } = await signedIn(server.url, models, { sector: 'government', roles: ['admin'] });
    // Only this test's two events (the moderator's action, the author's appeal): others run in the same database.
    const ours = new Set([String(actingModerator._id), String(item.author.member._id)]);
    type Entry = { action: string; actor: { id: string } | null; targetType: string | null; targetId: string | null; details: Record<string, unknown>; withheld: boolean };
    const entries = async (client: ApiClient, query = '') => {
      const res = await client.get(`/api/audit?limit=200${query}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return (res.body.items as Entry[]).filter((entry) => (entry.action === 'moderation.action' || entry.action === 'moderation.appealed') && ours.has(entry.actor?.id ?? ''));
    };
    /** Anything on the first page, ours or not, naming the item's channel. */
    const mentions = async (client: ApiClient) => JSON.stringify((await client.get('/api/audit?limit=200')).body).includes(item.channelId);

    // Who may read the item sees everything.
    for (const client of [governmentModerator, governmentAdmin]) {
      const full = await entries(client);
      expect(full.map((entry) => [entry.action, entry.targetId, entry.withheld])).to.deep.include.members([
        ['moderation.action', item.id, false],
        ['moderation.appealed', item.id, false],
      ]);
    }
    // A moderator outside the space: not a trace, not even when asking for the item by id.
    expect(await mentions(industryModerator)).to.equal(false);
    expect(await entries(industryModerator)).to.have.length(0);
    expect(await entries(industryModerator, `&targetId=${encodeURIComponent(item.id)}`)).to.have.length(0);
    // An admin outside the space: that it happened and who did it, not where or what.
    const withheld = await entries(industryAdmin);
    expect(withheld.map((entry) => entry.action).sort()).to.deep.equal(['moderation.action', 'moderation.appealed']);
    for (const entry of withheld) expect(entry).to.include({ targetType: null, targetId: null, withheld: true });
    for (const entry of withheld) expect(entry.details).to.deep.equal({});
    expect(await mentions(industryAdmin)).to.equal(false);
    expect(await mentions(governmentAdmin)).to.equal(true);
    expect(JSON.stringify(withheld)).to.not.include(acted.body.id);
    expect(await entries(industryAdmin, `&targetId=${encodeURIComponent(item.id)}`)).to.have.length(0);
  });

  it('pages the audit log over what the reader may see: full pages, and a cursor that is never a left-out event', async function () {
    const { client: governmentModerator } = await signedIn(server.url, models, { sector: 'government', roles: ['moderator'] });
    const { client: industryModerator } = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
    // Alternate: an event the industry moderator may read (plenary), one they may not (government).
    const events: { id: string; readable: boolean }[] = [];
    for (let i = 0; i < 3; i++) {
      for (const [slug, sector] of [['plenary', 'industry'], ['government', 'government']] as const) {
        const item = await posted(slug, sector);
        expect((await governmentModerator.post('/api/moderation/actions', { type: 'message', id: item.id, kind: 'warn', reason: 'off_topic', note: '' })).status).to.equal(201);
        events.push({ id: item.id, readable: slug === 'plenary' });
      }
    }
    const readable = events.filter((event) => event.readable).map((event) => event.id).reverse();
    const hiddenIds = events.filter((event) => !event.readable).map((event) => event.id);
    const seen: string[] = [];
    let before: string | null = null;
    for (let pages = 0; pages < 3; pages++) {
      const res: { status: number; body: { items: { id: string; targetId: string | null }[]; nextBefore: string | null } } = await industryModerator.get(`/api/audit?action=moderation.action&limit=1${before ? `&before=${before}` : ''}`);
      expect(res.status).to.equal(200);
      expect(res.body.items).to.have.length(1);
      seen.push(res.body.items[0]!.targetId!);
      before = res.body.nextBefore;
      if (before) expect(before).to.equal(res.body.items[0]!.id);
    }
    expect(seen).to.deep.equal(readable);
    for (const id of hiddenIds) expect(seen).to.not.include(id);
  });
});
