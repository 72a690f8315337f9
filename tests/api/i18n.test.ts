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
