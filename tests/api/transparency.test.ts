import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { Models } from '../../backend/src/db/models.ts';
import { median, monthOf } from '../../backend/src/moderation/transparency.ts';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedIn } from '../factories/members.ts';

const key = () => randomBytes(8).toString('hex');

function applicationBody() {
  return {
    proposedOrganisation: { name: `Tiny Host ${key()}`, domain: 'tinyhost.example' },
    sector: 'industry',
    jobTitle: 'Trust & Safety lead',
    reason: 'We host files for small communities and need to learn how terrorist content spreads.',
    referee: { name: 'Ref Erence', email: 'ref@partner.example', organisation: 'Partner NGO' },
  };
}

/**
 * The report's numbers, checked against a known set of events on a fresh database: reports by
 * reason, actions by type, the median time to first action, appeals and outcomes, applications.
 */
describe('transparency report', function () {
  let server: TestServer;
  let models: Models;

  before(async function () {
    server = await startTestServer({ postingBurst: 200 });
    models = server.server.ctx.models;
  });

  after(async function () {
    await server.close();
  });

  it('computes the median of odd and even lists', function () {
    expect(median([])).to.equal(null);
    expect(median([600, 60, 120])).to.equal(120);
    expect(median([60, 120, 600, 30])).to.equal(90);
  });

  it('counts a known set of events, with no names, ids or content; members see a page, the public a JSON export', async function () {
    const space = await models.Space.findOne({ slug: 'plenary' }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name: `tr-${key()}` });
    const channelId = String(channel._id);
    const { client: author, member: authorDoc } = await signedIn(server.url, models);
    const items: string[] = [];
    for (const text of ['item A, secret words', 'item B', 'item C']) {
      items.push((await author.post(`/api/channels/${channelId}/messages`, { text, idempotencyKey: key() })).body.id);
    }
    const [a, b, c] = items as [string, string, string];
    const reporters = await Promise.all([1, 2, 3, 4].map(() => signedIn(server.url, models)));
    const report = (index: number, id: string, reason: string) => reporters[index]!.client.post('/api/moderation/reports', { type: 'message', id, reason });
    expect((await report(0, a, 'harassment')).status).to.equal(201);
    expect((await report(1, a, 'personal_data')).status).to.equal(201);
    expect((await report(2, b, 'terrorist_content')).status).to.equal(201);
    expect((await report(3, c, 'off_topic')).status).to.equal(201);
    expect((await report(3, c, 'other')).status).to.equal(409); // a refused duplicate counts nothing

    // First reports 60 s, 120 s and 600 s ago: the median time to first action is 120 s.
    const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);
    await models.ModerationQueue.updateOne({ _id: `message:${a}` }, { $set: { firstReportAt: ago(60) } });
    await models.ModerationQueue.updateOne({ _id: `message:${b}` }, { $set: { firstReportAt: ago(120) } });
    await models.ModerationQueue.updateOne({ _id: `message:${c}` }, { $set: { firstReportAt: ago(600) } });

    const { client: first } = await signedIn(server.url, models, { roles: ['moderator'] });
    const { client: second } = await signedIn(server.url, models, { roles: ['moderator'] });
    const act = async (id: string, kind: string, reason = 'harassment') => {
      const res = await first.post('/api/moderation/actions', { type: 'message', id, kind, reason });
      expect(res.status).to.equal(201);
      return res.body.id as string;
    };
    const hideA = await act(a, 'hide');
    await act(a, 'warn'); // a second action on A: not a first action
    const warningB = await act(b, 'warning', 'terrorist_content');
    const dismissC = await act(c, 'dismiss', 'other');
    expect((await second.post(`/api/moderation/actions/${dismissC}/reverse`, {})).status).to.equal(200);
    // Appeals: A overturned (which is also a reversal), B upheld.
    expect((await author.post(`/api/moderation/actions/${hideA}/appeal`, { note: 'please' })).status).to.equal(201);
    expect((await author.post(`/api/moderation/actions/${warningB}/appeal`, { note: 'please' })).status).to.equal(201);
    expect((await second.post(`/api/moderation/actions/${hideA}/appeal/decision`, { outcome: 'overturn' })).status).to.equal(200);
    expect((await second.post(`/api/moderation/actions/${warningB}/appeal/decision`, { outcome: 'uphold' })).status).to.equal(200);

    // Applications: one approved, one rejected.
    const applicants = await Promise.all([1, 2].map(() => signedIn(server.url, models, { status: 'applicant' })));
    for (const { client } of applicants) expect((await client.request('PUT', '/api/application', applicationBody())).status).to.be.oneOf([200, 201]);
    expect((await first.post(`/api/vetting/applications/${applicants[0]!.member._id}/approve`, {})).status).to.equal(200);
    expect((await first.post(`/api/vetting/applications/${applicants[1]!.member._id}/reject`, { reason: 'Referee unknown.' })).status).to.equal(200);

    const page = await reporters[0]!.client.get('/api/transparency');
    expect(page.status).to.equal(200);
    const publicExport = await new ApiClient(server.url).get('/api/transparency.json');
    expect(publicExport.status).to.equal(200);
    expect(publicExport.body.months).to.deep.equal(page.body.months);
    // Other tests here may add months of their own (events held long ago); this one counts the current month.
    const month = page.body.months.find((entry: { month: string }) => entry.month === monthOf(new Date()));
    expect(month, JSON.stringify(page.body.months)).to.be.an('object');
    expect(month.reports).to.deep.equal({ terrorist_content: 1, harassment: 1, personal_data: 1, misinformation: 0, off_topic: 1, other: 0 });
    expect(month.actions).to.deep.equal({ dismiss: 1, hide: 1, warning: 1, redact: 0, warn: 1, suspend: 0 });
    expect(month.reversals).to.equal(2);
    expect(month.medianSecondsToFirstAction).to.be.within(120, 125);
    expect(month.appeals).to.deep.equal({ received: 2, upheld: 1, overturned: 1 });
    expect(month.applications).to.deep.equal({ approved: 1, rejected: 1 });

    // Counts only: nothing that names a person, an item or its content.
    const text = JSON.stringify(publicExport.body);
    for (const forbidden of [String(authorDoc._id), authorDoc.name, channelId, 'secret words', ...reporters.map((r) => r.member.name)]) {
      expect(text).to.not.include(forbidden);
    }
    expect(text).to.not.match(/[0-9a-f]{24}/);
    // The page is for members; applicants are not members.
    expect((await new ApiClient(server.url).get('/api/transparency')).status).to.equal(401);
    const { client: applicant } = await signedIn(server.url, models, { status: 'applicant' });
    expect((await applicant.get('/api/transparency')).status).to.equal(403);
  });

  it('counts events held per month by kind and their registered participants, once they have ended; counts only', async function () {
    const { client: organiser, member: organiserDoc } = await signedIn(server.url, models, { roles: ['organiser'] });
    const soon = Date.now() + 7 * 86_400_000;
    const create = async (kind: string, title: string, capacity: number) => {
      const res = await organiser.post('/api/events', {
        kind,
        title,
        startsAt: new Date(soon).toISOString(),
        endsAt: new Date(soon + 2 * 3600_000).toISOString(),
        timeZone: 'Europe/Lisbon',
        mode: 'in_person',
        city: 'Porto',
        venue: 'Secret Venue 9',
        capacity,
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body.id as string;
    };
    const workshop = await create('workshop', `Held workshop ${key()}`, 2);
    const webinar = await create('webinar', `Held webinar ${key()}`, 5);
    const secondWorkshop = await create('workshop', `Second workshop ${key()}`, 5);
    const running = await create('focus_group', `Still running ${key()}`, 5);
    const upcoming = await create('webinar', `Not yet ${key()}`, 5);
    // Three people ask for the workshop's two places (one waits), two take the webinar, one the upcoming one.
    const people = await Promise.all([1, 2, 3].map(() => signedIn(server.url, models)));
    for (const { client } of people) expect((await client.request('PUT', `/api/events/${workshop}/registration`)).status).to.equal(200);
    for (const { client } of people.slice(0, 2)) expect((await client.request('PUT', `/api/events/${webinar}/registration`)).status).to.equal(200);
    expect((await people[0]!.client.request('PUT', `/api/events/${upcoming}/registration`)).status).to.equal(200);
    expect((await people[0]!.client.request('PUT', `/api/events/${running}/registration`)).status).to.equal(200);

    // Then time passes: move them into months no other test touches (the engine keeps instants).
    const at = (iso: string) => new Date(iso);
    const move = (id: string, startsAt: string, endsAt: string) => models.Event.updateOne({ _id: id }, { $set: { startsAt: at(startsAt), endsAt: at(endsAt) } });
    await move(workshop, '2021-03-10T09:00:00Z', '2021-03-10T12:00:00Z');
    await move(webinar, '2021-03-31T23:30:00Z', '2021-04-01T01:00:00Z'); // counted in the month it started (UTC)
    await move(secondWorkshop, '2021-05-02T09:00:00Z', '2021-05-02T10:00:00Z');
    await move(running, new Date(Date.now() - 3600_000).toISOString(), new Date(Date.now() + 3600_000).toISOString());

    const report = await people[0]!.client.get('/api/transparency');
    expect(report.status).to.equal(200);
    const monthOfReport = (id: string) => report.body.months.find((entry: { month: string }) => entry.month === id);
    expect(monthOfReport('2021-03')).to.deep.include({ eventsHeld: { workshop: 1, focus_group: 0, webinar: 1 }, eventAttendance: 4 });
    expect(monthOfReport('2021-03').reports).to.deep.equal({ terrorist_content: 0, harassment: 0, personal_data: 0, misinformation: 0, off_topic: 0, other: 0 });
    expect(monthOfReport('2021-04')).to.equal(undefined);
    expect(monthOfReport('2021-05')).to.deep.include({ eventsHeld: { workshop: 1, focus_group: 0, webinar: 0 }, eventAttendance: 0 });
    // The event still running, and the one to come, count nothing yet.
    const current = monthOfReport(monthOf(new Date()));
    if (current) expect(current.eventsHeld.focus_group).to.equal(0);
    for (const entry of report.body.months) expect(entry.eventsHeld.webinar + entry.eventsHeld.workshop + entry.eventsHeld.focus_group).to.be.at.most(2);
    // Newest month first.
    const order = report.body.months.map((entry: { month: string }) => entry.month);
    expect(order).to.deep.equal([...order].sort().reverse());

    // The public export carries the same counts and nothing that names an event, a place or a person.
    const publicExport = await new ApiClient(server.url).get('/api/transparency.json');
    expect(publicExport.body.months).to.deep.equal(report.body.months);
    const text = JSON.stringify(publicExport.body);
    for (const forbidden of [workshop, webinar, 'Held workshop', 'Porto', 'Secret Venue', organiserDoc.name, ...people.map((p) => p.member.name)]) expect(text).to.not.include(forbidden);
  });
});
