import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { ApiClient } from '../helpers/client.ts';
import { authorizeAtProvider, freePort, startOidcProvider, type AccountClaims, type TestOidcProvider } from '../helpers/oidc-provider.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { PASSWORD, makeMember } from '../factories/members.ts';
import type { Models } from '../../backend/src/db/models.ts';

describe('sign-in through an OpenID Connect provider', function () {
  let provider: TestOidcProvider;
  let server: TestServer;
  let models: Models;
  let appUrl: string;

  const callbackUrl = (providerId: string) => `${appUrl}/api/auth/oidc/${providerId}/callback`;
  const identityId = (subject: string) => createHash('sha256').update(`${provider.issuer}\n${subject}`).digest('hex');
  let counter = 0;
  /** A provider account of its own for each test. */
  const account = (claims: AccountClaims = {}): string => {
    const sub = `person-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
    provider.accounts.set(sub, { email: `${sub}@idp.example`, email_verified: true, name: `Person ${counter}`, ...claims });
    return sub;
  };

  /** Starts at Convene, signs in at the provider, and returns the callback URL the provider sends the browser to. */
  async function untilCallback(sub: string, options: { providerId?: string; abort?: boolean; tamperAuthorization?: (url: URL) => void } = {}) {
    const client = new ApiClient(appUrl);
    const start = await client.get(`/api/auth/oidc/${options.providerId ?? 'test'}/start`);
    expect(start.status, JSON.stringify(start.body)).to.equal(302);
    const authorization = new URL(start.headers.get('location')!);
    options.tamperAuthorization?.(authorization);
    const callback = await authorizeAtProvider(authorization, appUrl, sub, { abort: options.abort });
    return { client, sessionBefore: client.sessionId, callback };
  }

  async function signIn(sub: string) {
    const { client, sessionBefore, callback } = await untilCallback(sub);
    const res = await client.get(callback.pathname + callback.search);
    return { client, sessionBefore, res };
  }

  const failures = (reason: string) => models.AuditEvent.countDocuments({ action: 'auth.sign_in_failed', 'details.reason': reason });

  before(async function () {
    appUrl = `http://127.0.0.1:${await freePort()}`;
    provider = await startOidcProvider({ redirectUris: ['test', 'wrong-iss'].map(callbackUrl) });
    server = await startTestServer({
      port: Number(new URL(appUrl).port),
      publicUrl: appUrl,
      oidcProviders: [provider.providerConfig('test'), provider.providerConfig('wrong-iss', { issuer: `${provider.issuer}/elsewhere` })],
    });
    expect(server.url).to.equal(appUrl);
    models = server.server.ctx.models;
  });

  after(async function () {
    await server?.close();
    await provider?.close();
  });

  beforeEach(async function () {
    await models.RateLimit.deleteMany({});
  });

  it('lists the configured providers on GET /api/session', async function () {
    const res = await new ApiClient(appUrl).get('/api/session');
    expect(res.body.providers).to.deep.equal([
      { id: 'test', name: 'Test provider test' },
      { id: 'wrong-iss', name: 'Test provider wrong-iss' },
    ]);
  });

  it('redirects to the provider with a state, a nonce, the scopes and the callback URL', async function () {
    const client = new ApiClient(appUrl);
    const res = await client.get('/api/auth/oidc/test/start');
    expect(res.status).to.equal(302);
    const location = new URL(res.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).to.equal(`${provider.issuer}/auth`);
    expect(Object.fromEntries(location.searchParams)).to.include({
      response_type: 'code',
      client_id: provider.clientId,
      redirect_uri: callbackUrl('test'),
      scope: 'openid profile email',
    });
    expect(location.searchParams.get('state')).to.have.length.of.at.least(20);
    expect(location.searchParams.get('nonce')).to.have.length.of.at.least(20);
    expect(client.sessionId, 'the state lives in a session').to.be.a('string');
  });

  it('registers a first-time person as an applicant linked by issuer and subject, and signs them in with a new session id', async function () {
    const sub = account({ email: ' Grace.Hopper@Navy.example ', name: 'Grace Hopper' });
    const membersBefore = await models.Member.countDocuments({});
    const { client, sessionBefore, res } = await signIn(sub);

    expect(res.status).to.equal(302);
    expect(res.headers.get('location')).to.equal('/');
    expect(client.sessionId).to.be.a('string').and.not.equal(sessionBefore);
    const session = await client.get('/api/session');
    expect(session.body.member).to.include({ email: 'Grace.Hopper@Navy.example', name: 'Grace Hopper', status: 'applicant', hasPassword: false });

    const identity = await models.Identity.findById(identityId(sub)).lean();
    expect(identity).to.include({ issuer: provider.issuer, subject: sub, providerId: 'test' });
    expect(String(identity!.memberId)).to.equal(session.body.member.id);
    const member = await models.Member.findById(identity!.memberId).lean();
    expect(member).to.include({ emailNormalized: 'grace.hopper@navy.example', passwordHash: null, status: 'applicant' });
    expect(await models.Member.countDocuments({})).to.equal(membersBefore + 1);
    for (const action of ['auth.sign_up', 'auth.sign_in'] as const) {
      const events = await models.AuditEvent.find({ action, targetId: String(member!._id) }).lean();
      expect(events, action).to.have.length(1);
      expect(events[0]!.details).to.deep.equal({ method: 'oidc', provider: 'test' });
    }
  });

  it('counts the address as verified only when the provider says email_verified: true', async function () {
    const said = await signIn(account({ email_verified: true }));
    expect(said.res.status).to.equal(302);
    expect((await said.client.get('/api/session')).body.member.emailVerified).to.equal(true);
    const silent = await signIn(account({ email_verified: undefined }));
    expect(silent.res.status).to.equal(302);
    expect((await silent.client.get('/api/session')).body.member.emailVerified).to.equal(false);
  });

  it('finds the same person on a later sign-in, and creates no one', async function () {
    const sub = account();
    const first = await signIn(sub);
    const firstMember = (await first.client.get('/api/session')).body.member;
    const membersBefore = await models.Member.countDocuments({});

    const second = await signIn(sub);
    expect(second.res.headers.get('location')).to.equal('/');
    const secondMember = (await second.client.get('/api/session')).body.member;
    expect(secondMember.id).to.equal(firstMember.id);
    expect(await models.Member.countDocuments({})).to.equal(membersBefore);
    expect(await models.Identity.countDocuments({ memberId: firstMember.id })).to.equal(1);
    expect(await models.AuditEvent.countDocuments({ action: 'auth.sign_in', targetId: firstMember.id })).to.equal(2);
    expect(await models.AuditEvent.countDocuments({ action: 'auth.sign_up', targetId: firstMember.id })).to.equal(1);
  });

  it('refuses an e-mail address that a password account uses, and merges nothing', async function () {
    const existing = await makeMember(models, { email: `taken-${counter}@example.org` });
    const sub = account({ email: existing.email.toUpperCase() });
    const membersBefore = await models.Member.countDocuments({});

    const { client, res } = await signIn(sub);
    expect(res.status).to.equal(302);
    expect(res.headers.get('location')).to.equal('/sign-in?error=email_in_use');
    expect((await client.get('/api/session')).body.member).to.equal(null);
    expect(await models.Identity.findById(identityId(sub)).lean()).to.equal(null);
    expect(await models.Identity.countDocuments({ memberId: existing._id })).to.equal(0);
    expect(await models.Member.countDocuments({})).to.equal(membersBefore);
    const after = await models.Member.findById(existing._id).lean();
    expect(after).to.deep.include({ name: existing.name, email: existing.email, passwordHash: existing.passwordHash, status: existing.status });
    expect(await models.AuditEvent.countDocuments({ action: 'auth.sign_in_failed', targetId: String(existing._id), 'details.reason': 'email_in_use' })).to.equal(1);
    // The account itself still signs in with its password.
    expect((await new ApiClient(appUrl).post('/api/auth/sign-in', { email: existing.email, password: PASSWORD })).status).to.equal(200);
  });

  it('refuses a tampered state, signs no one in, and the real state cannot be used afterwards', async function () {
    const sub = account();
    const { client, callback } = await untilCallback(sub);
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const failedBefore = await failures('invalid_state');

    const res = await client.get(tampered.pathname + tampered.search);
    expect(res.status).to.equal(302);
    expect(res.headers.get('location')).to.equal('/sign-in?error=oidc_failed');
    expect((await client.get('/api/session')).body.member).to.equal(null);
    expect(await failures('invalid_state')).to.equal(failedBefore + 1);

    // The state is single use: the first attempt spent it.
    const replay = await client.get(callback.pathname + callback.search);
    expect(replay.headers.get('location')).to.equal('/sign-in?error=oidc_failed');
    expect((await client.get('/api/session')).body.member).to.equal(null);
    expect(await models.Identity.findById(identityId(sub)).lean()).to.equal(null);
  });

  it('refuses a callback without state, or from another browser session', async function () {
    const sub = account();
    const { client, callback } = await untilCallback(sub);
    const withoutState = new URL(callback);
    withoutState.searchParams.delete('state');
    expect((await client.get(withoutState.pathname + withoutState.search)).headers.get('location')).to.equal('/sign-in?error=oidc_failed');

    const { callback: other } = await untilCallback(sub);
    const stranger = new ApiClient(appUrl);
    expect((await stranger.get(other.pathname + other.search)).headers.get('location')).to.equal('/sign-in?error=oidc_failed');
    expect((await stranger.get('/api/session')).body.member).to.equal(null);
    expect(await models.Identity.findById(identityId(sub)).lean()).to.equal(null);
  });

  it('refuses an ID token whose nonce is not the one sent', async function () {
    const sub = account();
    const failedBefore = await failures('invalid_nonce');
    const { client, callback } = await untilCallback(sub, { tamperAuthorization: (url) => url.searchParams.set('nonce', 'not-the-nonce-that-was-stored') });
    const res = await client.get(callback.pathname + callback.search);
    expect(res.headers.get('location')).to.equal('/sign-in?error=oidc_failed');
    expect((await client.get('/api/session')).body.member).to.equal(null);
    expect(await failures('invalid_nonce')).to.equal(failedBefore + 1);
  });

  it('refuses an authorization response that names another issuer (RFC 9207, mix-up)', async function () {
    const sub = account();
    const { client, callback } = await untilCallback(sub);
    expect(callback.searchParams.get('iss')).to.equal(provider.issuer);
    callback.searchParams.set('iss', 'https://idp.attacker.example');
    const failedBefore = await failures('wrong_issuer');
    expect((await client.get(callback.pathname + callback.search)).headers.get('location')).to.equal('/sign-in?error=oidc_failed');
    expect((await client.get('/api/session')).body.member).to.equal(null);
    expect(await failures('wrong_issuer')).to.equal(failedBefore + 1);
  });

  it('refuses an ID token from another issuer than the one configured', async function () {
    const sub = account();
    const { client, callback } = await untilCallback(sub, { providerId: 'wrong-iss' });
    // Without the RFC 9207 parameter, only the ID token's `iss` can tell.
    callback.searchParams.delete('iss');
    const failedBefore = await failures('wrong_issuer');
    expect((await client.get(callback.pathname + callback.search)).headers.get('location')).to.equal('/sign-in?error=oidc_failed');
    expect((await client.get('/api/session')).body.member).to.equal(null);
    expect(await failures('wrong_issuer')).to.equal(failedBefore + 1);
    expect(await models.Identity.countDocuments({ subject: sub })).to.equal(0);
  });

  it('fails cleanly when the person cancels at the provider', async function () {
    const sub = account();
    const failedBefore = await failures('provider_error');
    const { client, callback } = await untilCallback(sub, { abort: true });
    expect(callback.searchParams.get('error')).to.equal('access_denied');
    const res = await client.get(callback.pathname + callback.search);
    expect(res.headers.get('location')).to.equal('/sign-in?error=oidc_failed');
    expect(await failures('provider_error')).to.equal(failedBefore + 1);
  });

  it('fails cleanly for a forged code', async function () {
    const sub = account();
    const { client, callback } = await untilCallback(sub);
    callback.searchParams.set('code', 'forged-code');
    const res = await client.get(callback.pathname + callback.search);
    expect(res.status).to.equal(302);
    expect(res.headers.get('location')).to.equal('/sign-in?error=oidc_failed');
    expect((await client.get('/api/session')).body.member).to.equal(null);
  });

  it('requires an e-mail address from the provider, and creates nothing without one', async function () {
    const sub = account({ email: undefined });
    const membersBefore = await models.Member.countDocuments({});
    const { client, res } = await signIn(sub);
    expect(res.headers.get('location')).to.equal('/sign-in?error=oidc_failed');
    expect((await client.get('/api/session')).body.member).to.equal(null);
    expect(await models.Member.countDocuments({})).to.equal(membersBefore);
    expect(await models.Identity.findById(identityId(sub)).lean()).to.equal(null);
  });

  it('refuses a suspended person', async function () {
    const sub = account();
    const first = await signIn(sub);
    const memberId = (await first.client.get('/api/session')).body.member.id;
    await models.Member.updateOne({ _id: memberId }, { $set: { status: 'suspended' }, $inc: { sessionEpoch: 1 } });

    const { client, res } = await signIn(sub);
    expect(res.headers.get('location')).to.equal('/sign-in?error=suspended');
    expect((await client.get('/api/session')).body.member).to.equal(null);
    expect(await models.AuditEvent.countDocuments({ action: 'auth.sign_in_failed', targetId: memberId, 'details.reason': 'suspended' })).to.equal(1);
  });

  it('answers an unknown provider with 404 and a malformed one with 400, in the error shape', async function () {
    for (const path of ['/api/auth/oidc/nope/start', '/api/auth/oidc/nope/callback?code=x&state=y']) {
      const res = await new ApiClient(appUrl).get(path);
      expect(res.status, path).to.equal(404);
      expect(res.body.error.code).to.equal('not_found');
    }
    const malformed = await new ApiClient(appUrl).get('/api/auth/oidc/NOT_AN_ID!/start');
    expect(malformed.status).to.equal(400);
    expect(malformed.body.error.message).to.contain('params.providerId');
  });
});
