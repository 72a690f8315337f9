import { expect } from 'chai';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { makeOrganisation, signedIn } from '../factories/members.ts';
import { linkToken, waitForMail } from '../helpers/mail.ts';
import { ManualClock } from '../../backend/src/shared/clock.ts';
import { runReverification } from '../../backend/src/members/reverification.ts';
import type { Models } from '../../backend/src/db/models.ts';
import type { MemberDoc } from '../../backend/src/members/member.model.ts';

const DAY = 24 * 3600_000;

describe('yearly re-verification of affiliations', function () {
  let server: TestServer;
  let models: Models;
  let clock: ManualClock;

  before(async function () {
    server = await startTestServer();
    models = server.server.ctx.models;
  });

  beforeEach(async function () {
    clock = new ManualClock();
    server.server.ctx.clock = clock;
    await models.RateLimit.deleteMany({});
  });

  after(async function () {
    await server.close();
  });

  /** A signed-in member whose affiliation was last confirmed `daysAgo` days ago. */
  async function memberConfirmed(daysAgo: number, input: { email?: string } = {}) {
    const organisation = await makeOrganisation(models, { sector: 'industry' });
    const email = input.email ?? `person-${Math.random().toString(36).slice(2, 10)}@${organisation.domains[0]}`;
    const { client, member } = await signedIn(server.url, models, { organisation, email });
    await models.Member.updateOne({ _id: member._id }, { $set: { affiliation: { confirmedAt: new Date(clock.now() - daysAgo * DAY), askedAt: null, lapsedAt: null } } });
    return { client, member, organisation };
  }

  const moderator = () => signedIn(server.url, models, { roles: ['moderator'] });
  /** Runs the job, then again past the notice and grace periods after its ask. */
  const askThenLapse = async () => {
    await runReverification(server.server.ctx);
    clock.advance(61 * DAY);
    return runReverification(server.server.ctx);
  };
  const stored = async (member: MemberDoc) => (await models.Member.findById(member._id).lean<MemberDoc>())!;

  it('asks a member whose affiliation runs out within the notice period, once, with a link to their address on the domain', async function () {
    const fresh = await memberConfirmed(100);
    const due = await memberConfirmed(340);
    await runReverification(server.server.ctx);
    const [mail] = await waitForMail(server.server, due.member.email);
    expect(mail!.subject).to.match(/confirm your affiliation/i);
    expect(linkToken(mail!).url).to.equal(`${server.config.publicUrl}/confirm-affiliation`);
    expect(mail!.text).to.contain(due.organisation.name);
    const me = (await due.client.get('/api/me')).body;
    expect(me.affiliation.state).to.equal('due');
    expect(me.affiliation.askedAt).to.be.a('string');
    expect((await fresh.client.get('/api/me')).body.affiliation.state).to.equal('current');
    expect(await models.AuditEvent.countDocuments({ action: 'member.reverification_requested', targetId: String(due.member._id) })).to.equal(1);
    // Asked once per period, however often the job runs.
    await runReverification(server.server.ctx);
    clock.advance(3 * DAY);
    await runReverification(server.server.ctx);
    expect(await models.AuditEvent.countDocuments({ action: 'member.reverification_requested', targetId: String(due.member._id) })).to.equal(1);
    expect((await stored(fresh.member)).affiliation?.askedAt ?? null).to.equal(null);

    const { client: mod } = await moderator();
    const lists = (await mod.get('/api/moderation/reverification')).body;
    expect(lists.due.map((entry: { id: string }) => entry.id)).to.include(String(due.member._id)).and.not.include(String(fresh.member._id));
    expect((await due.client.get('/api/moderation/reverification')).status).to.equal(403);
  });

  it('a member never confirmed since joining goes by the day they joined: asked a period less the notice after it, not before', async function () {
    const [unset, nulled, recent] = [await memberConfirmed(0), await memberConfirmed(0), await memberConfirmed(0)];
    const joined = (days: number) => new Date(clock.now() - days * DAY);
    await models.Member.collection.updateOne({ _id: unset.member._id }, { $unset: { affiliation: '' }, $set: { createdAt: joined(340) } });
    await models.Member.collection.updateOne({ _id: nulled.member._id }, { $set: { affiliation: { confirmedAt: null, askedAt: null, lapsedAt: null }, createdAt: joined(340) } });
    await models.Member.collection.updateOne({ _id: recent.member._id }, { $unset: { affiliation: '' }, $set: { createdAt: joined(100) } });
    await runReverification(server.server.ctx);
    const asked = async (who: { member: MemberDoc }) => models.AuditEvent.countDocuments({ action: 'member.reverification_requested', targetId: String(who.member._id) });
    expect([await asked(unset), await asked(nulled), await asked(recent)]).to.deep.equal([1, 1, 0]);
    expect((await unset.client.get('/api/me')).body.affiliation.state).to.equal('due');
    expect((await recent.client.get('/api/me')).body.affiliation.state).to.equal('current');
  });

  it('confirmed: the link renews the affiliation for another period, once; the member page shows it', async function () {
    const due = await memberConfirmed(350);
    await runReverification(server.server.ctx);
    const [mail] = await waitForMail(server.server, due.member.email);
    const { token } = linkToken(mail!);
    const done = await new ApiClient(server.url).post('/api/auth/confirm-affiliation', { token });
    expect(done.status).to.equal(204);
    const affiliation = (await due.client.get('/api/me')).body.affiliation;
    expect(affiliation.state).to.equal('current');
    expect(new Date(affiliation.expiresAt).getTime()).to.equal(clock.now() + 365 * DAY);
    expect(await models.AuditEvent.countDocuments({ action: 'member.affiliation_confirmed', targetId: String(due.member._id) })).to.equal(1);
    const reused = await new ApiClient(server.url).post('/api/auth/confirm-affiliation', { token });
    expect(reused.status).to.equal(400);
    expect(reused.body.error.code).to.equal('invalid_token');

    const { client: mod } = await moderator();
    const lists = (await mod.get('/api/moderation/reverification')).body;
    expect(lists.confirmed.map((entry: { id: string }) => entry.id)).to.include(String(due.member._id));
    const page = (await mod.get(`/api/admin/members?q=${encodeURIComponent(due.member.name)}`)).body;
    const row = (page.items ?? page).find((entry: { id: string }) => entry.id === String(due.member._id));
    expect(row.affiliation.state).to.equal('current');
  });

  it('lapsed: past the grace period the member keeps the account but reaches nothing, and is told', async function () {
    const late = await memberConfirmed(400);
    expect((await late.client.get('/api/spaces')).status).to.equal(200);
    // Long past its expiry, but never asked: asked first, with the full time to answer.
    const first = await runReverification(server.server.ctx);
    expect(first.asked).to.be.at.least(1);
    expect((await stored(late.member)).status).to.equal('member');
    clock.advance(59 * DAY);
    await runReverification(server.server.ctx);
    expect((await stored(late.member)).status).to.equal('member');
    clock.advance(2 * DAY);
    const { lapsed } = await runReverification(server.server.ctx);
    expect(lapsed).to.be.at.least(1);
    expect((await stored(late.member)).status).to.equal('lapsed');
    expect((await late.client.get('/api/spaces')).status).to.equal(403);
    expect((await late.client.get('/api/alerts')).status).to.equal(403);
    const me = await late.client.get('/api/me');
    expect(me.status).to.equal(200);
    expect(me.body.affiliation.state).to.equal('lapsed');
    const mails = await waitForMail(server.server, late.member.email, 2);
    expect(mails.map((mail) => mail.subject).join('|')).to.match(/paused/i);
    expect(await models.AuditEvent.countDocuments({ action: 'member.affiliation_lapsed', targetId: String(late.member._id) })).to.equal(1);
    const { client: colleague } = await signedIn(server.url, models);
    const directory = await colleague.get(`/api/members?q=${encodeURIComponent(late.member.name)}`);
    expect(JSON.stringify(directory.body)).not.to.contain(String(late.member._id));
    const { client: mod } = await moderator();
    expect((await mod.get('/api/moderation/reverification')).body.lapsed.map((entry: { id: string }) => entry.id)).to.include(String(late.member._id));
  });

  it('restored: a lapsed member confirms at another address on the domain, never at one elsewhere', async function () {
    const late = await memberConfirmed(400, { email: `private-${Math.random().toString(36).slice(2, 10)}@mail.example` });
    await askThenLapse();
    expect((await stored(late.member)).status).to.equal('lapsed');
    // Their own address is not on the organisation's domain: the ask came without a link.
    const told = await waitForMail(server.server, late.member.email, 2);
    for (const mail of told) expect(mail.text).not.to.match(/#token=/);
    const elsewhere = await late.client.post('/api/me/affiliation/confirmation', {});
    expect(elsewhere.status).to.equal(400);
    expect(elsewhere.body.error.code).to.equal('not_on_domain');
    const work = `work-${Math.random().toString(36).slice(2, 10)}@${late.organisation.domains[0]}`;
    const sent = await late.client.post('/api/me/affiliation/confirmation', { email: work });
    expect(sent.status).to.equal(204);
    const [link] = await waitForMail(server.server, work);
    const done = await new ApiClient(server.url).post('/api/auth/confirm-affiliation', { token: linkToken(link!).token });
    expect(done.status).to.equal(204);
    expect((await stored(late.member)).status).to.equal('member');
    expect((await late.client.get('/api/spaces')).status).to.equal(200);
    const { client: colleague } = await signedIn(server.url, models);
    expect(JSON.stringify((await colleague.get(`/api/members?q=${encodeURIComponent(late.member.name)}`)).body)).to.contain(String(late.member._id));
    const audit = await models.AuditEvent.findOne({ action: 'member.affiliation_confirmed', targetId: String(late.member._id) }).lean<{ details: { restored: boolean } }>();
    expect(audit!.details.restored).to.equal(true);
  });

  it('a moderator can vet a lapsed member again; nobody else can', async function () {
    const late = await memberConfirmed(500);
    await askThenLapse();
    expect((await stored(late.member)).status).to.equal('lapsed');
    const { client: other } = await signedIn(server.url, models);
    expect((await other.post(`/api/moderation/members/${late.member._id}/affiliation`, {})).status).to.equal(403);
    const { client: mod } = await moderator();
    expect((await mod.post(`/api/moderation/members/${late.member._id}/affiliation`, {})).status).to.equal(204);
    expect((await stored(late.member)).status).to.equal('member');
    expect((await late.client.get('/api/spaces')).status).to.equal(200);
    expect((await mod.post('/api/moderation/members/000000000000000000000000/affiliation', {})).status).to.equal(404);
  });
});
