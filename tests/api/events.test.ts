import { Types } from 'mongoose';
import { expect } from 'chai';
import { io as connect, type Socket } from 'socket.io-client';
import type { Models } from '../../backend/src/db/models.ts';
import type { MemberDoc } from '../../backend/src/members/member.model.ts';
import type { ClientToServerEvents, NotificationPayload, ServerToClientEvents } from '../../backend/src/shared/realtime-events.ts';
import { foldLine, icsText } from '../../backend/src/events/event.ics.ts';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { PASSWORD, signedIn, type MakeMember } from '../factories/members.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const VENUE = 'Hall 4, Secret Street 12';
const JOIN = 'https://meet.example.org/room-7f3a';
const DAY = 86_400_000;

const eventBody = (overrides: Record<string, unknown> = {}) => ({
  kind: 'workshop',
  title: 'Hash matching for start-ups',
  description: 'Bring **a laptop**. <script>alert(1)</script>',
  startsAt: new Date(Date.now() + 7 * DAY).toISOString(),
  endsAt: new Date(Date.now() + 7 * DAY + 3 * 3600_000).toISOString(),
  timeZone: 'Europe/Berlin',
  mode: 'in_person',
  city: 'Berlin',
  venue: VENUE,
  coHosts: ['Big Tech Ltd'],
  capacity: 3,
  ...overrides,
});

