import { expect } from 'chai';
import { io as connect, type Socket } from 'socket.io-client';
import { toActor } from '../../backend/src/auth/auth.ts';
import type { Models } from '../../backend/src/db/models.ts';
import type { MemberDoc } from '../../backend/src/members/member.model.ts';
import type { OrganisationDoc } from '../../backend/src/organisations/organisation.model.ts';
import type { AlertPayload, ClientToServerEvents, ServerToClientEvents } from '../../backend/src/shared/realtime-events.ts';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { makeOrganisation, signedIn, type MakeMember } from '../factories/members.ts';
import { validateStixBundle } from '../helpers/stix-validator.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const MARKING_IDS: Record<string, string> = {
  'TLP:CLEAR': 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  'TLP:GREEN': 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  'TLP:AMBER': 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'TLP:AMBER+STRICT': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  'TLP:RED': 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
};

const alertBody = (overrides: Record<string, unknown> = {}) => ({
  title: 'Recruitment videos moved to a new file host',
  summary: 'Propaganda re-uploaded **within minutes** of removal.',
  severity: 'high',
  marking: 'TLP:GREEN',
  tags: { platforms: ['filehost'], tactics: ['re-upload'], regions: ['europe'] },
  indicators: [{ kind: 'url', value: 'https://files.example.org/v/123' }],
  ...overrides,
});

