import { expect } from 'chai';
import type { Models } from '../../backend/src/db/models.ts';
import { prepareFirstAdminToken } from '../../backend/src/setup/setup.actions.ts';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { makeMember, signedIn } from '../factories/members.ts';

describe('organisations, audit log, notifications, first-admin setup', function () {
  let server: TestServer;
  let models: Models;

  before(async function () {
    server = await startTestServer();
    models = server.server.ctx.models;
  });

  after(async function () {
    await server.close();
  });

  describe('first-admin setup', function () {
    // Its own server: "no admin yet" must hold whatever else ran before.
    let fresh: TestServer;
    before(async function () {
      fresh = await startTestServer();
    });
    after(async function () {
      await fresh.close();
    });

    it('creates the first admin once with the printed token, and never again', async function () {
      const server = fresh;
      const visitor = new ApiClient(server.url);
      expect((await visitor.get('/api/setup/status')).body).to.deep.equal({ needed: true });
      const token = (await prepareFirstAdminToken(server.server.ctx))!;
      const body = {
        token,
        email: 'root@convene.example',
        password: 'a long and unusual passphrase',
        name: 'First Admin',
        organisation: { name: 'Convene Secretariat', sector: 'civil_society', domain: 'secretariat.example' },
      };
      const wrong = await visitor.post('/api/setup/first-admin', { ...body, token: 'x'.repeat(32) });
      expect(wrong.status).to.equal(403);
      const weak = await visitor.post('/api/setup/first-admin', { ...body, password: 'password123456' });
      expect(weak.status).to.equal(400);
      const created = await visitor.post('/api/setup/first-admin', body);
      expect(created.status).to.equal(201);
      expect(created.body.roles).to.include('admin');
      expect((await visitor.get('/api/audit')).status).to.equal(200);
      const again = await new ApiClient(server.url).post('/api/setup/first-admin', { ...body, email: 'second@convene.example' });
      expect(again.status).to.equal(403);
      expect((await visitor.get('/api/setup/status')).body).to.deep.equal({ needed: false });
      expect(await prepareFirstAdminToken(server.server.ctx)).to.equal(null);
    });
  });

  describe('organisations', function () {
    it('moderators create and edit; a sector change moves the members with it; duplicates are 409', async function () {
      const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
      const created = await moderator.post('/api/organisations', { name: 'Video Startup', sector: 'industry', domains: ['VIDEO.example'], verified: true });
      expect(created.status).to.equal(201);
      expect(created.body.domains).to.deep.equal(['video.example']);
      expect((await moderator.post('/api/organisations', { name: 'video  startup', sector: 'industry', domains: [] })).status).to.equal(409);
      const org = await models.Organisation.findById(created.body.id).lean();
      const member = await makeMember(models, { organisation: org });
      const patched = await moderator.patch(`/api/organisations/${created.body.id}`, { sector: 'academia' });
      expect(patched.body.sector).to.equal('academia');
      expect((await models.Member.findById(member._id).lean())?.sector).to.equal('academia');
      expect((await moderator.patch(`/api/organisations/${created.body.id}`, { domains: ['not a domain'] })).status).to.equal(400);
      expect((await moderator.patch('/api/organisations/0123456789abcdef01234567', { verified: true })).status).to.equal(404);
      const { client: plain } = await signedIn(server.url, models);
      expect((await plain.post('/api/organisations', { name: 'Mine', sector: 'industry', domains: [] })).status).to.equal(403);
      expect((await plain.get('/api/organisations')).status).to.equal(200);
    });
  });

  describe('audit log', function () {
    it('moderators browse it newest first, filtered, with a cursor', async function () {
      const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
      const target = await makeMember(models);
      for (let index = 0; index < 3; index++) {
        await server.server.ctx.audit.record({ action: 'member.reinstated', actorId: null, target: { type: 'member', id: target._id }, details: { index } });
      }
      const first = await moderator.get(`/api/audit?targetId=${target._id}&limit=2`);
      expect(first.status).to.equal(200);
      expect(first.body.items.map((item: { details: { index: number } }) => item.details.index)).to.deep.equal([2, 1]);
      const second = await moderator.get(`/api/audit?targetId=${target._id}&limit=2&before=${first.body.nextBefore}`);
      expect(second.body.items.map((item: { details: { index: number } }) => item.details.index)).to.deep.equal([0]);
      expect(second.body.nextBefore).to.equal(null);
      const signIns = await moderator.get('/api/audit?action=auth.sign_in');
      expect(signIns.body.items.every((item: { action: string }) => item.action === 'auth.sign_in')).to.equal(true);
      expect((await moderator.get('/api/audit?action=drop_database')).status).to.equal(400);
      expect((await moderator.get('/api/audit?limit=5000')).status).to.equal(400);
      const { client: plain } = await signedIn(server.url, models);
      expect((await plain.get('/api/audit')).status).to.equal(403);
    });

    it('cannot be altered or deleted through the application', async function () {
      await server.server.ctx.audit.record({ action: 'member.reinstated', actorId: null, details: { marker: 'keep-me' } });
      const event = await models.AuditEvent.findOne({ action: 'member.reinstated' }).sort({ _id: -1 }).lean();
      const attempts = [
        () => models.AuditEvent.updateOne({ _id: event!._id }, { $set: { action: 'auth.sign_in' } }),
        () => models.AuditEvent.deleteOne({ _id: event!._id }),
        () => models.AuditEvent.deleteMany({}),
        () => models.AuditEvent.findOneAndUpdate({ _id: event!._id }, { $set: { ip: 'x' } }),
        () => models.AuditEvent.findOneAndDelete({ _id: event!._id }),
        async () => {
          const doc = await models.AuditEvent.findById(event!._id);
          doc!.ip = '1.2.3.4';
          await doc!.save();
        },
      ];
      for (const attempt of attempts) {
        let refused = false;
        try {
          await attempt();
        } catch (error) {
          refused = /append-only/.test((error as Error).message);
        }
        expect(refused).to.equal(true);
      }
      expect(await models.AuditEvent.findById(event!._id).lean()).to.deep.equal(event);
    });
  });

  describe('notifications', function () {
    it('lists newest first with read state; marks one or all read', async function () {
      const { client, member } = await signedIn(server.url, models);
      for (const title of ['first', 'second', 'third']) {
        await server.server.ctx.notifier.notify(member._id, { kind: 'role.changed', title, body: '', link: '/profile' });
      }
      const listed = await client.get('/api/notifications');
      expect(listed.body.items.map((item: { title: string }) => item.title)).to.deep.equal(['third', 'second', 'first']);
      expect(listed.body.unread).to.equal(3);
      expect((await client.post('/api/notifications/read', { ids: [listed.body.items[0].id] })).status).to.equal(204);
      expect((await client.get('/api/notifications')).body.unread).to.equal(2);
      expect((await client.post('/api/notifications/read', { ids: ['not-a-uuid'] })).status).to.equal(400);
      await client.post('/api/notifications/read', {});
      expect((await client.get('/api/notifications')).body.unread).to.equal(0);
    });
  });
});
