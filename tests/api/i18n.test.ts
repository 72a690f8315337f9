import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../backend/src/shared/realtime-events.ts';
import { ApiClient } from '../helpers/client.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { signedIn } from '../factories/members.ts';
import { m } from '../../backend/src/shared/i18n/paraglide/messages.js';
import { locales } from '../../backend/src/shared/i18n/locale.ts';

describe('the server speaks the reader’s language', function () {
  let server: TestServer;

  before(async function () {
    server = await startTestServer();
  });

  after(async function () {
    await server.close();
  });

  it('answers an error in the language of Accept-Language, with the same code in every language', async function () {
    const seen = new Set<string>();
    for (const locale of locales) {
      const res = await new ApiClient(server.url).get('/api/me', { 'Accept-Language': `${locale};q=0.9, en;q=0.1` });
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal('unauthorized');
      expect(res.body.error.message).to.equal(m.error_unauthorized({}, { locale }));
      seen.add(res.body.error.message);
    }
    expect(seen.size).to.equal(locales.length);
  });

  it('words validation errors in the reader’s language too, naming the same field', async function () {
    const english = await new ApiClient(server.url).post('/api/auth/sign-in', { email: 'x@example.org' }, { 'Accept-Language': 'en' });
    const russian = await new ApiClient(server.url).post('/api/auth/sign-in', { email: 'x@example.org' }, { 'Accept-Language': 'ru' });
    expect(english.status).to.equal(400);
    expect(russian.status).to.equal(400);
    expect(russian.body.error.code).to.equal(english.body.error.code);
    expect(russian.body.error.details).to.have.nested.property('issues[0].path', english.body.error.details.issues[0].path);
    expect(english.body.error.message).to.match(/^body\.password: is required/);
    expect(russian.body.error.message).to.match(/^body\.password: /);
    expect(russian.body.error.message).to.match(/[а-яё]/i);
  });

  it('follows the cookie of the switcher over Accept-Language, and a member’s profile choice over both', async function () {
    const cookie = await new ApiClient(server.url).get('/api/me', { 'Accept-Language': 'fr', Cookie: 'convene_locale=ar' });
    expect(cookie.body.error.message).to.equal(m.error_unauthorized({}, { locale: 'ar' }));
    const junk = await new ApiClient(server.url).get('/api/me', { 'Accept-Language': 'es', Cookie: 'convene_locale=xx' });
    expect(junk.body.error.message).to.equal(m.error_unauthorized({}, { locale: 'es' }));

    const { client } = await signedIn(server.url, server.server.ctx.models);
    const set = await client.request('PATCH', '/api/me', { locale: 'zh-Hans' });
    expect(set.status).to.equal(200);
    expect(set.body.locale).to.equal('zh-Hans');
    const refused = await client.request('PATCH', '/api/me', { bio: 'x' }, { 'Accept-Language': 'fr' });
    expect(refused.status).to.equal(200);
    const bad = await client.request('PATCH', '/api/me', { locale: 'klingon' }, { 'Accept-Language': 'fr' });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.code).to.equal('invalid_request');
    // The member chose Chinese: that wins over the browser's French.
    expect(bad.body.error.message).to.match(/^body\.locale/);
    expect(bad.body.error.message).to.match(/[\u4e00-\u9fff]/);
    const cleared = await client.request('PATCH', '/api/me', { locale: null });
    expect(cleared.body.locale).to.equal(null);
  });

  it('words a real route’s 404 in French, Arabic and Chinese, with the same code', async function () {
    const { client } = await signedIn(server.url, server.server.ctx.models);
    const missing = randomBytes(12).toString('hex');
    const seen = new Set<string>();
    for (const locale of ['fr', 'ar', 'zh-Hans'] as const) {
      const res = await client.get(`/api/channels/${missing}/messages`, { 'Accept-Language': locale });
      expect(res.status).to.equal(404);
      expect(res.body.error.code).to.equal('not_found');
      expect(res.body.error.message).to.equal(m.error_no_such_channel({}, { locale }));
      seen.add(res.body.error.message);
    }
    expect(seen.size).to.equal(3);
    expect([...seen]).not.to.include('No such channel.');
    const unknown = await client.get('/api/no-such-operation', { 'Accept-Language': 'ru' });
    expect(unknown.status).to.equal(404);
    expect(unknown.body.error.message).to.equal('Операции API GET /api/no-such-operation не существует.');
  });

  it('words a 409 in Russian, keeping its code', async function () {
    const { client } = await signedIn(server.url, server.server.ctx.models);
    const res = await client.post('/api/me/email/verification', {}, { 'Accept-Language': 'ru' });
    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('already_verified');
    expect(res.body.error.message).to.equal('Ваш адрес уже подтвержден.');
  });

  it('words a field’s length in Spanish and Russian with the right plural, and the English as before', async function () {
    const { client } = await signedIn(server.url, server.server.ctx.models, { status: 'applicant', emailVerified: true });
    const body = {
      proposedOrganisation: { name: 'Example Trust', domain: 'example.org' },
      sector: 'civil_society',
      jobTitle: 'x',
      reason: 'I research online extremism for a living.',
      referee: { name: 'Ana Referee', email: 'ana@example.org', organisation: 'Example Trust' },
    };
    const english = await client.request('PUT', '/api/application', body, { 'Accept-Language': 'en' });
    const spanish = await client.request('PUT', '/api/application', body, { 'Accept-Language': 'es' });
    const russian = await client.request('PUT', '/api/application', body, { 'Accept-Language': 'ru' });
    for (const res of [english, spanish, russian]) {
      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('invalid_request');
      expect(res.body.error.details.issues[0]).to.include({ location: 'body', path: 'jobTitle' });
    }
    expect(english.body.error.message).to.equal('body.jobTitle: must be at least 2 characters');
    expect(spanish.body.error.message).to.equal('body.jobTitle: debe tener al menos 2 caracteres');
    expect(russian.body.error.message).to.equal('body.jobTitle: должно содержать не менее 2 символов');
    expect(russian.body.error.details.issues[0].message).to.equal('должно содержать не менее 2 символов');
    // The plural follows the number: 21 takes the singular in Russian, 5 the genitive plural.
    expect(m.error_field_min_characters({ count: 21 }, { locale: 'ru' })).to.equal('должно содержать не менее 21 символа');
    expect(m.error_field_min_characters({ count: 5 }, { locale: 'ru' })).to.equal('должно содержать не менее 5 символов');
  });

  it('words an error raised after validation, and its field issue, in the reader’s language', async function () {
    const { client } = await signedIn(server.url, server.server.ctx.models);
    const res = await client.request('POST', '/api/me/password', { currentPassword: 'not the password at all', newPassword: 'a sound new passphrase 42' }, { 'Accept-Language': 'fr' });
    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('wrong_password');
    expect(res.body.error.message).to.equal('body.currentPassword : n’est pas votre mot de passe actuel');
    expect(res.body.error.details.issues).to.deep.equal([{ location: 'body', path: 'currentPassword', message: 'n’est pas votre mot de passe actuel' }]);
  });

  it('words the e-mail settings’ own field messages in the reader’s language, with the same code and field', async function () {
    const { client } = await signedIn(server.url, server.server.ctx.models);
    const empty = await client.request('PUT', '/api/me/notification-email', {}, { 'Accept-Language': 'fr' });
    expect(empty.status).to.equal(400);
    expect(empty.body.error.code).to.equal('invalid_request');
    expect(empty.body.error.details.issues[0].message).to.equal('indiquez au moins un type de notification');
    expect((await client.request('PUT', '/api/me/notification-email', {}, { 'Accept-Language': 'en' })).body.error.details.issues[0].message).to.equal('name at least one kind');
    const token = await new ApiClient(server.url).get('/api/email/unsubscribe?token=not-a-token', { 'Accept-Language': 'ar' });
    expect(token.status).to.equal(400);
    expect(token.body.error.code).to.equal('invalid_request');
    expect(token.body.error.details.issues[0]).to.include({ location: 'query', path: 'token', message: 'ليس رمز إلغاء اشتراك' });
  });

  it('words a hidden alert’s marker in the reader’s language; moderators read the title as written', async function () {
    const models = server.server.ctx.models;
    const { client: author } = await signedIn(server.url, models, { sector: 'government', roles: ['liaison'] });
    const { client: moderator } = await signedIn(server.url, models, { sector: 'industry', roles: ['moderator'] });
    const { client: reader } = await signedIn(server.url, models, { sector: 'academia' });
    const published = await author.post('/api/alerts', {
      title: `Trend ${randomBytes(4).toString('hex')}`,
      summary: 'Summary',
      severity: 'high',
      marking: 'TLP:GREEN',
      tags: { platforms: [], tactics: [], regions: [] },
      indicators: [],
    });
    expect(published.status, JSON.stringify(published.body)).to.equal(201);
    const id = published.body.id as string;
    // A member who chose Arabic hears the live event in Arabic, whatever the language of the moderator who hid it.
    const { client: listener } = await signedIn(server.url, models, { sector: 'academia' });
    expect((await listener.request('PATCH', '/api/me', { locale: 'ar' })).status).to.equal(200);
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie: listener.cookie! } });
    try {
      await new Promise((resolve, reject) => {
        socket.once('session.ready', resolve);
        socket.once('connect_error', reject);
      });
      const heard: Array<{ id: string; title: string }> = [];
      socket.on('alert.updated', (payload) => heard.push(payload));
      expect((await moderator.post('/api/moderation/actions', { type: 'alert', id, kind: 'hide', reason: 'harassment', note: '' }, { 'Accept-Language': 'fr' })).status).to.equal(201);
      await socket.emitWithAck('system.ping', {});
      expect(heard.find((payload) => payload.id === id)).to.include({ title: 'أخفاه المشرفون: تحرّش' });
    } finally {
      socket.disconnect();
    }
    const listed = async (locale: string) =>
      ((await reader.get('/api/alerts', { 'Accept-Language': locale })).body.alerts as Array<{ id: string; title: string; hidden: boolean }>).find((alert) => alert.id === id)!;
    expect(await listed('en')).to.include({ title: 'Hidden by moderators: harassment', hidden: true });
    expect(await listed('fr')).to.include({ title: 'Masquée par les modérateurs\u00a0: harcèlement', hidden: true });
    expect(await listed('ar')).to.include({ title: 'أخفاه المشرفون: تحرّش', hidden: true });
    // Moderators read the title as written, whatever their language.
    const moderators = (await moderator.get('/api/alerts', { 'Accept-Language': 'fr' })).body.alerts.find((alert: { id: string }) => alert.id === id);
    expect(moderators.title).to.equal(published.body.title);
  });

  it('words anonymous signatures and the hidden marker of Q&A in the reader’s language; what the member wrote stays as written', async function () {
    const models = server.server.ctx.models;
    const space = await models.Space.findOne({ slug: 'plenary' }).lean();
    const channelId = String((await models.Channel.create({ spaceId: space!._id, name: `qa-${randomBytes(4).toString('hex')}`, kind: 'qa' }))._id);
    const { client: asker } = await signedIn(server.url, models, { sector: 'industry' });
    const { client: answerer } = await signedIn(server.url, models, { sector: 'academia' });
    const { client: reader } = await signedIn(server.url, models);
    const { client: moderator } = await signedIn(server.url, models, { sector: 'civil_society', roles: ['moderator'] });
    await asker.request('PUT', '/api/me/anonymous-profile', { description: 'file hosting, under 50 staff' });
    // The profile's preview is in the language one reads.
    expect((await asker.get('/api/me/anonymous-profile', { 'Accept-Language': 'fr' })).body.label).to.equal('un membre de l’industrie — file hosting, under 50 staff');
    expect((await asker.get('/api/me/anonymous-profile', { 'Accept-Language': 'en' })).body.label).to.equal('a member from industry — file hosting, under 50 staff');

    const asked = await asker.post(`/api/channels/${channelId}/questions`, { title: 'Hash sharing at small scale?', body: 'We have **two** staff.', tags: [], anonymous: true });
    expect(asked.status, JSON.stringify(asked.body)).to.equal(201);
    const page = (locale: string) => reader.get(`/api/channels/${channelId}/questions/${asked.body.id}`, { 'Accept-Language': locale });
    expect((await page('en')).body.question.author).to.deep.equal({ id: null, name: 'a member from industry — file hosting, under 50 staff', anonymous: true, mine: false });
    expect((await page('ar')).body.question.author).to.deep.equal({ id: null, name: 'عضو من القطاع الصناعي — file hosting, under 50 staff', anonymous: true, mine: false });

    // The asker reads Chinese: the notification of an anonymous answer names its author in Chinese.
    expect((await asker.request('PATCH', '/api/me', { locale: 'zh-Hans' })).status).to.equal(200);
    expect((await answerer.post(`/api/channels/${channelId}/questions/${asked.body.id}/answers`, { body: 'Try the hash list.', anonymous: true })).status).to.equal(201);
    const notifications = JSON.stringify((await asker.get('/api/notifications')).body);
    expect(notifications).to.include(m.notify_answer_from({ who: '一位来自学术界的成员' }, { locale: 'zh-Hans' }));

    const hidden = await moderator.post('/api/moderation/actions', { type: 'question', id: `${channelId}:${asked.body.id}`, kind: 'hide', reason: 'misinformation', note: '' });
    expect(hidden.status, JSON.stringify(hidden.body)).to.equal(201);
    expect((await page('en')).body.question.title).to.equal('Hidden by moderators');
    expect((await page('fr')).body.question.title).to.equal('Contenu masqué par les modérateurs');
    expect((await page('ar')).body.question.title).to.equal('أخفاه المشرفون');
  });

  it('words the first version’s note of a library resource in the reader’s language', async function () {
    const models = server.server.ctx.models;
    const space = await models.Space.findOne({ slug: 'plenary' }).lean();
    const channelId = String((await models.Channel.create({ spaceId: space!._id, name: `lib-${randomBytes(3).toString('hex')}`, kind: 'library' }))._id);
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    const created = await moderator.post(`/api/channels/${channelId}/resources`, { title: 'Referral template', category: 'Templates', body: 'Write to us.' });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const notes = async (locale: string) =>
      ((await moderator.get(`/api/channels/${channelId}/resources/${created.body.id}/revisions`, { 'Accept-Language': locale })).body as Array<{ n: number; note: string }>).map((revision) => revision.note);
    expect(await notes('en')).to.deep.equal(['First version']);
    expect(await notes('ru')).to.deep.equal(['Первая версия']);
  });

  it('words what the review queue shows an item under in the moderator’s language, names as written', async function () {
    const models = server.server.ctx.models;
    const space = await models.Space.findOne({ slug: 'plenary' }).lean();
    const name = `talk-${randomBytes(3).toString('hex')}`;
    const channelId = String((await models.Channel.create({ spaceId: space!._id, name, kind: 'discussion' }))._id);
    const { client: author } = await signedIn(server.url, models);
    const { client: moderator } = await signedIn(server.url, models, { roles: ['moderator'] });
    const posted = await author.post(`/api/channels/${channelId}/messages`, { text: 'Hello', idempotencyKey: randomBytes(8).toString('hex') });
    expect(posted.status, JSON.stringify(posted.body)).to.equal(201);
    const titleIn = async (locale: string) => (await moderator.get(`/api/moderation/queue/message/${encodeURIComponent(posted.body.id)}`, { 'Accept-Language': locale })).body.item.title;
    expect(await titleIn('en')).to.equal(`#${name}, message 1`);
    expect(await titleIn('zh-Hans')).to.equal(`#${name}，第 1 条消息`);
    expect(await titleIn('fr')).to.equal(`#${name}, message n°\u00a01`);
  });

  it('answers a socket’s acknowledgement errors in the member’s language, else the handshake’s', async function () {
    type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
    const open = async (cookie: string, headers: Record<string, string> = {}): Promise<ClientSocket> => {
      const socket: ClientSocket = connect(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, ...headers } });
      await new Promise((resolve, reject) => {
        socket.once('session.ready', resolve);
        socket.once('connect_error', reject);
      });
      return socket;
    };
    const missing = randomBytes(12).toString('hex');
    const { client: chose } = await signedIn(server.url, server.server.ctx.models);
    expect((await chose.request('PATCH', '/api/me', { locale: 'ar' })).status).to.equal(200);
    const { client: browser } = await signedIn(server.url, server.server.ctx.models);
    const sockets = [await open(chose.cookie!, { 'accept-language': 'fr' }), await open(browser.cookie!, { 'accept-language': 'ar-EG,ar;q=0.9' })];
    try {
      for (const socket of sockets) {
        const joined = await socket.emitWithAck('channel.join', { channelId: missing });
        expect(joined).to.deep.equal({ ok: false, error: { code: 'not_found', message: m.error_no_such_channel({}, { locale: 'ar' }) } });
        const malformed = await socket.emitWithAck('channel.join', { channelId: 'x' });
        expect(malformed.ok).to.equal(false);
        expect(!malformed.ok && malformed.error).to.deep.equal({ code: 'invalid_request', message: `channelId: ${m.error_field_object_id({}, { locale: 'ar' })}` });
        const ping = await socket.emitWithAck('system.ping', { extra: 1 } as unknown as Record<string, never>);
        expect(!ping.ok && ping.error.message).to.equal('يتطلب system.ping كائنًا فارغًا.');
      }
    } finally {
      for (const socket of sockets) socket.disconnect();
    }
  });

  it('serves the page with <html lang dir> of the reader’s language', async function () {
    const arabic = await fetch(`${server.url}/`, { headers: { Accept: 'text/html', 'Accept-Language': 'ar-MA,ar;q=0.9' } });
    expect(arabic.status).to.equal(200);
    expect(arabic.headers.get('vary')).to.match(/Accept-Language/);
    expect(await arabic.text()).to.match(/<html lang="ar" dir="rtl">/);
    const russian = await fetch(`${server.url}/events`, { headers: { Accept: 'text/html', Cookie: 'convene_locale=ru', 'Accept-Language': 'ar' } });
    expect(await russian.text()).to.match(/<html lang="ru" dir="ltr">/);
    const unknown = await fetch(`${server.url}/`, { headers: { Accept: 'text/html', 'Accept-Language': 'de' } });
    expect(await unknown.text()).to.match(/<html lang="en" dir="ltr">/);
  });
});
