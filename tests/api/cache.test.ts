import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Types, type Connection, type Model } from 'mongoose';
import { EntityCache } from '../../backend/src/cache/entity-cache.ts';
import type { CacheLayer, CachedEntity } from '../../backend/src/cache/cache.layer.ts';
import { connect, trusted } from '../../backend/src/db/database.ts';
import { createModels, type Models } from '../../backend/src/db/models.ts';
import { normaliseName } from '../../backend/src/members/member.model.ts';
import { MessageStore, messageId, type MessageDoc } from '../../backend/src/messages/message.store.ts';
import { ApiClient } from '../helpers/client.ts';
import { engineUri } from '../helpers/engine.ts';
import { ROOT } from '../helpers/process.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { makeMember, makeOrganisation, signedIn } from '../factories/members.ts';

/** Resolves at the layer's next invalidation of `entity` from `source`. */
function invalidation(layer: CacheLayer, entity: CachedEntity, source: 'local' | 'redis' | 'epoch' | 'reconnect'): Promise<void> {
  return new Promise((resolve) => {
    const listener = (seen: CachedEntity, _keys: unknown, from: string) => {
      if (seen !== entity || from !== source) return;
      layer.off('invalidated', listener);
      resolve();
    };
    layer.on('invalidated', listener);
  });
}

