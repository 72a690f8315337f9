import { expect } from 'chai';
import { io as connect, type Socket } from 'socket.io-client';
import type { Models } from '../../backend/src/db/models.ts';
import type { MemberDoc } from '../../backend/src/members/member.model.ts';
import type { OrganisationDoc } from '../../backend/src/organisations/organisation.model.ts';
import type { ClientToServerEvents, NotificationPayload, ServerToClientEvents } from '../../backend/src/shared/realtime-events.ts';
import { ManualClock } from '../../backend/src/shared/clock.ts';
import { OPEN_RATE_LIMIT, runSupportDeadlines } from '../../backend/src/support/support.actions.ts';
import type { Role } from '../../backend/src/policy/policy.ts';
import { ApiClient } from '../helpers/client.ts';
import { deliveredTo, waitForMail } from '../helpers/mail.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { makeOrganisation, signedIn } from '../factories/members.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
type Updated = Parameters<ServerToClientEvents['support.updated']>[0];

const MINUTE = 60_000;
const SECRET = 'Our moderation backlog on the video service';

const requestBody = (overrides: Record<string, unknown> = {}) => ({
  kind: 'technical',
  category: 'hash_matching',
  urgency: 'normal',
  subject: 'Setting up hash matching',
  description: `We need **help**. ${SECRET} <script>alert(1)</script>`,
  ...overrides,
});

const removalBody = (receivedAt: Date, overrides: Record<string, unknown> = {}) =>
  requestBody({ kind: 'legal', category: 'removal_order', subject: 'Removal order from an authority', orderReceivedAt: receivedAt.toISOString(), jurisdiction: 'EU', ...overrides });

interface Person {
  client: ApiClient;
  member: MemberDoc;
  id: string;
}

