import { expect } from 'chai';
import { io as connect, type Socket } from 'socket.io-client';
import { trusted } from '../../backend/src/db/database.ts';
import type { Models } from '../../backend/src/db/models.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../backend/src/shared/realtime-events.ts';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { PASSWORD, makeMember, makeOrganisation, signedIn } from '../factories/members.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

describe('members: profile, directory, roles, suspension', function () {
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

  /** A live socket authenticated by the client's session cookie. */
  async function liveSocket(client: ApiClient): Promise<ClientSocket> {
    const socket: ClientSocket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: client.cookie! } });
    sockets.push(socket);
    const ready = await new Promise<{ memberId: string | null }>((resolve, reject) => {
      socket.once('session.ready', resolve);
      socket.once('connect_error', reject);
    });
    expect(ready.memberId).to.be.a('string');
    return socket;
  }

  describe('own profile and data', function () {
    it('updates name, job title and bio, but never sector or organisation', async function () {
      const { client, member } = await signedIn(server.url, models);
      const res = await client.patch('/api/me', { name: 'New Name', jobTitle: 'Researcher', bio: 'Hello' });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ name: 'New Name', jobTitle: 'Researcher', bio: 'Hello', sector: member.sector });
      const refused = await client.patch('/api/me', { sector: 'government' });
      expect(refused.status).to.equal(400);
      expect((await models.Member.findById(member._id).lean())?.sector).to.equal(member.sector);
    });

    it('changes the password only with the current one, and rotates the session id', async function () {
      const { client, member } = await signedIn(server.url, models);
      const wrong = await client.post('/api/me/password', { currentPassword: 'not my password!!', newPassword: 'a brand new long passphrase' });
      expect(wrong.status).to.equal(400);
      expect(wrong.body.error.message).to.contain('currentPassword');
      const weak = await client.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'password123456' });
      expect(weak.status).to.equal(400);
      expect(weak.body.error.message).to.contain('newPassword');
      const before = client.sessionId;
      expect((await client.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'a brand new long passphrase' })).status).to.equal(204);
      expect(client.sessionId).not.to.equal(before);
      const fresh = new ApiClient(server.url);
      expect((await fresh.post('/api/auth/sign-in', { email: member.email, password: 'a brand new long passphrase' })).status).to.equal(200);
    });

    it('ends every other session of the person when the password changes', async function () {
      const { client, member } = await signedIn(server.url, models);
      const thief = new ApiClient(server.url);
      await thief.post('/api/auth/sign-in', { email: member.email, password: PASSWORD });
      expect((await thief.get('/api/me')).status).to.equal(200);
      expect((await client.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'locking the thief out now' })).status).to.equal(204);
      expect((await thief.get('/api/me')).status).to.equal(401);
      expect((await client.get('/api/me')).status).to.equal(200);
    });

    it('exports everything stored about me as a JSON download, without the password hash', async function () {
      const { client, member } = await signedIn(server.url, models);
      const res = await client.get('/api/me/export');
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-disposition')).to.match(/^attachment; filename="convene-my-data.json"/);
      expect(res.body.profile.email).to.equal(member.email);
      expect(JSON.stringify(res.body)).not.to.contain('scrypt$');
      // Nothing about who acted on them: no moderator's IP on events that are not theirs.
      for (const event of res.body.auditEvents as { yours: boolean; ip?: string }[]) expect(event.ip === undefined).to.equal(!event.yours);
      expect(res.body.auditEvents.some((event: { action: string }) => event.action === 'auth.sign_in')).to.equal(true);
      expect(await models.AuditEvent.countDocuments({ action: 'export.own_data', actorId: member._id })).to.equal(1);
    });
  });

  describe('directory', function () {
    it('lists verified members only, never applicants, never e-mail addresses', async function () {
      const org = await makeOrganisation(models, { name: `Directory Org ${Date.now()}`, sector: 'academia' });
      const visible = await makeMember(models, { organisation: org, name: 'Visible Scholar' });
      const applicant = await makeMember(models, { status: 'applicant', name: 'Hidden Applicant' });
      const { client } = await signedIn(server.url, models);
      const res = await client.get(`/api/members?sector=academia&q=${encodeURIComponent('scholar')}`);
      expect(res.status).to.equal(200);
      expect(res.body.map((entry: { id: string }) => entry.id)).to.include(String(visible._id));
      const everyone = await client.get('/api/members');
      expect(everyone.body.map((entry: { id: string }) => entry.id)).not.to.include(String(applicant._id));
      expect(JSON.stringify(everyone.body)).not.to.contain('@');
      expect((await client.get('/api/members?sector=navy')).status).to.equal(400);
      expect((await client.get('/api/members?q[$ne]=x')).status).to.equal(400);
    });
  });

  describe('roles', function () {
    it('an admin grants a role: it takes effect at once, rotates the session and cuts live sockets', async function () {
      const { client: admin } = await signedIn(server.url, models, { roles: ['admin'] });
      const { client: target, member } = await signedIn(server.url, models);
      const socket = await liveSocket(target);
      const ended = new Promise<string>((resolve) => socket.once('session.ended', ({ reason }) => resolve(reason)));
      const disconnected = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
      expect((await target.get('/api/vetting/applications')).status).to.equal(403);

      const granted = await admin.post(`/api/admin/members/${member._id}/roles`, { role: 'moderator', grant: true });
      expect(granted.status).to.equal(200);
      expect(granted.body.roles).to.deep.equal(['moderator']);
      expect(await ended).to.equal('access_changed');
      await disconnected;

      const before = target.sessionId;
      expect((await target.get('/api/vetting/applications')).status).to.equal(200);
      expect(target.sessionId).not.to.equal(before);
      expect(await models.AuditEvent.countDocuments({ action: 'role.granted', targetId: String(member._id) })).to.equal(1);

      await admin.post(`/api/admin/members/${member._id}/roles`, { role: 'moderator', grant: false });
      expect((await target.get('/api/vetting/applications')).status).to.equal(403);
    });

    it('only admins change roles; roles go only to verified members; the last admin stays', async function () {
      const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
      const someone = await makeMember(models);
      expect((await moderator.post(`/api/admin/members/${someone._id}/roles`, { role: 'liaison', grant: true })).status).to.equal(403);

      const { client: admin, member: adminMember } = await signedIn(server.url, models, { roles: ['admin'] });
      const applicant = await makeMember(models, { status: 'applicant' });
      expect((await admin.post(`/api/admin/members/${applicant._id}/roles`, { role: 'liaison', grant: true })).status).to.equal(403);
      expect((await admin.post(`/api/admin/members/${someone._id}/roles`, { role: 'superuser', grant: true })).status).to.equal(400);

      // Leave exactly one admin, then try to remove it.
      await models.Member.updateMany({ _id: trusted({ $ne: adminMember._id }) }, { $pull: { roles: 'admin' } });
      const last = await admin.post(`/api/admin/members/${adminMember._id}/roles`, { role: 'admin', grant: false });
      expect(last.status).to.equal(403);
      expect((await models.Member.findById(adminMember._id).lean())?.roles).to.include('admin');
    });
  });

  describe('suspension', function () {
    it('ends every session and cuts every live socket at once; sign-in refused until reinstated', async function () {
      const { client: moderator, member: mod } = await signedIn(server.url, models, { roles: ['moderator'] });
      const { client: laptop, member } = await signedIn(server.url, models);
      const phone = new ApiClient(server.url);
      await phone.post('/api/auth/sign-in', { email: member.email, password: PASSWORD });
      const socket = await liveSocket(laptop);
      const ended = new Promise<string>((resolve) => socket.once('session.ended', ({ reason }) => resolve(reason)));
      const disconnected = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));

      const res = await moderator.post(`/api/admin/members/${member._id}/suspend`, { reason: 'Shared TLP:RED material outside the forum' });
      expect(res.status).to.equal(200);
      expect(res.body.status).to.equal('suspended');
      expect(await ended).to.equal('suspended');
      await disconnected;
      expect(await models.Session.countDocuments({ memberId: String(member._id) })).to.equal(0);
      expect((await laptop.get('/api/session')).body.member).to.equal(null);
      expect((await phone.get('/api/me')).status).to.equal(401);
      expect((await new ApiClient(server.url).post('/api/auth/sign-in', { email: member.email, password: PASSWORD })).status).to.equal(403);
      expect(await models.AuditEvent.countDocuments({ action: 'member.suspended', actorId: mod._id, targetId: String(member._id) })).to.equal(1);

      // A socket opened with the old cookie is a visitor's socket now.
      const reconnect: ClientSocket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: laptop.cookie ?? '' } });
      sockets.push(reconnect);
      const ready = await new Promise<{ memberId: string | null }>((resolve) => reconnect.once('session.ready', resolve));
      expect(ready.memberId).to.equal(null);

      expect((await moderator.post(`/api/admin/members/${member._id}/reinstate`)).status).to.equal(200);
      expect((await new ApiClient(server.url).post('/api/auth/sign-in', { email: member.email, password: PASSWORD })).status).to.equal(200);
    });

    it('opens no member socket on a session past its absolute lifetime', async function () {
      const { client } = await signedIn(server.url, models);
      const stored = await models.Session.findById(client.sessionId!).lean();
      const data = JSON.parse(stored!.data) as { signedInAt: number };
      data.signedInAt = Date.now() - 8 * 24 * 3600 * 1000;
      await models.Session.updateOne({ _id: client.sessionId! }, { $set: { data: JSON.stringify(data) } });
      const socket: ClientSocket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: client.cookie! } });
      sockets.push(socket);
      const ready = await new Promise<{ memberId: string | null }>((resolve) => socket.once('session.ready', resolve));
      expect(ready.memberId).to.equal(null);
      expect((await client.get('/api/me')).status).to.equal(401);
    });

    it('needs a reason; moderators cannot suspend themselves or other moderators; members cannot suspend', async function () {
      const { client: moderator, member: mod } = await signedIn(server.url, models, { roles: ['moderator'] });
      const target = await makeMember(models);
      const otherMod = await makeMember(models, { roles: ['moderator'] });
      expect((await moderator.post(`/api/admin/members/${target._id}/suspend`, {})).status).to.equal(400);
      expect((await moderator.post(`/api/admin/members/${mod._id}/suspend`, { reason: 'testing myself' })).status).to.equal(403);
      expect((await moderator.post(`/api/admin/members/${otherMod._id}/suspend`, { reason: 'rival moderator' })).status).to.equal(403);
      const { client: plain } = await signedIn(server.url, models);
      expect((await plain.post(`/api/admin/members/${target._id}/suspend`, { reason: 'I do not like them' })).status).to.equal(403);
      expect((await models.Member.findById(target._id).lean())?.status).to.equal('member');
    });
  });
});
