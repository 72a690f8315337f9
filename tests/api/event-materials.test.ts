import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import type { Models } from '../../backend/src/db/models.ts';
import type { MemberDoc } from '../../backend/src/members/member.model.ts';
import type { OrganisationDoc } from '../../backend/src/organisations/organisation.model.ts';
import { TLP_MARKINGS, type TlpMarking } from '../../backend/src/policy/policy.ts';
import { ManualClock } from '../../backend/src/shared/clock.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../backend/src/shared/realtime-events.ts';
import { makePdf } from '../../scripts/lib/make-pdf.ts';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { makeOrganisation, signedIn, type MakeMember } from '../factories/members.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const DAY = 86_400_000;
const MISSING = '0123456789abcdef01234567';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(200)]);
const word = () => `w${randomBytes(5).toString('hex')}`;

async function upload(client: ApiClient, path: string, bytes: Buffer, contentType = 'application/pdf') {
  const response = await fetch(`${client.baseUrl}${path}`, { method: 'PUT', headers: { 'content-type': contentType, 'x-convene-csrf': '1', cookie: client.cookie ?? '' }, body: bytes });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function download(client: ApiClient, path: string) {
  const response = await fetch(`${client.baseUrl}${path}`, { headers: client.cookie ? { cookie: client.cookie } : {} });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

type ViewerName = 'organiser' | 'participant' | 'colleague' | 'bystander' | 'moderator' | 'outsider' | 'visitor';

/**
 * Who sees which marking, written out: the organiser and registered participants are the event's
 * recipients (RED: these people; AMBER and AMBER+STRICT: their organisations, so a colleague of a
 * participant too); everyone else in the audience sees CLEAR and GREEN; outside the audience, nothing.
 */
const SEES: Record<ViewerName, TlpMarking[]> = {
  organiser: [...TLP_MARKINGS],
  participant: [...TLP_MARKINGS],
  colleague: ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT'],
  bystander: ['TLP:CLEAR', 'TLP:GREEN'],
  moderator: ['TLP:CLEAR', 'TLP:GREEN'],
  outsider: [],
  visitor: [],
};

describe('event materials, findings and feedback (HTTP, search, real time)', function () {
  this.timeout(120_000);
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

  /** The server's clock (findings and feedback go by it; registration by the real time). */
  const setClock = (at: number) => {
    server.server.ctx.clock = new ManualClock(at);
  };
  const member = (input: MakeMember = {}) => signedIn(server.url, models, { sector: 'industry', ...input });

  interface World {
    eventId: string;
    startsAt: number;
    endsAt: number;
    viewers: Record<ViewerName, ApiClient>;
    docs: Partial<Record<ViewerName, MemberDoc>>;
  }

  /**
   * A fresh industry-only workshop a week ahead, with one registered participant; the clock is set
   * after its end. Personas: organiser, participant, a colleague of the participant (same
   * organisation, not registered), a bystander in the audience, a moderator in the audience, an
   * outsider (government, outside the audience) and a visitor.
   */
  async function world(): Promise<World> {
    const startsAt = Date.now() + 7 * DAY;
    const endsAt = startsAt + 3 * 3600_000;
    setClock(Date.now());
    const organiser = await member({ roles: ['organiser'] });
    const created = await organiser.client.post('/api/events', {
      kind: 'workshop',
      title: `Workshop ${word()}`,
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(endsAt).toISOString(),
      timeZone: 'Europe/Berlin',
      mode: 'online',
      capacity: 10,
      audience: { sectors: ['industry'], roles: [] },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const eventId = created.body.id as string;
    const shared: OrganisationDoc = await makeOrganisation(models, { sector: 'industry' });
    const participant = await member({ organisation: shared });
    expect((await participant.client.request('PUT', `/api/events/${eventId}/registration`)).body.state).to.equal('registered');
    const colleague = await member({ organisation: shared });
    const bystander = await member();
    const moderator = await member({ roles: ['moderator'] });
    const outsider = await member({ sector: 'government' });
    setClock(endsAt + 3600_000);
    return {
      eventId,
      startsAt,
      endsAt,
      viewers: { organiser: organiser.client, participant: participant.client, colleague: colleague.client, bystander: bystander.client, moderator: moderator.client, outsider: outsider.client, visitor: new ApiClient(server.url) },
      docs: { organiser: organiser.member, participant: participant.member, colleague: colleague.member, bystander: bystander.member, moderator: moderator.member, outsider: outsider.member },
    };
  }

  async function publish(client: ApiClient, eventId: string, body: Record<string, unknown>): Promise<string> {
    const res = await client.post(`/api/events/${eventId}/materials`, { kind: 'findings', title: `Findings ${word()}`, body: 'What we found.', marking: 'TLP:GREEN', ...body });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id;
  }

  const searchKeys = async (client: ApiClient, q: string) => {
    const res = await client.get(`/api/search?q=${encodeURIComponent(q)}&type=finding`);
    return { status: res.status, keys: res.status === 200 ? (res.body.hits as { key: string }[]).map((hit) => hit.key).sort() : [], body: res.body };
  };

  async function open(client: ApiClient): Promise<ClientSocket> {
    const socket: ClientSocket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: client.cookie! } });
    sockets.push(socket);
    await new Promise((resolve, reject) => {
      socket.once('session.ready', resolve);
      socket.once('connect_error', reject);
    });
    return socket;
  }

  it('materials × TLP × viewer: list, detail, PDF download and search each show exactly what the marking admits', async function () {
    const w = await world();
    const shared = word();
    const byMarking = new Map<TlpMarking, { id: string; title: string }>();
    for (const marking of TLP_MARKINGS) {
      const title = `Findings ${marking} ${word()}`;
      const id = await publish(w.viewers.organiser, w.eventId, { title, body: `The ${shared} pattern, marked ${marking}.`, marking });
      const pdf = makePdf(title, ['Findings of the workshop.']);
      const uploaded = await upload(w.viewers.organiser, `/api/events/${w.eventId}/materials/${id}/pdf`, pdf);
      expect(uploaded.status, JSON.stringify(uploaded.body)).to.equal(200);
      expect(uploaded.body.pdf).to.deep.equal({ size: pdf.length, url: `/api/events/${w.eventId}/materials/${id}/pdf` });
      byMarking.set(marking, { id, title });
    }
    for (const [name, client] of Object.entries(w.viewers) as [ViewerName, ApiClient][]) {
      const expected = SEES[name];
      const expectedIds = expected.map((marking) => byMarking.get(marking)!.id).sort();
      const list = await client.get(`/api/events/${w.eventId}/materials`);
      if (name === 'visitor') expect(list.status).to.equal(401);
      else if (name === 'outsider') expect(list.status).to.equal(404);
      else {
        expect(list.status, name).to.equal(200);
        expect((list.body.materials as { id: string }[]).map((item) => item.id).sort(), `${name} list`).to.deep.equal(expectedIds);
        // The list carries titles and markings, never the text.
        expect(JSON.stringify(list.body)).not.to.contain(shared);
      }
      for (const marking of TLP_MARKINGS) {
        const { id, title } = byMarking.get(marking)!;
        const sees = expected.includes(marking);
        const detail = await client.get(`/api/events/${w.eventId}/materials/${id}`);
        const pdf = await download(client, `/api/events/${w.eventId}/materials/${id}/pdf`);
        const refused = name === 'visitor' ? 401 : 404;
        expect(detail.status, `${name} detail ${marking}`).to.equal(sees ? 200 : refused);
        expect(pdf.status, `${name} pdf ${marking}`).to.equal(sees ? 200 : refused);
        if (sees) {
          expect(detail.body).to.include({ id, title, marking, kind: 'findings' });
          expect(detail.body.bodyHtml).to.contain(shared);
          expect(pdf.headers.get('content-type')).to.equal('application/pdf');
          expect(pdf.headers.get('content-disposition')).to.match(/^attachment; filename="TLP-[A-Z-]+-Findings-/);
          expect(pdf.headers.get('x-content-type-options')).to.equal('nosniff');
        } else {
          // Hidden reads exactly like missing.
          const missing = await client.get(`/api/events/${w.eventId}/materials/${MISSING}`);
          expect(detail.body).to.deep.equal(missing.body);
          expect(JSON.stringify(detail.body)).not.to.contain(title);
        }
      }
      const search = await searchKeys(client, shared);
      if (name === 'visitor') expect(search.status).to.equal(401);
      else {
        expect(search.status, name).to.equal(200);
        expect(search.keys, `${name} search`).to.deep.equal(expectedIds.map((id) => `finding:${id}`).sort());
        expect(search.body.total).to.equal(expectedIds.length);
        const hidden = TLP_MARKINGS.filter((marking) => !expected.includes(marking)).map((marking) => byMarking.get(marking)!.title);
        for (const title of hidden) expect(JSON.stringify(search.body), `${name} search leaks ${title}`).not.to.contain(title);
      }
    }
    // Reads of AMBER, AMBER+STRICT and RED are audited (detail and PDF); CLEAR and GREEN are not.
    const reads = await models.AuditEvent.find({ action: 'event.material_read_restricted', targetId: w.eventId }).lean();
    const marks = reads.map((entry) => (entry.details as { marking: string }).marking);
    expect(new Set(marks)).to.deep.equal(new Set(['TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED']));
    expect(reads.filter((entry) => String(entry.actorId) === String(w.docs.colleague!._id)).map((entry) => (entry.details as { via: string }).via).sort()).to.deep.equal(['detail', 'detail', 'pdf', 'pdf']);
  });

  it('a participant who cancels loses RED and AMBER at once; their colleague loses AMBER with them', async function () {
    const w = await world();
    const red = await publish(w.viewers.organiser, w.eventId, { marking: 'TLP:RED', kind: 'material' });
    const amber = await publish(w.viewers.organiser, w.eventId, { marking: 'TLP:AMBER' });
    expect((await w.viewers.participant.get(`/api/events/${w.eventId}/materials/${red}`)).status).to.equal(200);
    expect((await w.viewers.colleague.get(`/api/events/${w.eventId}/materials/${amber}`)).status).to.equal(200);
    expect((await w.viewers.participant.delete(`/api/events/${w.eventId}/registration`)).status).to.equal(204);
    expect((await w.viewers.participant.get(`/api/events/${w.eventId}/materials/${red}`)).status).to.equal(404);
    expect((await w.viewers.participant.get(`/api/events/${w.eventId}/materials/${amber}`)).status).to.equal(404);
    expect((await w.viewers.colleague.get(`/api/events/${w.eventId}/materials/${amber}`)).status).to.equal(404);
    expect((await w.viewers.organiser.get(`/api/events/${w.eventId}/materials/${red}`)).status).to.equal(200);
  });

  it('organisers and moderators manage; a moderator neither sees nor edits a RED item of others, but sees their own; sanitised and audited', async function () {
    const w = await world();
    const created = await w.viewers.organiser.post(`/api/events/${w.eventId}/materials`, { kind: 'material', title: 'Slides', body: 'Read **this**. <script>alert(1)</script><img src="https://evil.example/x.png">', marking: 'TLP:GREEN' });
    expect(created.status).to.equal(201);
    expect(created.body.bodyHtml).to.contain('<strong>this</strong>').and.not.contain('<script').and.not.contain('<img');
    expect(created.body).to.include({ canManage: true, bodySource: 'Read **this**. <script>alert(1)</script><img src="https://evil.example/x.png">' });
    const id = created.body.id as string;
    const path = `/api/events/${w.eventId}/materials/${id}`;
    const asParticipant = await w.viewers.participant.get(path);
    expect(asParticipant.body).to.include({ canManage: false, bodySource: null });
    expect((await w.viewers.participant.patch(path, { title: 'Mine now' })).status).to.equal(403);
    expect((await w.viewers.participant.delete(path)).status).to.equal(403);
    expect((await upload(w.viewers.participant, `${path}/pdf`, makePdf('x', ['y']))).status).to.equal(403);
    expect((await w.viewers.participant.post(`/api/events/${w.eventId}/materials`, { kind: 'material', title: 'Sneaky', marking: 'TLP:CLEAR' })).status).to.equal(404);
    expect((await w.viewers.outsider.patch(path, { title: 'Theirs' })).status).to.equal(404);

    const edited = await w.viewers.moderator.patch(path, { title: 'Slides, revised', marking: 'TLP:CLEAR' });
    expect(edited.status, JSON.stringify(edited.body)).to.equal(200);
    expect(edited.body).to.include({ title: 'Slides, revised', marking: 'TLP:CLEAR' });
    const red = await publish(w.viewers.organiser, w.eventId, { marking: 'TLP:RED' });
    expect((await w.viewers.moderator.patch(`/api/events/${w.eventId}/materials/${red}`, { marking: 'TLP:CLEAR' })).status).to.equal(404);
    expect((await w.viewers.moderator.delete(`/api/events/${w.eventId}/materials/${red}`)).status).to.equal(404);
    const own = await publish(w.viewers.moderator, w.eventId, { marking: 'TLP:RED', title: 'Moderator notes' });
    expect((await w.viewers.moderator.get(`/api/events/${w.eventId}/materials/${own}`)).status).to.equal(200);
    expect((await w.viewers.organiser.get(`/api/events/${w.eventId}/materials/${own}`)).status).to.equal(200);
    expect((await w.viewers.bystander.get(`/api/events/${w.eventId}/materials/${own}`)).status).to.equal(404);

    expect((await w.viewers.organiser.delete(path)).status).to.equal(204);
    expect((await w.viewers.organiser.get(path)).status).to.equal(404);
    const audit = (await models.AuditEvent.find({ targetId: w.eventId }).lean()).filter((entry) => ['event.material_created', 'event.material_updated', 'event.material_removed'].includes(entry.action));
    const about = (materialId: string) => audit.filter((entry) => (entry.details as { materialId: string }).materialId === materialId).map((entry) => entry.action);
    expect(about(id)).to.deep.equal(['event.material_created', 'event.material_updated', 'event.material_removed']);
    const update = audit.find((entry) => entry.action === 'event.material_updated')!;
    expect(String(update.actorId)).to.equal(String(w.docs.moderator!._id));
    expect(update.details).to.deep.include({ marking: { from: 'TLP:GREEN', to: 'TLP:CLEAR' } });
    // The audit names the item, never its title or text.
    expect(JSON.stringify(audit)).not.to.contain('Slides');
  });

  it('findings wait for the event to start (materials do not); re-marking, re-kinding and removal reach search at once', async function () {
    const w = await world();
    setClock(w.startsAt - 3600_000);
    const early = await w.viewers.organiser.post(`/api/events/${w.eventId}/materials`, { kind: 'findings', title: 'Too early', marking: 'TLP:GREEN' });
    expect(early.status).to.equal(409);
    expect(early.body.error.code).to.equal('event_not_started');
    const tag = word();
    const preRead = await publish(w.viewers.organiser, w.eventId, { kind: 'material', title: 'Pre-read', body: `About ${tag}.` });
    expect((await w.viewers.organiser.patch(`/api/events/${w.eventId}/materials/${preRead}`, { kind: 'findings' })).body.error.code).to.equal('event_not_started');
    expect((await searchKeys(w.viewers.bystander, tag)).keys, 'materials are not searched').to.deep.equal([]);

    setClock(w.startsAt + 60_000);
    expect((await w.viewers.organiser.patch(`/api/events/${w.eventId}/materials/${preRead}`, { kind: 'findings' })).status).to.equal(200);
    expect((await searchKeys(w.viewers.bystander, tag)).keys).to.deep.equal([`finding:${preRead}`]);
    const hit = (await w.viewers.bystander.get(`/api/search?q=${tag}&type=finding`)).body.hits[0];
    expect(hit).to.include({ title: 'TLP:GREEN Pre-read', link: `/events/${w.eventId}#material-${preRead}` });

    expect((await w.viewers.organiser.patch(`/api/events/${w.eventId}/materials/${preRead}`, { marking: 'TLP:RED' })).status).to.equal(200);
    expect((await searchKeys(w.viewers.bystander, tag)).keys).to.deep.equal([]);
    expect((await searchKeys(w.viewers.participant, tag)).keys).to.deep.equal([`finding:${preRead}`]);
    expect((await w.viewers.organiser.patch(`/api/events/${w.eventId}/materials/${preRead}`, { kind: 'material' })).status).to.equal(200);
    expect((await searchKeys(w.viewers.participant, tag)).keys).to.deep.equal([]);
    expect((await w.viewers.organiser.patch(`/api/events/${w.eventId}/materials/${preRead}`, { kind: 'findings', body: `Now about ${tag} only.` })).status).to.equal(200);
    expect((await searchKeys(w.viewers.participant, tag)).keys).to.deep.equal([`finding:${preRead}`]);
    expect((await w.viewers.organiser.delete(`/api/events/${w.eventId}/materials/${preRead}`)).status).to.equal(204);
    expect((await searchKeys(w.viewers.participant, tag)).keys).to.deep.equal([]);
  });

  it('tells only those who may see a material that it changed, with ids only', async function () {
    const w = await world();
    const participant = await open(w.viewers.participant);
    const bystander = await open(w.viewers.bystander);
    const outsider = await open(w.viewers.outsider);
    const heard: Record<string, unknown[]> = { participant: [], bystander: [], outsider: [] };
    participant.on('event.material_changed', (payload) => heard.participant!.push(payload));
    bystander.on('event.material_changed', (payload) => heard.bystander!.push(payload));
    outsider.on('event.material_changed', (payload) => heard.outsider!.push(payload));
    const red = await publish(w.viewers.organiser, w.eventId, { marking: 'TLP:RED' });
    const green = await publish(w.viewers.organiser, w.eventId, { marking: 'TLP:GREEN' });
    for (const socket of [participant, bystander, outsider]) expect((await socket.emitWithAck('system.ping', {})).ok).to.equal(true);
    expect(heard.participant).to.deep.equal([
      { eventId: w.eventId, materialId: red, change: 'created' },
      { eventId: w.eventId, materialId: green, change: 'created' },
    ]);
    expect(heard.bystander).to.deep.equal([{ eventId: w.eventId, materialId: green, change: 'created' }]);
    expect(heard.outsider).to.deep.equal([]);
  });

  it('refuses bad input with 4xx and a code, never 500', async function () {
    const w = await world();
    const client = w.viewers.organiser;
    const base = { kind: 'material', title: 'A good title', body: 'Text', marking: 'TLP:GREEN' };
    for (const overrides of [{ kind: 'minutes' }, { marking: 'TLP:WHITE' }, { marking: 'tlp:green' }, { title: 'ab' }, { title: 'x'.repeat(141) }, { title: 'a\u0000bc' }, { body: 'x'.repeat(50_001) }, { surprise: 1 }, { marking: { $ne: null } }]) {
      const res = await client.post(`/api/events/${w.eventId}/materials`, { ...base, ...overrides });
      expect(res.status, JSON.stringify(overrides)).to.equal(400);
      expect(res.body.error.code).to.equal('invalid_request');
    }
    const id = await publish(client, w.eventId, {});
    expect((await client.patch(`/api/events/${w.eventId}/materials/${id}`, {})).status).to.equal(400);
    expect((await client.get(`/api/events/${w.eventId}/materials/not-an-id`)).status).to.equal(400);
    expect((await client.get(`/api/events/${w.eventId}/materials/${MISSING}`)).status).to.equal(404);
    expect((await client.get(`/api/events/${MISSING}/materials/${id}`)).status).to.equal(404);
    const path = `/api/events/${w.eventId}/materials/${id}/pdf`;
    expect((await download(client, path)).status).to.equal(404);
    const png = await upload(client, path, PNG);
    expect(png.status).to.equal(415);
    expect(png.body.error.code).to.equal('not_a_pdf');
    const typed = await upload(client, path, makePdf('x', ['y']), 'image/png');
    expect(typed.status).to.equal(415);
    expect(typed.body.error.code).to.equal('unsupported_media_type');
    expect((await upload(client, path, Buffer.alloc(0))).status).to.equal(400);
  });

  it('once the event is over nobody registers (409 event_over) and nobody who waited moves up: the roster stays the record of who took part', async function () {
    const w = await world();
    const path = `/api/events/${w.eventId}/registration`;
    // Before the event: one place, taken; the bystander waits.
    setClock(w.startsAt - 3600_000);
    expect((await w.viewers.organiser.patch(`/api/events/${w.eventId}`, { capacity: 1 })).status).to.equal(200);
    expect((await w.viewers.bystander.request('PUT', path)).body.state).to.equal('waitlisted');
    setClock(w.endsAt + 60_000);
    const late = await w.viewers.colleague.request('PUT', path, undefined, { 'Accept-Language': 'fr' });
    expect(late.status).to.equal(409);
    expect(late.body.error).to.deep.include({ code: 'event_over', message: 'Cet événement est terminé.' });
    // The participant withdraws after the end: their place goes to nobody, and an edit moves nobody up either.
    expect((await w.viewers.participant.request('DELETE', path)).status).to.equal(204);
    expect((await w.viewers.participant.get(`/api/events/${w.eventId}`)).body.own.state).to.equal('none');
    expect((await w.viewers.organiser.patch(`/api/events/${w.eventId}`, { description: 'Thank you for coming.' })).status).to.equal(200);
    expect((await w.viewers.bystander.get(`/api/events/${w.eventId}`)).body.own.state).to.equal('waitlisted');
    expect((await w.viewers.colleague.get(`/api/events/${w.eventId}`)).body.own.state).to.equal('none');
    // The organiser's own decision still counts: a raised capacity gives the place.
    expect((await w.viewers.organiser.patch(`/api/events/${w.eventId}`, { capacity: 2 })).status).to.equal(200);
    expect((await w.viewers.bystander.get(`/api/events/${w.eventId}`)).body.own.state).to.equal('registered');
  });

  describe('feedback', function () {
    const good = { rating: 4, useful: true, wanted: ['tooling', 'follow_up'] };

    it('registered participants answer once after the event; others are refused; bad input 400', async function () {
      const w = await world();
      const path = `/api/events/${w.eventId}/feedback`;
      setClock(w.endsAt - 60_000);
      const early = await w.viewers.participant.post(path, good);
      expect(early.status).to.equal(409);
      expect(early.body.error.code).to.equal('event_not_over');
      expect((await w.viewers.participant.get(path)).body).to.deep.equal({ open: false, canGive: false, given: false, results: null });

      setClock(w.endsAt + 60_000);
      expect((await w.viewers.participant.get(path)).body).to.include({ open: true, canGive: true, given: false });
      for (const body of [{ ...good, rating: 0 }, { ...good, rating: 6 }, { ...good, rating: 2.5 }, { ...good, useful: 'yes' }, { ...good, wanted: ['tooling', 'tooling'] }, { ...good, wanted: ['cake'] }, { ...good, comment: 'Great!' }, { useful: true }]) {
        const res = await w.viewers.participant.post(path, body);
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.body.error.code).to.equal('invalid_request');
      }
      const bystander = await w.viewers.bystander.post(path, good);
      expect(bystander.status).to.equal(403);
      expect(bystander.body.error.code).to.equal('not_a_participant');
      expect((await w.viewers.organiser.post(path, good)).status).to.equal(403);
      expect((await w.viewers.outsider.post(path, good)).status).to.equal(404);
      expect((await w.viewers.visitor.post(path, good)).status).to.equal(401);

      // Twice at once: exactly one counts.
      const [a, b] = await Promise.all([w.viewers.participant.post(path, good), w.viewers.participant.post(path, { rating: 1, useful: false })]);
      expect([a.status, b.status].sort()).to.deep.equal([201, 409]);
      expect([a, b].find((res) => res.status === 409)!.body.error.code).to.equal('feedback_already_given');
      // Again, reading Arabic: the same code, the message in the reader's language.
      const again = await w.viewers.participant.post(path, good, { 'Accept-Language': 'ar' });
      expect(again.status).to.equal(409);
      expect(again.body.error).to.deep.include({ code: 'feedback_already_given', message: 'لقد قدّمتم ملاحظاتكم على هذه الفعالية من قبل.' });
      const mine = await w.viewers.participant.get(path);
      expect(mine.body).to.deep.equal({ open: true, canGive: false, given: true, results: null });
      // One answer: how many answered, but no counts (they would be that person's answer).
      expect((await w.viewers.organiser.get(path)).body.results).to.deep.equal({ responses: 1, shownFrom: 3, rating: null, useful: null, wanted: null });
    });

    it('organisers and moderators see counts only: nothing tied to a person is stored or shown', async function () {
      const w = await world();
      const path = `/api/events/${w.eventId}/feedback`;
      setClock(Date.now());
      const more = [];
      for (let i = 0; i < 2; i += 1) {
        const extra = await member();
        expect((await extra.client.request('PUT', `/api/events/${w.eventId}/registration`)).body.state).to.equal('registered');
        more.push(extra);
      }
      setClock(w.endsAt + 60_000);
      // Three first answers at once: each is counted.
      const answers = await Promise.all([
        w.viewers.participant.post(path, { rating: 5, useful: true, wanted: ['tooling'] }),
        more[0]!.client.post(path, { rating: 5, useful: false, wanted: ['tooling', 'peer_contacts'] }),
        more[1]!.client.post(path, { rating: 2, useful: true }),
      ]);
      expect(answers.map((res) => res.status)).to.deep.equal([201, 201, 201]);
      const expected = {
        responses: 3,
        shownFrom: 3,
        rating: { r1: 0, r2: 1, r3: 0, r4: 0, r5: 2 },
        useful: { yes: 2, no: 1 },
        wanted: { follow_up: 0, written_guidance: 0, tooling: 2, peer_contacts: 1 },
      };
      const organiser = await w.viewers.organiser.get(path);
      expect(organiser.body.results).to.deep.equal(expected);
      expect((await w.viewers.moderator.get(path)).body.results).to.deep.equal(expected);
      expect((await w.viewers.participant.get(path)).body.results).to.equal(null);
      expect((await w.viewers.bystander.get(path)).body).to.deep.equal({ open: true, canGive: false, given: false, results: null });
      expect((await w.viewers.outsider.get(path)).status).to.equal(404);
      // What is stored per person is only that they answered.
      const givers = await models.FeedbackGiver.find({ eventId: w.eventId }).lean();
      expect(givers).to.have.length(3);
      for (const giver of givers) expect(Object.keys(giver).sort()).to.deep.equal(['_id', 'eventId', 'memberId']);
      const tally = await models.FeedbackTally.findById(w.eventId).lean();
      expect(JSON.stringify(tally)).not.to.contain(String(w.docs.participant!._id));
      expect(JSON.stringify(organiser.body)).not.to.contain(String(w.docs.participant!._id));
    });
  });
});
