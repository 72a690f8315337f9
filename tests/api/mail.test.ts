import { expect } from 'chai';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { PASSWORD, makeMember, signedIn } from '../factories/members.ts';
import { deliveredTo, linkToken, waitForMail } from '../helpers/mail.ts';
import { Outbox } from '../../backend/src/mail/outbox.ts';
import type { Models } from '../../backend/src/db/models.ts';
import { testLogger } from '../helpers/logger.ts';
import { trusted } from '../../backend/src/db/database.ts';

const unique = () => Math.random().toString(36).slice(2, 10);

describe('e-mail through a real SMTP server (Mailpit)', function () {
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
    await models.RateLimit.deleteMany({});
  });

  async function signUp(email: string) {
    const client = new ApiClient(server.url);
    const res = await client.post('/api/auth/sign-up', { email, password: 'analytical engine 1843', name: 'Ada <b>Lovelace</b>' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return client;
  }

  describe('verification of the address', function () {
    it('sign-up mails a single-use link whose token is in the fragment; following it verifies the address', async function () {
      const email = `ada-${unique()}@example.org`;
      const client = await signUp(email);
      expect((await client.get('/api/session')).body.member.emailVerified).to.equal(false);
      const [mail] = await waitForMail(server.server, email);
      expect(mail!.subject).to.match(/confirm your e-mail/i);
      expect(mail!.html).to.be.a('string');
      // Every value is escaped in the HTML; no outside images.
      expect(mail!.html).to.contain('Ada &lt;b&gt;Lovelace&lt;/b&gt;').and.not.contain('<b>Lovelace');
      expect(mail!.html).not.to.match(/<img/i);
      const { url, token } = linkToken(mail!);
      expect(url).to.equal(`${server.config.publicUrl}/verify-email`);
      // Only the token's hash is stored.
      expect(await models.MailToken.countDocuments({ _id: token })).to.equal(0);

      const verified = await new ApiClient(server.url).post('/api/auth/verify-email', { token });
      expect(verified.status).to.equal(204);
      expect((await client.get('/api/session')).body.member.emailVerified).to.equal(true);
      expect(await models.AuditEvent.countDocuments({ action: 'auth.email_verified' })).to.be.greaterThan(0);

      const reused = await new ApiClient(server.url).post('/api/auth/verify-email', { token });
      expect(reused.status).to.equal(400);
      expect(reused.body.error.code).to.equal('invalid_token');
    });

    it('refuses an expired link, and a malformed one', async function () {
      const email = `late-${unique()}@example.org`;
      const client = await signUp(email);
      const [mail] = await waitForMail(server.server, email);
      const { token } = linkToken(mail!);
      const member = await models.Member.findOne({ emailNormalized: email }).lean();
      await models.MailToken.updateMany({ memberId: member!._id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      const expired = await client.post('/api/auth/verify-email', { token });
      expect(expired.status).to.equal(400);
      expect(expired.body.error.code).to.equal('invalid_token');
      expect((await client.get('/api/session')).body.member.emailVerified).to.equal(false);
      const malformed = await client.post('/api/auth/verify-email', { token: { $ne: null } });
      expect(malformed.status).to.equal(400);
    });

    it('sends the link again on request, rate limited, and refuses when already verified', async function () {
      const email = `again-${unique()}@example.org`;
      const client = await signUp(email);
      expect((await client.post('/api/me/email/verification')).status).to.equal(204);
      const mails = await waitForMail(server.server, email, 2);
      expect(mails).to.have.length(2);
      await client.post('/api/me/email/verification');
      await client.post('/api/me/email/verification');
      expect((await client.post('/api/me/email/verification')).status).to.equal(429);
      await client.post('/api/auth/verify-email', { token: linkToken(mails[1]!).token });
      const already = await client.post('/api/me/email/verification');
      expect(already.status).to.equal(409);
      expect(await new ApiClient(server.url).post('/api/me/email/verification').then((res) => res.status)).to.equal(401);
    });

    it('lets an unverified applicant save the application but not submit it until the link is followed', async function () {
      const email = `grace-${unique()}@example.org`;
      const client = await signUp(email);
      const body = { proposedOrganisation: { name: `Draft Host ${unique()}`, domain: 'example.org' }, sector: 'industry', jobTitle: 'Analyst', reason: 'We host files for small communities and need the alerts.', referee: { name: 'Rob', email: 'rob@partner.example', organisation: 'Partner' } };
      const refused = await client.request('PUT', '/api/application', body);
      expect(refused.status).to.equal(403);
      expect(refused.body.error.code).to.equal('email_unverified');
      const draft = await client.request('PUT', '/api/application/draft', body);
      expect(draft.status).to.equal(200);
      expect(draft.body).to.include({ status: 'draft', jobTitle: 'Analyst' });
      expect((await client.get('/api/application')).body.status).to.equal('draft');
      const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
      const me = (await client.get('/api/session')).body.member.id;
      const inQueue = async () => (await moderator.get('/api/vetting/applications?status=pending')).body.some((entry: { id: string }) => entry.id === me);
      expect(await inQueue()).to.equal(false);
      const early = await moderator.post(`/api/vetting/applications/${me}/approve`, {});
      expect(early.status, JSON.stringify(early.body)).to.equal(409);
      expect(early.body.error.code).to.equal('not_submitted');

      const [mail] = await waitForMail(server.server, email);
      const { token } = linkToken(mail!);
      expect((await new ApiClient(server.url).post('/api/auth/verify-email', { token })).status).to.equal(204);
      const submitted = await client.request('PUT', '/api/application', body);
      expect(submitted.status).to.equal(200);
      expect(submitted.body.status).to.equal('pending');
      expect(await inQueue()).to.equal(true);
      const again = await client.request('PUT', '/api/application/draft', body);
      expect(again.status).to.equal(409);
      expect(again.body.error.code).to.equal('already_submitted');
      const actions = (await models.AuditEvent.find({ targetId: me }).lean()).map((event) => event.action);
      expect(actions).to.include.members(['application.draft_saved', 'application.submitted']);
    });

    it("counts the domain signal only for a verified address", async function () {
      const org = await models.Organisation.create({ name: `Ministry ${unique()}`, nameNormalized: `ministry ${unique()}`, sector: 'government', domains: ['ministry.example'], verified: true });
      const unverified = await makeMember(models, { status: 'applicant', email: `u-${unique()}@ministry.example`, emailVerified: false });
      const verified = await makeMember(models, { status: 'applicant', email: `v-${unique()}@ministry.example` });
      const body = { organisationId: String(org._id), sector: 'government', jobTitle: 'Analyst', reason: 'We need to see the trend alerts for our work.', referee: { name: 'Rob', email: 'rob@ministry.example', organisation: 'Ministry' } };
      for (const person of [unverified, verified]) {
        const client = new ApiClient(server.url);
        await client.post('/api/auth/sign-in', { email: person.email, password: PASSWORD });
        if (person === unverified) {
          const refused = await client.request('PUT', '/api/application', body);
          expect(refused.status).to.equal(403);
          expect(refused.body.error.code).to.equal('email_unverified');
          // Submitted while verified, the address later unverified (e.g. data from before verification existed):
          await models.Member.updateOne({ _id: person._id }, { $set: { emailVerifiedAt: new Date() } });
          expect((await client.request('PUT', '/api/application', body)).status).to.equal(200);
          await models.Member.updateOne({ _id: person._id }, { $set: { emailVerifiedAt: null } });
        } else {
          expect((await client.request('PUT', '/api/application', body)).status).to.equal(200);
        }
      }
      const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
      const queue = await moderator.get('/api/vetting/applications?status=pending');
      expect(queue.status).to.equal(200);
      const signal = (id: unknown) => queue.body.find((entry: { id: string }) => entry.id === String(id)).signals.emailDomainMatches;
      expect(signal(unverified._id)).to.equal(false);
      expect(signal(verified._id)).to.equal(true);
    });
  });

  describe('password reset', function () {
    it('answers the same for an unknown address, and mails a link only to a known one', async function () {
      const member = await makeMember(models);
      const unknown = await new ApiClient(server.url).post('/api/auth/forgot-password', { email: `nobody-${unique()}@example.org` });
      const known = await new ApiClient(server.url).post('/api/auth/forgot-password', { email: member.email.toUpperCase() });
      expect(unknown.status).to.equal(202);
      expect(known.status).to.equal(202);
      expect(known.body).to.deep.equal(unknown.body);
      const [mail] = await waitForMail(server.server, member.email);
      expect(mail!.subject).to.match(/reset your/i);
      expect(linkToken(mail!).url).to.equal(`${server.config.publicUrl}/reset-password`);
    });

    it('sets the new password once, ends every session, audits it and mails the member', async function () {
      const { client: other, member } = await signedIn(server.url, models);
      await new ApiClient(server.url).post('/api/auth/forgot-password', { email: member.email });
      const [mail] = await waitForMail(server.server, member.email);
      const { token } = linkToken(mail!);
      const visitor = new ApiClient(server.url);
      const weak = await visitor.post('/api/auth/reset-password', { token, newPassword: 'password1234' });
      expect(weak.status).to.equal(400);
      expect(weak.body.error.code).to.equal('weak_password');
      const done = await visitor.post('/api/auth/reset-password', { token, newPassword: 'quiet harbour lantern 9' });
      expect(done.status).to.equal(204);
      expect((await other.get('/api/me')).status).to.equal(401);
      expect(await models.Session.countDocuments({ memberId: String(member._id) })).to.equal(0);
      expect((await new ApiClient(server.url).post('/api/auth/sign-in', { email: member.email, password: PASSWORD })).status).to.equal(401);
      expect((await new ApiClient(server.url).post('/api/auth/sign-in', { email: member.email, password: 'quiet harbour lantern 9' })).status).to.equal(200);
      expect(await models.AuditEvent.countDocuments({ action: 'auth.password_reset', targetId: String(member._id) })).to.equal(1);
      const reused = await visitor.post('/api/auth/reset-password', { token, newPassword: 'another quiet harbour 10' });
      expect(reused.status).to.equal(400);
      expect(reused.body.error.code).to.equal('invalid_token');
      const mails = await waitForMail(server.server, member.email, 2);
      expect(mails[1]!.subject).to.match(/password was changed/i);
    });

    it('refuses an expired link', async function () {
      const member = await makeMember(models);
      await new ApiClient(server.url).post('/api/auth/forgot-password', { email: member.email });
      const [mail] = await waitForMail(server.server, member.email);
      await models.MailToken.updateMany({ memberId: member._id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      const res = await new ApiClient(server.url).post('/api/auth/reset-password', { token: linkToken(mail!).token, newPassword: 'quiet harbour lantern 9' });
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('invalid_token');
    });

    it('is rate limited per address', async function () {
      const member = await makeMember(models);
      for (let i = 0; i < 3; i++) expect((await new ApiClient(server.url).post('/api/auth/forgot-password', { email: member.email })).status).to.equal(202);
      expect((await new ApiClient(server.url).post('/api/auth/forgot-password', { email: member.email })).status).to.equal(429);
    });

    it('changing the password from the profile sends the same mail', async function () {
      const { client, member } = await signedIn(server.url, models);
      const res = await client.post('/api/me/password', { currentPassword: PASSWORD, newPassword: 'quiet harbour lantern 9' });
      expect(res.status).to.equal(204);
      const [mail] = await waitForMail(server.server, member.email);
      expect(mail!.subject).to.match(/password was changed/i);
    });
  });

  describe('change of address', function () {
    it('needs the password; the new address gets a link, the old one a notice; nothing changes until the link is followed', async function () {
      const { client, member } = await signedIn(server.url, models);
      const next = `moved-${unique()}@ministry.example`;
      const wrong = await client.post('/api/me/email', { newEmail: next, currentPassword: 'not my password at all' });
      expect(wrong.status).to.equal(400);
      expect(wrong.body.error.code).to.equal('wrong_password');
      const same = await client.post('/api/me/email', { newEmail: member.email.toUpperCase(), currentPassword: PASSWORD });
      expect(same.status).to.equal(400);
      expect(same.body.error.code).to.equal('same_email');
      const bad = await client.post('/api/me/email', { newEmail: 'not an address', currentPassword: PASSWORD });
      expect(bad.status).to.equal(400);
      expect(bad.body.error.code).to.equal('invalid_request');

      const asked = await client.post('/api/me/email', { newEmail: next, currentPassword: PASSWORD });
      expect(asked.status).to.equal(202);
      const [link] = await waitForMail(server.server, next);
      expect(link!.subject).to.match(/confirm your new e-mail/i);
      const { url, token } = linkToken(link!);
      expect(url).to.equal(`${server.config.publicUrl}/confirm-email-change`);
      const [notice] = await waitForMail(server.server, member.email);
      expect(notice!.subject).to.match(/change of your .* e-mail address was requested/i);
      expect(notice!.text).to.contain(next);
      expect(linkToken.bind(null, notice!)).to.throw(); // no token in the notice to the old address
      // Until the link is followed, the account keeps its address.
      expect((await client.get('/api/me')).body.email).to.equal(member.email);
      expect(await models.MailToken.countDocuments({ _id: token })).to.equal(0);

      const done = await new ApiClient(server.url).post('/api/auth/confirm-email-change', { token });
      expect(done.status).to.equal(204);
      const me = (await client.get('/api/me')).body;
      expect(me.email).to.equal(next);
      expect((await client.get('/api/session')).body.member.emailVerified).to.equal(true);
      const stored = await models.Member.findById(member._id).lean();
      expect(stored!.emailDomain).to.equal('ministry.example');
      expect(await models.AuditEvent.countDocuments({ action: 'member.email_change_requested', targetId: String(member._id) })).to.equal(1);
      expect(await models.AuditEvent.countDocuments({ action: 'member.email_changed', targetId: String(member._id) })).to.equal(1);
      const told = await waitForMail(server.server, member.email, 2);
      expect(told.map((mail) => mail.subject).join('|')).to.match(/address was changed/i);
      // The new address signs in; the link is spent.
      expect((await new ApiClient(server.url).post('/api/auth/sign-in', { email: next, password: PASSWORD })).status).to.equal(200);
      const reused = await new ApiClient(server.url).post('/api/auth/confirm-email-change', { token });
      expect(reused.status).to.equal(400);
      expect(reused.body.error.code).to.equal('invalid_token');
    });

    it("answers the same for an address another account has, mails it no link, and changes nothing", async function () {
      const { client, member } = await signedIn(server.url, models);
      const other = await makeMember(models);
      const res = await client.post('/api/me/email', { newEmail: other.email, currentPassword: PASSWORD });
      expect(res.status).to.equal(202);
      const free = await client.post('/api/me/email', { newEmail: `free-${unique()}@example.org`, currentPassword: PASSWORD });
      expect(free.body).to.deep.equal(res.body);
      const [mail] = await waitForMail(server.server, other.email);
      expect(mail!.subject).to.match(/cannot be used/i);
      expect(mail!.text).not.to.contain(member.email);
      expect(mail!.text).not.to.match(/#token=/);
      expect(await models.MailToken.countDocuments({ memberId: member._id, purpose: 'change-email', email: other.emailNormalized })).to.equal(0);
      expect((await models.Member.findById(member._id).lean())!.email).to.equal(member.email);
    });

    it('refuses an expired link, a link whose address was taken meanwhile, and is rate limited', async function () {
      const { client, member } = await signedIn(server.url, models);
      const next = `late-${unique()}@example.org`;
      await client.post('/api/me/email', { newEmail: next, currentPassword: PASSWORD });
      const [first] = await waitForMail(server.server, next);
      await models.MailToken.updateMany({ memberId: member._id, purpose: 'change-email' }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      const expired = await new ApiClient(server.url).post('/api/auth/confirm-email-change', { token: linkToken(first!).token });
      expect(expired.status).to.equal(400);
      expect(expired.body.error.code).to.equal('invalid_token');

      await client.post('/api/me/email', { newEmail: next, currentPassword: PASSWORD });
      const second = (await waitForMail(server.server, next, 2))[1]!;
      await makeMember(models, { email: next });
      const taken = await new ApiClient(server.url).post('/api/auth/confirm-email-change', { token: linkToken(second).token });
      expect(taken.status).to.equal(409);
      expect(taken.body.error.code).to.equal('email_taken');
      expect((await models.Member.findById(member._id).lean())!.email).to.equal(member.email);

      for (let i = 0; i < 3; i++) await client.post('/api/me/email', { newEmail: `more-${unique()}@example.org`, currentPassword: PASSWORD });
      expect((await client.post('/api/me/email', { newEmail: `more-${unique()}@example.org`, currentPassword: PASSWORD })).status).to.equal(429);
    });
  });

  describe('the outbox', function () {
    it('shows admins its state without bodies, and sends a test mail; others get 403', async function () {
      const { client: admin, member } = await signedIn(server.url, models, { roles: ['admin'] });
      const { client: plain } = await signedIn(server.url, models);
      expect((await plain.get('/api/admin/mail')).status).to.equal(403);
      expect((await plain.post('/api/admin/mail/test')).status).to.equal(403);
      const sent = await admin.post('/api/admin/mail/test');
      expect(sent.status).to.equal(202);
      const [mail] = await waitForMail(server.server, member.email);
      expect(mail!.messageId).to.equal(`<${sent.body.id}@${new URL(server.config.publicUrl).hostname}>`);
      const state = await admin.get('/api/admin/mail');
      expect(state.status).to.equal(200);
      const entry = state.body.recent.find((item: { id: string }) => item.id === sent.body.id);
      expect(entry).to.include({ kind: 'test', status: 'sent', to: member.email });
      expect(JSON.stringify(state.body)).not.to.match(/test mail|<html|Open Convene/i);
    });

    it('keeps a mail it cannot send, with the reason, and retries later with the same Message-ID', async function () {
      // An SMTP port with nobody behind it.
      const closed = createServer();
      closed.listen(0, '127.0.0.1');
      await once(closed, 'listening');
      const port = (closed.address() as { port: number }).port;
      await new Promise((resolve) => closed.close(resolve));

      const to = `retry-${unique()}@example.org`;
      const broken = new Outbox(models, server.config, testLogger());
      const id = await broken.queue({ kind: 'test', to, subject: 'Retry', text: 'retry', html: '<p>retry</p>' });
      broken.start(`smtp://127.0.0.1:${port}`, 3600_000);
      await broken.idle();
      await broken.stop();
      const waiting = await models.Outbox.findById(id).lean();
      expect(waiting).to.include({ attempts: 1 });
      expect(waiting!.lastError).to.be.a('string').and.not.equal('');
      expect(waiting!.nextAttemptAt.getTime()).to.be.greaterThan(Date.now());
      expect(await deliveredTo(server.server, to)).to.have.length(0);

      // Due again: the server's own worker sends it, once, with the id given at queueing.
      await models.Outbox.updateOne({ _id: id }, { $set: { nextAttemptAt: new Date() } });
      server.server.ctx.outbox.kick();
      const [mail] = await waitForMail(server.server, to);
      expect(mail!.messageId).to.equal(`<${id}@${new URL(server.config.publicUrl).hostname}>`);
      expect(await models.Outbox.countDocuments({ _id: id })).to.equal(0);
      expect((await models.MailLog.findById(id).lean())!.attempts).to.equal(2);
    });

    it('two workers draining the same outbox send each mail once', async function () {
      const to = `once-${unique()}@example.org`;
      const smtpUrl = server.server.localMail!.smtpUrl;
      const workers = [new Outbox(models, server.config, testLogger()), new Outbox(models, server.config, testLogger())];
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await workers[0]!.queue({ kind: 'test', to, subject: `Once ${i}`, text: 'once', html: '<p>once</p>' }));
      for (const worker of workers) worker.start(smtpUrl, 3600_000);
      await Promise.all(workers.map((worker) => worker.idle()));
      await Promise.all(workers.map((worker) => worker.stop()));
      server.server.ctx.outbox.kick();
      await server.server.ctx.outbox.idle();
      const mails = await deliveredTo(server.server, to);
      expect(mails.map((mail) => mail.subject).sort()).to.deep.equal([0, 1, 2, 3, 4].map((i) => `Once ${i}`));
      expect(await models.Outbox.countDocuments({ _id: trusted({ $in: ids }) })).to.equal(0);
    });
  });
});