describe('events (HTTP, real time, calendar)', function () {
  let server: TestServer;
  let models: Models;
  const sockets: ClientSocket[] = [];

  before(async function () {
    server = await startTestServer();
    models = server.server.ctx.models;
  });

  // Every test signs many members in from one address: each starts with the sign-in limits fresh.
  beforeEach(async function () {
    await models.RateLimit.deleteMany({});
  });

  afterEach(function () {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  after(async function () {
    await server.close();
  });

  const member = (input: MakeMember = {}) => signedIn(server.url, models, input);

  async function open(client: ApiClient): Promise<ClientSocket> {
    const socket: ClientSocket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: client.cookie! } });
    sockets.push(socket);
    await new Promise((resolve, reject) => {
      socket.once('session.ready', resolve);
      socket.once('connect_error', reject);
    });
    return socket;
  }

  /** Everything the server sent this socket before now has arrived. */
  async function settle(socket: ClientSocket): Promise<void> {
    expect((await socket.emitWithAck('system.ping', {})).ok).to.equal(true);
  }

  async function createEvent(client: ApiClient, overrides: Record<string, unknown> = {}): Promise<string> {
    const res = await client.post('/api/events', eventBody(overrides));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id;
  }

  const register = (client: ApiClient, id: string) => client.request('PUT', `/api/events/${id}/registration`);

  it('creates an event for organisers and moderators: rendered, sanitised, audited; others get 403, visitors 401', async function () {
    const { client: organiser, member: doc } = await member({ roles: ['organiser'] });
    const res = await organiser.post('/api/events', eventBody());
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.descriptionHtml).to.contain('<strong>a laptop</strong>').and.not.contain('<script');
    expect(res.body).to.include({ timeZone: 'Europe/Berlin', city: 'Berlin', venue: VENUE, canManage: true, placesLeft: 3 });
    const audit = await models.AuditEvent.findOne({ action: 'event.created', targetId: res.body.id }).lean();
    expect(String(audit?.actorId)).to.equal(String(doc._id));

    const { client: moderator } = await member({ roles: ['moderator'] });
    expect((await moderator.post('/api/events', eventBody())).status).to.equal(201);
    const { client: plain } = await member();
    expect((await plain.post('/api/events', eventBody())).status).to.equal(403);
    const visitor = new ApiClient(server.url);
    expect((await visitor.post('/api/events', eventBody())).status).to.equal(401);
    expect((await visitor.get('/api/events')).status).to.equal(401);
    expect((await visitor.get(`/api/events/${res.body.id}`)).status).to.equal(401);
    expect((await visitor.request('PUT', `/api/events/${res.body.id}/registration`)).status).to.equal(401);
  });

  it('refuses bad input with 400 and a code', async function () {
    const { client } = await member({ roles: ['organiser'] });
    const cases: Record<string, unknown>[] = [
      { timeZone: 'Mars/Olympus' },
      { timeZone: '+01:00' },
      { startsAt: 'tomorrow' },
      { endsAt: new Date(Date.now() + DAY).toISOString() },
      { capacity: 0 },
      { capacity: 2.5 },
      { kind: 'party' },
      { mode: 'in_person', city: null },
      { mode: 'online', city: null, venue: VENUE },
      { mode: 'online', city: null, venue: null, joinUrl: 'javascript:alert(1)' },
      { mode: 'online', city: null, venue: null, joinUrl: 'http://meet.example.org/x' },
      { title: 'x\u0000yz' },
      { audience: { sectors: ['aliens'], roles: [] } },
      { surprise: true },
    ];
    for (const overrides of cases) {
      const res = await client.post('/api/events', eventBody(overrides));
      expect(res.status, JSON.stringify(overrides)).to.equal(400);
      expect(res.body.error.code).to.equal('invalid_request');
    }
    const id = await createEvent(client);
    expect((await client.get('/api/events/not-an-id')).status).to.equal(400);
    expect((await client.get('/api/events/0123456789abcdef01234567')).status).to.equal(404);
    expect((await client.patch(`/api/events/${id}`, {})).status).to.equal(400);
    expect((await client.patch(`/api/events/${id}`, { mode: 'online' })).status).to.equal(400);
    expect((await client.get('/api/events?when=someday')).status).to.equal(400);
  });

  it('30 members racing for the last 3 places: exactly 3 get in, the rest wait in the order they were taken', async function () {
    this.timeout(120_000);
    const { client: organiser } = await member({ roles: ['organiser'] });
    const id = await createEvent(organiser, { capacity: 5 });
    for (let i = 0; i < 2; i += 1) expect((await register((await member()).client, id)).body.state).to.equal('registered');
    const racers: { client: ApiClient; member: MemberDoc }[] = [];
    for (let i = 0; i < 30; i += 1) racers.push(await member());
    const results = await Promise.all(racers.map(async (racer) => ({ id: String(racer.member._id), res: await register(racer.client, id) })));
    for (const { res } of results) expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const registered = results.filter(({ res }) => res.body.state === 'registered');
    const waiting = results.filter(({ res }) => res.body.state === 'waitlisted');
    expect(registered).to.have.length(3);
    expect(waiting).to.have.length(27);
    // Each waiting racer was told a distinct position, 1…27, and that is the stored order.
    expect(waiting.map(({ res }) => res.body.position).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 27 }, (_, i) => i + 1));
    const stored = await models.Event.findById(id).lean();
    const line = stored!.registrations.filter((item) => item.state === 'waitlisted').map((item) => item.memberId);
    for (const { id: memberId, res } of waiting) expect(line.indexOf(memberId) + 1).to.equal(res.body.position);
    expect(stored!.registrations.filter((item) => item.state === 'registered')).to.have.length(5);

    // Cancellation gives the place to number 1; everyone behind moves up.
    const first = racers.find((racer) => String(racer.member._id) === line[0])!;
    const second = racers.find((racer) => String(racer.member._id) === line[1])!;
    const lucky = racers.find((racer) => String(racer.member._id) === registered[0]!.id)!;
    expect((await lucky.client.delete(`/api/events/${id}/registration`)).status).to.equal(204);
    expect((await first.client.get(`/api/events/${id}`)).body.own).to.deep.equal({ state: 'registered', position: null });
    expect((await second.client.get(`/api/events/${id}`)).body.own).to.deep.equal({ state: 'waitlisted', position: 1 });
    expect(await models.AuditEvent.countDocuments({ action: 'event.promoted', targetId: id })).to.equal(1);
    expect((await lucky.client.delete(`/api/events/${id}/registration`)).status).to.equal(409);
    expect((await first.client.request('PUT', `/api/events/${id}/registration`)).body.error.code).to.equal('already_registered');
  });

  it('raising the capacity promotes from the waitlist in order, live and with a notification; lowering takes no place away', async function () {
    const { client: organiser, member: organiserDoc } = await member({ roles: ['organiser'] });
    const id = await createEvent(organiser, { capacity: 1 });
    const a = await member();
    const b = await member();
    const c = await member();
    expect((await register(a.client, id)).body.state).to.equal('registered');
    expect((await register(b.client, id)).body).to.deep.equal({ state: 'waitlisted', position: 1 });
    expect((await register(c.client, id)).body).to.deep.equal({ state: 'waitlisted', position: 2 });
    const socketB = await open(b.client);
    const socketC = await open(c.client);
    const socketOrganiser = await open(organiser);
    const eventsB: unknown[] = [];
    const eventsC: unknown[] = [];
    const notesB: NotificationPayload[] = [];
    const roster: unknown[] = [];
    socketB.on('registration.updated', (payload) => eventsB.push(payload));
    socketB.on('notification.created', (payload) => notesB.push(payload));
    socketC.on('registration.updated', (payload) => eventsC.push(payload));
    socketOrganiser.on('event.roster_changed', (payload) => roster.push(payload));

    const res = await organiser.patch(`/api/events/${id}`, { capacity: 2 });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.counts).to.deep.equal({ registered: 2, waitlisted: 1, pending: 0 });
    await Promise.all([settle(socketB), settle(socketC), settle(socketOrganiser)]);
    expect(eventsB).to.deep.equal([{ eventId: id, state: 'registered', position: null }]);
    expect(eventsC).to.deep.equal([{ eventId: id, state: 'waitlisted', position: 1 }]);
    expect(roster).to.deep.equal([{ eventId: id, registered: 2, waitlisted: 1, pending: 0 }]);
    expect(notesB).to.have.length(1);
    expect(notesB[0]!.kind).to.equal('event.registration');
    expect(JSON.stringify(notesB)).to.not.contain('Secret Street');
    const audit = await models.AuditEvent.findOne({ action: 'event.updated', targetId: id }).lean();
    expect(audit?.details).to.deep.include({ capacity: { from: 1, to: 2 } });
    expect(String(audit?.actorId)).to.equal(String(organiserDoc._id));

    expect((await organiser.patch(`/api/events/${id}`, { capacity: 1 })).body.counts).to.deep.equal({ registered: 2, waitlisted: 1, pending: 0 });
    expect((await a.client.delete(`/api/events/${id}/registration`)).status).to.equal(204);
    // Still full at capacity 1 with B registered: C keeps waiting.
    expect((await c.client.get(`/api/events/${id}`)).body.own).to.deep.equal({ state: 'waitlisted', position: 1 });
    // Only the organiser (or a moderator) edits.
    expect((await c.client.patch(`/api/events/${id}`, { capacity: 50 })).status).to.equal(404);
  });

  it('withholds the venue and join link from everyone without a place: list, detail, search, .ics, feed, notifications, sockets', async function () {
    const { client: organiser } = await member({ roles: ['organiser'] });
    const inPerson = await createEvent(organiser, { capacity: 1, title: 'Venue test' });
    const online = await createEvent(organiser, { capacity: 1, title: 'Online test', mode: 'online', city: null, venue: null, joinUrl: JOIN });
    const holder = await member();
    const waiter = await member();
    const outsider = await member();
    const waiterSocket = await open(waiter.client);
    const seen: string[] = [];
    waiterSocket.onAny((_name, payload) => seen.push(JSON.stringify(payload)));
    for (const id of [inPerson, online]) {
      expect((await register(holder.client, id)).body.state).to.equal('registered');
      expect((await register(waiter.client, id)).body.state).to.equal('waitlisted');
    }
    const secret = /Secret Street|room-7f3a/;
    for (const viewer of [waiter, outsider]) {
      const list = await viewer.client.get('/api/events?when=all');
      expect(list.status).to.equal(200);
      expect(list.body.events.map((event: { id: string }) => event.id)).to.include.members([inPerson, online]);
      expect(JSON.stringify(list.body)).to.not.match(secret);
      for (const id of [inPerson, online]) {
        const detail = await viewer.client.get(`/api/events/${id}`);
        expect(detail.body.venue).to.equal(null);
        expect(detail.body.joinUrl).to.equal(null);
        const ics = await viewer.client.get(`/api/events/${id}/event.ics`);
        expect(ics.status).to.equal(200);
        expect(String(ics.body)).to.not.match(secret);
      }
      expect(JSON.stringify((await viewer.client.get('/api/notifications')).body)).to.not.match(secret);
      expect((await viewer.client.get(`/api/events/${inPerson}/attendees`)).status).to.equal(403);
      // Search finds the event by its title, never by or with its venue or link.
      const found = await viewer.client.get('/api/search?q=venue%20test&type=event');
      expect(found.status).to.equal(200);
      expect(found.body.hits.map((hit: { link: string }) => hit.link)).to.include(`/events/${inPerson}`);
      expect(JSON.stringify(found.body)).to.not.match(secret);
      for (const q of ['Secret Street', 'room-7f3a']) {
        const leak = await viewer.client.get(`/api/search?q=${encodeURIComponent(q)}`);
        expect(leak.status).to.equal(200);
        expect(leak.body.total, q).to.equal(0);
      }
    }
    // The holder sees both, in the detail, the .ics and the feed; the waiter's feed lists nothing.
    expect((await holder.client.get(`/api/events/${inPerson}`)).body.venue).to.equal(VENUE);
    expect((await holder.client.get(`/api/events/${online}`)).body.joinUrl).to.equal(JOIN);
    expect(String((await holder.client.get(`/api/events/${inPerson}/event.ics`)).body)).to.contain('Secret Street');
    const holderFeed = await holder.client.post('/api/me/event-feed');
    const waiterFeed = await waiter.client.post('/api/me/event-feed');
    const feedOf = (url: string) => fetch(url.replace(server.config.publicUrl.replace(/\/$/, ''), server.url)).then(async (res) => ({ status: res.status, text: await res.text() }));
    const hf = await feedOf(holderFeed.body.url);
    expect(hf.status).to.equal(200);
    expect(hf.text).to.contain('SUMMARY:Venue test').and.contain('room-7f3a');
    const wf = await feedOf(waiterFeed.body.url);
    expect(wf.status).to.equal(200);
    expect(wf.text).to.not.match(secret).and.not.contain('SUMMARY:');
    // Cancelling promotes the waiter: now, and only now, they learn where.
    expect((await holder.client.delete(`/api/events/${inPerson}/registration`)).status).to.equal(204);
    expect((await waiter.client.get(`/api/events/${inPerson}`)).body.venue).to.equal(VENUE);
    await settle(waiterSocket);
    expect(seen.join('\n')).to.not.match(secret);
    expect(seen.some((payload) => payload.includes('"state":"registered"'))).to.equal(true);
    expect((await outsider.client.get(`/api/events/${inPerson}`)).body.venue).to.equal(null);
  });

  it('enforces the audience rule like a space: 404 on every path for people it does not admit', async function () {
    const { client: organiser } = await member({ roles: ['organiser'], sector: 'government' });
    const id = await createEvent(organiser, { audience: { sectors: ['industry'], roles: [] }, title: 'Quarrytown hashing clinic' });
    const industry = await member({ sector: 'industry' });
    const searchFor = async (viewer: ApiClient) => (await viewer.get('/api/search?q=quarrytown')).body.hits.map((hit: { link: string }) => hit.link);
    expect(await searchFor(industry.client)).to.include(`/events/${id}`);
    const academia = await member({ sector: 'academia' });
    const moderator = await member({ sector: 'civil_society', roles: ['moderator'] });
    expect((await industry.client.get(`/api/events/${id}`)).status).to.equal(200);
    expect((await organiser.get(`/api/events/${id}`)).status).to.equal(200);
    for (const viewer of [academia, moderator]) {
      expect((await viewer.client.get(`/api/events/${id}`)).status).to.equal(404);
      expect((await viewer.client.get(`/api/events/${id}/event.ics`)).status).to.equal(404);
      expect((await viewer.client.get(`/api/events/${id}/attendees`)).status).to.equal(404);
      expect((await register(viewer.client, id)).status).to.equal(404);
      expect((await viewer.client.get('/api/events?when=all')).body.events.map((event: { id: string }) => event.id)).to.not.include(id);
      expect(await searchFor(viewer.client)).to.not.include(`/events/${id}`);
    }
    // Narrowing the audience takes the event out of search at once for those it no longer admits.
    expect((await organiser.patch(`/api/events/${id}`, { audience: { sectors: ['academia'], roles: [] } })).status).to.equal(200);
    expect(await searchFor(industry.client)).to.not.include(`/events/${id}`);
    expect(await searchFor(academia.client)).to.include(`/events/${id}`);
    const roleOnly = await createEvent(organiser, { audience: { sectors: [], roles: ['moderator'] } });
    expect((await moderator.client.get(`/api/events/${roleOnly}`)).status).to.equal(200);
    expect((await industry.client.get(`/api/events/${roleOnly}`)).status).to.equal(404);
  });

  it('reviews registrations when the event asks: pending until the organiser decides; attendees only as the event says', async function () {
    const { client: organiser } = await member({ roles: ['organiser'] });
    const id = await createEvent(organiser, { review: true, capacity: 1, showAttendees: true });
    const a = await member();
    const b = await member();
    expect((await register(a.client, id)).body).to.deep.equal({ state: 'pending', position: null });
    expect((await register(b.client, id)).body.state).to.equal('pending');
    expect((await a.client.get(`/api/events/${id}`)).body.venue).to.equal(null);
    expect((await a.client.post(`/api/events/${id}/registrations/${String(b.member._id)}/decision`, { approve: true })).status).to.equal(404);
    const approve = (memberId: unknown, value: boolean) => organiser.post(`/api/events/${id}/registrations/${String(memberId)}/decision`, { approve: value });
    expect((await approve(a.member._id, true)).body).to.deep.equal({ state: 'registered', position: null });
    expect((await approve(b.member._id, true)).body).to.deep.equal({ state: 'waitlisted', position: 1 });
    expect((await approve(b.member._id, false)).status).to.equal(404);
    const list = await organiser.get(`/api/events/${id}/attendees`);
    expect(list.body.map((row: { state: string }) => row.state)).to.deep.equal(['registered', 'waitlisted']);
    const seen = await a.client.get(`/api/events/${id}/attendees`);
    expect(seen.status).to.equal(200);
    expect(seen.body.map((row: { memberId: string }) => row.memberId)).to.deep.equal([String(a.member._id)]);
    expect((await b.client.get(`/api/events/${id}/attendees`)).status).to.equal(403);
    expect(await models.AuditEvent.countDocuments({ action: 'event.registration_decided', targetId: id })).to.equal(2);
  });

  it('serves the personal feed only while its token is valid; rotating and revoking are audited', async function () {
    const { client, member: doc } = await member();
    expect((await client.get('/api/me/event-feed')).body.active).to.equal(false);
    const first = await client.post('/api/me/event-feed');
    expect(first.status).to.equal(201);
    const second = await client.post('/api/me/event-feed');
    const visitor = new ApiClient(server.url);
    expect((await visitor.get(`/api/feeds/events.ics?token=${first.body.token}`)).status).to.equal(404);
    const ok = await visitor.get(`/api/feeds/events.ics?token=${second.body.token}`);
    expect(ok.status).to.equal(200);
    expect(ok.headers.get('content-type')).to.contain('text/calendar');
    expect(String(ok.body)).to.match(/^BEGIN:VCALENDAR\r\n/);
    expect((await visitor.get('/api/feeds/events.ics?token=short')).status).to.equal(400);
    expect((await client.delete('/api/me/event-feed')).status).to.equal(204);
    expect((await visitor.get(`/api/feeds/events.ics?token=${second.body.token}`)).status).to.equal(404);
    expect((await client.delete('/api/me/event-feed')).status).to.equal(409);
    const stored = await models.EventFeed.findById(String(doc._id)).lean();
    expect(JSON.stringify(stored)).to.not.contain(second.body.token);
    expect(await models.AuditEvent.countDocuments({ action: 'event.feed_token_created', actorId: doc._id })).to.equal(2);
    expect(await models.AuditEvent.countDocuments({ action: 'event.feed_token_revoked', actorId: doc._id })).to.equal(1);
  });

  it('writes RFC 5545 text: escaped, CRLF, folded at 75 octets without splitting characters', async function () {
    expect(icsText('a,b;c\\d\ne')).to.equal('a\\,b\\;c\\\\d\\ne');
    const line = `SUMMARY:${'ü'.repeat(60)}`;
    const folded = foldLine(line);
    for (const part of folded.split('\r\n')) expect(Buffer.byteLength(part, 'utf8')).to.be.at.most(75);
    expect(folded.split('\r\n').map((part, i) => (i === 0 ? part : part.slice(1))).join('')).to.equal(line);
    const { client: organiser } = await member({ roles: ['organiser'] });
    const id = await createEvent(organiser, { title: 'Terms, conditions; and \\ more', description: 'x'.repeat(300), chathamHouse: true });
    const ics = String((await organiser.get(`/api/events/${id}/event.ics`)).body);
    expect(ics).to.contain('SUMMARY:Terms\\, conditions\\; and \\\\ more (Chatham House Rule)');
    expect(ics.split('\r\n').every((part) => Buffer.byteLength(part, 'utf8') <= 75)).to.equal(true);
    expect(ics.replace(/\r\n/g, '')).to.not.contain('\n');
    expect(ics).to.contain(`DTSTART:${eventBody().startsAt.slice(0, 4)}`);
  });

  it('words the calendar file and the materials’ errors in the reader’s language; the file’s structure and the codes stay', async function () {
    const { client: organiser } = await member({ roles: ['organiser'] });
    const id = await createEvent(organiser, { chathamHouse: true });
    const ics = String((await organiser.get(`/api/events/${id}/event.ics`, { 'Accept-Language': 'ru' })).body);
    const unfolded = ics.replace(/\r\n /g, '');
    expect(unfolded).to.contain('Проводится по правилу Чатем-хауса.');
    expect(unfolded).to.match(/Часовой пояс: /);
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).to.equal(true);
    expect(ics).to.contain(`DTSTART:${eventBody().startsAt.slice(0, 4)}`);
    expect(ics.split('\r\n').every((part) => Buffer.byteLength(part, 'utf8') <= 75)).to.equal(true);
    const english = String((await organiser.get(`/api/events/${id}/event.ics`, { 'Accept-Language': 'en' })).body).replace(/\r\n /g, '');
    expect(english).to.contain('Held under the Chatham House Rule.');
    const missing = `/api/events/${id}/materials/${String(new Types.ObjectId())}`;
    const inFrench = await organiser.get(missing, { 'Accept-Language': 'fr' });
    const inEnglish = await organiser.get(missing, { 'Accept-Language': 'en' });
    expect(inFrench.status).to.equal(404);
    expect(inFrench.body.error.code).to.equal(inEnglish.body.error.code);
    expect(inFrench.body.error.message).to.equal('Ce document n’existe pas.');
    expect(inEnglish.body.error.message).to.equal('No such material.');
  });

  it('filters the list by a from–to window (overlap, any offset), city and mode; lists the cities; never the venue', async function () {
    const { client: organiser } = await member({ roles: ['organiser'] });
    const tag = Math.random().toString(16).slice(2, 8);
    const [cityX, cityY] = [`Ghent ${tag}`, `Aarhus ${tag}`];
    const at = (startsAt: string, endsAt: string) => ({ startsAt, endsAt });
    // February 2031 in Berlin (UTC+1) is 2031-01-31T23:00Z to 2031-02-28T23:00Z; no other test goes near it.
    const overlapsStart = await createEvent(organiser, { title: 'Across midnight', city: cityX, ...at('2031-01-31T22:30:00Z', '2031-01-31T23:30:00Z') });
    const endsAtStart = await createEvent(organiser, { title: 'Ends as it starts', city: cityX, ...at('2031-01-31T21:00:00Z', '2031-01-31T23:00:00Z') });
    const inPerson = await createEvent(organiser, { title: 'Mid-month', city: cityX, capacity: 5, ...at('2031-02-10T10:00:00Z', '2031-02-10T12:00:00Z') });
    const online = await createEvent(organiser, { title: 'Online mid-month', mode: 'online', city: null, venue: null, joinUrl: JOIN, ...at('2031-02-15T10:00:00Z', '2031-02-15T11:00:00Z') });
    const nextMonth = await createEvent(organiser, { title: 'Next month', city: cityY, ...at('2031-02-28T23:00:00Z', '2031-03-01T02:00:00Z') });
    const window = `from=${encodeURIComponent('2031-02-01T00:00:00+01:00')}&to=${encodeURIComponent('2031-03-01T00:00:00+01:00')}`;
    const viewer = await member();
    const ids = async (client: ApiClient, query: string) => {
      const res = await client.get(`/api/events?${query}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      return res.body.events.map((event: { id: string }) => event.id);
    };
    expect(await ids(viewer.client, window)).to.deep.equal([overlapsStart, inPerson, online]);
    expect(await ids(viewer.client, `${window}&when=all`)).to.deep.equal([overlapsStart, inPerson, online]);
    expect(await ids(viewer.client, `${window}&mode=online`)).to.deep.equal([online]);
    expect(await ids(viewer.client, `${window}&mode=in_person`)).to.deep.equal([overlapsStart, inPerson]);
    expect(await ids(viewer.client, `${window}&city=${encodeURIComponent(cityX.toUpperCase())}`)).to.deep.equal([overlapsStart, inPerson]);
    expect(await ids(viewer.client, `${window}&city=${encodeURIComponent(cityY)}`)).to.deep.equal([]);
    expect(await ids(viewer.client, `${window}&city=${encodeURIComponent(cityX)}&mode=online`)).to.deep.equal([]);
    expect(await ids(viewer.client, `from=${encodeURIComponent('2031-03-01T00:00:00+01:00')}&to=${encodeURIComponent('2031-04-01T00:00:00+02:00')}`)).to.deep.equal([nextMonth]);
    expect(await ids(viewer.client, `to=${encodeURIComponent('2031-01-31T22:30:00Z')}&when=all`)).to.include(endsAtStart).and.not.include(overlapsStart); // starting at `to` is outside
    expect(await ids(viewer.client, `month=2031-02&city=${encodeURIComponent(cityX)}`)).to.deep.equal([inPerson]); // UTC month, by start

    // Cities: every in-person event's city, whatever the filters; online events have none.
    const filtered = await viewer.client.get(`/api/events?${window}&mode=online`);
    expect(filtered.body.cities).to.include.members([cityX, cityY]);
    expect(filtered.body.cities).to.deep.equal([...filtered.body.cities].sort((a: string, b: string) => a.localeCompare(b)));
    expect(new Set(filtered.body.cities).size).to.equal(filtered.body.cities.length);

    // The venue and the join link stay with the people who have a place, on every filtered list.
    const secret = /Secret Street|room-7f3a/;
    for (const query of [window, `${window}&mode=online`, `${window}&city=${encodeURIComponent(cityX)}`, `${window}&mode=in_person`]) {
      const res = await viewer.client.get(`/api/events?${query}`);
      expect(JSON.stringify(res.body), query).to.not.match(secret);
      expect(res.body.events.every((event: { venue: unknown; joinUrl: unknown }) => event.venue === null && event.joinUrl === null)).to.equal(true);
    }
    const holder = await member();
    expect((await register(holder.client, inPerson)).body.state).to.equal('registered');
    const theirs = (await holder.client.get(`/api/events?${window}`)).body.events;
    expect(theirs.find((event: { id: string }) => event.id === inPerson).venue).to.equal(VENUE);
    expect(theirs.find((event: { id: string }) => event.id === overlapsStart).venue).to.equal(null);
    expect(theirs.find((event: { id: string }) => event.id === online).joinUrl).to.equal(null);
    expect(JSON.stringify((await viewer.client.get(`/api/events?${window}`)).body)).to.not.match(secret);

    // Bad input: 400 with a code. Signed out: 401. Applicants: 403.
    for (const query of [
      'from=yesterday',
      'from=2031-02-01T00:00:00', // no offset: whose midnight?
      `from=${encodeURIComponent('2031-03-01T00:00:00Z')}&to=${encodeURIComponent('2031-02-01T00:00:00Z')}`,
      `from=${encodeURIComponent('2031-02-01T00:00:00Z')}&to=${encodeURIComponent('2031-02-01T00:00:00Z')}`,
      `from=${encodeURIComponent('2030-01-01T00:00:00Z')}&to=${encodeURIComponent('2031-06-01T00:00:00Z')}`,
      'mode=hybrid',
      'city=',
      `city=${'x'.repeat(81)}`,
      'city[$ne]=x',
      'month=2031-13',
      'from=2031-02-01T00:00:00Z&from=2031-02-02T00:00:00Z',
    ]) {
      const res = await viewer.client.get(`/api/events?${query}`);
      expect(res.status, query).to.equal(400);
      expect(res.body.error.code, query).to.equal('invalid_request');
    }
    expect((await new ApiClient(server.url).get(`/api/events?${window}`)).status).to.equal(401);
    const applicant = await member({ status: 'applicant' });
    expect((await applicant.client.get(`/api/events?${window}`)).status).to.equal(403);
  });

  it('lets an admin grant the organiser role, which opens event creation', async function () {
    const { client: admin } = await member({ roles: ['admin'] });
    const { member: doc } = await member();
    const res = await admin.post(`/api/admin/members/${String(doc._id)}/roles`, { role: 'organiser', grant: true });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.roles).to.include('organiser');
    expect(await models.AuditEvent.countDocuments({ action: 'role.granted', targetId: String(doc._id) })).to.equal(1);
    const client = new ApiClient(server.url);
    expect((await client.post('/api/auth/sign-in', { email: doc.email, password: PASSWORD })).status).to.equal(200);
    expect((await client.post('/api/events', eventBody())).status).to.equal(201);
  });
});