describe('the cache layer', function () {
  let server: TestServer;
  let models: Models;
  let layer: CacheLayer;

  before(async function () {
    server = await startTestServer();
    models = server.server.ctx.models;
    layer = server.server.ctx.cache.layer;
  });
  after(async function () {
    await server.close();
  });

  describe('an entity cache on its own', function () {
    it('keeps what it loaded, counts hits and misses, and shares one load between concurrent misses', async function () {
      const cache = new EntityCache<{ n: number }>('test', { max: 10, maxBytes: 10_000 });
      let loads = 0;
      const load = async () => ({ n: ++loads });
      const [a, b] = await Promise.all([cache.get('k', load), cache.get('k', load)]);
      expect(a).to.deep.equal({ n: 1 });
      expect(b).to.equal(a);
      expect(await cache.get('k', load)).to.equal(a);
      expect(loads).to.equal(1);
      expect(cache.stats()).to.include({ hits: 1, misses: 2, entries: 1 });
    });

    it('does not keep a load that an invalidation overtook', async function () {
      const cache = new EntityCache<{ v: string }>('test', { max: 10, maxBytes: 10_000 });
      let release!: (value: { v: string }) => void;
      const pending = cache.get('k', () => new Promise((resolve) => (release = resolve)));
      cache.invalidate(['k']); // a write lands while the read is on its way
      release({ v: 'old' });
      expect(await pending).to.deep.equal({ v: 'old' });
      expect(cache.has('k')).to.equal(false);
      expect(await cache.get('k', async () => ({ v: 'new' }))).to.deep.equal({ v: 'new' });
    });

    it('is bounded in entries and in bytes, and counts what it pushed out', async function () {
      const cache = new EntityCache<{ s: string }>('test', { max: 3, maxBytes: 1_000 });
      for (let index = 0; index < 5; index++) await cache.get(`k${index}`, async () => ({ s: 'x' }));
      expect(cache.stats().entries).to.equal(3);
      await cache.get('big', async () => ({ s: 'y'.repeat(400) }));
      expect(cache.stats().bytes).to.be.at.most(1_000);
      expect(cache.stats().evictions).to.be.greaterThan(2);
    });

    it('hands out frozen documents: a caller cannot change what others read', async function () {
      const cache = new EntityCache<{ roles: string[] }>('test', { max: 3, maxBytes: 10_000 });
      const value = (await cache.get('k', async () => ({ roles: ['member'] })))!;
      expect(() => value.roles.push('admin')).to.throw(TypeError);
      expect(() => Object.assign(value, { roles: [] })).to.throw(TypeError);
    });

    it('never caches a missing document', async function () {
      const cache = new EntityCache<{ v: number }>('test', { max: 3, maxBytes: 10_000 });
      expect(await cache.get('k', async () => null)).to.equal(null);
      expect(cache.has('k')).to.equal(false);
    });
  });

  describe('authorization is never served stale', function () {
    it('serves request authentication from memory', async function () {
      const { client } = await signedIn(server.url, models);
      await client.get('/api/me');
      const before = layer.stats();
      expect((await client.get('/api/me')).status).to.equal(200);
      const after = layer.stats();
      expect(after.sessions.hits - before.sessions.hits).to.equal(1);
      expect(after.members.hits - before.members.hits).to.equal(1);
      expect(after.members.misses - before.members.misses).to.equal(0);
    });

    it('a suspension ends the next request at once', async function () {
      const { client: admin } = await signedIn(server.url, models, { roles: ['admin', 'moderator'] });
      const { client, member } = await signedIn(server.url, models);
      expect((await client.get('/api/me')).status).to.equal(200);
      expect((await admin.post(`/api/admin/members/${member._id}/suspend`, { reason: 'cache test' })).status).to.equal(200);
      expect((await client.get('/api/me')).status).to.equal(401);
    });

    it('a role change shows on the next request', async function () {
      const { client: admin } = await signedIn(server.url, models, { roles: ['admin'] });
      const { client, member } = await signedIn(server.url, models);
      expect((await client.get('/api/me')).body.roles).to.deep.equal([]);
      expect((await admin.post(`/api/admin/members/${member._id}/roles`, { role: 'liaison', grant: true })).status).to.equal(200);
      expect((await client.get('/api/me')).body.roles).to.deep.equal(['liaison']);
    });

    it("an organisation's sector change moves its members' access at once", async function () {
      const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
      const org = await makeOrganisation(models, { sector: 'industry' });
      const { client } = await signedIn(server.url, models, { organisation: org });
      const names = async () => ((await client.get('/api/spaces')).body as Array<{ slug: string }>).map((space) => space.slug);
      expect(await names()).to.include('industry');
      expect((await moderator.patch(`/api/organisations/${org._id}`, { sector: 'government' })).status).to.equal(200);
      expect(await names()).to.include('government').and.not.include('industry');
      expect((await client.get('/api/me')).body.sector).to.equal('government');
    });

    it("a space's rule change closes its channels at once", async function () {
      const { client: admin } = await signedIn(server.url, models, { roles: ['admin'] });
      const { client } = await signedIn(server.url, models, { sector: 'industry' });
      const created = await admin.post('/api/spaces', { slug: `cache-${new Types.ObjectId()}`.slice(0, 40), name: 'Cache space', access: { sectors: [], roles: [] } });
      expect(created.status).to.equal(201);
      const channel = await models.Channel.create({ spaceId: created.body.id, name: 'general', kind: 'discussion' });
      expect((await client.get(`/api/channels/${channel._id}/messages`)).status).to.equal(200);
      expect((await admin.patch(`/api/spaces/${created.body.id}`, { access: { sectors: ['government'], roles: [] } })).status).to.equal(200);
      expect((await client.get(`/api/channels/${channel._id}/messages`)).status).to.equal(404);
      expect(((await client.get('/api/spaces')).body as Array<{ id: string }>).map((space) => space.id)).to.not.include(created.body.id);
    });

    it('signing out ends the session at once', async function () {
      const { client } = await signedIn(server.url, models);
      const cookie = client.cookie!;
      expect((await client.get('/api/me')).status).to.equal(200);
      expect((await client.post('/api/auth/sign-out')).status).to.be.oneOf([200, 204]);
      const replay = new ApiClient(server.url);
      replay.cookie = cookie;
      expect((await replay.get('/api/me')).status).to.equal(401);
    });
  });

  describe('every write path of every cached collection', function () {
    interface Spec {
      entity: CachedEntity;
      model: () => Model<any>;
      make: () => Promise<{ _id: unknown }>;
      read: (id: string) => Promise<Record<string, unknown> | null>;
      field: string;
      values: [string, string];
    }
    let counter = 0;
    const fresh = () => `v${++counter}-${new Types.ObjectId()}`;
    const specs: Spec[] = [
      { entity: 'members', model: () => models.Member, make: () => makeMember(models), read: (id) => server.server.ctx.cache.member(id) as never, field: 'jobTitle', values: ['a', 'b'] },
      { entity: 'organisations', model: () => models.Organisation, make: () => makeOrganisation(models), read: (id) => server.server.ctx.cache.organisation(id) as never, field: 'sector', values: ['government', 'academia'] },
      {
        entity: 'spaces',
        model: () => models.Space,
        make: async () => (await models.Space.create({ slug: `s-${new Types.ObjectId()}`.slice(0, 40), name: 'Walk', access: { sectors: [], roles: [] } })).toObject(),
        read: (id) => server.server.ctx.cache.space(id) as never,
        field: 'description',
        values: ['a', 'b'],
      },
      {
        entity: 'channels',
        model: () => models.Channel,
        make: async () => (await models.Channel.create({ spaceId: new Types.ObjectId(), name: 'walk', kind: 'discussion' })).toObject(),
        read: (id) => server.server.ctx.cache.channel(id) as never,
        field: 'topic',
        values: ['a', 'b'],
      },
      {
        entity: 'sessions',
        model: () => models.Session,
        make: async () => (await models.Session.create({ _id: fresh(), data: '{}', expiresAt: new Date(Date.now() + 3600_000), memberId: null })).toObject(),
        read: (id) => server.server.ctx.cache.session(id) as never,
        field: 'data',
        values: ['{"a":1}', '{"b":2}'],
      },
      {
        entity: 'alerts',
        model: () => models.Alert,
        make: async () =>
          (
            await models.Alert.create({
              authorId: String(new Types.ObjectId()), title: 'Walk', summarySource: 's', summaryHtml: '<p>s</p>', severity: 'low', status: 'active', marking: 'TLP:GREEN',
              recipients: { organisationIds: [], sectors: [], memberIds: [] }, publishedAt: new Date(), updatedAt: new Date(),
            })
          ).toObject(),
        read: (id) => server.server.ctx.cache.alert(id) as never,
        field: 'title',
        values: ['a', 'b'],
      },
      {
        entity: 'alertAcks',
        model: () => models.AlertAck,
        make: async () => {
          const [alertId, organisationId] = [String(new Types.ObjectId()), String(new Types.ObjectId())];
          return (await models.AlertAck.create({ _id: `${alertId}:${organisationId}`, alertId, organisationId, state: 'reviewed', by: 'someone', at: new Date() })).toObject();
        },
        read: (id) => server.server.ctx.cache.alertAck(id) as never,
        field: 'note',
        values: ['a', 'b'],
      },
      {
        entity: 'readPositions',
        model: () => models.ReadPositions,
        make: async () => (await models.ReadPositions.create({ _id: String(new Types.ObjectId()), channels: {} })).toObject(),
        read: (id) => server.server.ctx.cache.readPositions(id) as never,
        field: 'channels',
        values: ['a', 'b'],
      },
    ];

    type Write = (model: Model<any>, id: unknown, field: string, before: string, after: string) => Promise<unknown>;
    const updates: Record<string, Write> = {
      'Model.updateOne by _id': (model, id, field, _b, value) => model.updateOne({ _id: id }, { $set: { [field]: value } }),
      'Model.updateMany by _id $in': (model, id, field, _b, value) => model.updateMany({ _id: trusted({ $in: [id] }) }, { $set: { [field]: value } }),
      'Model.updateMany by another field': (model, _id, field, before, value) => model.updateMany({ [field]: before }, { $set: { [field]: value } }),
      'Model.findOneAndUpdate by _id': (model, id, field, _b, value) => model.findOneAndUpdate({ _id: id }, { $set: { [field]: value } }),
      'Model.findByIdAndUpdate': (model, id, field, _b, value) => model.findByIdAndUpdate(id, { $set: { [field]: value } }),
      'Model.findOneAndUpdate by another field': (model, id, field, before, value) => model.findOneAndUpdate({ _id: id, [field]: before }, { $set: { [field]: value } }),
      'Model.replaceOne': async (model, id, field, _b, value) => {
        const doc = await model.findById(id).lean<Record<string, unknown>>();
        return model.replaceOne({ _id: id }, { ...doc, [field]: value });
      },
      'Model.findOneAndReplace': async (model, id, field, _b, value) => {
        const doc = await model.findById(id).lean<Record<string, unknown>>();
        return model.findOneAndReplace({ _id: id }, { ...doc, [field]: value });
      },
      'document.save': async (model, id, field, _b, value) => {
        const doc = await model.findById(id);
        doc!.set(field, value);
        return doc!.save();
      },
      'document.updateOne': async (model, id, field, _b, value) => (await model.findById(id))!.updateOne({ $set: { [field]: value } }),
      'Model.bulkWrite': (model, id, field, _b, value) => model.bulkWrite([{ updateOne: { filter: { _id: id }, update: { $set: { [field]: value } } } }]),
    };
    const deletes: Record<string, (model: Model<any>, id: unknown, field: string, before: string) => Promise<unknown>> = {
      'Model.deleteOne': (model, id) => model.deleteOne({ _id: id }),
      'Model.deleteMany by another field': (model, _id, field, before) => model.deleteMany({ [field]: before }),
      'Model.findOneAndDelete': (model, id) => model.findOneAndDelete({ _id: id }),
      'Model.findByIdAndDelete': (model, id) => model.findByIdAndDelete(id),
      'document.deleteOne': async (model, id) => (await model.findById(id))!.deleteOne(),
    };

    for (const spec of specs) {
      for (const [name, write] of Object.entries(updates)) {
        it(`${spec.entity}: ${name} drops the cached document`, async function () {
          const doc = await spec.make();
          const id = String(doc._id);
          await spec.model().updateOne({ _id: doc._id }, { $set: { [spec.field]: spec.values[0] } });
          expect((await spec.read(id))![spec.field]).to.equal(spec.values[0]);
          expect(layer[spec.entity].has(id), 'cached after a read').to.equal(true);
          await write(spec.model(), doc._id, spec.field, spec.values[0], spec.values[1]);
          expect((await spec.read(id))![spec.field]).to.equal(spec.values[1]);
        });
      }
      for (const [name, remove] of Object.entries(deletes)) {
        it(`${spec.entity}: ${name} drops the cached document`, async function () {
          const doc = await spec.make();
          const id = String(doc._id);
          const marker = fresh();
          await spec.model().updateOne({ _id: doc._id }, { $set: { [spec.field]: spec.entity === 'organisations' ? 'civil_society' : marker } });
          const value = (await spec.read(id))![spec.field] as string;
          if (spec.entity === 'organisations') await spec.model().deleteOne({ _id: doc._id }); // the enum is shared: delete by id
          else await remove(spec.model(), doc._id, spec.field, value);
          expect(await spec.read(id)).to.equal(null);
        });
      }
      it(`${spec.entity}: a document inserted again under the same id is read anew (create and insertMany)`, async function () {
        const doc = await spec.make();
        const id = String(doc._id);
        const full = await spec.model().findById(doc._id).lean<Record<string, unknown>>();
        await spec.read(id);
        await spec.model().deleteOne({ _id: doc._id });
        await spec.model().create({ ...full, [spec.field]: spec.values[1] });
        expect((await spec.read(id))![spec.field]).to.equal(spec.values[1]);
        await spec.model().deleteOne({ _id: doc._id });
        await spec.model().insertMany([{ ...full, [spec.field]: spec.values[0] }]);
        expect((await spec.read(id))![spec.field]).to.equal(spec.values[0]);
      });
    }

    it('the space and channel lists follow every write to a space or a channel', async function () {
      const ctx = server.server.ctx;
      const space = await models.Space.create({ slug: `l-${new Types.ObjectId()}`.slice(0, 40), name: 'Listed', access: { sectors: [], roles: [] } });
      expect((await ctx.cache.spaces()).map((item) => String(item._id))).to.include(String(space._id));
      await models.Space.updateOne({ _id: space._id }, { $set: { name: 'Renamed' } });
      expect((await ctx.cache.spaces()).find((item) => String(item._id) === String(space._id))?.name).to.equal('Renamed');
      const channel = await models.Channel.create({ spaceId: space._id, name: 'listed', kind: 'discussion' });
      expect((await ctx.cache.channels()).map((item) => String(item._id))).to.include(String(channel._id));
      await models.Channel.deleteOne({ _id: channel._id });
      expect((await ctx.cache.channels()).map((item) => String(item._id))).to.not.include(String(channel._id));
    });

    it("a send's raise of the channel's newest number updates the cached channel without a read", async function () {
      const ctx = server.server.ctx;
      const channel = await models.Channel.create({ spaceId: new Types.ObjectId(), name: 'hint', kind: 'discussion', lastSeq: 3 });
      await ctx.cache.channel(channel._id);
      await ctx.cache.channels();
      const misses = layer.stats().channels.misses;
      await models.Channel.updateOne({ _id: channel._id }, { $max: { lastSeq: 9 } });
      expect((await ctx.cache.channel(channel._id))!.lastSeq).to.equal(9);
      expect((await ctx.cache.channels()).find((item) => String(item._id) === String(channel._id))!.lastSeq).to.equal(9);
      expect(layer.stats().channels.misses).to.equal(misses);
      // Any other change to the channel drops it.
      await models.Channel.updateOne({ _id: channel._id }, { $set: { readOnly: true } });
      expect((await ctx.cache.channel(channel._id))!.readOnly).to.equal(true);
    });

    it('message blocks: inserting, editing and a conditional update each drop the block', async function () {
      const ctx = server.server.ctx;
      const channelId = String(new Types.ObjectId());
      const doc = (seq: number): MessageDoc => ({
        _id: messageId(channelId, seq), channelId, seq, authorId: 'a', source: `m${seq}`, html: `<p>m${seq}</p>`, parentSeq: null, mentions: [], idempotencyKey: `k${seq}`,
        createdAt: new Date(), editedAt: null, history: [], deleted: null, reactions: [], pinned: false, rev: 0,
      });
      expect(await ctx.messages.tryInsert(doc(1))).to.equal(true);
      expect((await ctx.messages.range(channelId, 1, 10)).map((m) => m.seq)).to.deep.equal([1]);
      expect(await ctx.messages.latestSeq(channelId, 0)).to.equal(1);
      expect(await ctx.messages.tryInsert(doc(2))).to.equal(true);
      expect((await ctx.messages.range(channelId, 1, 10)).map((m) => m.seq)).to.deep.equal([1, 2]);
      expect(await ctx.messages.latestSeq(channelId, 0)).to.equal(2);
      await ctx.messages.update(channelId, 1, { $set: { source: 'edited' } });
      expect((await ctx.messages.get(channelId, 1))!.source).to.equal('edited');
      await ctx.messages.updateIf(channelId, 2, 0, { $set: { rev: 1, pinned: true } });
      expect((await ctx.messages.get(channelId, 2))!.pinned).to.equal(true);
      // A number taken by another writer (a failed insert) also drops our copy.
      await ctx.messages.collection(channelId, 0).insertOne(doc(3));
      expect(await ctx.messages.tryInsert(doc(3))).to.equal(false);
      expect(await ctx.messages.latestSeq(channelId, 0)).to.equal(3);
    });

    it("an organisation's missing answer to an alert is remembered, and forgotten when it answers", async function () {
      const ctx = server.server.ctx;
      const id = `${new Types.ObjectId()}:${new Types.ObjectId()}`;
      expect(await ctx.cache.alertAck(id)).to.equal(null);
      const hits = layer.stats().alertAcks.hits;
      expect(await ctx.cache.alertAck(id)).to.equal(null);
      expect(layer.stats().alertAcks.hits).to.equal(hits + 1);
      const [alertId, organisationId] = id.split(':');
      await models.AlertAck.findOneAndUpdate({ _id: id }, { $set: { alertId, organisationId, state: 'acting', by: 'x', at: new Date() } }, { upsert: true });
      expect((await ctx.cache.alertAck(id))!.state).to.equal('acting');
    });

    it("a member's read positions are served from memory, also when they have none, and follow every upsert", async function () {
      const ctx = server.server.ctx;
      const memberId = String(new Types.ObjectId());
      const channelId = String(new Types.ObjectId());
      expect(await ctx.cache.readPositions(memberId)).to.equal(null);
      const hits = layer.stats().readPositions.hits;
      expect(await ctx.cache.readPositions(memberId)).to.equal(null);
      expect(layer.stats().readPositions.hits).to.equal(hits + 1);
      // The upsert the mark-read route and every send make: the absence must not outlive it.
      await models.ReadPositions.updateOne({ _id: memberId }, { $max: { [`channels.${channelId}`]: 7 } }, { upsert: true });
      expect((await ctx.cache.readPositions(memberId))!.channels[channelId]).to.equal(7);
      await models.ReadPositions.updateOne({ _id: memberId }, { $max: { [`channels.${channelId}`]: 9 } }, { upsert: true });
      expect((await ctx.cache.readPositions(memberId))!.channels[channelId]).to.equal(9);
    });

    it('concurrent misses are read together and each caller gets its own document (or null)', async function () {
      const ctx = server.server.ctx;
      const made = await Promise.all(Array.from({ length: 20 }, () => makeMember(models, { organisation: null, status: 'applicant' })));
      const missing = String(new Types.ObjectId());
      const found = await Promise.all([...made.map((member) => ctx.cache.member(member._id)), ctx.cache.member(missing)]);
      expect(found.slice(0, 20).map((member) => member && String(member._id))).to.deep.equal(made.map((member) => String(member._id)));
      expect(found[20]).to.equal(null);
      for (const member of made) expect(layer.members.has(String(member._id))).to.equal(true);
    });

    it('priming at start fills sessions and members, but keeps nothing a write overtook', async function () {
      const ctx = server.server.ctx;
      const { client, member } = await signedIn(server.url, models);
      const sid = client.sessionId!;
      layer.members.invalidate(null);
      layer.sessions.invalidate(null);
      const primed = await ctx.cache.prime();
      expect(primed.members).to.be.greaterThan(0);
      expect(primed.sessions).to.be.greaterThan(0);
      expect(layer.members.has(String(member._id))).to.equal(true);
      expect(layer.sessions.has(sid)).to.equal(true);
      // A write's notice arriving while the bulk read is on its way: nothing of it is kept.
      layer.members.invalidate(null);
      const priming = ctx.cache.prime();
      layer.members.invalidate([String(member._id)]);
      expect((await priming).members).to.equal(0);
      expect(layer.members.has(String(member._id))).to.equal(false);
      // A write queued behind the bulk read: its own notice drops what the read brought.
      const again = ctx.cache.prime();
      await models.Member.updateOne({ _id: member._id }, { $set: { jobTitle: 'written while priming' } });
      await again;
      expect((await ctx.cache.member(member._id))!.jobTitle).to.equal('written while priming');
    });

    it('settings are read through the layer', async function () {
      expect(layer.settings.has('messages')).to.equal(true);
      expect(layer.settings.has('search')).to.equal(true);
    });
  });

  describe('writes by processes without a cache (scripts)', function () {
    let other: Connection;
    let otherModels: Models;
    before(async function () {
      other = await connect(await engineUri(), server.config.databaseName);
      otherModels = createModels(other);
    });
    after(async function () {
      await other.close();
    });

    it('a write on another connection clears the entity at the next epoch poll', async function () {
      const { client, member } = await signedIn(server.url, models);
      expect((await client.get('/api/me')).body.name).to.equal(member.name);
      const cleared = invalidation(layer, 'members', 'epoch');
      await otherModels.Member.updateOne({ _id: member._id }, { $set: { name: 'Renamed Elsewhere', nameNormalized: normaliseName('Renamed Elsewhere') } });
      await cleared;
      expect((await client.get('/api/me')).body.name).to.equal('Renamed Elsewhere');
    });

    it('a message written by a script is in the history at the next epoch poll', async function () {
      const ctx = server.server.ctx;
      const channelId = String(new Types.ObjectId());
      expect(await ctx.messages.range(channelId, 1, 5)).to.deep.equal([]);
      const store = new MessageStore(other);
      await store.open();
      const cleared = invalidation(layer, 'messageBlocks', 'epoch');
      await store.tryInsert({ _id: messageId(channelId, 1), channelId, seq: 1, authorId: 'a', source: 's', html: '<p>s</p>', parentSeq: null, mentions: [], idempotencyKey: 'k', createdAt: new Date(), editedAt: null, history: [], deleted: null, reactions: [], pinned: false, rev: 0 });
      await cleared;
      expect((await ctx.messages.range(channelId, 1, 5)).map((m) => m.seq)).to.deep.equal([1]);
    });

    it('a real script process (suspending through the models, as scripts do) takes effect within a poll', async function () {
      this.timeout(30_000);
      const { client, member } = await signedIn(server.url, models);
      expect((await client.get('/api/me')).status).to.equal(200);
      const cleared = invalidation(layer, 'members', 'epoch');
      const script = `
        import { loadConfig } from './backend/src/config/config.ts';
        import { createLogger } from './backend/src/http/logger.ts';
        import { openScriptDatabase } from './scripts/lib/database.ts';
        const db = await openScriptDatabase(loadConfig(), createLogger({ logLevel: 'silent' }));
        await db.models.Member.updateOne({ _id: process.env.MEMBER_ID }, { $set: { status: 'suspended' }, $inc: { sessionEpoch: 1 } });
        await db.close();`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', MONGODB_URI: await engineUri(), DB_NAME: server.config.databaseName, MEMBER_ID: String(member._id) },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).to.equal(0);
      await cleared;
      expect((await client.get('/api/me')).status).to.equal(401);
    });
  });

  describe('notices over Redis', function () {
    it('bypasses the cache while its Redis subscriber is away, and starts afresh when it is back', async function () {
      const { createClient } = await import('redis');
      const connection = await connect(await engineUri(), server.config.databaseName);
      const pub = createClient({ url: 'redis://127.0.0.1:6379' });
      const sub = pub.duplicate();
      await Promise.all([pub.connect(), sub.connect()]);
      const { CacheLayer } = await import('../../backend/src/cache/cache.layer.ts');
      const own = new CacheLayer(connection, server.server.ctx.logger, { maxBytes: 8 * 1024 * 1024, enabled: true });
      try {
        await own.start({ pair: { pub, sub } as never, databaseName: `${server.config.databaseName}-own` });
        const load = async () => ({ _id: 'x', value: 1 });
        await own.settings.get('x', load);
        expect(own.settings.has('x')).to.equal(true);
        expect(own.stats().redis).to.equal('connected');
        // A notice from another process drops the entry.
        const dropped = invalidation(own, 'settings', 'redis');
        await pub.publish(`convene:${server.config.databaseName}-own:cache`, JSON.stringify({ origin: 'another-process', entity: 'settings', keys: ['x'] }));
        await dropped;
        expect(own.settings.has('x')).to.equal(false);
        await own.settings.get('x', load);
        sub.destroy();
        expect(own.stats().redis).to.equal('disconnected');
        await own.settings.get('y', load);
        expect(own.settings.has('y'), 'nothing is kept while notices could be missed').to.equal(false);
        const back = invalidation(own, 'settings', 'reconnect');
        await sub.connect();
        await back;
        expect(own.stats().redis).to.equal('connected');
        expect(own.settings.has('x'), 'cleared on reconnect').to.equal(false);
        await own.settings.get('y', load);
        expect(own.settings.has('y')).to.equal(true);
      } finally {
        await own.stop();
        await Promise.allSettled([pub.quit(), sub.isOpen ? sub.quit() : Promise.resolve()]);
        await connection.close();
      }
    });
  });
});
