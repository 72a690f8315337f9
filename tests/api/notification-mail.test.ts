import { expect } from 'chai';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { io as connect, type Socket } from 'socket.io-client';
import type { AppContext } from '../../backend/src/context.ts';
import type { Models } from '../../backend/src/db/models.ts';
import type { MemberDoc } from '../../backend/src/members/member.model.ts';
import type { OrganisationDoc } from '../../backend/src/organisations/organisation.model.ts';
import type { TlpMarking } from '../../backend/src/policy/policy.ts';
import { ManualClock } from '../../backend/src/shared/clock.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../backend/src/shared/realtime-events.ts';
import { safeNotificationContent } from '../../backend/src/notifications/notification-mail.ts';
import { ApiClient } from '../helpers/client.ts';
import { deliveredRawTo, deliveredTo, waitForMail } from '../helpers/mail.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { makeOrganisation, signedIn, type MakeMember } from '../factories/members.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const mark = (label: string) => `${label}${randomBytes(5).toString('hex')}`;
const key = () => randomBytes(8).toString('hex');
const HOUR = 3600_000;

/** Every string a mail shows a reader or a program: raw MIME (also with quoted-printable soft breaks undone), each decoded part, each header. */
function everything(raw: string, mail: ParsedMail): string {
  const headers = [...mail.headers.entries()].map(([name, value]) => `${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return [raw, raw.replace(/=\r?\n/g, ''), mail.subject ?? '', mail.text ?? '', typeof mail.html === 'string' ? mail.html : '', ...headers].join('\n');
}

describe('notification e-mail for members who are away (through Mailpit)', function () {
  let server: TestServer;
  let models: Models;
  let ctx: AppContext;
  let clock: ManualClock;
  const sockets: ClientSocket[] = [];

  before(async function () {
    server = await startTestServer({ postingBurst: 2000, postingIntervalMs: 1 });
    models = server.server.ctx.models;
    ctx = server.server.ctx;
    clock = new ManualClock(Date.now());
    ctx.clock = clock;
  });

  beforeEach(async function () {
    await models.RateLimit.deleteMany({});
  });

  afterEach(function () {
    for (const socket of sockets.splice(0)) socket.disconnect();
  });

  after(async function () {
    await server.close();
  });

  const member = async (input: MakeMember = {}) => {
    const made = await signedIn(server.url, models, input);
    clients.set(String(made.member._id), made.client);
    return made;
  };
  /**
   * A member who wants no critical-alert mail: in the matrix, critical TLP:CLEAR and TLP:GREEN
   * alerts reach every member, which would add mails to other cells' recipients.
   */
  const quiet = async (input: MakeMember = {}) => {
    const made = await member(input);
    if (made.member.status === 'member') await setPrefs(made.client, { critical_alert: 'off' });
    return made;
  };
  const clients = new Map<string, ApiClient>();
  const signedInAs = async (doc: MemberDoc) => clients.get(String(doc._id))!;
  const run = () => ctx.notificationMail.run();
  /** Mails queued or sent to an address, counted in the outbox and its log (decided synchronously by a run). */
  const queuedFor = async (address: string) => (await models.Outbox.countDocuments({ to: address })) + (await models.MailLog.countDocuments({ to: address }));

  async function open(client: ApiClient, memberId: string): Promise<ClientSocket> {
    const recorded = waitPresence(memberId);
    const socket: ClientSocket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: client.cookie! } });
    sockets.push(socket);
    await new Promise((resolve, reject) => {
      socket.once('session.ready', resolve);
      socket.once('connect_error', reject);
    });
    await recorded;
    return socket;
  }

  /** Resolves when the server has recorded a socket of this member opening or closing. */
  async function waitPresence(memberId: string): Promise<void> {
    for (;;) {
      const [id] = (await once(ctx.notificationMail, 'presence')) as [string];
      if (id === memberId) return;
    }
  }

  async function channelIn(slug: string, name: string, kind: 'discussion' | 'qa' = 'discussion'): Promise<string> {
    const space = await models.Space.findOne({ slug }).lean();
    const channel = await models.Channel.create({ spaceId: space!._id, name, kind });
    return String(channel._id);
  }

  async function say(client: ApiClient, channelId: string, text: string, extra: { mentions?: string[]; parentSeq?: number } = {}): Promise<number> {
    const res = await client.post(`/api/channels/${channelId}/messages`, { text, idempotencyKey: key(), ...extra });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.seq as number;
  }

  async function setPrefs(client: ApiClient, prefs: Record<string, string>) {
    const res = await client.request('PUT', '/api/me/notification-email', prefs);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  }

  describe('preferences', function () {
    it('has sensible defaults, changes only the kinds named, is audited; signed out is 401', async function () {
      const { client, member: me } = await member();
      const read = await client.get('/api/me/notification-email');
      expect(read.status).to.equal(200);
      expect(read.body.prefs).to.deep.equal({ mention: 'immediate', reply: 'hourly', answer: 'hourly', decision: 'immediate', subscribed_alert: 'daily', critical_alert: 'immediate' });
      expect(read.body.defaults).to.deep.equal(read.body.prefs);
      expect(read.body.awayMinutes).to.equal(5);
      const set = await client.request('PUT', '/api/me/notification-email', { reply: 'daily', critical_alert: 'off' });
      expect(set.status).to.equal(200);
      expect(set.body.prefs).to.include({ reply: 'daily', critical_alert: 'off', mention: 'immediate', answer: 'hourly' });
      expect((await client.get('/api/me/notification-email')).body.prefs).to.deep.equal(set.body.prefs);
      expect(await models.AuditEvent.countDocuments({ action: 'notification_mail.preferences_changed', actorId: me._id })).to.equal(1);
      const visitor = new ApiClient(server.url);
      expect((await visitor.get('/api/me/notification-email')).status).to.equal(401);
      expect((await visitor.request('PUT', '/api/me/notification-email', { reply: 'off' })).status).to.equal(401);
    });

    it('refuses bad input with 400 and a code: unknown kinds and modes, digests of critical alerts, operators, an empty change, a non-JSON body', async function () {
      const { client } = await member();
      for (const body of [{}, { mention: 'weekly' }, { bogus: 'off' }, { critical_alert: 'hourly' }, { critical_alert: 'daily' }, { mention: { $ne: null } }, { mention: null }, []]) {
        const res = await client.request('PUT', '/api/me/notification-email', body);
        expect(res.status, JSON.stringify(body)).to.equal(400);
        expect(res.body.error.code).to.equal('invalid_request');
        expect(res.body.error.message).to.be.a('string');
      }
      const text = await client.request('PUT', '/api/me/notification-email', 'mention=off', { 'content-type': 'text/plain' });
      expect(text.status).to.equal(415);
      expect(text.body.error.code).to.equal('unsupported_media_type');
      expect((await client.get('/api/me/notification-email')).body.prefs.mention).to.equal('immediate');
    });

    it('sends nothing for a kind that is off', async function () {
      const { client: author } = await member();
      const { client, member: target } = await member();
      await setPrefs(client, { mention: 'off' });
      const channelId = await channelIn('plenary', `off-${key()}`);
      await say(author, channelId, 'hello', { mentions: [String(target._id)] });
      await run();
      expect(await models.PendingMail.countDocuments({ memberId: String(target._id) })).to.equal(0);
      expect(await queuedFor(target.email)).to.equal(0);
    });
  });

  describe('immediate mail, only when the member is away', function () {
    it('mails a member with no live socket at once; a member online gets none (the live notification reached them)', async function () {
      const { client: author } = await member();
      const { member: away } = await member();
      const { client: onlineClient, member: online } = await member();
      await open(onlineClient, String(online._id));
      const channelId = await channelIn('plenary', `imm-${key()}`);
      await say(author, channelId, 'ping both', { mentions: [String(away._id), String(online._id)] });
      await run();
      const [mail] = await waitForMail(server.server, away.email);
      expect(mail!.subject).to.contain('mentioned you');
      expect(mail!.messageId).to.match(/^<n-[a-f0-9]{24}-[0-9a-f-]{36}@/);
      expect(await queuedFor(online.email)).to.equal(0);
      expect(await models.PendingMail.countDocuments({ memberId: String(online._id) })).to.equal(0);
      // A second run sends nothing again.
      await run();
      expect(await queuedFor(away.email)).to.equal(1);
    });

    it('waits until the member has been gone for the configured minutes (ctx.clock), then mails', async function () {
      const { client: author } = await member();
      const { client, member: leaver } = await member();
      const socket = await open(client, String(leaver._id));
      const left = waitPresence(String(leaver._id));
      socket.disconnect();
      await left;
      const channelId = await channelIn('plenary', `gone-${key()}`);
      await say(author, channelId, 'are you there?', { mentions: [String(leaver._id)] });
      await run();
      expect(await queuedFor(leaver.email)).to.equal(0);
      clock.advance(4 * 60_000 + 59_000);
      await run();
      expect(await queuedFor(leaver.email)).to.equal(0);
      clock.advance(1000);
      await run();
      expect(await waitForMail(server.server, leaver.email)).to.have.length(1);
    });

    it('sends nothing for a notification read in the app meanwhile', async function () {
      const { client: author } = await member();
      const { client, member: reader } = await member();
      await setPrefs(client, { reply: 'immediate' });
      const channelId = await channelIn('plenary', `read-${key()}`);
      const parent = await say(client, channelId, 'my question');
      await say(author, channelId, 'my reply', { parentSeq: parent });
      expect((await client.post('/api/notifications/read', {})).status).to.equal(204);
      await run();
      expect(await queuedFor(reader.email)).to.equal(0);
      expect(await models.PendingMail.countDocuments({ memberId: String(reader._id) })).to.equal(0);
    });
  });

  describe('digests on ctx.clock', function () {
    it('gathers replies into one hourly summary an hour after the first', async function () {
      const { client: author } = await member();
      const { client, member: me } = await member();
      const channelId = await channelIn('plenary', `hourly-${key()}`);
      const first = await say(client, channelId, 'first thought');
      const second = await say(client, channelId, 'second thought');
      await say(author, channelId, 'reply one', { parentSeq: first });
      clock.advance(10 * 60_000);
      await say(author, channelId, 'reply two', { parentSeq: second });
      await run();
      clock.advance(49 * 60_000);
      await run();
      expect(await queuedFor(me.email)).to.equal(0);
      clock.advance(60_000);
      await run();
      const [mail] = await waitForMail(server.server, me.email);
      expect(mail!.subject).to.equal('2 replies waiting for you in Convene (hourly summary)');
      expect(mail!.text!.match(/replied to you/g)).to.have.length(2);
      await run();
      expect(await queuedFor(me.email)).to.equal(1);
    });

    it('gathers answers into one daily summary a day after the first', async function () {
      const { client: answerer } = await member();
      const { client, member: asker } = await member();
      await setPrefs(client, { answer: 'daily' });
      const channelId = await channelIn('plenary', `daily-${key()}`, 'qa');
      for (const title of ['First daily question here', 'Second daily question here']) {
        const asked = await client.post(`/api/channels/${channelId}/questions`, { title, body: 'details', tags: [] });
        expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
        expect((await answerer.post(`/api/channels/${channelId}/questions/${asked.body.id}/answers`, { body: 'an answer' })).status).to.equal(201);
      }
      await run();
      clock.advance(23 * HOUR);
      await run();
      expect(await queuedFor(asker.email)).to.equal(0);
      clock.advance(HOUR);
      await run();
      const [mail] = await waitForMail(server.server, asker.email);
      expect(mail!.subject).to.equal('2 answers to your questions waiting for you in Convene (daily summary)');
      expect(mail!.text).to.contain('First daily question here').and.contain('Second daily question here');
    });
  });

  describe('what a mail may say: kinds × TLP marking × space rule', function () {
    interface Cell {
      label: string;
      recipients: MemberDoc[];
      /** Must appear in the mail (a title that may travel, or the kind-only line). */
      expect: string[];
      /** Must appear in no part and no header of any mail to these recipients. */
      secret: string[];
      count: number;
    }
    const cells: Cell[] = [];
    const bodies: string[] = [];

    before(async function () {
      this.timeout(120_000);
      const authorName = mark('Author');
      const { client: author } = await quiet({ name: authorName });

      // Discussion and Q&A: a space open to every member, and one open to one sector.
      for (const rule of ['open', 'restricted'] as const) {
        const slug = rule === 'open' ? 'plenary' : 'industry';
        const place = mark(rule === 'open' ? 'opentitle' : 'secrettitle');
        const channelId = await channelIn(slug, `ch-${place}`);
        const qaId = await channelIn(slug, `qa-${place}`, 'qa');
        const titleSecrets = rule === 'open' ? [] : [place, authorName];

        // Mentions.
        const mentioned = [(await quiet()).member, (await quiet()).member];
        await setPrefs((await signedInAs(mentioned[1]!)), { mention: 'hourly' });
        const body = mark('BODY');
        bodies.push(body);
        await say(author, channelId, `secret body ${body}`, { mentions: mentioned.map((m) => String(m._id)) });
        cells.push({ label: `mention/${rule}/immediate`, recipients: [mentioned[0]!], expect: rule === 'open' ? [place, authorName] : ['Someone mentioned you in Convene'], secret: [body, ...titleSecrets], count: 1 });
        cells.push({ label: `mention/${rule}/hourly`, recipients: [mentioned[1]!], expect: rule === 'open' ? [place] : ['Someone mentioned you in Convene'], secret: [body, ...titleSecrets], count: 1 });

        // Replies.
        for (const mode of ['immediate', 'hourly'] as const) {
          const { client, member: who } = await quiet();
          await setPrefs(client, { reply: mode, mention: 'off' });
          const own = mark('BODY');
          const reply = mark('BODY');
          bodies.push(own, reply);
          const parent = await say(client, channelId, `my own ${own}`);
          await say(author, channelId, `the reply ${reply}`, { parentSeq: parent });
          cells.push({ label: `reply/${rule}/${mode}`, recipients: [who], expect: rule === 'open' ? [place] : ['A reply to your message is waiting for you in Convene'], secret: [own, reply, ...titleSecrets], count: 1 });
        }

        // Answers, by an anonymous answerer: never named, not even by their pseudonym.
        const anonLabel = mark('anon');
        const { client: answerer, member: answererDoc } = await quiet();
        expect((await answerer.request('PUT', '/api/me/anonymous-profile', { description: anonLabel })).status).to.equal(200);
        for (const mode of ['immediate', 'hourly'] as const) {
          const { client, member: who } = await quiet();
          await setPrefs(client, { answer: mode });
          const title = `Question ${rule === 'open' ? place : mark('secretq')}`;
          const qBody = mark('BODY');
          const aBody = mark('BODY');
          bodies.push(qBody, aBody);
          const asked = await client.post(`/api/channels/${qaId}/questions`, { title, body: `q ${qBody}`, tags: [] });
          expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
          const answered = await answerer.post(`/api/channels/${qaId}/questions/${asked.body.id}/answers`, { body: `a ${aBody}`, anonymous: true });
          expect(answered.status, JSON.stringify(answered.body)).to.equal(201);
          cells.push({
            label: `answer/${rule}/${mode}`,
            recipients: [who],
            expect: rule === 'open' ? [title] : ['An answer to your question is waiting for you in Convene'],
            secret: [qBody, aBody, anonLabel, answererDoc.name, answererDoc.email, ...(rule === 'open' ? [] : [title, place])],
            count: 1,
          });
        }
      }

      // Alerts, subscribed and critical, under every marking.
      const { client: liaison } = await quiet({ roles: ['liaison'], sector: 'government' });
      const markings: TlpMarking[] = ['TLP:CLEAR', 'TLP:GREEN', 'TLP:AMBER', 'TLP:AMBER+STRICT', 'TLP:RED'];
      for (const marking of markings) {
        const open = marking === 'TLP:CLEAR' || marking === 'TLP:GREEN';
        for (const severity of ['high', 'critical'] as const) {
          const org: OrganisationDoc = await makeOrganisation(models, { sector: 'industry' });
          const tag = `tag${key()}`;
          const people: { client: ApiClient; member: MemberDoc }[] = [];
          const modes = severity === 'high' ? (['immediate', 'hourly'] as const) : (['immediate'] as const);
          for (const mode of modes) {
            const person = await quiet({ organisation: org });
            await setPrefs(person.client, severity === 'high' ? { subscribed_alert: mode } : { critical_alert: mode });
            const sub = await person.client.request('PUT', '/api/me/alert-subscriptions', { platforms: { tags: [tag], minSeverity: 'low' }, tactics: { tags: [] }, regions: { tags: [] } });
            expect(sub.status).to.equal(200);
            people.push(person);
          }
          const title = `Alert ${open ? mark('opentitle') : mark('secrettitle')}`;
          const summary = mark('BODY');
          const update = mark('BODY');
          const indicator = mark('indicator');
          bodies.push(summary, update, indicator);
          const recipients =
            marking === 'TLP:AMBER' || marking === 'TLP:AMBER+STRICT'
              ? { organisationIds: [String(org._id)], sectors: [], memberIds: [] }
              : marking === 'TLP:RED'
                ? { organisationIds: [], sectors: [], memberIds: people.map((p) => String(p.member._id)) }
                : { organisationIds: [], sectors: [], memberIds: [] };
          const published = await liaison.post('/api/alerts', {
            title,
            summary: `summary ${summary}`,
            severity,
            marking,
            recipients,
            tags: { platforms: [tag], tactics: [], regions: [] },
            indicators: [{ kind: 'domain', value: `${indicator}.example` }],
          });
          expect(published.status, JSON.stringify(published.body)).to.equal(201);
          const updated = await liaison.post(`/api/alerts/${published.body.id}/updates`, { text: `update ${update}` });
          expect(updated.status, JSON.stringify(updated.body)).to.equal(200);
          // Mailed (queued in the request) already; the next cells' open critical alerts are not theirs to count.
          if (severity === 'critical') for (const person of people) await setPrefs(person.client, { critical_alert: 'off' });
          const line = severity === 'critical' ? `A critical ${marking} alert is waiting for you in Convene` : `A ${marking} alert is waiting for you in Convene`;
          people.forEach((person, index) =>
            cells.push({
              label: `${severity === 'critical' ? 'critical_alert' : 'subscribed_alert'}/${marking}/${modes[index]}`,
              recipients: [person.member],
              expect: open ? [title] : [line],
              secret: [summary, update, indicator, ...(open ? [] : [title])],
              // Subscribed, immediate: published and updated are two mails; hourly: one summary. Critical: once.
              count: severity === 'high' && modes[index] === 'immediate' ? 2 : 1,
            }),
          );
        }
      }

      // Decisions about one's application: the reason (a body) never travels.
      const { client: moderator } = await quiet({ roles: ['moderator'] });
      for (const decision of ['question', 'reject'] as const) {
        const { client, member: applicant } = await quiet({ status: 'applicant' });
        const put = await client.request('PUT', '/api/application', {
          proposedOrganisation: { name: `Tiny Host ${key()}`, domain: 'tinyhost.example' },
          sector: 'industry',
          jobTitle: 'Trust & Safety lead',
          reason: 'We host files for small communities and need to learn how terrorist content spreads.',
          referee: { name: 'Ref Erence', email: 'ref@partner.example', organisation: 'Partner NGO' },
        });
        expect(put.status, JSON.stringify(put.body)).to.equal(200);
        const reason = mark('BODY');
        bodies.push(reason);
        const res =
          decision === 'reject'
            ? await moderator.post(`/api/vetting/applications/${applicant._id}/reject`, { reason: `because ${reason}` })
            : await moderator.post(`/api/vetting/applications/${applicant._id}/question`, { text: `tell us ${reason}` });
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        cells.push({ label: `decision/application-${decision}/immediate`, recipients: [applicant], expect: ['News about your application is waiting for you in Convene'], secret: [reason], count: 1 });
      }

      // A moderator's decision about one's content: the note (a body) and the content never travel.
      {
        const { client: moderatorOfContent } = await quiet({ roles: ['moderator'], sector: 'civil_society' });
        const { client, member: writer } = await quiet();
        const channelId = await channelIn('plenary', `mod-${mark('opentitle')}`);
        const own = mark('BODY');
        const note = mark('BODY');
        bodies.push(own, note);
        const sent = await client.post(`/api/channels/${channelId}/messages`, { text: `mine ${own}`, idempotencyKey: key() });
        expect(sent.status).to.equal(201);
        const warned = await moderatorOfContent.post('/api/moderation/actions', { type: 'message', id: sent.body.id, kind: 'warn', reason: 'off_topic', note: `note ${note}` });
        expect(warned.status, JSON.stringify(warned.body)).to.equal(201);
        cells.push({ label: 'decision/moderation-warn/immediate', recipients: [writer], expect: ['A moderation decision is waiting for you in Convene'], secret: [own, note], count: 1 });
      }

      // Every member is away (no socket ever). Immediate mails now; summaries an hour later.
      await run();
      clock.advance(HOUR);
      await run();
    });

    it('sends each cell the mails its mode says, with a link into Convene and one-click unsubscribe headers', async function () {
      this.timeout(60_000);
      for (const cell of cells) {
        for (const recipient of cell.recipients) {
          const mails = await waitForMail(server.server, recipient.email, cell.count);
          expect(mails, cell.label).to.have.length(cell.count);
          for (const mail of mails) expect(mail.text, cell.label).to.contain(server.config.publicUrl);
          for (const { raw } of await deliveredRawTo(server.server, recipient.email)) {
            const headers = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
            expect(headers, cell.label).to.match(/^List-Unsubscribe: <[^>]+\/api\/email\/unsubscribe\?token=[^>]+>$/im);
            expect(headers, cell.label).to.match(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/im);
          }
        }
      }
      await ctx.outbox.idle();
      for (const cell of cells) for (const recipient of cell.recipients) expect((await deliveredTo(server.server, recipient.email)).length, cell.label).to.equal(cell.count);
    });

    it('never carries a body, a restricted title or an anonymous author in any MIME part or header; titles only where allowed', async function () {
      this.timeout(60_000);
      // (mention, reply, answer) × (open, restricted) × (immediate, hourly); (subscribed × 2 modes + critical) × 5 markings; 3 decisions.
      expect(cells.length).to.equal(12 + 15 + 3);
      for (const cell of cells) {
        for (const recipient of cell.recipients) {
          const delivered = await deliveredRawTo(server.server, recipient.email);
          expect(delivered.length, cell.label).to.equal(cell.count);
          for (const { raw, mail } of delivered) {
            const all = everything(raw, mail);
            for (const secret of [...cell.secret, ...bodies]) expect(all.includes(secret), `${cell.label} carries ${secret}`).to.equal(false);
            for (const wanted of cell.expect) expect(`${mail.subject}\n${mail.text}`, cell.label).to.contain(wanted);
          }
        }
      }
    });

    it('decides titles in one function: open only for CLEAR/GREEN and spaces open to all; decisions never; unclassified content never', function () {
      const base = { title: 'T1tle', link: '/x' };
      expect(safeNotificationContent({ ...base, kind: 'subscribed_alert', notificationKind: 'alert.published', context: { tlp: 'TLP:GREEN' } }).line).to.equal('T1tle');
      expect(safeNotificationContent({ ...base, kind: 'subscribed_alert', notificationKind: 'alert.published', context: { tlp: 'TLP:AMBER' } }).line).to.equal('A TLP:AMBER alert is waiting for you in Convene');
      expect(safeNotificationContent({ ...base, kind: 'mention', notificationKind: 'message.mention' }).line).not.to.contain('T1tle');
      expect(safeNotificationContent({ ...base, kind: 'mention', notificationKind: 'message.mention', context: { spaceOpen: false } }).subject).not.to.contain('T1tle');
      expect(safeNotificationContent({ ...base, kind: 'decision', notificationKind: 'application.rejected', context: { spaceOpen: true } }).line).not.to.contain('T1tle');
      // An alert title with a marking of an open space is still governed by the marking.
      expect(safeNotificationContent({ ...base, kind: 'critical_alert', notificationKind: 'alert.critical', context: { tlp: 'TLP:RED', spaceOpen: true } }).line).to.equal('A critical TLP:RED alert is waiting for you in Convene');
      // Links stay on this site.
      expect(safeNotificationContent({ ...base, link: '//evil.example/x', kind: 'mention', notificationKind: 'message.mention' }).link).to.equal('/');
    });
  });

  describe('one-click unsubscribe (RFC 8058)', function () {
    async function mentionMail(): Promise<{ mail: ParsedMail; raw: string; target: MemberDoc; client: ApiClient; author: ApiClient; channelId: string }> {
      const { client: author } = await member();
      const { client, member: target } = await member();
      const channelId = await channelIn('plenary', `unsub-${key()}`);
      await say(author, channelId, 'hello', { mentions: [String(target._id)] });
      await run();
      await waitForMail(server.server, target.email);
      const [{ raw, mail }] = (await deliveredRawTo(server.server, target.email)) as [{ raw: string; mail: ParsedMail }];
      return { mail, raw, target, client, author, channelId };
    }

    const unsubscribeUrlOf = (raw: string): URL => {
      const headers = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
      const found = /^List-Unsubscribe: <([^>]+)>/im.exec(headers);
      expect(found, 'List-Unsubscribe header').to.not.equal(null);
      expect(headers).to.match(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/im);
      const url = new URL(found![1]!);
      expect(url.origin + url.pathname).to.equal(`${server.config.publicUrl}/api/email/unsubscribe`);
      return new URL(`${server.url}${url.pathname}${url.search}`);
    };

    it('a GET shows a confirm page and changes nothing; a POST without a session or CSRF header turns that kind off, audited', async function () {
      const { raw, target, author, channelId } = await mentionMail();
      const url = unsubscribeUrlOf(raw);
      const page = await fetch(url);
      expect(page.status).to.equal(200);
      expect(page.headers.get('content-type')).to.match(/text\/html/);
      const html = await page.text();
      expect(html).to.contain('Stop these e-mails').and.contain('<form method="post"');
      expect((await readPrefs(target)).mention).to.equal('immediate');

      const posted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      expect(posted.status).to.equal(200);
      const prefs = await readPrefs(target);
      expect(prefs.mention).to.equal('off');
      // Only that kind.
      expect(prefs.reply).to.equal('hourly');
      expect(await models.AuditEvent.countDocuments({ action: 'notification_mail.unsubscribed', actorId: target._id })).to.equal(1);
      // Posting again is harmless.
      expect((await fetch(url, { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status).to.equal(200);

      await say(author, channelId, 'hello again', { mentions: [String(target._id)] });
      await run();
      expect(await queuedFor(target.email)).to.equal(1);
    });

    it('refuses a tampered, foreign-kind or malformed token with 400 and changes nothing', async function () {
      const { raw, target } = await mentionMail();
      const url = unsubscribeUrlOf(raw);
      const token = url.searchParams.get('token')!;
      const [memberId, , sig] = token.split('.');
      const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      const bad = [flipped, `${memberId}.reply.${sig}`, `${'0'.repeat(24)}.mention.${sig}`, 'nonsense', `${memberId}.bogus.${sig}`];
      for (const value of bad) {
        for (const method of ['GET', 'POST']) {
          const res = await fetch(`${server.url}/api/email/unsubscribe?token=${encodeURIComponent(value)}`, { method, body: method === 'POST' ? 'List-Unsubscribe=One-Click' : undefined });
          expect(res.status, `${method} ${value}`).to.equal(400);
          const body = (await res.json()) as { error: { code: string } };
          expect(body.error.code).to.be.oneOf(['invalid_token', 'invalid_request']);
        }
      }
      expect((await fetch(`${server.url}/api/email/unsubscribe`, { method: 'POST' })).status).to.equal(400);
      expect(await readPrefs(target)).to.include({ mention: 'immediate', reply: 'hourly' });
      expect(await models.AuditEvent.countDocuments({ action: 'notification_mail.unsubscribed', actorId: target._id })).to.equal(0);
    });

    it('other POSTs still need the CSRF header', async function () {
      const { client } = await member();
      const res = await fetch(`${server.url}/api/me/notification-email`, { method: 'PUT', headers: { 'content-type': 'application/json', cookie: client.cookie! }, body: JSON.stringify({ mention: 'off' }) });
      expect(res.status).to.equal(403);
    });

    async function readPrefs(target: MemberDoc) {
      const doc = await models.MailPrefs.findById(String(target._id)).lean();
      return { mention: 'immediate', reply: 'hourly', ...(doc?.prefs ?? {}) } as Record<string, string>;
    }
  });

  describe('critical alerts reach everyone who may see them, once', function () {
    it('mails each member away who may see it exactly once across publish, widen and update; not those online, opted out or outside', async function () {
      this.timeout(60_000);
      const orgA = await makeOrganisation(models, { sector: 'industry' });
      const orgB = await makeOrganisation(models, { sector: 'industry' });
      const orgC = await makeOrganisation(models, { sector: 'academia' });
      const { client: liaison, member: author } = await member({ roles: ['liaison'], sector: 'government' });
      const a1 = (await member({ organisation: orgA })).member;
      const a2 = await member({ organisation: orgA });
      const a3 = await member({ organisation: orgA });
      await setPrefs(a3.client, { critical_alert: 'off' });
      const b1 = (await member({ organisation: orgB })).member;
      const c1 = (await member({ organisation: orgC })).member;
      const socket = await open(a2.client, String(a2.member._id));

      const title = mark('Critical');
      const published = await liaison.post('/api/alerts', { title, summary: mark('BODY'), severity: 'critical', marking: 'TLP:AMBER+STRICT', recipients: { organisationIds: [String(orgA._id)] } });
      expect(published.status, JSON.stringify(published.body)).to.equal(201);
      const alertId = published.body.id as string;
      const [first] = await waitForMail(server.server, a1.email);
      expect(first!.subject).to.equal('A critical TLP:AMBER+STRICT alert is waiting for you in Convene');
      expect(first!.text).to.contain(`${server.config.publicUrl}/alerts/${alertId}`).and.not.contain(title);
      expect(await queuedFor(b1.email)).to.equal(0);

      const widened = await liaison.post(`/api/alerts/${alertId}/marking`, { marking: 'TLP:AMBER', recipients: { organisationIds: [String(orgA._id), String(orgB._id)] } });
      expect(widened.status, JSON.stringify(widened.body)).to.equal(200);
      expect(await waitForMail(server.server, b1.email)).to.have.length(1);
      for (let i = 0; i < 2; i++) expect((await liaison.post(`/api/alerts/${alertId}/updates`, { text: `update ${i}` })).status).to.equal(200);

      // Online during all that: nothing. Away at the next update: once.
      expect(await queuedFor(a2.member.email)).to.equal(0);
      const left = waitPresence(String(a2.member._id));
      socket.disconnect();
      await left;
      expect((await liaison.post(`/api/alerts/${alertId}/updates`, { text: 'later' })).status).to.equal(200);
      expect(await waitForMail(server.server, a2.member.email)).to.have.length(1);
      expect((await liaison.post(`/api/alerts/${alertId}/updates`, { text: 'later still' })).status).to.equal(200);

      await ctx.outbox.idle();
      expect(await queuedFor(a1.email)).to.equal(1);
      expect(await queuedFor(b1.email)).to.equal(1);
      expect(await queuedFor(a2.member.email)).to.equal(1);
      expect(await queuedFor(a3.member.email)).to.equal(0);
      expect(await queuedFor(c1.email)).to.equal(0);
      expect(await queuedFor(author.email)).to.equal(0);
      expect(await models.AlertMailMark.countDocuments({ _id: `${alertId}:${String(a1._id)}` })).to.equal(1);
    });

    it('sends once even when two changes race (the marker is unique)', async function () {
      const { client: liaison } = await member({ roles: ['liaison'], sector: 'government' });
      const org = await makeOrganisation(models, { sector: 'industry' });
      const racer = (await member({ organisation: org })).member;
      const published = await liaison.post('/api/alerts', { title: 'Racing alert', summary: 'x', severity: 'critical', marking: 'TLP:AMBER+STRICT', recipients: { organisationIds: [String(org._id)] } });
      expect(published.status).to.equal(201);
      const alert = await models.Alert.findById(published.body.id).lean();
      await Promise.all([ctx.notificationMail.criticalAlert(alert as never, null), ctx.notificationMail.criticalAlert(alert as never, null), ctx.notificationMail.criticalAlert(alert as never, null)]);
      await ctx.outbox.idle();
      expect(await queuedFor(racer.email)).to.equal(1);
    });

    it('sends nothing for a critical alert that is not active, until it becomes active', async function () {
      const { client: liaison } = await member({ roles: ['liaison'], sector: 'government' });
      const org = await makeOrganisation(models, { sector: 'industry' });
      const watcher = (await member({ organisation: org })).member;
      const published = await liaison.post('/api/alerts', { title: 'Watched alert', summary: 'x', severity: 'critical', status: 'monitoring', marking: 'TLP:AMBER+STRICT', recipients: { organisationIds: [String(org._id)] } });
      expect(published.status, JSON.stringify(published.body)).to.equal(201);
      expect(await queuedFor(watcher.email)).to.equal(0);
      expect((await liaison.post(`/api/alerts/${published.body.id}/updates`, { text: 'now active', status: 'active' })).status).to.equal(200);
      expect(await waitForMail(server.server, watcher.email)).to.have.length(1);
    });
  });
});
