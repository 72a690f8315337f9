import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { io as connect, type Socket } from 'socket.io-client';
import type { Models } from '../../backend/src/db/models.ts';
import type { MemberDoc } from '../../backend/src/members/member.model.ts';
import { safeNotificationContent } from '../../backend/src/notifications/notification-mail.ts';
import type { ClientToServerEvents, ServerToClientEvents } from '../../backend/src/shared/realtime-events.ts';
import type { Locale } from '../../backend/src/shared/i18n/locale.ts';
import { ApiClient } from '../helpers/client.ts';
import { deliveredRawTo, linkToken, waitForMail } from '../helpers/mail.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedIn } from '../factories/members.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
const key = () => randomBytes(6).toString('hex');

describe('mails and notifications in the recipient’s language', function () {
  let server: TestServer;
  let models: Models;
  const sockets: ClientSocket[] = [];

  before(async function () {
    server = await startTestServer();
    models = server.server.ctx.models;
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

  /** A signed-in member who chose `locale` on their profile. */
  async function memberIn(locale: Locale | null): Promise<{ client: ApiClient; member: MemberDoc }> {
    const made = await signedIn(server.url, models, { name: `Person ${key()}` });
    if (locale) {
      const res = await made.client.patch('/api/me', { locale });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    }
    return made;
  }

  const html = (mail: { html?: string | false }) => (typeof mail.html === 'string' ? mail.html : '');

  it('mails a password reset to a member who chose French in French, marked lang="fr"', async function () {
    const { member } = await memberIn('fr');
    // Asked for from a browser in English: the member's own choice wins.
    const res = await new ApiClient(server.url).post('/api/auth/forgot-password', { email: member.email }, { 'accept-language': 'en' });
    expect(res.status).to.equal(202);
    const [mail] = await waitForMail(server.server, member.email);
    expect(mail!.subject).to.equal('Réinitialisez votre mot de passe Convene');
    expect(mail!.text).to.contain('Le lien n’est utilisable qu’une seule fois, pendant une heure.').and.contain('Choisir un nouveau mot de passe');
    expect(mail!.text).not.to.contain('The link works once');
    expect(html(mail!)).to.contain('<html lang="fr" dir="ltr">');
    // The link itself is untouched by the language.
    expect(linkToken(mail!).url).to.equal(`${server.config.publicUrl}/reset-password`);
  });

  it('mails an Arabic reader right to left, with the links kept left to right', async function () {
    const { member } = await memberIn('ar');
    await new ApiClient(server.url).post('/api/auth/forgot-password', { email: member.email });
    const [mail] = await waitForMail(server.server, member.email);
    expect(mail!.subject).to.equal('إعادة تعيين كلمة مرور Convene');
    expect(html(mail!)).to.contain('<html lang="ar" dir="rtl">');
    expect(html(mail!)).to.match(/<p [^>]*dir="ltr">http[^<]*\/reset-password#token=/);
  });

  it('mails the sign-up verification in the language of the request (Accept-Language), with no member choice yet', async function () {
    const email = `es-${key()}@example.org`;
    const client = new ApiClient(server.url);
    const res = await client.post('/api/auth/sign-up', { email, password: 'analytical engine 1843', name: 'Ana Ruiz' }, { 'accept-language': 'es-ES,es;q=0.9,en;q=0.5' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const [mail] = await waitForMail(server.server, email);
    expect(mail!.subject).to.equal('Confirme su dirección de correo electrónico para Convene');
    expect(mail!.text).to.contain('Hola, Ana Ruiz:').and.contain('Confirmar mi dirección');
    expect(html(mail!)).to.contain('<html lang="es" dir="ltr">');
  });

  it('mails English to a member with no choice and a request with no language', async function () {
    const { member } = await memberIn(null);
    await new ApiClient(server.url).post('/api/auth/forgot-password', { email: member.email });
    const [mail] = await waitForMail(server.server, member.email);
    expect(mail!.subject).to.equal('Reset your Convene password');
    expect(html(mail!)).to.contain('<html lang="en" dir="ltr">');
  });

  describe('in-app notifications', function () {
    async function channelInPlenary(): Promise<{ channelId: string; name: string }> {
      const space = await models.Space.findOne({ slug: 'plenary' }).lean();
      const name = `i18n-${key()}`;
      const channel = await models.Channel.create({ spaceId: space!._id, name, kind: 'discussion' });
      return { channelId: String(channel._id), name };
    }

    async function open(client: ApiClient): Promise<ClientSocket> {
      const socket: ClientSocket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: client.cookie! } });
      sockets.push(socket);
      await new Promise((resolve, reject) => {
        socket.once('session.ready', resolve);
        socket.once('connect_error', reject);
      });
      return socket;
    }

    it('words the same mention in Russian for a Russian reader and in English for an English one, stored and pushed alike', async function () {
      const { client: author, member: writer } = await memberIn('fr');
      const { client: ruClient, member: ru } = await memberIn('ru');
      const { client: enClient, member: en } = await memberIn('en');
      const { channelId, name } = await channelInPlenary();
      const socket = await open(ruClient);
      const pushed = new Promise<{ title: string }>((resolve) => socket.once('notification.created', resolve));

      const res = await author.post(`/api/channels/${channelId}/messages`, { text: 'hello both', idempotencyKey: key(), mentions: [String(ru._id), String(en._id)] });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);

      const ruBox = await ruClient.get('/api/notifications');
      const enBox = await enClient.get('/api/notifications');
      expect(ruBox.body.items[0].title).to.equal(`${writer.name} упоминает вас в #${name}`);
      expect(enBox.body.items[0].title).to.equal(`${writer.name} mentioned you in #${name}`);
      // The live push carries the text that was stored.
      expect((await pushed).title).to.equal(ruBox.body.items[0].title);
    });

    it('mails a Russian member who is away in Russian, and the unsubscribe page follows them', async function () {
      const { client: author, member: writer } = await memberIn(null);
      const { member: ru } = await memberIn('ru');
      const { channelId, name } = await channelInPlenary();
      const res = await author.post(`/api/channels/${channelId}/messages`, { text: 'a body that never travels', idempotencyKey: key(), mentions: [String(ru._id)] });
      expect(res.status).to.equal(201);
      // Never seen online: away at once.
      await server.server.ctx.notificationMail.run();
      await waitForMail(server.server, ru.email);
      const [{ raw, mail }] = (await deliveredRawTo(server.server, ru.email)) as [{ raw: string; mail: ParsedMail }];
      expect(mail.subject).to.equal(`Convene: ${writer.name} упоминает вас в #${name}`);
      expect(mail.text).to.contain('Войдите в Convene, чтобы посмотреть.').and.contain('Отписаться от этих писем (упоминания)');
      expect(mail.text).not.to.contain('a body that never travels');
      expect(html(mail)).to.contain('<html lang="ru" dir="ltr">');

      const headers = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
      const url = new URL(/^List-Unsubscribe: <([^>]+)>/im.exec(headers)![1]!);
      // A browser in English opens it: the page is in the language of the member the link names.
      const page = await fetch(`${server.url}${url.pathname}${url.search}`, { headers: { 'accept-language': 'en' } });
      const body = await page.text();
      expect(page.status).to.equal(200);
      expect(body).to.contain('<html lang="ru" dir="ltr">').and.contain('<strong>упоминания</strong>').and.contain('Отписаться от этих писем?');
    });

    it('labels the kinds of notification mail in the language of the request', async function () {
      const { client } = await memberIn('zh-Hans');
      const res = await client.get('/api/me/notification-email');
      expect(res.status).to.equal(200);
      expect(res.body.labels.critical_alert).to.equal('严重警报');
    });
  });

  it('words what a mail may say without a title in the recipient’s language, keeping the marking as written', function () {
    const base = { title: 'T1tle', link: '/alerts/x' };
    expect(safeNotificationContent({ ...base, kind: 'subscribed_alert', notificationKind: 'alert.published', context: { tlp: 'TLP:AMBER' }, locale: 'fr' }).line).to.equal('Une alerte TLP:AMBER vous attend dans Convene');
    expect(safeNotificationContent({ ...base, kind: 'critical_alert', notificationKind: 'alert.critical', context: { tlp: 'TLP:RED' }, locale: 'ar' }).line).to.equal('بانتظارك تنبيه حرج TLP:RED في Convene');
    // A title that may travel goes as written, in every language.
    expect(safeNotificationContent({ ...base, kind: 'subscribed_alert', notificationKind: 'alert.published', context: { tlp: 'TLP:CLEAR' }, locale: 'ru' }).line).to.equal('T1tle');
  });
});