describe('support desk (HTTP, deadlines, real time)', function () {
  let server: TestServer;
  let models: Models;
  let clock: ManualClock;
  const sockets: ClientSocket[] = [];

  before(async function () {
    server = await startTestServer({
      // The job's own timer never runs during a test: the tests run it after moving the clock.
      support: { removalOrderDeadlineMinutes: { default: 60, EU: 60, XX: 120 }, firstResponseTargetMinutes: { low: 4320, normal: 1440, high: 240, critical: 60 }, deadlineCheckIntervalMs: 3_600_000 },
    });
    models = server.server.ctx.models;
    clock = new ManualClock(Date.parse('2026-12-07T09:00:00Z'));
    server.server.ctx.clock = clock;
  });

  beforeEach(async function () {
    // Every test signs in a dozen people from one address: start each under the sign-in limit.
    await models.RateLimit.deleteMany({});
  });

  afterEach(async function () {
    for (const socket of sockets.splice(0)) socket.disconnect();
    // Each test starts with nobody on duty and no open removal order (the job reads the whole desk).
    await models.Member.updateMany({}, { $set: { onDuty: false } });
    await models.SupportRequest.updateMany({}, { $set: { status: 'resolved' } });
  });

  after(async function () {
    await server.close();
  });

  async function person(input: { organisation?: OrganisationDoc | null; roles?: Role[]; areas?: string[]; onDuty?: boolean; name?: string } = {}): Promise<Person> {
    const { client, member } = await signedIn(server.url, models, { organisation: input.organisation, roles: input.roles, name: input.name });
    if (input.areas || input.onDuty) await models.Member.updateOne({ _id: member._id }, { $set: { expertAreas: input.areas ?? [], onDuty: Boolean(input.onDuty) } });
    return { client, member, id: String(member._id) };
  }

  /** Every persona of the visibility matrix, the requester's organisation named `orgName`. */
  async function cast(orgName = `Acme ${Math.random().toString(16).slice(2, 8)}`) {
    const org = await makeOrganisation(models, { name: orgName });
    return {
      org,
      requester: await person({ organisation: org, name: 'Rita Requester' }),
      colleague: await person({ organisation: org }),
      otherOrg: await person(),
      moderator: await person({ roles: ['moderator'] }),
      admin: await person({ roles: ['admin'] }),
      triage: await person({ roles: ['triage'] }),
      expert: await person({ roles: ['expert'], areas: ['hash_matching', 'removal_order'] }),
      unassignedExpert: await person({ roles: ['expert'], areas: ['hash_matching'] }),
    };
  }

  async function open(client: ApiClient): Promise<{ socket: ClientSocket; updates: Updated[]; removed: string[]; notifications: NotificationPayload[] }> {
    const socket: ClientSocket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: client.cookie! } });
    sockets.push(socket);
    const updates: Updated[] = [];
    const removed: string[] = [];
    const notifications: NotificationPayload[] = [];
    socket.on('support.updated', (payload) => updates.push(payload));
    socket.on('support.removed', (payload) => removed.push(payload.requestId));
    socket.on('notification.created', (payload) => notifications.push(payload));
    await new Promise((resolve, reject) => {
      socket.once('session.ready', resolve);
      socket.once('connect_error', reject);
    });
    return { socket, updates, removed, notifications };
  }

  /** Everything the server sent this socket before now has arrived. */
  async function settle(socket: ClientSocket): Promise<void> {
    expect((await socket.emitWithAck('system.ping', {})).ok).to.equal(true);
  }

  async function openRequest(client: ApiClient, body: Record<string, unknown> = requestBody()): Promise<string> {
    const res = await client.post('/api/support/requests', body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id;
  }

  const assign = (triage: ApiClient, id: string, expertIds: string[]) => triage.request('PUT', `/api/support/requests/${id}/experts`, { expertIds });

  it('opens a request: rendered and sanitised, owned by the organisation, audited and counted; visitors 401, members without an organisation 403', async function () {
    const { requester, org } = await cast();
    const res = await requester.client.post('/api/support/requests', requestBody());
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.descriptionHtml).to.contain('<strong>help</strong>').and.not.contain('<script');
    expect(res.body).to.include({ status: 'new', visibility: 'org', anonymousToExperts: false, kind: 'technical', category: 'hash_matching', firstResponseAt: null, removalOrder: null });
    expect(res.body.organisation).to.deep.equal({ id: String(org._id), name: org.name });
    expect(res.body.viewer).to.include({ as: 'requester', canAssign: false, canRate: false });
    // Opened by the server's clock; the target for "normal" is 24 hours.
    expect(res.body.openedAt).to.equal(clock.date().toISOString());
    expect(Date.parse(res.body.firstResponseDueAt) - clock.now()).to.equal(1440 * MINUTE);
    const audit = await models.AuditEvent.findOne({ action: 'support.opened', targetId: res.body.id }).lean();
    expect(String(audit?.actorId)).to.equal(requester.id);
    expect(JSON.stringify(audit?.details)).not.to.contain(SECRET);

    const visitor = new ApiClient(server.url);
    expect((await visitor.post('/api/support/requests', requestBody())).status).to.equal(401);
    expect((await visitor.get(`/api/support/requests/${res.body.id}`)).status).to.equal(401);
    expect((await visitor.get('/api/support/queue')).status).to.equal(401);
    const orphan = await person({ organisation: null });
    const refused = await orphan.client.post('/api/support/requests', requestBody());
    expect(refused.status).to.equal(403);
    expect(refused.body.error.code).to.equal('forbidden');
  });

  it('shows a request only to its organisation (or only its requester), triage and the assigned experts: every persona, every path', async function () {
    const people = await cast();
    const orgWide = await openRequest(people.requester.client);
    const onlyMe = await openRequest(people.requester.client, requestBody({ visibility: 'requester', subject: 'Only for me' }));
    for (const id of [orgWide, onlyMe]) expect((await assign(people.triage.client, id, [people.expert.id])).status).to.equal(200);

    const SEES: Record<string, string[]> = {
      [orgWide]: ['requester', 'colleague', 'triage', 'expert'],
      [onlyMe]: ['requester', 'triage', 'expert'],
    };
    for (const [id, who] of Object.entries(SEES)) {
      for (const [name, p] of Object.entries(people)) {
        if (name === 'org') continue;
        const client = (p as Person).client;
        const detail = await client.get(`/api/support/requests/${id}`);
        const sees = who.includes(name);
        expect(detail.status, `${name} GET ${id === orgWide ? 'org-wide' : 'only-me'}`).to.equal(sees ? 200 : 404);
        // Writing to a request one may not see reads like writing to one that does not exist.
        const reply = await client.post(`/api/support/requests/${id}/replies`, { body: 'hello' });
        if (!sees) expect(reply.status, `${name} reply`).to.equal(404);
        const status = await client.post(`/api/support/requests/${id}/status`, { status: 'in_progress' });
        if (!sees) expect(status.status, `${name} status`).to.equal(404);
      }
    }
    // Lists: the requester's side lists its organisation's requests; the expert lists assigned ones.
    const listed = async (p: Person, scope = 'mine') => ((await p.client.get(`/api/support/requests?scope=${scope}`)).body.requests as { id: string }[]).map((r) => r.id);
    expect(await listed(people.requester)).to.include.members([orgWide, onlyMe]);
    expect(await listed(people.colleague)).to.include(orgWide).and.not.include(onlyMe);
    expect(await listed(people.otherOrg)).to.not.include.members([orgWide]);
    expect(await listed(people.otherOrg)).to.not.include(onlyMe);
    expect(await listed(people.expert, 'assigned')).to.include.members([orgWide, onlyMe]);
    expect(await listed(people.unassignedExpert, 'assigned')).to.not.include(orgWide);
    expect(await listed(people.moderator)).to.not.include(orgWide);
    // The queue is triage's alone; admins and moderators outside triage get 403.
    const queue = await people.triage.client.get('/api/support/queue');
    expect(queue.status).to.equal(200);
    expect(queue.body.requests.map((r: { id: string }) => r.id)).to.include.members([orgWide, onlyMe]);
    for (const p of [people.moderator, people.admin, people.expert, people.requester]) expect((await p.client.get('/api/support/queue')).status).to.equal(403);
    // The audit log: a moderator outside triage does not see entries about the request; an admin sees them withheld.
    const modAudit = await people.moderator.client.get(`/api/audit?action=support.opened&limit=200`);
    expect(modAudit.status).to.equal(200);
    expect(JSON.stringify(modAudit.body)).not.to.contain(orgWide);
    const adminAudit = await people.admin.client.get(`/api/audit?action=support.opened&limit=200`);
    expect(adminAudit.body.items.filter((item: { withheld: boolean; actor: { id: string } | null }) => item.actor?.id === people.requester.id).every((item: { withheld: boolean }) => item.withheld)).to.equal(true);
    expect(JSON.stringify(adminAudit.body)).not.to.contain(orgWide);
    // Unassigning takes the request away at once.
    expect((await assign(people.triage.client, orgWide, [people.unassignedExpert.id])).status).to.equal(200);
    expect((await people.expert.client.get(`/api/support/requests/${orgWide}`)).status).to.equal(404);
    expect((await people.unassignedExpert.client.get(`/api/support/requests/${orgWide}`)).status).to.equal(200);
  });

  it('never names the organisation or the requester to experts of an anonymous request: detail, list, thread, sockets, notifications', async function () {
    const orgName = `Zeta Secretive ${Math.random().toString(16).slice(2, 8)}`;
    const people = await cast(orgName);
    const expertLive = await open(people.expert.client);
    const id = await openRequest(people.requester.client, requestBody({ anonymousToExperts: true }));
    expect((await assign(people.triage.client, id, [people.expert.id])).status).to.equal(200);
    expect((await people.colleague.client.post(`/api/support/requests/${id}/replies`, { body: 'More detail from a colleague.' })).status).to.equal(201);
    expect((await people.requester.client.post(`/api/support/requests/${id}/replies`, { body: 'And from me.' })).status).to.equal(201);
    const deskReply = await people.expert.client.post(`/api/support/requests/${id}/replies`, { body: 'Here is how.' });
    expect(deskReply.status).to.equal(201);
    expect(deskReply.body.author).to.deep.equal({ id: people.expert.id, name: people.expert.member.name });
    await settle(expertLive.socket);

    const leaks = (value: unknown) => {
      const text = JSON.stringify(value);
      for (const secret of [orgName, String(people.org._id), 'Rita Requester', people.requester.id, people.colleague.id, people.colleague.member.name]) expect(text, `leaks ${secret}`).not.to.contain(secret);
    };
    const detail = await people.expert.client.get(`/api/support/requests/${id}`);
    expect(detail.status).to.equal(200);
    expect(detail.body.organisation).to.equal(null);
    expect(detail.body.requester).to.equal(null);
    expect(detail.body.replies.filter((r: { side: string }) => r.side === 'requester').map((r: { author: unknown }) => r.author)).to.deep.equal([null, null]);
    leaks(detail.body);
    leaks((await people.expert.client.get('/api/support/requests?scope=assigned')).body);
    expect(expertLive.updates.length).to.be.greaterThan(0);
    leaks(expertLive.updates);
    leaks(expertLive.notifications);
    leaks((await people.expert.client.get('/api/notifications')).body);
    // Triage and the requester's side see everyone.
    const triageView = await people.triage.client.get(`/api/support/requests/${id}`);
    expect(triageView.body.organisation.name).to.equal(orgName);
    expect(triageView.body.requester.name).to.equal('Rita Requester');
    const colleagueView = await people.colleague.client.get(`/api/support/requests/${id}`);
    expect(colleagueView.body.replies.map((r: { author: { name: string } }) => r.author.name)).to.deep.equal([people.colleague.member.name, 'Rita Requester', people.expert.member.name]);
    // A request that is not anonymous names them to the expert.
    const named = await openRequest(people.requester.client);
    await assign(people.triage.client, named, [people.expert.id]);
    expect((await people.expert.client.get(`/api/support/requests/${named}`)).body.organisation.name).to.equal(orgName);
  });

  it('runs the thread and the status flow: first response, waiting for the requester, resolved; who may move it where', async function () {
    const people = await cast();
    const id = await openRequest(people.requester.client, requestBody({ urgency: 'high' }));
    // Nobody but triage assigns.
    expect((await assign(people.requester.client, id, [people.expert.id])).status).to.equal(403);
    const assigned = await assign(people.triage.client, id, [people.expert.id]);
    expect(assigned.body.status).to.equal('triaged');
    expect(assigned.body.assignedExperts).to.deep.equal([{ id: people.expert.id, name: people.expert.member.name, areas: ['hash_matching', 'removal_order'] }]);
    clock.advance(30 * MINUTE);
    const reply = await people.expert.client.post(`/api/support/requests/${id}/replies`, { body: 'Which **hash** lists do you use? <img src=x onerror=alert(1)>' });
    expect(reply.status).to.equal(201);
    expect(reply.body.html).to.contain('<strong>hash</strong>').and.contain('&lt;img').and.not.contain('<img');
    let detail = (await people.requester.client.get(`/api/support/requests/${id}`)).body;
    expect(detail.status).to.equal('in_progress');
    expect(detail.firstResponseAt).to.equal(clock.date().toISOString());
    // A later desk reply does not move the first response.
    clock.advance(MINUTE);
    await people.triage.client.post(`/api/support/requests/${id}/replies`, { body: 'Also: which platform?' });
    expect((await people.requester.client.get(`/api/support/requests/${id}`)).body.firstResponseAt).to.equal(detail.firstResponseAt);

    // An expert may not send it back to triaged; the requester's side may not park it.
    const wrong = await people.expert.client.post(`/api/support/requests/${id}/status`, { status: 'triaged' });
    expect(wrong.status).to.equal(403);
    expect(wrong.body.error.code).to.equal('status_not_allowed');
    expect((await people.colleague.client.post(`/api/support/requests/${id}/status`, { status: 'waiting_for_requester' })).body.error.code).to.equal('status_not_allowed');
    expect((await people.expert.client.post(`/api/support/requests/${id}/status`, { status: 'waiting_for_requester' })).body.status).to.equal('waiting_for_requester');
    const same = await people.expert.client.post(`/api/support/requests/${id}/status`, { status: 'waiting_for_requester' });
    expect(same.status).to.equal(409);
    expect(same.body.error.code).to.equal('status_unchanged');
    // The requester answers: it is the desk's turn again.
    await people.requester.client.post(`/api/support/requests/${id}/replies`, { body: 'PhotoDNA.' });
    expect((await people.requester.client.get(`/api/support/requests/${id}`)).body.status).to.equal('in_progress');
    const resolved = await people.expert.client.post(`/api/support/requests/${id}/status`, { status: 'resolved' });
    expect(resolved.body).to.include({ status: 'resolved', resolvedAt: clock.date().toISOString() });
    const closed = await people.requester.client.post(`/api/support/requests/${id}/replies`, { body: 'Thanks' });
    expect(closed.status).to.equal(409);
    expect(closed.body.error.code).to.equal('request_resolved');
    // The requester's side may reopen before rating.
    expect((await people.colleague.client.post(`/api/support/requests/${id}/status`, { status: 'in_progress' })).body.status).to.equal('in_progress');
    expect((await people.colleague.client.post(`/api/support/requests/${id}/status`, { status: 'resolved' })).body.status).to.equal('resolved');
    const changes = await models.AuditEvent.find({ action: 'support.status_changed', targetId: id }).lean();
    expect(changes.map((entry) => `${entry.details.from}>${entry.details.to}`)).to.deep.equal(['in_progress>waiting_for_requester', 'in_progress>resolved', 'resolved>in_progress', 'in_progress>resolved']);
    expect(await models.AuditEvent.countDocuments({ action: 'support.replied', targetId: id })).to.equal(3);
    const replied = await models.AuditEvent.find({ action: 'support.replied', targetId: id }).lean();
    expect(JSON.stringify(replied)).not.to.contain('PhotoDNA');
  });

  it('takes a rating only from the requester, only once it is resolved, only once', async function () {
    const people = await cast();
    const id = await openRequest(people.requester.client);
    await assign(people.triage.client, id, [people.expert.id]);
    const early = await people.requester.client.post(`/api/support/requests/${id}/rating`, { score: 5 });
    expect(early.status).to.equal(409);
    expect(early.body.error.code).to.equal('not_resolved');
    await people.triage.client.post(`/api/support/requests/${id}/status`, { status: 'resolved' });
    for (const p of [people.colleague, people.expert, people.triage]) {
      const res = await p.client.post(`/api/support/requests/${id}/rating`, { score: 1 });
      expect(res.status).to.equal(403);
      expect(res.body.error.code).to.equal('requester_only');
    }
    for (const score of [0, 6, 3.5, '5']) expect((await people.requester.client.post(`/api/support/requests/${id}/rating`, { score })).status, String(score)).to.equal(400);
    const rated = await people.requester.client.post(`/api/support/requests/${id}/rating`, { score: 4, comment: 'Quick and clear.' });
    expect(rated.status).to.equal(200);
    expect(rated.body.rating).to.include({ score: 4, comment: 'Quick and clear.' });
    expect(rated.body.viewer.canRate).to.equal(false);
    const again = await people.requester.client.post(`/api/support/requests/${id}/rating`, { score: 1 });
    expect(again.status).to.equal(409);
    expect(again.body.error.code).to.equal('already_rated');
    // Rated: the requester's side can no longer reopen it.
    expect((await people.requester.client.post(`/api/support/requests/${id}/status`, { status: 'in_progress' })).status).to.equal(403);
  });

  it('turns a resolved request into a library draft only with the requester’s consent; withdrawing deletes it', async function () {
    const people = await cast();
    const { client: editor } = await signedIn(server.url, models, { roles: ['moderator'] });
    const id = await openRequest(people.requester.client);
    await assign(people.triage.client, id, [people.expert.id]);
    const draft = { title: 'Hash matching in a week', category: 'Tooling', body: 'Start with **the shared list**.' };
    const notYet = await people.expert.client.post(`/api/support/requests/${id}/library-draft`, draft);
    expect(notYet.status).to.equal(409);
    expect(notYet.body.error.code).to.equal('not_resolved');
    await people.expert.client.post(`/api/support/requests/${id}/status`, { status: 'resolved' });
    const noConsent = await people.expert.client.post(`/api/support/requests/${id}/library-draft`, draft);
    expect(noConsent.status).to.equal(403);
    expect(noConsent.body.error.code).to.equal('no_consent');
    // Only the requester consents, not a colleague; the requester's side does not write drafts.
    expect((await people.colleague.client.request('PUT', `/api/support/requests/${id}/consent`, { libraryDraftConsent: true })).body.error.code).to.equal('requester_only');
    expect((await people.requester.client.request('PUT', `/api/support/requests/${id}/consent`, { libraryDraftConsent: 'yes' })).status).to.equal(400);
    expect((await people.requester.client.request('PUT', `/api/support/requests/${id}/consent`, { libraryDraftConsent: true })).body.libraryDraftConsent).to.equal(true);
    expect((await people.requester.client.post(`/api/support/requests/${id}/library-draft`, draft)).body.error.code).to.equal('desk_only');
    const made = await people.expert.client.post(`/api/support/requests/${id}/library-draft`, draft);
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    expect(made.body.libraryDraft).to.include({ title: 'Hash matching in a week', category: 'Tooling' });
    expect(made.body.libraryDraft.html).to.contain('<strong>the shared list</strong>');
    expect((await people.expert.client.post(`/api/support/requests/${id}/library-draft`, draft)).body.error.code).to.equal('draft_exists');
    // Library editors see the draft's text, nothing about the request's people.
    const drafts = await editor.get('/api/support/library-drafts');
    expect(drafts.status).to.equal(200);
    const mine = drafts.body.find((item: { id: string }) => item.id === id);
    expect(mine).to.include({ title: 'Hash matching in a week' });
    expect(JSON.stringify(mine)).not.to.contain(people.org.name).and.not.contain(people.requester.id);
    expect((await people.requester.client.get('/api/support/library-drafts')).status).to.equal(403);
    // Withdrawn: the draft is gone.
    const withdrawn = await people.requester.client.request('PUT', `/api/support/requests/${id}/consent`, { libraryDraftConsent: false });
    expect(withdrawn.body.libraryDraft).to.equal(null);
    expect((await editor.get('/api/support/library-drafts')).body.map((item: { id: string }) => item.id)).not.to.include(id);
    expect(await models.AuditEvent.countDocuments({ action: 'support.consent_changed', targetId: id })).to.equal(2);
  });

  it('escalates a removal order to every expert on duty once, at half time and not before (test clock, no sleeps)', async function () {
    const people = await cast();
    const onDuty = await person({ roles: ['expert'], areas: ['removal_order'], onDuty: true });
    const offDuty = await person({ roles: ['expert'], areas: ['removal_order'] });
    const [dutyLive, offLive, triageLive] = [await open(onDuty.client), await open(offDuty.client), await open(people.triage.client)];
    const receivedAt = new Date(clock.now() - 5 * MINUTE);
    const res = await people.requester.client.post('/api/support/requests', removalBody(receivedAt, { urgency: 'low' }));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const id = res.body.id;
    // A removal order is always critical; the EU deadline is one hour after the order arrived.
    expect(res.body.urgency).to.equal('critical');
    expect(res.body.removalOrder).to.deep.equal({
      orderReceivedAt: receivedAt.toISOString(),
      jurisdiction: 'EU',
      deadlineAt: new Date(receivedAt.getTime() + 60 * MINUTE).toISOString(),
      escalateAt: new Date(receivedAt.getTime() + 30 * MINUTE).toISOString(),
      escalatedAt: null,
      overdue: false,
    });
    expect((await onDuty.client.get(`/api/support/requests/${id}`)).status).to.equal(404);

    // 29 minutes after the order arrived (one before half time): nothing.
    clock.advance(24 * MINUTE);
    expect(await runSupportDeadlines(server.server.ctx)).to.deep.equal([]);
    await settle(dutyLive.socket);
    expect(dutyLive.updates).to.have.length(0);
    // Half time.
    clock.advance(MINUTE);
    expect(await runSupportDeadlines(server.server.ctx)).to.deep.equal([id]);
    await Promise.all([settle(dutyLive.socket), settle(offLive.socket), settle(triageLive.socket)]);
    expect(dutyLive.updates.map((u) => u.change)).to.deep.equal(['escalated']);
    expect(dutyLive.updates[0]!.request.removalOrder!.escalatedAt).to.equal(clock.date().toISOString());
    expect(dutyLive.notifications.map((n) => n.title)).to.deep.equal(['Removal order at half time: 30 min left']);
    expect(dutyLive.notifications[0]!.link).to.equal(`/support/${id}`);
    expect(offLive.updates).to.have.length(0);
    expect(offLive.notifications).to.have.length(0);
    // And by e-mail (real SMTP): the kind of thing and the deadline, nothing the requester wrote.
    const [mail] = await waitForMail(server.server, onDuty.member.email);
    expect(mail!.subject).to.equal('Removal order at half time: 30 min left');
    expect(mail!.text).to.contain(`/support/${id}`).and.not.contain('Removal order from an authority').and.not.contain(people.org.name);
    expect(await deliveredTo(server.server, offDuty.member.email)).to.have.length(0);
    expect(triageLive.updates.map((u) => u.change)).to.include('escalated');
    // The on-duty expert now works on it; the off-duty one still cannot see it.
    expect((await onDuty.client.get(`/api/support/requests/${id}`)).status).to.equal(200);
    expect((await offDuty.client.get(`/api/support/requests/${id}`)).status).to.equal(404);
    // Once: later runs (and a second process) do nothing.
    clock.advance(10 * MINUTE);
    expect(await runSupportDeadlines(server.server.ctx)).to.deep.equal([]);
    expect(await Promise.all([runSupportDeadlines(server.server.ctx), runSupportDeadlines(server.server.ctx)])).to.deep.equal([[], []]);
    await settle(dutyLive.socket);
    expect(dutyLive.notifications).to.have.length(1);
    expect(await models.AuditEvent.countDocuments({ action: 'support.escalated', targetId: id })).to.equal(1);
    // Past the deadline, unresolved: overdue, for everyone on the request.
    clock.advance(21 * MINUTE);
    expect((await people.requester.client.get(`/api/support/requests/${id}`)).body.removalOrder.overdue).to.equal(true);
  });

  it('takes the deadline from the jurisdiction (default for any other), and escalates parallel runs once', async function () {
    const people = await cast();
    await person({ roles: ['expert'], onDuty: true, areas: ['removal_order'] });
    const now = clock.date();
    const xx = await people.requester.client.post('/api/support/requests', removalBody(now, { jurisdiction: 'XX' }));
    expect(Date.parse(xx.body.removalOrder.deadlineAt) - now.getTime()).to.equal(120 * MINUTE);
    const other = await people.requester.client.post('/api/support/requests', removalBody(now, { jurisdiction: 'ZZ' }));
    expect(Date.parse(other.body.removalOrder.deadlineAt) - now.getTime()).to.equal(60 * MINUTE);
    clock.advance(30 * MINUTE);
    const runs = await Promise.all([runSupportDeadlines(server.server.ctx), runSupportDeadlines(server.server.ctx), runSupportDeadlines(server.server.ctx)]);
    expect(runs.flat()).to.deep.equal([other.body.id]);
    clock.advance(30 * MINUTE);
    expect(await runSupportDeadlines(server.server.ctx)).to.deep.equal([xx.body.id]);
    // A resolved order never escalates.
    const resolvedLater = await people.requester.client.post('/api/support/requests', removalBody(clock.date()));
    await people.requester.client.post(`/api/support/requests/${resolvedLater.body.id}/status`, { status: 'resolved' });
    clock.advance(45 * MINUTE);
    expect(await runSupportDeadlines(server.server.ctx)).to.deep.equal([]);
  });

  it('lists what is overdue in the desk queue, by the clock: first-response targets per urgency, removal deadlines', async function () {
    const people = await cast();
    const critical = await openRequest(people.requester.client, requestBody({ urgency: 'critical', subject: 'Critical one' }));
    const normal = await openRequest(people.requester.client, requestBody({ urgency: 'normal', subject: 'Normal one' }));
    const answered = await openRequest(people.requester.client, requestBody({ urgency: 'critical', subject: 'Answered one' }));
    const order = await people.requester.client.post('/api/support/requests', removalBody(clock.date()));
    await people.triage.client.post(`/api/support/requests/${answered}/replies`, { body: 'On it.' });
    const ids = (res: { body: { requests: { id: string }[] } }) => res.body.requests.map((r) => r.id);
    expect(ids(await people.triage.client.get('/api/support/queue?overdue=true'))).to.not.include.members([critical]);
    clock.advance(61 * MINUTE);
    const overdue = await people.triage.client.get('/api/support/queue?overdue=true');
    expect(overdue.status).to.equal(200);
    expect(ids(overdue)).to.include.members([critical, order.body.id]);
    expect(ids(overdue)).to.not.include(normal);
    expect(ids(overdue)).to.not.include(answered);
    const item = overdue.body.requests.find((r: { id: string }) => r.id === critical);
    expect(item).to.include({ firstResponseOverdue: true });
    expect(overdue.body.counts.overdue).to.be.at.least(2);
    // The removal order comes first: its legal deadline is the nearest clock.
    const all = await people.triage.client.get('/api/support/queue');
    expect(ids(all).indexOf(order.body.id)).to.be.below(ids(all).indexOf(critical));
    expect(ids(await people.triage.client.get('/api/support/queue?overdue=false'))).to.include(normal);
    expect((await people.triage.client.get('/api/support/queue?overdue=maybe')).status).to.equal(400);
    // A late first response ends the overdue state.
    await people.triage.client.post(`/api/support/requests/${critical}/replies`, { body: 'Sorry for the wait.' });
    expect(ids(await people.triage.client.get('/api/support/queue?overdue=true'))).to.not.include(critical);
  });

  it('delivers new requests, assignments, replies and status changes live only to the user rooms of people who may see them', async function () {
    const people = await cast();
    const live = {
      requester: await open(people.requester.client),
      colleague: await open(people.colleague.client),
      otherOrg: await open(people.otherOrg.client),
      moderator: await open(people.moderator.client),
      admin: await open(people.admin.client),
      triage: await open(people.triage.client),
      expert: await open(people.expert.client),
      unassignedExpert: await open(people.unassignedExpert.client),
    };
    const settleAll = () => Promise.all(Object.values(live).map((l) => settle(l.socket)));
    const changesOf = (name: keyof typeof live, id: string) => live[name].updates.filter((u) => u.request.id === id).map((u) => u.change);

    const orgWide = await openRequest(people.requester.client);
    const onlyMe = await openRequest(people.requester.client, requestBody({ visibility: 'requester' }));
    await settleAll();
    expect(changesOf('requester', orgWide)).to.deep.equal(['created']);
    expect(changesOf('colleague', orgWide)).to.deep.equal(['created']);
    expect(changesOf('triage', orgWide)).to.deep.equal(['created']);
    expect(changesOf('colleague', onlyMe)).to.deep.equal([]);
    expect(live.triage.notifications.filter((n) => n.link === `/support/${orgWide}`)).to.have.length(1);
    for (const name of ['otherOrg', 'moderator', 'admin', 'expert', 'unassignedExpert'] as const) expect(live[name].updates, name).to.have.length(0);

    await assign(people.triage.client, orgWide, [people.expert.id]);
    await settleAll();
    expect(changesOf('expert', orgWide)).to.deep.equal(['assigned']);
    expect(live.expert.notifications.map((n) => n.link)).to.deep.equal([`/support/${orgWide}`]);
    expect(live.unassignedExpert.updates).to.have.length(0);

    await people.expert.client.post(`/api/support/requests/${orgWide}/replies`, { body: 'First answer.' });
    await settleAll();
    const replyEvent = live.colleague.updates.find((u) => u.change === 'replied')!;
    expect(replyEvent.reply).to.include({ side: 'desk', html: '<p>First answer.</p>' });
    expect(replyEvent.request.status).to.equal('in_progress');
    for (const name of ['requester', 'colleague', 'triage', 'expert'] as const) expect(changesOf(name, orgWide)).to.include('replied');

    await people.triage.client.post(`/api/support/requests/${orgWide}/status`, { status: 'waiting_for_requester' });
    // Moving the expert off the request: they hear it is gone, and nothing after.
    await assign(people.triage.client, orgWide, [people.unassignedExpert.id]);
    await people.requester.client.post(`/api/support/requests/${orgWide}/replies`, { body: 'Answering.' });
    await settleAll();
    expect(changesOf('colleague', orgWide)).to.include('status');
    expect(live.expert.removed).to.deep.equal([orgWide]);
    // The status change reached them while still assigned; the requester's reply after removal did not.
    expect(changesOf('expert', orgWide)).to.deep.equal(['assigned', 'replied', 'status']);
    expect(changesOf('unassignedExpert', orgWide)).to.deep.equal(['assigned', 'replied']);
    for (const name of ['otherOrg', 'moderator', 'admin'] as const) expect(live[name].updates, name).to.have.length(0);
    expect(changesOf('colleague', onlyMe)).to.deep.equal([]);
  });

  it('takes a request away at once when an expert loses the role or triage is suspended', async function () {
    const people = await cast();
    const { client: admin } = await signedIn(server.url, models, { roles: ['admin'] });
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    const id = await openRequest(people.requester.client);
    await assign(people.triage.client, id, [people.expert.id]);
    expect((await people.expert.client.get(`/api/support/requests/${id}`)).status).to.equal(200);
    expect((await admin.post(`/api/admin/members/${people.expert.id}/roles`, { role: 'expert', grant: false })).status).to.equal(200);
    expect((await people.expert.client.get(`/api/support/requests/${id}`)).status).to.equal(404);
    expect((await models.Member.findById(people.expert.id).lean())!.onDuty).to.equal(false);
    expect((await moderator.post(`/api/admin/members/${people.triage.id}/suspend`, { reason: 'Left the desk' })).status).to.equal(200);
    expect((await people.triage.client.get(`/api/support/requests/${id}`)).status).to.equal(401);
  });

  it('refuses bad input with 400 and a code', async function () {
    const people = await cast();
    const cases: Record<string, unknown>[] = [
      { kind: 'spiritual' },
      { category: 'removal_order' }, // a legal category under kind technical
      { urgency: 'yesterday' },
      { subject: 'x' },
      { subject: 'a\u0000bc' },
      { description: '' },
      { visibility: 'everyone' },
      { anonymousToExperts: 'yes' },
      { orderReceivedAt: new Date().toISOString() }, // not a removal order
      { surprise: true },
      { subject: { $ne: null } },
    ];
    for (const overrides of cases) {
      const res = await people.requester.client.post('/api/support/requests', requestBody(overrides));
      expect(res.status, JSON.stringify(overrides)).to.equal(400);
      expect(res.body.error.code).to.equal('invalid_request');
    }
    for (const overrides of [{ orderReceivedAt: undefined }, { jurisdiction: undefined }, { jurisdiction: 'eu' }, { orderReceivedAt: 'this morning' }]) {
      const body = removalBody(clock.date(), overrides);
      expect((await people.requester.client.post('/api/support/requests', body)).status, JSON.stringify(overrides)).to.equal(400);
    }
    const future = await people.requester.client.post('/api/support/requests', removalBody(new Date(clock.now() + 3600_000)));
    expect(future.status).to.equal(400);
    expect(future.body.error.message).to.contain('future');
    expect((await people.requester.client.post('/api/support/requests', 'not json')).status).to.equal(400);
    // Opening is rate-limited per member.
    const flooder = await person();
    await models.RateLimit.create({ _id: `support-open:member:${flooder.id}`, count: OPEN_RATE_LIMIT.limit, failures: 0, windowStart: new Date(), blockedUntil: null, expiresAt: new Date(Date.now() + 3600_000) });
    const limited = await flooder.client.post('/api/support/requests', requestBody());
    expect(limited.status).to.equal(429);
    expect(limited.body.error.code).to.equal('rate_limited');

    const id = await openRequest(people.requester.client);
    expect((await people.requester.client.get('/api/support/requests/not-an-id')).status).to.equal(400);
    expect((await people.requester.client.get('/api/support/requests/0123456789abcdef01234567')).status).to.equal(404);
    expect((await people.requester.client.get('/api/support/requests?scope=everything')).status).to.equal(400);
    expect((await people.requester.client.post(`/api/support/requests/${id}/replies`, { body: '' })).status).to.equal(400);
    expect((await people.requester.client.post(`/api/support/requests/${id}/status`, { status: 'new' })).status).to.equal(400);
    expect((await people.requester.client.post(`/api/support/requests/${id}/status`, { status: 'closed' })).status).to.equal(400);
    for (const expertIds of [[], ['nope'], [people.expert.id, people.expert.id]]) expect((await assign(people.triage.client, id, expertIds)).status, JSON.stringify(expertIds)).to.equal(400);
    const notExpert = await assign(people.triage.client, id, [people.colleague.id]);
    expect(notExpert.status).to.equal(400);
    expect(notExpert.body.error.code).to.equal('not_an_expert');
  });

  it('lets admins grant the expert role with areas, moderators declare areas, experts go on duty; all validated and audited', async function () {
    const { client: admin } = await signedIn(server.url, models, { roles: ['admin'] });
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    const candidate = await person();
    const noAreas = await admin.post(`/api/admin/members/${candidate.id}/roles`, { role: 'expert', grant: true });
    expect(noAreas.status).to.equal(400);
    expect(noAreas.body.error.code).to.equal('areas_required');
    expect((await admin.post(`/api/admin/members/${candidate.id}/roles`, { role: 'expert', grant: true, areas: ['astrology'] })).status).to.equal(400);
    expect((await admin.post(`/api/admin/members/${candidate.id}/roles`, { role: 'liaison', grant: true, areas: ['security'] })).status).to.equal(400);
    const granted = await admin.post(`/api/admin/members/${candidate.id}/roles`, { role: 'expert', grant: true, areas: ['terms_of_service', 'removal_order'] });
    expect(granted.status, JSON.stringify(granted.body)).to.equal(200);
    expect(granted.body).to.deep.include({ roles: ['expert'], expertAreas: ['terms_of_service', 'removal_order'], onDuty: false });
    expect((await moderator.post(`/api/admin/members/${candidate.id}/roles`, { role: 'triage', grant: true })).status).to.equal(403);
    const changed = await moderator.request('PUT', `/api/admin/members/${candidate.id}/expert-areas`, { areas: ['hash_matching'] });
    expect(changed.status).to.equal(200);
    expect(changed.body.expertAreas).to.deep.equal(['hash_matching']);
    for (const areas of [[], ['hash_matching', 'hash_matching'], ['nonsense']]) expect((await moderator.request('PUT', `/api/admin/members/${candidate.id}/expert-areas`, { areas })).status).to.equal(400);
    const plain = await person();
    expect((await moderator.request('PUT', `/api/admin/members/${plain.id}/expert-areas`, { areas: ['security'] })).body.error.code).to.equal('not_an_expert');
    expect((await plain.client.request('PUT', `/api/admin/members/${candidate.id}/expert-areas`, { areas: ['security'] })).status).to.equal(403);
    expect(await models.AuditEvent.countDocuments({ action: 'expert.areas_changed', targetId: candidate.id })).to.equal(1);
    // The role change cut their session's rights; they sign in again and go on duty.
    const expert = new ApiClient(server.url);
    await expert.post('/api/auth/sign-in', { email: candidate.member.email, password: 'correct horse battery staple 42' });
    expect((await expert.request('PUT', '/api/support/me/duty', { onDuty: true })).body).to.deep.equal({ onDuty: true });
    expect((await plain.client.request('PUT', '/api/support/me/duty', { onDuty: true })).status).to.equal(403);
    const { client: triage } = await signedIn(server.url, models, { roles: ['triage'] });
    const experts = await triage.get('/api/support/experts');
    expect(experts.body.find((e: { id: string }) => e.id === candidate.id)).to.deep.equal({ id: candidate.id, name: candidate.member.name, areas: ['hash_matching'], onDuty: true });
  });

  it('lets an expert declare their own areas: validated, audited, seen by triage at once; nobody else may use the route', async function () {
    const expert = await person({ roles: ['expert'], areas: ['hash_matching'] });
    const own = await expert.client.request('PUT', '/api/support/me/areas', { areas: ['terms_of_service', 'removal_order'] });
    expect(own.status, JSON.stringify(own.body)).to.equal(200);
    expect(own.body).to.deep.equal({ areas: ['terms_of_service', 'removal_order'] });
    expect((await expert.client.get('/api/me')).body.expertAreas).to.deep.equal(['terms_of_service', 'removal_order']);
    const audited = await models.AuditEvent.find({ action: 'expert.areas_changed', targetId: expert.id }).lean();
    expect(audited).to.have.length(1);
    expect(String(audited[0]!.actorId)).to.equal(expert.id);
    expect(audited[0]!.details).to.deep.equal({ from: ['hash_matching'], to: ['terms_of_service', 'removal_order'] });
    const { client: triage } = await signedIn(server.url, models, { roles: ['triage'] });
    expect((await triage.get('/api/support/experts')).body.find((e: { id: string }) => e.id === expert.id).areas).to.deep.equal(['terms_of_service', 'removal_order']);
    // Bad input: 400 with a code, and nothing changes.
    for (const body of [{}, { areas: [] }, { areas: ['hash_matching', 'hash_matching'] }, { areas: ['astrology'] }, { areas: 'security' }, { areas: [{ $ne: null }] }, { areas: ['security'], onDuty: true }]) {
      const res = await expert.client.request('PUT', '/api/support/me/areas', body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.error.code).to.equal('invalid_request');
    }
    expect((await models.Member.findById(expert.id).lean())!.expertAreas).to.deep.equal(['terms_of_service', 'removal_order']);
    // Not an expert (a member, triage, a moderator): 403; signed out: 401.
    for (const other of [await person(), await person({ roles: ['triage'] }), await person({ roles: ['moderator'] })]) {
      expect((await other.client.request('PUT', '/api/support/me/areas', { areas: ['security'] })).status).to.equal(403);
      expect((await models.Member.findById(other.id).lean())!.expertAreas ?? []).to.deep.equal([]);
    }
    expect((await new ApiClient(server.url).request('PUT', '/api/support/me/areas', { areas: ['security'] })).status).to.equal(401);
    expect(await models.AuditEvent.countDocuments({ action: 'expert.areas_changed', targetId: expert.id })).to.equal(1);
  });

  it('adds requests by kind and the median time to first response to the transparency report, as counts only', async function () {
    const people = await cast();
    const before = (await people.requester.client.get('/api/transparency')).body.months.find((m: { month: string }) => m.month === clock.date().toISOString().slice(0, 7));
    const base = before?.supportRequests ?? { technical: 0, legal: 0, removal_order: 0 };
    const technical = await openRequest(people.requester.client);
    await openRequest(people.requester.client, requestBody({ kind: 'legal', category: 'terms_of_service' }));
    await people.requester.client.post('/api/support/requests', removalBody(clock.date()));
    clock.advance(10 * MINUTE);
    await people.triage.client.post(`/api/support/requests/${technical}/replies`, { body: 'Hello.' });
    const report = await people.requester.client.get('/api/transparency');
    const month = report.body.months.find((m: { month: string }) => m.month === clock.date().toISOString().slice(0, 7));
    expect(month.supportRequests).to.deep.equal({ technical: base.technical + 1, legal: base.legal + 1, removal_order: base.removal_order + 1 });
    expect(month.medianSecondsToFirstSupportResponse).to.be.a('number');
    const text = JSON.stringify((await new ApiClient(server.url).get('/api/transparency.json')).body);
    expect(text).not.to.contain(people.org.name).and.not.contain(technical);
  });
});
