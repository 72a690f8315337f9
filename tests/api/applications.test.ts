import { expect } from 'chai';
import type { Models } from '../../backend/src/db/models.ts';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { makeOrganisation, signedIn } from '../factories/members.ts';

function applicationBody(overrides: Record<string, unknown> = {}) {
  return {
    proposedOrganisation: { name: `Tiny Host ${Math.random().toString(36).slice(2, 8)}`, domain: 'tinyhost.example' },
    sector: 'industry',
    jobTitle: 'Trust & Safety lead',
    reason: 'We host files for small communities and need to learn how terrorist content spreads.',
    referee: { name: 'Ref Erence', email: 'ref@partner.example', organisation: 'Partner NGO' },
    ...overrides,
  };
}

describe('applications and vetting', function () {
  let server: TestServer;
  let models: Models;

  before(async function () {
    server = await startTestServer();
    models = server.server.ctx.models;
  });

  after(async function () {
    await server.close();
  });

  async function applicant(email?: string) {
    return signedIn(server.url, models, { status: 'applicant', ...(email ? { email } : {}) });
  }

  describe('the applicant', function () {
    it('submits an application, sees it, and amends it while it waits', async function () {
      const { client, member } = await applicant();
      expect((await client.get('/api/application')).status).to.equal(404);
      const submitted = await client.request('PUT', '/api/application', applicationBody());
      expect(submitted.status).to.equal(200);
      expect(submitted.body).to.include({ status: 'pending', sector: 'industry', jobTitle: 'Trust & Safety lead' });
      const amended = await client.request('PUT', '/api/application', applicationBody({ jobTitle: 'Head of Trust & Safety' }));
      expect(amended.body.jobTitle).to.equal('Head of Trust & Safety');
      expect(amended.body.submittedAt).to.equal(submitted.body.submittedAt);
      const actions = (await models.AuditEvent.find({ targetId: String(member._id) }).lean()).map((event) => event.action);
      expect(actions).to.include.members(['application.submitted', 'application.amended']);
    });

    for (const [what, body, field] of [
      ['both an organisation and a proposal', applicationBody({ organisationId: '0123456789abcdef01234567' }), 'organisationId'],
      ['neither an organisation nor a proposal', applicationBody({ proposedOrganisation: undefined }), 'organisationId'],
      ['a bad domain', applicationBody({ proposedOrganisation: { name: 'X Org', domain: 'not a domain' } }), 'proposedOrganisation.domain'],
      ['an unknown sector', applicationBody({ sector: 'military' }), 'sector'],
      ['a short reason', applicationBody({ reason: 'because' }), 'reason'],
      ['an operator in the job title', applicationBody({ jobTitle: { $gt: '' } }), 'jobTitle'],
      ['a malformed referee e-mail', applicationBody({ referee: { name: 'Ref', email: 'nope', organisation: 'NGO' } }), 'referee.email'],
    ] as const) {
      it(`answers ${what} with 400 naming ${field}, and stores nothing`, async function () {
        const { client, member } = await applicant();
        const res = await client.request('PUT', '/api/application', body);
        expect(res.status).to.equal(400);
        expect(res.body.error.message).to.contain(field);
        expect(await models.Application.exists({ _id: member._id })).to.equal(null);
      });
    }

    it('refuses an organisation id that does not exist, naming the field', async function () {
      const { client } = await applicant();
      const res = await client.request('PUT', '/api/application', applicationBody({ proposedOrganisation: undefined, organisationId: '0123456789abcdef01234567' }));
      expect(res.status).to.equal(400);
      expect(res.body.error.message).to.contain('organisationId');
    });

    it('is all an applicant can do: the directory and the queue are closed to them', async function () {
      const { client } = await applicant();
      expect((await client.get('/api/members')).status).to.equal(403);
      expect((await client.get('/api/vetting/applications')).status).to.equal(403);
      expect((await client.get('/api/audit')).status).to.equal(403);
    });
  });

  describe('the moderator', function () {
    it('sees pending applications with signals, asks a question, and gets the answer back in the queue', async function () {
      const org = await makeOrganisation(models, { name: `Ministry ${Date.now()}`, sector: 'government', domains: ['interior.example'] });
      const { client: applicantClient, member } = await applicant(`analyst-${Date.now()}@interior.example`);
      await applicantClient.request('PUT', '/api/application', applicationBody({ proposedOrganisation: undefined, organisationId: String(org._id), sector: 'government' }));
      const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });

      const queue = await moderator.get('/api/vetting/applications');
      expect(queue.status).to.equal(200);
      const entry = queue.body.find((item: { id: string }) => item.id === String(member._id));
      expect(entry.signals).to.include({ emailDomainMatches: true, sameNameAccounts: 0 });
      expect(entry.signals.waitingHours).to.equal(0);
      expect(entry.application.organisation.name).to.equal(org.name);

      const asked = await moderator.post(`/api/vetting/applications/${member._id}/question`, { text: 'Which unit do you work in?' });
      expect(asked.status).to.equal(200);
      expect(asked.body.application.status).to.equal('needs_info');
      const box = await models.NotificationBox.findById(member._id).lean();
      expect(box?.items.at(-1)).to.include({ kind: 'application.question', body: 'Which unit do you work in?' });

      const own = await applicantClient.get('/api/application');
      expect(own.body.thread).to.deep.equal([{ at: own.body.thread[0].at, from: 'moderator', text: 'Which unit do you work in?' }]);
      const answered = await applicantClient.post('/api/application/answer', { text: 'The online harms unit.' });
      expect(answered.body.status).to.equal('pending');
      expect(answered.body.thread.map((entry: { from: string }) => entry.from)).to.deep.equal(['moderator', 'applicant']);
      const pending = await moderator.get('/api/vetting/applications?status=pending');
      expect(pending.body.some((item: { id: string }) => item.id === String(member._id))).to.equal(true);
    });

    it('approves: the applicant becomes a member with the organisation\'s sector, notified, audited', async function () {
      const { client: applicantClient, member } = await applicant();
      await applicantClient.request('PUT', '/api/application', applicationBody({ sector: 'academia' }));
      const { client: moderator, member: mod } = await signedIn(server.url, models, { roles: ['moderator'] });
      const approved = await moderator.post(`/api/vetting/applications/${member._id}/approve`, {});
      expect(approved.status).to.equal(200);
      expect(approved.body.application.status).to.equal('approved');

      const stored = await models.Member.findById(member._id).lean();
      expect(stored?.status).to.equal('member');
      const org = await models.Organisation.findById(stored!.organisationId).lean();
      expect(org).to.include({ verified: true, sector: 'academia' });
      expect(stored?.sector).to.equal('academia');
      expect(await models.AuditEvent.countDocuments({ action: 'application.approved', actorId: mod._id, targetId: String(member._id) })).to.equal(1);
      // The new member's next request runs with their new rights, on a rotated session id.
      const before = applicantClient.sessionId;
      expect((await applicantClient.get('/api/members')).status).to.equal(200);
      expect(applicantClient.sessionId).not.to.equal(before);
      // The old id lives on only for the rotation grace period.
      const old = await models.Session.findById(before!).lean();
      expect(old!.expiresAt.getTime() - Date.now()).to.be.lessThan(31_000);
      const notifications = await applicantClient.get('/api/notifications');
      expect(notifications.body.items[0]).to.include({ kind: 'application.approved', read: false });
      // Decided is decided.
      expect((await moderator.post(`/api/vetting/applications/${member._id}/reject`, { reason: 'Changed my mind' })).status).to.equal(409);
    });

    it('keeps requests sent in parallel with the old session id working while the session rotates', async function () {
      const { client: applicantClient, member } = await applicant();
      await applicantClient.request('PUT', '/api/application', applicationBody());
      const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
      expect((await moderator.post(`/api/vetting/applications/${member._id}/approve`, {})).status).to.equal(200);
      const oldCookie = applicantClient.cookie!;
      const twin = new ApiClient(server.url);
      twin.cookie = oldCookie;
      // A browser sends these together, all with the cookie it had.
      const [first, second, third] = await Promise.all([applicantClient.get('/api/notifications'), twin.get('/api/session'), twin.get('/api/me')]);
      expect(first.status).to.equal(200);
      expect(second.body.member?.id).to.equal(String(member._id));
      expect(third.status).to.equal(200);
      // The old id stays valid only briefly, and signing out ends it at once.
      const stored = await models.Session.findById(oldCookie.split('=')[1]!.replace(/^s%3A/, '').split('.')[0]).lean();
      expect(stored!.expiresAt.getTime() - Date.now()).to.be.lessThan(31_000);
      expect((await twin.post('/api/auth/sign-out')).status).to.equal(204);
      expect((await twin.get('/api/session')).body.member).to.equal(null);
    });

    it('rejects with a reason the applicant sees; the application can no longer be changed', async function () {
      const { client: applicantClient, member } = await applicant();
      await applicantClient.request('PUT', '/api/application', applicationBody());
      const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
      const rejected = await moderator.post(`/api/vetting/applications/${member._id}/reject`, { reason: 'We could not confirm your referee.' });
      expect(rejected.body.application.status).to.equal('rejected');
      const own = await applicantClient.get('/api/application');
      expect(own.body.decision.reason).to.equal('We could not confirm your referee.');
      expect((await applicantClient.request('PUT', '/api/application', applicationBody())).status).to.equal(409);
      expect((await models.Member.findById(member._id).lean())?.status).to.equal('applicant');
    });

    it('answers a malformed or unknown applicant id with 400 and 404', async function () {
      const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
      expect((await moderator.post('/api/vetting/applications/not-an-id/approve', {})).status).to.equal(400);
      expect((await moderator.post('/api/vetting/applications/0123456789abcdef01234567/approve', {})).status).to.equal(404);
    });

    it('is refused to plain members (403) and visitors (401)', async function () {
      const { client: member } = await signedIn(server.url, models);
      expect((await member.get('/api/vetting/applications')).status).to.equal(403);
      expect((await new ApiClient(server.url).get('/api/vetting/applications')).status).to.equal(401);
    });
  });
});
