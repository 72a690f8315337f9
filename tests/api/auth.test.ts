import { expect } from 'chai';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { PASSWORD, makeMember } from '../factories/members.ts';
import type { Models } from '../../backend/src/db/models.ts';
import { IDLE_MS } from '../../backend/src/auth/auth.ts';

describe('accounts and sessions', function () {
  let server: TestServer;
  let models: Models;

  before(async function () {
    server = await startTestServer();
    models = server.server.ctx.models;
  });

  after(async function () {
    await server.close();
  });

  beforeEach(async function () {
    // Rate limits are per address; every test starts with a clean slate.
    await models.RateLimit.deleteMany({});
  });

  describe('sign-up', function () {
    it('creates an applicant with a normalised e-mail, signs them in, and audits it', async function () {
      const client = new ApiClient(server.url);
      const res = await client.post('/api/auth/sign-up', { email: '  Ada.Lovelace@Example.ORG ', password: 'analytical engine 1843', name: 'Ada Lovelace' });
      expect(res.status).to.equal(201);
      expect(res.body).to.include({ email: 'Ada.Lovelace@Example.ORG', status: 'applicant', name: 'Ada Lovelace', hasPassword: true });
      expect(res.body).not.to.have.property('passwordHash');
      const stored = await models.Member.findOne({ emailNormalized: 'ada.lovelace@example.org' }).lean();
      expect(stored?.passwordHash).to.match(/^scrypt\$/);
      const session = await client.get('/api/session');
      expect(session.body.member.id).to.equal(String(stored!._id));
      expect(await models.AuditEvent.countDocuments({ action: 'auth.sign_up', targetId: String(stored!._id) })).to.equal(1);
    });

    for (const [what, password, message] of [
      ['a short password', 'short pass', 'at least 12'],
      ['a common password', 'qwerty123456', 'too common'],
      ['a common password with digits added', 'password1234567', 'too common'],
      ['one repeated character', 'aaaaaaaaaaaaaa', 'repeated'],
    ] as const) {
      it(`refuses ${what} with 400 naming the field, and stores nothing`, async function () {
        const email = `weak-${Math.random().toString(36).slice(2)}@example.org`;
        const res = await new ApiClient(server.url).post('/api/auth/sign-up', { email, password, name: 'Someone' });
        expect(res.status).to.equal(400);
        expect(res.body.error.code).to.equal('weak_password');
        expect(res.body.error.message).to.contain('password').and.contain(message);
        expect(await models.Member.countDocuments({ emailNormalized: email })).to.equal(0);
      });
    }

    for (const [what, body, field] of [
      ['a missing e-mail', { password: 'long enough password 1', name: 'X' }, 'body.email'],
      ['a malformed e-mail', { email: 'not-an-email', password: 'long enough password 1', name: 'X' }, 'body.email'],
      ['a query operator as e-mail', { email: { $ne: null }, password: 'long enough password 1', name: 'X' }, 'body.email'],
      ['a name of the wrong type', { email: 'x@example.org', password: 'long enough password 1', name: 42 }, 'body.name'],
      ['an oversized name', { email: 'x@example.org', password: 'long enough password 1', name: 'n'.repeat(101) }, 'body.name'],
      ['an extra field', { email: 'x@example.org', password: 'long enough password 1', name: 'X', roles: ['admin'] }, 'body'],
    ] as const) {
      it(`answers ${what} with 400 naming ${field}, and stores nothing`, async function () {
        const before = await models.Member.countDocuments({});
        const res = await new ApiClient(server.url).post('/api/auth/sign-up', body);
        expect(res.status).to.equal(400);
        expect(res.body.error.message).to.contain(field);
        expect(await models.Member.countDocuments({})).to.equal(before);
      });
    }

    it('refuses an e-mail that is already registered, whatever its case', async function () {
      const existing = await makeMember(models, { email: 'taken@example.org' });
      const res = await new ApiClient(server.url).post('/api/auth/sign-up', { email: 'TAKEN@example.org', password: 'another fine password', name: 'Other' });
      expect(res.status).to.equal(409);
      expect(await models.Member.countDocuments({ emailNormalized: 'taken@example.org' })).to.equal(1);
      expect((await models.Member.findById(existing._id).lean())?.name).to.equal(existing.name);
    });
  });

  describe('sign-in', function () {
    it('signs in with a new session id (no session fixation) and audits it', async function () {
      const first = await makeMember(models);
      const second = await makeMember(models);
      const client = new ApiClient(server.url);
      expect((await client.post('/api/auth/sign-in', { email: first.email, password: PASSWORD })).status).to.equal(200);
      const before = client.sessionId;
      expect(before).to.be.a('string');
      const res = await client.post('/api/auth/sign-in', { email: second.email.toUpperCase(), password: PASSWORD });
      expect(res.status).to.equal(200);
      expect(res.body.id).to.equal(String(second._id));
      expect(client.sessionId).to.be.a('string').and.not.equal(before);
      expect(await models.Session.exists({ _id: before! })).to.equal(null);
      expect(await models.AuditEvent.countDocuments({ action: 'auth.sign_in', actorId: second._id })).to.equal(1);
    });

    it('gives the same answer for a wrong password and an unknown e-mail', async function () {
      const member = await makeMember(models);
      const wrong = await new ApiClient(server.url).post('/api/auth/sign-in', { email: member.email, password: 'not the password at all' });
      const unknown = await new ApiClient(server.url).post('/api/auth/sign-in', { email: 'nobody-here@example.org', password: 'not the password at all' });
      expect(wrong.status).to.equal(401);
      expect(unknown.status).to.equal(401);
      expect(wrong.body).to.deep.equal(unknown.body);
      expect(wrong.body.error.code).to.equal('invalid_credentials');
      expect(await models.AuditEvent.countDocuments({ action: 'auth.sign_in_failed', targetId: String(member._id) })).to.equal(1);
    });

    it('slows down repeated failures with growing delays, even for the right password', async function () {
      const member = await makeMember(models);
      const client = new ApiClient(server.url);
      for (let attempt = 0; attempt < 6; attempt++) {
        const res = await client.post('/api/auth/sign-in', { email: member.email, password: `wrong guess ${attempt}` });
        expect(res.status, `attempt ${attempt + 1}`).to.equal(401);
      }
      const blocked = await client.post('/api/auth/sign-in', { email: member.email, password: PASSWORD });
      expect(blocked.status).to.equal(429);
      expect(blocked.body.error.code).to.equal('rate_limited');
      expect(Number(blocked.headers.get('retry-after'))).to.be.greaterThan(0);
      const limit = await models.RateLimit.findById(`sign-in:account:${member.emailNormalized}`).lean();
      expect(limit?.failures).to.equal(6);
      // One more failure after the block doubles the delay.
      await models.RateLimit.updateMany({}, { $set: { blockedUntil: null } });
      await client.post('/api/auth/sign-in', { email: member.email, password: 'wrong again' });
      const longer = await models.RateLimit.findById(`sign-in:account:${member.emailNormalized}`).lean();
      expect(longer!.blockedUntil!.getTime() - Date.now()).to.be.greaterThan(1500);
    });

    it('counts every one of many failures sent at once', async function () {
      const member = await makeMember(models);
      const client = new ApiClient(server.url);
      const results = await Promise.all(Array.from({ length: 8 }, (_, index) => client.post('/api/auth/sign-in', { email: member.email, password: `parallel guess ${index}` })));
      expect(results.every((res) => res.status === 401 || res.status === 429)).to.equal(true);
      const limit = await models.RateLimit.findById(`sign-in:account:${member.emailNormalized}`).lean();
      expect(limit!.failures).to.equal(results.filter((res) => res.status === 401).length);
      expect(limit!.blockedUntil).to.be.instanceOf(Date);
    });

    it('refuses a suspended member even with the right password', async function () {
      const member = await makeMember(models, { status: 'suspended' });
      const res = await new ApiClient(server.url).post('/api/auth/sign-in', { email: member.email, password: PASSWORD });
      expect(res.status).to.equal(403);
      expect(res.headers.get('set-cookie')).to.equal(null);
    });

    it('sets the session cookie HttpOnly and SameSite=Lax', async function () {
      const member = await makeMember(models);
      const res = await fetch(`${server.url}/api/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-convene-csrf': '1' },
        body: JSON.stringify({ email: member.email, password: PASSWORD }),
      });
      const cookie = res.headers.getSetCookie().find((value) => value.startsWith('convene.sid='))!;
      expect(cookie).to.match(/HttpOnly/i);
      expect(cookie).to.match(/SameSite=Lax/i);
      await res.text();
    });
  });

  describe('sessions', function () {
    it('keeps sessions by id in the database, and sign-out destroys the session', async function () {
      const member = await makeMember(models);
      const client = new ApiClient(server.url);
      await client.post('/api/auth/sign-in', { email: member.email, password: PASSWORD });
      const sid = client.sessionId!;
      const stored = await models.Session.findById(sid).lean();
      expect(stored?.memberId).to.equal(String(member._id));
      const stolen = client.cookie;
      expect((await client.post('/api/auth/sign-out')).status).to.equal(204);
      expect(await models.Session.exists({ _id: sid })).to.equal(null);
      const replay = new ApiClient(server.url);
      replay.cookie = stolen;
      expect((await replay.get('/api/session')).body.member).to.equal(null);
      expect(await models.AuditEvent.countDocuments({ action: 'auth.sign_out', actorId: member._id })).to.equal(1);
    });

    it('reaches sessions only by _id on every request (one point lookup, never a scan)', async function () {
      const member = await makeMember(models);
      const client = new ApiClient(server.url);
      const filters: unknown[] = [];
      const connection = server.database.connection;
      connection.set('debug', (collection: string, _method: string, filter: unknown) => {
        if (collection === 'sessions') filters.push(filter);
      });
      try {
        await client.post('/api/auth/sign-in', { email: member.email, password: PASSWORD });
        for (let index = 0; index < 3; index++) await client.get('/api/me');
        await client.post('/api/auth/sign-out');
      } finally {
        connection.set('debug', false);
      }
      expect(filters.length).to.be.greaterThan(4);
      for (const filter of filters) expect(Object.keys(filter as object)).to.deep.equal(['_id']);
    });

    it('writes a session on a request only when its idle expiry moved a minute or more (not on every request)', async function () {
      const member = await makeMember(models);
      const client = new ApiClient(server.url);
      await client.post('/api/auth/sign-in', { email: member.email, password: PASSWORD });
      const sid = client.sessionId!;
      const writes: string[] = [];
      const connection = server.database.connection;
      connection.set('debug', (collection: string, method: string) => {
        if (collection === 'sessions' && !['findOne', 'find'].includes(method)) writes.push(method);
      });
      const signedIn = (await models.Session.findById(sid).lean())!.expiresAt.getTime();
      let requestedAt = 0;
      try {
        for (let index = 0; index < 5; index++) expect((await client.get('/api/me')).status).to.equal(200);
        expect(writes, 'writes within the minute').to.deep.equal([]);
        expect((await models.Session.findById(sid).lean())!.expiresAt.getTime()).to.equal(signedIn);
        // As if the last write were two minutes old: the next request moves the expiry again.
        await models.Session.updateOne({ _id: sid }, { $set: { expiresAt: new Date(signedIn - 120_000) } });
        writes.length = 0;
        requestedAt = Date.now();
        expect((await client.get('/api/me')).status).to.equal(200);
        expect(writes).to.deep.equal(['updateOne']);
      } finally {
        connection.set('debug', false);
      }
      const moved = (await models.Session.findById(sid).lean())!.expiresAt.getTime();
      expect(moved).to.be.at.least(requestedAt + IDLE_MS - 1000);
    });

    it('refuses an expired session, and the periodic job removes it', async function () {
      const { client } = await (async () => {
        const member = await makeMember(models);
        const c = new ApiClient(server.url);
        await c.post('/api/auth/sign-in', { email: member.email, password: PASSWORD });
        return { client: c };
      })();
      const sid = client.sessionId!;
      await models.Session.updateOne({ _id: sid }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      expect((await client.get('/api/session')).body.member).to.equal(null);
      expect(await server.server.ctx.sessions.removeExpired()).to.be.greaterThan(0);
      expect(await models.Session.exists({ _id: sid })).to.equal(null);
    });
  });

  describe('CSRF', function () {
    it('refuses a state-changing request without the CSRF header', async function () {
      const member = await makeMember(models);
      const res = await new ApiClient(server.url, { csrf: false }).post('/api/auth/sign-in', { email: member.email, password: PASSWORD });
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal('csrf_failed');
      expect(res.headers.get('set-cookie')).to.equal(null);
    });

    it('refuses a request from another site even with the header', async function () {
      const member = await makeMember(models);
      const client = new ApiClient(server.url);
      const fromOrigin = await client.post('/api/auth/sign-in', { email: member.email, password: PASSWORD }, { origin: 'https://evil.example' });
      expect(fromOrigin.status).to.equal(403);
      const crossSite = await client.post('/api/auth/sign-in', { email: member.email, password: PASSWORD }, { 'sec-fetch-site': 'cross-site' });
      expect(crossSite.status).to.equal(403);
      expect(client.cookie).to.equal(null);
    });
  });
});