describe('trend alerts (HTTP and real time)', function () {
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

  async function open(client: ApiClient): Promise<ClientSocket> {
    const socket: ClientSocket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: client.cookie! } });
    sockets.push(socket);
    await new Promise((resolve, reject) => {
      socket.once('session.ready', resolve);
      socket.once('connect_error', reject);
    });
    return socket;
  }

  /** Everything the server sent this socket before now has arrived (events and acks share one ordered connection). */
  async function settle(socket: ClientSocket): Promise<void> {
    const reply = await socket.emitWithAck('system.ping', {});
    expect(reply.ok).to.equal(true);
  }

  async function member(input: MakeMember): Promise<{ client: ApiClient; member: MemberDoc }> {
    return signedIn(server.url, models, input);
  }

  describe('visibility: every marking × recipients × viewer, through every path', function () {
    interface Viewer {
      name: string;
      client: ApiClient;
      member: MemberDoc;
      socket: ClientSocket;
      events: AlertPayload[];
    }
    const viewers: Viewer[] = [];
    const alerts: { label: string; id: string; marking: string; tactic: string; audience: Set<string> }[] = [];
    let orgs: Record<string, OrganisationDoc>;
    let author: Viewer;

    before(async function () {
      this.timeout(60_000);
      orgs = {
        gov: await makeOrganisation(models, { sector: 'government' }),
        gov2: await makeOrganisation(models, { sector: 'government' }),
        indA: await makeOrganisation(models, { sector: 'industry' }),
        indB: await makeOrganisation(models, { sector: 'industry' }),
        civ: await makeOrganisation(models, { sector: 'civil_society' }),
        aca: await makeOrganisation(models, { sector: 'academia' }),
      };
      const people: [string, string, MakeMember['roles']][] = [
        ['author', 'gov', ['liaison']],
        ['gov2/member', 'gov2', []],
        ['gov2/liaison', 'gov2', ['liaison']],
        ['indA/member', 'indA', []],
        ['indA/liaison', 'indA', ['liaison']],
        ['indB/member', 'indB', []],
        ['indB/moderator', 'indB', ['moderator']],
        ['indB/named', 'indB', []],
        ['civ/member', 'civ', []],
        ['civ/admin', 'civ', ['admin']],
        ['aca/member', 'aca', []],
        ['aca/moderator', 'aca', ['moderator']],
      ];
      for (const [name, org, roles] of people) {
        const { client, member: doc } = await member({ organisation: orgs[org]!, roles });
        // Everyone follows the shared platform tag, so every visible alert should notify them.
        expect((await client.request('PUT', '/api/me/alert-subscriptions', { platforms: { tags: ['matrix'], minSeverity: 'low' }, tactics: { tags: [] }, regions: { tags: [] } })).status).to.equal(200);
        const socket = await open(client);
        const events: AlertPayload[] = [];
        socket.on('alert.created', (payload) => events.push(payload));
        viewers.push({ name, client, member: doc, socket, events });
      }
      author = viewers.find((viewer) => viewer.name === 'author')!;
      const named = viewers.find((viewer) => viewer.name === 'indB/named')!;
      const all = viewers.map((viewer) => viewer.name);
      const cases: { label: string; marking: string; recipients: Record<string, string[]>; audience: string[] }[] = [
        { label: 'clear', marking: 'TLP:CLEAR', recipients: {}, audience: all },
        { label: 'green', marking: 'TLP:GREEN', recipients: {}, audience: all },
        { label: 'amber-org', marking: 'TLP:AMBER', recipients: { organisationIds: [String(orgs.indA!._id)] }, audience: ['author', 'indA/member', 'indA/liaison'] },
        { label: 'amber-sector', marking: 'TLP:AMBER', recipients: { sectors: ['government'] }, audience: ['author', 'gov2/member', 'gov2/liaison'] },
        { label: 'amber-org-sector', marking: 'TLP:AMBER', recipients: { organisationIds: [String(orgs.civ!._id)], sectors: ['academia'] }, audience: ['author', 'civ/member', 'civ/admin', 'aca/member', 'aca/moderator'] },
        { label: 'strict', marking: 'TLP:AMBER+STRICT', recipients: { organisationIds: [String(orgs.indB!._id)] }, audience: ['author', 'indB/member', 'indB/moderator', 'indB/named'] },
        { label: 'red', marking: 'TLP:RED', recipients: { memberIds: [String(named.member._id)] }, audience: ['author', 'indB/named'] },
      ];
      for (const item of cases) {
        const tactic = `m-${item.label}`;
        const res = await author.client.post(
          '/api/alerts',
          alertBody({ title: `Matrix ${item.label}`, severity: 'critical', marking: item.marking, recipients: item.recipients, tags: { platforms: ['matrix'], tactics: [tactic], regions: [] } }),
        );
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
        alerts.push({ label: item.label, id: res.body.id, marking: item.marking, tactic, audience: new Set(item.audience) });
      }
      for (const viewer of viewers) await settle(viewer.socket);
    });

    const expectedFor = (viewer: { name: string }) => alerts.filter((alert) => alert.audience.has(viewer.name));
    const idsFor = (viewer: { name: string }) => expectedFor(viewer).map((alert) => alert.id).sort();

    it('builds every marking', function () {
      expect(new Set(alerts.map((alert) => alert.marking)).size).to.equal(5);
      expect(viewers.length).to.equal(12);
    });

    it('list: exactly the allowed alerts, and a total that counts nothing more', async function () {
      for (const viewer of viewers) {
        const res = await viewer.client.get('/api/alerts?tag=matrix');
        expect(res.status).to.equal(200);
        expect(res.body.alerts.map((alert: { id: string }) => alert.id).sort(), viewer.name).to.deep.equal(idsFor(viewer));
        expect(res.body.total, viewer.name).to.equal(idsFor(viewer).length);
      }
    });

    it('detail: 200 for allowed alerts, 404 exactly like a missing one for the rest', async function () {
      for (const viewer of viewers) {
        const missing = await viewer.client.get('/api/alerts/0123456789abcdef01234567');
        for (const alert of alerts) {
          const res = await viewer.client.get(`/api/alerts/${alert.id}`);
          if (alert.audience.has(viewer.name)) {
            expect(res.status, `${viewer.name} ${alert.label}`).to.equal(200);
            expect(res.body.marking).to.equal(alert.marking);
          } else {
            expect(res.status, `${viewer.name} ${alert.label}`).to.equal(404);
            expect(res.body).to.deep.equal(missing.body);
          }
        }
      }
    });

    it('counts and chart data: only allowed alerts', async function () {
      for (const viewer of viewers) {
        const res = await viewer.client.get('/api/alerts/stats?tag=matrix');
        expect(res.status).to.equal(200);
        expect(res.body.total, viewer.name).to.equal(expectedFor(viewer).length);
        expect(res.body.bySeverity.critical, viewer.name).to.equal(expectedFor(viewer).length);
        const weekly = res.body.weeks.reduce((sum: number, week: { critical: number }) => sum + week.critical, 0);
        expect(weekly, viewer.name).to.equal(expectedFor(viewer).length);
      }
    });

    it('tag autocomplete: never a tag of a hidden alert', async function () {
      for (const viewer of viewers) {
        const res = await viewer.client.get('/api/alerts/tags?facet=tactics&q=m-');
        expect(res.status).to.equal(200);
        expect(res.body.map((item: { tag: string }) => item.tag).sort(), viewer.name).to.deep.equal(expectedFor(viewer).map((alert) => alert.tactic).sort());
      }
    });

    it('banner: every allowed critical alert, none of the others (and not one’s own)', async function () {
      const matrix = new Set(alerts.map((alert) => alert.id));
      for (const viewer of viewers) {
        const res = await viewer.client.get('/api/alerts/banner');
        expect(res.status).to.equal(200);
        expect(res.body.map((alert: { id: string }) => alert.id).filter((id: string) => matrix.has(id)).sort(), viewer.name).to.deep.equal(viewer.name === 'author' ? [] : idsFor(viewer));
      }
    });

    it('acknowledgements and the board: 404 for alerts one may not see', async function () {
      for (const viewer of viewers) {
        for (const alert of alerts) {
          const allowed = alert.audience.has(viewer.name);
          expect((await viewer.client.get(`/api/alerts/${alert.id}/acknowledgements`)).status, `${viewer.name} ${alert.label}`).to.equal(allowed ? 200 : 404);
          if (!allowed) expect((await viewer.client.request('PUT', `/api/alerts/${alert.id}/acknowledgement`, { state: 'reviewed' })).status).to.equal(404);
        }
      }
      for (const alert of alerts) expect(await models.AlertAck.countDocuments({ alertId: alert.id })).to.equal(0);
    });

    it('STIX: one alert only if allowed; a filtered set holds exactly the allowed ones', async function () {
      for (const viewer of viewers) {
        for (const alert of alerts) {
          expect((await viewer.client.get(`/api/alerts/${alert.id}/stix`)).status, `${viewer.name} ${alert.label}`).to.equal(alert.audience.has(viewer.name) ? 200 : 404);
        }
        const res = await viewer.client.get('/api/alerts/export/stix?tag=matrix');
        expect(res.status).to.equal(200);
        expect(validateStixBundle(res.body)).to.deep.equal([]);
        const reports = res.body.objects.filter((object: { type: string }) => object.type === 'report').map((report: { name: string }) => report.name).sort();
        expect(reports, viewer.name).to.deep.equal(expectedFor(viewer).map((alert) => `Matrix ${alert.label}`).sort());
        const markings = res.body.objects.filter((object: { type: string }) => object.type === 'marking-definition').map((object: { id: string }) => object.id).sort();
        expect(markings, viewer.name).to.deep.equal([...new Set(expectedFor(viewer).map((alert) => MARKING_IDS[alert.marking]))].sort());
      }
    });

    it('Atom feed: exactly the allowed TLP:CLEAR and TLP:GREEN alerts', async function () {
      for (const viewer of viewers) {
        const created = await viewer.client.post('/api/me/alert-feed');
        expect(created.status).to.equal(201);
        const feed = await fetch(`${server.url}/api/feeds/alerts.atom?token=${created.body.token}`);
        expect(feed.status).to.equal(200);
        const xml = await feed.text();
        const titles = [...xml.matchAll(/<title>\[(TLP:[A-Z+]+)\] \[critical\] (Matrix [a-z-]+)<\/title>/g)].map((match) => match[2]).sort();
        expect(titles, viewer.name).to.deep.equal(expectedFor(viewer).filter((alert) => alert.marking === 'TLP:CLEAR' || alert.marking === 'TLP:GREEN').map((alert) => `Matrix ${alert.label}`).sort());
        expect(xml).to.not.match(/AMBER|RED/);
      }
    });

    it('notifications: a subscriber is told of exactly the allowed alerts (the author of none of their own)', async function () {
      for (const viewer of viewers) {
        const res = await viewer.client.get('/api/notifications');
        const titles = res.body.items.filter((item: { kind: string }) => item.kind === 'alert.published').map((item: { title: string }) => item.title);
        const expected = viewer.name === 'author' ? [] : expectedFor(viewer);
        expect(titles.length, viewer.name).to.equal(expected.length);
        for (const alert of alerts) {
          const mentioned = titles.some((title: string) => title.endsWith(`: Matrix ${alert.label}`));
          expect(mentioned, `${viewer.name} ${alert.label}`).to.equal(expected.includes(alert));
        }
      }
    });

    it('socket events: each person hears of exactly the allowed alerts, in their own room', async function () {
      for (const viewer of viewers) {
        const matrix = new Set(alerts.map((alert) => alert.id));
        expect(viewer.events.map((event) => event.id).filter((id) => matrix.has(id)).sort(), viewer.name).to.deep.equal(idsFor(viewer));
        for (const event of viewer.events) expect(event.matchesSubscription, viewer.name).to.equal(viewer.name !== 'author');
      }
    });

    it('search source and moderation source: the same rule', async function () {
      const search = server.server.ctx.search.source('alert')!;
      const moderation = server.server.ctx.moderation.get('alert')!;
      const refs = alerts.map((alert) => ({ key: `alert:${alert.id}`, type: 'alert' as const, spaceId: null, channelId: null, authorId: null, tags: [], createdAt: new Date() }));
      for (const viewer of viewers) {
        const actor = toActor(viewer.member);
        const visible = await search.visible(actor, refs);
        expect([...visible].sort(), viewer.name).to.deep.equal(idsFor(viewer).map((id) => `alert:${id}`).sort());
        const presented = await search.present(actor, refs.filter((ref) => visible.has(ref.key)));
        expect(presented.size).to.equal(visible.size);
        for (const alert of alerts) expect(Boolean(await moderation.load(actor, alert.id)), `${viewer.name} ${alert.label}`).to.equal(alert.audience.has(viewer.name));
      }
    });
  });

  describe('publishing', function () {
    it('answers 401 to visitors and 403 to members who are not liaisons or moderators', async function () {
      expect((await new ApiClient(server.url).post('/api/alerts', alertBody())).status).to.equal(401);
      const { client } = await member({ sector: 'industry' });
      expect((await client.post('/api/alerts', alertBody())).status).to.equal(403);
      expect((await client.get('/api/alerts')).status).to.equal(200);
      const { client: moderator } = await member({ sector: 'civil_society', roles: ['moderator'] });
      expect((await moderator.post('/api/alerts', alertBody())).status).to.equal(201);
    });

    it('refuses bad input with 400 naming the field', async function () {
      const { client } = await member({ sector: 'government', roles: ['liaison'] });
      const org = await makeOrganisation(models, { sector: 'industry' });
      const cases: [Record<string, unknown>, string][] = [
        [{ marking: 'TLP:PURPLE' }, 'body.marking'],
        [{ marking: 'tlp:amber' }, 'body.marking'],
        [{ marking: 'TLP:RED' }, 'body.recipients.memberIds'],
        [{ marking: 'TLP:RED', recipients: { organisationIds: [String(org._id)] } }, 'body.recipients.memberIds'],
        [{ marking: 'TLP:AMBER' }, 'body.recipients.organisationIds'],
        [{ marking: 'TLP:AMBER+STRICT', recipients: { sectors: ['industry'] } }, 'body.recipients.organisationIds'],
        [{ marking: 'TLP:GREEN', recipients: { sectors: ['industry'] } }, 'body.recipients.sectors'],
        [{ marking: 'TLP:AMBER', recipients: { organisationIds: ['0123456789abcdef01234567'] } }, 'body.recipients.organisationIds.0'],
        [{ marking: 'TLP:RED', recipients: { memberIds: ['0123456789abcdef01234567'] } }, 'body.recipients.memberIds.0'],
        [{ indicators: [{ kind: 'url', value: 'not a url' }] }, 'body.indicators.0.value'],
        [{ indicators: [{ kind: 'url', value: 'javascript:alert(1)' }] }, 'body.indicators.0.value'],
        [{ indicators: [{ kind: 'url', value: 'ftp://files.example.org/x' }] }, 'body.indicators.0.value'],
        [{ indicators: [{ kind: 'hash', value: 'abc123' }] }, 'body.indicators.0.value'],
        [{ indicators: [{ kind: 'hash', value: 'z'.repeat(64) }] }, 'body.indicators.0.value'],
        [{ indicators: [{ kind: 'domain', value: 'not_a_domain' }] }, 'body.indicators.0.value'],
        [{ indicators: [{ kind: 'ip', value: '999.1.1.1' }] }, 'body.indicators.0.value'],
        [{ indicators: [{ kind: 'handle', value: 'two words' }] }, 'body.indicators.0.value'],
        [{ indicators: [{ kind: 'phone', value: '123' }] }, 'body.indicators.0.kind'],
        [{ title: 'x'.repeat(201) }, 'body.title'],
        [{ summary: 'x'.repeat(10_001) }, 'body.summary'],
        [{ summary: 'bad \u0000 byte' }, 'body.summary'],
        [{ severity: 'apocalyptic' }, 'body.severity'],
        [{ tags: { platforms: ['<script>'] } }, 'body.tags.platforms.0'],
        [{ tags: { platforms: ['x'.repeat(41)] } }, 'body.tags.platforms.0'],
        [{ tags: { platforms: Array.from({ length: 11 }, (_, index) => `t${index}`) } }, 'body.tags.platforms'],
        [{ extra: true }, 'body'],
      ];
      for (const [overrides, field] of cases) {
        const res = await client.post('/api/alerts', alertBody(overrides));
        expect(res.status, JSON.stringify(overrides)).to.equal(400);
        expect(res.body.error.code).to.equal('invalid_request');
        expect(res.body.error.message, JSON.stringify(overrides)).to.match(new RegExp(`^${field.replace(/[.+]/g, '\\$&')}[: ]`));
      }
    });

    it('stores indicators strictly, returns them defanged beside the real value, and renders the summary safely', async function () {
      const { client } = await member({ sector: 'government', roles: ['liaison'] });
      const res = await client.post(
        '/api/alerts',
        alertBody({
          summary: 'See <script>alert(1)</script> [here](javascript:alert(1)) and **this**',
          indicators: [
            { kind: 'url', value: 'https://files.example.org/v/1?a=b' },
            { kind: 'domain', value: 'Cdn.Example.NET' },
            { kind: 'ip', value: '192.0.2.15' },
            { kind: 'hash', value: 'D41D8CD98F00B204E9800998ECF8427E' },
            { kind: 'hash', value: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' },
            { kind: 'hash', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
            { kind: 'handle', value: '@recruiter_42' },
            { kind: 'keyword', value: 'join the caravan' },
          ],
        }),
      );
      expect(res.status).to.equal(201);
      expect(res.body.summaryHtml).to.not.match(/<script|href="javascript:/);
      expect(res.body.summaryHtml).to.include('<strong>this</strong>');
      expect(res.body.indicators.map((item: { defanged: string }) => item.defanged)).to.deep.equal([
        'hxxps://files[.]example[.]org/v/1?a=b',
        'cdn[.]example[.]net',
        '192[.]0[.]2[.]15',
        'd41d8cd98f00b204e9800998ecf8427e',
        'da39a3ee5e6b4b0d3255bfef95601890afd80709',
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        '@recruiter_42',
        'join the caravan',
      ]);
      expect(res.body.indicators.map((item: { algorithm: string | null }) => item.algorithm)).to.deep.equal([null, null, null, 'md5', 'sha1', 'sha256', null, null]);
      expect(res.body.indicators[0].value).to.equal('https://files.example.org/v/1?a=b');
      const audit = await models.AuditEvent.findOne({ action: 'alert.published', targetId: res.body.id }).lean();
      expect(audit).to.not.equal(null);

      const bundle = (await client.get(`/api/alerts/${res.body.id}/stix`)).body;
      expect(validateStixBundle(bundle)).to.deep.equal([]);
      const patterns = bundle.objects.filter((object: { type: string }) => object.type === 'indicator').map((object: { pattern: string }) => object.pattern);
      expect(patterns).to.deep.equal([
        "[url:value = 'https://files.example.org/v/1?a=b']",
        "[domain-name:value = 'cdn.example.net']",
        "[ipv4-addr:value = '192.0.2.15']",
        "[file:hashes.'MD5' = 'd41d8cd98f00b204e9800998ecf8427e']",
        "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
        "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
        "[user-account:account_login = 'recruiter_42']",
      ]);
      const report = bundle.objects.find((object: { type: string }) => object.type === 'report');
      expect(report.labels).to.include('keyword:join the caravan');
      expect(report.description).to.include('Keywords (not STIX indicators');
      expect(report.object_marking_refs).to.deep.equal([MARKING_IDS['TLP:GREEN']]);
      // Deterministic ids: the same alert exports the same report and indicators.
      const again = (await client.get(`/api/alerts/${res.body.id}/stix`)).body;
      expect(again.objects.map((object: { id: string }) => object.id)).to.deep.equal(bundle.objects.map((object: { id: string }) => object.id));
      expect(await models.AuditEvent.countDocuments({ action: 'alert.exported', targetId: res.body.id })).to.equal(2);
    });
  });

  describe('updates and widening', function () {
    async function setup() {
      const orgA = await makeOrganisation(models, { sector: 'industry' });
      const orgB = await makeOrganisation(models, { sector: 'industry' });
      const author = await member({ sector: 'government', roles: ['liaison'] });
      const inA = await member({ organisation: orgA });
      const inB = await member({ organisation: orgB });
      const created = await author.client.post('/api/alerts', alertBody({ marking: 'TLP:AMBER+STRICT', recipients: { organisationIds: [String(orgA._id)] } }));
      expect(created.status).to.equal(201);
      return { orgA, orgB, author, inA, inB, id: created.body.id as string };
    }

    it('appends timeline entries with their changes; only the author or a moderator who can see it', async function () {
      const { author, inA, orgA, id } = await setup();
      const res = await author.client.post(`/api/alerts/${id}/updates`, { text: 'Now *also* on mirrors <img src=x onerror=alert(1)>', severity: 'critical', status: 'monitoring' });
      expect(res.status).to.equal(200);
      expect(res.body.severity).to.equal('critical');
      expect(res.body.timeline).to.have.length(1);
      expect(res.body.timeline[0].changes).to.deep.equal({ severity: { from: 'high', to: 'critical' }, status: { from: 'active', to: 'monitoring' }, marking: null });
      expect(res.body.timeline[0].html).to.include('<em>also</em>').and.not.include('<img');
      // A liaison who can see it, but is not its author, may not update it (as if it did not exist).
      const liaisonInA = await member({ organisation: orgA, roles: ['liaison'] });
      expect((await liaisonInA.client.post(`/api/alerts/${id}/updates`, { text: 'mine now' })).status).to.equal(404);
      // A moderator who cannot see it may not either; one who can, may.
      const outsideModerator = await member({ sector: 'academia', roles: ['moderator'] });
      expect((await outsideModerator.client.post(`/api/alerts/${id}/updates`, { text: 'x' })).status).to.equal(404);
      const insideModerator = await member({ organisation: orgA, roles: ['moderator'] });
      expect((await insideModerator.client.post(`/api/alerts/${id}/updates`, { text: 'Checked.', status: 'resolved' })).status).to.equal(200);
      expect((await inA.client.post(`/api/alerts/${id}/updates`, { text: 'x' })).status).to.equal(403);
      expect((await author.client.post(`/api/alerts/${id}/updates`, { text: '' })).status).to.equal(400);
      expect(await models.AuditEvent.countDocuments({ action: 'alert.updated', targetId: id })).to.equal(2);
    });

    it('widens only: more recipients or a more open marking; anything that drops a viewer is 409 marking_narrowed', async function () {
      const { author, inB, orgA, orgB, id } = await setup();
      const narrowing = [
        { marking: 'TLP:RED', recipients: { memberIds: [String(author.member._id)] } },
        { marking: 'TLP:AMBER+STRICT', recipients: { organisationIds: [String(orgB._id)] } },
        { marking: 'TLP:AMBER', recipients: { sectors: ['government'] } },
      ];
      for (const body of narrowing) {
        const res = await author.client.post(`/api/alerts/${id}/marking`, body);
        expect(res.status, JSON.stringify(body)).to.equal(409);
        expect(res.body.error.code).to.equal('marking_narrowed');
      }
      expect((await author.client.post(`/api/alerts/${id}/marking`, { marking: 'TLP:AMBER+STRICT', recipients: { organisationIds: [String(orgA._id)] } })).body.error.code).to.equal('marking_unchanged');
      expect((await author.client.post(`/api/alerts/${id}/marking`, { marking: 'TLP:AMBER' })).status).to.equal(400);
      expect((await inB.client.get(`/api/alerts/${id}`)).status).to.equal(404);

      // Adding an organisation: its members see it from now on.
      const added = await author.client.post(`/api/alerts/${id}/marking`, { marking: 'TLP:AMBER+STRICT', recipients: { organisationIds: [String(orgA._id), String(orgB._id)] } });
      expect(added.status).to.equal(200);
      expect((await inB.client.get(`/api/alerts/${id}`)).status).to.equal(200);
      // AMBER by sector covers both industry organisations: a widening.
      const sector = await author.client.post(`/api/alerts/${id}/marking`, { marking: 'TLP:AMBER', recipients: { sectors: ['industry'] } });
      expect(sector.status).to.equal(200);
      // Back to named organisations would drop the rest of the sector.
      expect((await author.client.post(`/api/alerts/${id}/marking`, { marking: 'TLP:AMBER', recipients: { organisationIds: [String(orgA._id), String(orgB._id)] } })).status).to.equal(409);
      const green = await author.client.post(`/api/alerts/${id}/marking`, { marking: 'TLP:GREEN' });
      expect(green.status).to.equal(200);
      expect(green.body.markingHistory.map((record: { marking: string }) => record.marking)).to.deep.equal(['TLP:AMBER+STRICT', 'TLP:AMBER+STRICT', 'TLP:AMBER', 'TLP:GREEN']);
      expect(green.body.timeline.filter((entry: { changes: { marking: unknown } }) => entry.changes.marking).map((entry: { changes: { marking: { to: string } } }) => entry.changes.marking.to)).to.deep.equal(['TLP:AMBER', 'TLP:GREEN']);
      expect((await author.client.post(`/api/alerts/${id}/marking`, { marking: 'TLP:AMBER', recipients: { sectors: ['industry'] } })).status).to.equal(409);
      const audits = await models.AuditEvent.find({ action: 'alert.marking_widened', targetId: id }).lean();
      expect(audits.map((audit) => (audit.details as { to: string }).to)).to.deep.equal(['TLP:AMBER+STRICT', 'TLP:AMBER', 'TLP:GREEN']);
    });

    it('widens RED to AMBER only when every named person is covered', async function () {
      const org = await makeOrganisation(models, { sector: 'civil_society' });
      const author = await member({ sector: 'government', roles: ['liaison'] });
      const named = await member({ organisation: org });
      const red = await author.client.post('/api/alerts', alertBody({ marking: 'TLP:RED', recipients: { memberIds: [String(named.member._id)] } }));
      const other = await makeOrganisation(models, { sector: 'civil_society' });
      expect((await author.client.post(`/api/alerts/${red.body.id}/marking`, { marking: 'TLP:AMBER+STRICT', recipients: { organisationIds: [String(other._id)] } })).status).to.equal(409);
      expect((await author.client.post(`/api/alerts/${red.body.id}/marking`, { marking: 'TLP:AMBER', recipients: { sectors: ['civil_society'] } })).status).to.equal(200);
    });

    it('audits reading AMBER, AMBER+STRICT and RED details, not CLEAR or GREEN', async function () {
      const { inA, id } = await setup();
      expect((await inA.client.get(`/api/alerts/${id}`)).status).to.equal(200);
      const entry = await models.AuditEvent.findOne({ action: 'alert.read_restricted', targetId: id, actorId: inA.member._id }).lean();
      expect(entry?.details).to.deep.equal({ marking: 'TLP:AMBER+STRICT' });
      const author = await member({ sector: 'government', roles: ['liaison'] });
      const green = await author.client.post('/api/alerts', alertBody());
      await inA.client.get(`/api/alerts/${green.body.id}`);
      expect(await models.AuditEvent.countDocuments({ action: 'alert.read_restricted', targetId: green.body.id })).to.equal(0);
    });
  });

  describe('acknowledgements, banner and board', function () {
    it('one answer per organisation, changeable with history; the board for the author; the banner clears', async function () {
      const orgA = await makeOrganisation(models, { sector: 'industry' });
      const orgB = await makeOrganisation(models, { sector: 'industry' });
      const author = await member({ sector: 'government', roles: ['liaison'] });
      const first = await member({ organisation: orgA });
      const colleague = await member({ organisation: orgA });
      const inB = await member({ organisation: orgB });
      const created = await author.client.post('/api/alerts', alertBody({ severity: 'critical', marking: 'TLP:AMBER', recipients: { organisationIds: [String(orgA._id), String(orgB._id)] } }));
      const id = created.body.id;
      const inBanner = async (client: ApiClient) => ((await client.get('/api/alerts/banner')).body as { id: string }[]).some((alert) => alert.id === id);
      expect(await inBanner(first.client)).to.equal(true);
      expect(await inBanner(colleague.client)).to.equal(true);

      const colleagueSocket = await open(colleague.client);
      const acked = new Promise<{ alertId: string; organisationId: string }>((resolve) => colleagueSocket.on('alert.acknowledged', resolve));
      const outsiderSocket = await open(inB.client);
      const outsiderHeard: unknown[] = [];
      outsiderSocket.on('alert.acknowledged', (payload) => outsiderHeard.push(payload));

      expect((await first.client.request('PUT', `/api/alerts/${id}/acknowledgement`, { state: 'maybe' })).status).to.equal(400);
      expect((await first.client.request('PUT', `/api/alerts/${id}/acknowledgement`, { state: 'reviewed', note: 'x'.repeat(1001) })).status).to.equal(400);
      const ack = await first.client.request('PUT', `/api/alerts/${id}/acknowledgement`, { state: 'reviewed', note: 'Looking into it' });
      expect(ack.status).to.equal(200);
      expect(ack.body).to.include({ organisationId: String(orgA._id), state: 'reviewed', note: 'Looking into it', earlier: 0 });
      expect(await acked).to.include({ alertId: id, organisationId: String(orgA._id) });
      expect(await inBanner(colleague.client)).to.equal(false);
      expect(await inBanner(inB.client)).to.equal(true);

      const changed = await colleague.client.request('PUT', `/api/alerts/${id}/acknowledgement`, { state: 'acting' });
      expect(changed.body).to.include({ state: 'acting', by: String(colleague.member._id), earlier: 1 });
      const stored = await models.AlertAck.findById(`${id}:${String(orgA._id)}`).lean();
      expect(stored!.history).to.have.length(1);
      expect(stored!.history[0]).to.include({ state: 'reviewed', by: String(first.member._id) });

      // Others see only their own organisation's answer.
      const own = await first.client.get(`/api/alerts/${id}/acknowledgements`);
      expect(own.body).to.deep.include({ rows: null, organisations: null });
      expect(own.body.own.state).to.equal('acting');
      const outsider = await inB.client.get(`/api/alerts/${id}/acknowledgements`);
      expect(outsider.body).to.deep.equal({ rows: null, organisations: null, own: null });
      await settle(outsiderSocket);
      expect(outsiderHeard).to.deep.equal([]);

      const board = await author.client.get(`/api/alerts/${id}/acknowledgements`);
      expect(board.status).to.equal(200);
      expect(board.body.organisations).to.equal(2);
      const rows = Object.fromEntries(board.body.rows.map((row: { organisationId: string; ack: { state: string } | null }) => [row.organisationId, row.ack?.state ?? null]));
      expect(rows).to.deep.equal({ [String(orgA._id)]: 'acting', [String(orgB._id)]: null });
      expect(await models.AuditEvent.countDocuments({ action: 'alert.acknowledged', targetId: id })).to.equal(2);
    });

    it('lists every organisation of a sector on an AMBER-by-sector board, and the named people’s on a RED one', async function () {
      const author = await member({ sector: 'government', roles: ['liaison'] });
      const academic = await member({ sector: 'academia' });
      const sector = await author.client.post('/api/alerts', alertBody({ marking: 'TLP:AMBER', recipients: { sectors: ['academia'] } }));
      const orgCount = await models.Organisation.countDocuments({ sector: 'academia' });
      const board = await author.client.get(`/api/alerts/${sector.body.id}/acknowledgements`);
      expect(board.body.organisations).to.equal(orgCount);
      expect(board.body.rows.map((row: { organisationId: string }) => row.organisationId)).to.include(String(academic.member.organisationId));
      const red = await author.client.post('/api/alerts', alertBody({ marking: 'TLP:RED', recipients: { memberIds: [String(academic.member._id)] } }));
      const redBoard = await author.client.get(`/api/alerts/${red.body.id}/acknowledgements`);
      expect(redBoard.body.rows.map((row: { organisationId: string }) => row.organisationId)).to.deep.equal([String(academic.member.organisationId)]);
    });
  });

  describe('subscriptions', function () {
    it('notify only at or above the minimum severity of a facet whose tags match', async function () {
      const author = await member({ sector: 'government', roles: ['liaison'] });
      const follower = await member({ sector: 'industry' });
      const saved = await follower.client.request('PUT', '/api/me/alert-subscriptions', { platforms: { tags: [' Video-Host '], minSeverity: 'high' }, tactics: { tags: ['doxxing'] }, regions: {} });
      expect(saved.status).to.equal(200);
      expect(saved.body.platforms).to.deep.equal({ tags: ['video-host'], minSeverity: 'high' });
      expect(saved.body.tactics.minSeverity).to.equal('low');
      expect((await follower.client.request('PUT', '/api/me/alert-subscriptions', { platforms: { tags: [], minSeverity: 'huge' }, tactics: {}, regions: {} })).status).to.equal(400);
      const socket = await open(follower.client);
      const events: AlertPayload[] = [];
      socket.on('alert.created', (payload) => events.push(payload));

      const low = await author.client.post('/api/alerts', alertBody({ title: 'Low one', severity: 'low', tags: { platforms: ['video-host'] } }));
      const high = await author.client.post('/api/alerts', alertBody({ title: 'High one', severity: 'high', tags: { platforms: ['video-host'] } }));
      const other = await author.client.post('/api/alerts', alertBody({ title: 'Other tag', severity: 'critical', tags: { platforms: ['forum'] } }));
      const tactic = await author.client.post('/api/alerts', alertBody({ title: 'Doxxing', severity: 'low', tags: { tactics: ['doxxing'] } }));
      await settle(socket);
      const titles = ((await follower.client.get('/api/notifications')).body.items as { title: string; link: string }[]).map((item) => item.title);
      expect(titles.some((title) => title.endsWith(': High one'))).to.equal(true);
      expect(titles.some((title) => title.endsWith(': Doxxing'))).to.equal(true);
      expect(titles.some((title) => title.endsWith(': Low one') || title.endsWith(': Other tag'))).to.equal(false);
      const matched = Object.fromEntries(events.map((event) => [event.id, event.matchesSubscription]));
      expect(matched).to.deep.equal({ [low.body.id]: false, [high.body.id]: true, [other.body.id]: false, [tactic.body.id]: true });

      // An update notifies too.
      const updated = new Promise<AlertPayload>((resolve) => socket.on('alert.updated', resolve));
      await author.client.post(`/api/alerts/${high.body.id}/updates`, { text: 'Spreading', severity: 'critical' });
      expect((await updated).severity).to.equal('critical');
      const kinds = ((await follower.client.get('/api/notifications')).body.items as { kind: string }[]).map((item) => item.kind);
      expect(kinds).to.include('alert.updated');
    });
  });

  describe('Atom feed', function () {
    it('by token only, XML-escaped, private; revoked, rotated and suspended tokens stop working', async function () {
      const author = await member({ sector: 'government', roles: ['liaison'] });
      const reader = await member({ sector: 'industry' });
      await author.client.post('/api/alerts', alertBody({ title: 'Tom & Jerry <b>"quoted"</b>', marking: 'TLP:CLEAR' }));
      expect((await reader.client.get('/api/me/alert-feed')).body).to.deep.equal({ active: false, createdAt: null });
      const created = await reader.client.post('/api/me/alert-feed');
      expect(created.status).to.equal(201);
      expect(created.body.url).to.include(`/api/feeds/alerts.atom?token=${created.body.token}`);
      expect((await reader.client.get('/api/me/alert-feed')).body.active).to.equal(true);
      const stored = await models.AlertSubscription.findById(reader.member._id).lean();
      expect(stored!.feedTokenHash).to.match(/^[0-9a-f]{64}$/).and.not.equal(created.body.token);
      expect(JSON.stringify(await models.AlertSubscription.find({}).lean())).to.not.include(created.body.token);

      const feedOf = (token: string) => fetch(`${server.url}/api/feeds/alerts.atom?token=${token}`);
      const res = await feedOf(created.body.token);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^application\/atom\+xml/);
      expect(res.headers.get('cache-control')).to.equal('private, no-store');
      const xml = await res.text();
      expect(xml).to.include('<feed xmlns="http://www.w3.org/2005/Atom">');
      expect(xml).to.include('Tom &amp; Jerry &lt;b&gt;&quot;quoted&quot;&lt;/b&gt;');
      expect(xml).to.not.include('<b>"quoted"');

      expect((await feedOf('A'.repeat(43))).status).to.equal(404);
      expect((await feedOf('short')).status).to.equal(400);
      const rotated = await reader.client.post('/api/me/alert-feed');
      expect((await feedOf(created.body.token)).status).to.equal(404);
      expect((await feedOf(rotated.body.token)).status).to.equal(200);
      expect((await reader.client.delete('/api/me/alert-feed')).status).to.equal(204);
      expect((await feedOf(rotated.body.token)).status).to.equal(404);
      expect((await reader.client.delete('/api/me/alert-feed')).status).to.equal(409);

      const third = await reader.client.post('/api/me/alert-feed');
      await models.Member.updateOne({ _id: reader.member._id }, { $set: { status: 'suspended' } });
      expect((await feedOf(third.body.token)).status).to.equal(404);
      expect(await models.AuditEvent.countDocuments({ action: 'alert.feed_token_created', actorId: reader.member._id })).to.equal(3);
      expect(await models.AuditEvent.countDocuments({ action: 'alert.feed_token_revoked', actorId: reader.member._id })).to.equal(1);
    });
  });

  describe('moderation', function () {
    it('a hidden alert keeps its place but not its content for members; moderators who can see it see it', async function () {
      const author = await member({ sector: 'government', roles: ['liaison'] });
      const reader = await member({ sector: 'industry' });
      const moderator = await member({ sector: 'civil_society', roles: ['moderator'] });
      const created = await author.client.post('/api/alerts', alertBody({ title: 'Soon hidden by moderators' }));
      await server.server.ctx.moderation.get('alert')!.setState(created.body.id, { visibility: 'hidden', reason: 'other', note: '', redactedHtml: null, redactedSource: null, by: String(moderator.member._id), at: new Date() });
      const seen = await reader.client.get(`/api/alerts/${created.body.id}`);
      expect(seen.body).to.include({ summaryHtml: '', summarySource: '', hidden: true });
      expect(seen.body.indicators).to.deep.equal([]);
      const moderated = await moderator.client.get(`/api/alerts/${created.body.id}`);
      expect(moderated.body.summaryHtml).to.not.equal('');
      expect(moderated.body.moderation).to.deep.equal({ visibility: 'hidden', reason: 'other' });
      // Exports and the feed respect it too.
      expect((await reader.client.get(`/api/alerts/${created.body.id}/stix`)).body.error.code).to.equal('alert_hidden');
      expect((await moderator.client.get(`/api/alerts/${created.body.id}/stix`)).status).to.equal(200);
      const set = (await reader.client.get('/api/alerts/export/stix')).body;
      expect(set.objects.some((object: { name?: string }) => object.name === 'Soon hidden by moderators')).to.equal(false);
      const moderatorSet = (await moderator.client.get('/api/alerts/export/stix')).body;
      expect(moderatorSet.objects.some((object: { name?: string }) => object.name === 'Soon hidden by moderators')).to.equal(true);
      const token = (await reader.client.post('/api/me/alert-feed')).body.token;
      const xml = await (await fetch(`${server.url}/api/feeds/alerts.atom?token=${token}`)).text();
      expect(xml).to.not.include(`urn:convene:alert:${created.body.id}`);
    });
  });
});
