import { expect } from 'chai';
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
