import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { Types } from 'mongoose';
import type { PassportStatic } from 'passport';
import OpenIDConnectStrategy from 'passport-openidconnect';
import { z } from 'zod';
import { ConfigError, type OidcProviderConfig } from '../config/config.ts';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { NotFound, isDuplicateKey } from '../http/errors.ts';
import { text } from '../http/schemas.ts';
import type { Logger } from '../http/logger.ts';
import { normaliseEmail, normaliseName, type MemberDoc } from '../members/member.model.ts';
import { logIn } from './auth.ts';
import { m, msg } from '../http/locale.ts';

/**
 * Sign-in through OpenID Connect providers (authorization code flow, passport-openidconnect).
 *
 * What the library does: `state` in the session (single use), a `nonce` (with `nonce: true`) that
 * it compares with the ID token's, and the ID token's `iss`, `aud`, `azp` and `exp`. What it does
 * not do, and this module does instead: refuse a callback without `code` (the library would start
 * a new flow), check the `iss` authorization response parameter (RFC 9207), fetch the UserInfo
 * itself (the library's fetch crashes the process on a non-JSON answer, and never compares the
 * UserInfo `sub` with the ID token's), and never merge accounts by e-mail.
 * It does not verify the ID token's signature: the token comes straight from the token endpoint,
 * so TLS vouches for it (OIDC Core 3.1.3.7); hence https endpoints are required in production.
 */

export interface OidcProviderSummary {
  id: string;
  name: string;
}

/** Where a failed sign-in lands: `/sign-in?error=<code>`. */
type RedirectError = 'oidc_failed' | 'email_in_use' | 'suspended';

/** Claims taken from the provider, after the protocol checks. */
interface VerifiedClaims {
  issuer: string;
  subject: string;
  email: string;
  /** Only when the provider says `email_verified: true`; otherwise the address is to be verified by mail. */
  emailVerified: boolean;
  name: string;
}

type SignInOutcome =
  | { ok: true; member: MemberDoc }
  | { ok: false; reason: string; redirect: RedirectError; memberId?: Types.ObjectId };

const ProviderId = z
  .string()
  .regex(/^[a-z0-9-]{1,40}$/, 'lower-case letters, digits and - only (1 to 40)')
  .describe('The identity provider, one of `providers` in GET /api/session');
const ProviderParams = z.strictObject({ providerId: ProviderId });

/** A malformed value (e.g. a repeated parameter) counts as absent: the sign-in then fails with a redirect, not a 400. */
const lenient = (schema: z.ZodType<string>, description: string) => schema.optional().catch(undefined).describe(description);
const CallbackQuery = z.object({
  code: lenient(text({ min: 1, max: 4096 }), 'Authorization code'),
  state: lenient(text({ min: 1, max: 512 }), 'The state sent with the authorization request'),
  iss: lenient(text({ min: 1, max: 2048 }), 'The issuer that answers (RFC 9207)'),
  error: lenient(text({ min: 1, max: 200 }), 'OAuth error code, when the provider refuses'),
});

/** OIDC Core 5.1 claims that Convene reads. `sub` is at most 255 ASCII characters. */
const Claims = z.object({
  sub: text({ min: 1, max: 255 }),
  email: z.unknown().optional(),
  email_verified: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  name: z.unknown().optional(),
  given_name: z.unknown().optional(),
  family_name: z.unknown().optional(),
});
type Claims = z.infer<typeof Claims>;
const EmailClaim = text({ min: 3, max: 254 }).pipe(z.email());

export const identityId = (issuer: string, subject: string): string => createHash('sha256').update(`${issuer}\n${subject}`).digest('hex');

const strategyName = (provider: OidcProviderConfig) => `oidc-${provider.id}`;

/** A claim check that failed; `reason` goes to the audit log. */
class ClaimsRejected extends Error {
  constructor(readonly reason: string) {
    super(`OpenID Connect claims rejected: ${reason}`);
    this.name = 'ClaimsRejected';
  }
}

function decodeIdToken(idToken: string): Claims {
  const payload = idToken.split('.')[1];
  if (!payload) throw new ClaimsRejected('malformed_id_token');
  const parsed = Claims.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  if (!parsed.success) throw new ClaimsRejected('malformed_id_token');
  return parsed.data;
}

/** The UserInfo response (OIDC Core 5.3). Its `sub` must be the ID token's (5.3.2). */
async function fetchUserInfo(provider: OidcProviderConfig, accessToken: string, subject: string): Promise<Claims> {
  const response = await fetch(provider.userInfoUrl, {
    headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new ClaimsRejected('userinfo_failed');
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new ClaimsRejected('userinfo_not_json');
  }
  const parsed = Claims.safeParse(body);
  if (!parsed.success) throw new ClaimsRejected('userinfo_malformed');
  if (parsed.data.sub !== subject) throw new ClaimsRejected('userinfo_subject_mismatch');
  return parsed.data;
}

const singleLine = (value: unknown): string | undefined =>
  typeof value === 'string' ? value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim() || undefined : undefined;

/** E-mail and a display name from the claims; the e-mail is required, and must not be marked unverified. */
function toVerifiedClaims(issuer: string, idClaims: Claims, userInfo: Claims): VerifiedClaims {
  const claims = { ...idClaims, ...userInfo, sub: idClaims.sub };
  const email = EmailClaim.safeParse(typeof claims.email === 'string' ? claims.email.trim() : undefined);
  if (!email.success) throw new ClaimsRejected('email_missing');
  if (claims.email_verified === false || claims.email_verified === 'false') throw new ClaimsRejected('email_unverified');
  const given = [singleLine(claims.given_name), singleLine(claims.family_name)].filter(Boolean).join(' ');
  const name = (singleLine(claims.name) ?? (given || email.data.slice(0, email.data.indexOf('@')))).slice(0, 100);
  const emailVerified = claims.email_verified === true || claims.email_verified === 'true';
  return { issuer, subject: claims.sub, email: email.data, emailVerified, name };
}

function requireHttpsInProduction(ctx: AppContext, provider: OidcProviderConfig): void {
  if (ctx.config.env !== 'production') return;
  for (const url of [provider.issuer, provider.authorizationUrl, provider.tokenUrl, provider.userInfoUrl]) {
    if (!url.startsWith('https://')) {
      throw new ConfigError(`OIDC_PROVIDERS (oidcProviders): provider "${provider.id}" must use https:// addresses in production (ID tokens are trusted on TLS alone)`);
    }
  }
}

function registerStrategy(ctx: AppContext, authenticator: PassportStatic, provider: OidcProviderConfig): void {
  requireHttpsInProduction(ctx, provider);
  // passport-openidconnect picks its verify signature by arity: keep exactly these seven parameters.
  const verify = (
    issuer: string,
    _profile: unknown,
    _context: object,
    idToken: string | object,
    accessToken: string | object,
    _refreshToken: string,
    done: OpenIDConnectStrategy.VerifyCallback,
  ): void => {
    (async () => {
      const idClaims = decodeIdToken(String(idToken));
      const userInfo = await fetchUserInfo(provider, String(accessToken), idClaims.sub);
      return toVerifiedClaims(issuer, idClaims, userInfo);
    })().then(
      // Not a member yet: the route decides who this is. Passport only carries the value.
      (claims) => done(null, claims as unknown as Express.User),
      // No user (undefined) makes the strategy fail with `info`; an error makes it error.
      (error: unknown) => (error instanceof ClaimsRejected ? done(null, undefined, { reason: error.reason }) : done(error as Error)),
    );
  };
  authenticator.use(
    strategyName(provider),
    new OpenIDConnectStrategy(
      {
        issuer: provider.issuer,
        authorizationURL: provider.authorizationUrl,
        tokenURL: provider.tokenUrl,
        userInfoURL: provider.userInfoUrl,
        clientID: provider.clientId,
        clientSecret: provider.clientSecret,
        callbackURL: `${ctx.config.publicUrl}/api/auth/oidc/${provider.id}/callback`,
        // The library prepends "openid" itself.
        scope: ['profile', 'email'],
        // Only truthiness is read (a fresh random nonce per request); the type says string.
        nonce: true as unknown as string,
        // One state per provider in the session (the default key is the provider's host name).
        sessionKey: `oidc:${provider.id}`,
        // UserInfo is fetched by `verify`, above.
        skipUserProfile: true,
      },
      verify,
    ),
  );
}

/** Starts the flow: the strategy stores state and nonce in the session and redirects. */
function redirectToProvider(authenticator: PassportStatic, provider: OidcProviderConfig, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    res.once('close', () => resolve());
    authenticator.authenticate(strategyName(provider), { session: false }, (error: unknown) =>
      reject(error ?? new Error('the OpenID Connect strategy did not redirect')),
    )(req, res, ((error?: unknown) => reject(error)) as NextFunction);
  });
}

type CallbackResult = { claims: VerifiedClaims } | { reason: string };

/** Maps the library's fixed failure messages to audit reasons. */
function failureReason(info: unknown): string {
  const { reason, message } = (info ?? {}) as { reason?: unknown; message?: unknown };
  if (typeof reason === 'string') return reason;
  const text = typeof message === 'string' ? message : '';
  if (/state/i.test(text)) return 'invalid_state';
  if (/nonce/i.test(text)) return 'invalid_nonce';
  if (/expected OpenID provider/i.test(text)) return 'wrong_issuer';
  if (/relying party|authori[sz]ied party/i.test(text)) return 'wrong_audience';
  if (/expired/i.test(text)) return 'expired_id_token';
  return 'rejected';
}

/** Runs the strategy on the callback: state, code exchange, ID token checks, then `verify`. */
function completeWithProvider(authenticator: PassportStatic, provider: OidcProviderConfig, req: Request, res: Response): Promise<CallbackResult> {
  return new Promise((resolve, reject) => {
    authenticator.authenticate(strategyName(provider), { session: false }, (error: unknown, claims: VerifiedClaims | false, info: unknown) => {
      if (error) reject(error);
      else if (!claims) resolve({ reason: failureReason(info) });
      else resolve({ claims });
    })(req, res, ((error?: unknown) => reject(error)) as NextFunction);
  });
}

/**
 * Finds the person behind issuer + subject, or registers them as an applicant. Never links by
 * e-mail: an address already in use refuses the sign-in and nothing is created.
 */
async function signInWithIdentity(ctx: AppContext, provider: OidcProviderConfig, claims: VerifiedClaims, req: Request): Promise<SignInOutcome> {
  const _id = identityId(claims.issuer, claims.subject);
  let identity = await ctx.models.Identity.findById(_id).lean();
  if (!identity) {
    const email = normaliseEmail(claims.email);
    const taken = await ctx.models.Member.findOne({ emailNormalized: email.emailNormalized }, { _id: 1 }).lean();
    if (taken) return { ok: false, reason: 'email_in_use', redirect: 'email_in_use', memberId: taken._id };
    // The identity is written first: its _id is the claim on issuer + subject, so two
    // simultaneous first sign-ins cannot both create a member.
    const memberId = new Types.ObjectId();
    try {
      await ctx.models.Identity.create({ _id, issuer: claims.issuer, subject: claims.subject, providerId: provider.id, memberId });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      identity = await ctx.models.Identity.findById(_id).lean();
    }
    if (!identity) {
      try {
        const member = await ctx.models.Member.create({
          _id: memberId,
          ...email,
          name: claims.name,
          nameNormalized: normaliseName(claims.name),
          passwordHash: null,
          emailVerifiedAt: claims.emailVerified ? new Date() : null,
          status: 'applicant',
          roles: [],
        });
        await ctx.audit.record({ action: 'auth.sign_up', actorId: memberId, target: { type: 'member', id: memberId }, details: { method: 'oidc', provider: provider.id }, req });
        return { ok: true, member: member.toObject() };
      } catch (error) {
        // The address was taken in the meantime: undo the identity, merge nothing.
        await ctx.models.Identity.deleteOne({ _id });
        if (isDuplicateKey(error)) return { ok: false, reason: 'email_in_use', redirect: 'email_in_use' };
        throw error;
      }
    }
  }
  const member = await ctx.cache.member(identity.memberId);
  if (!member) return { ok: false, reason: 'identity_without_member', redirect: 'oidc_failed' };
  if (member.status === 'suspended') return { ok: false, reason: 'suspended', redirect: 'suspended', memberId: member._id };
  return { ok: true, member };
}


const requestLogger = (ctx: AppContext, req: Request): Logger => (req as { log?: Logger }).log ?? ctx.logger;

/** Operations and strategies for every configured provider. Strategies are registered on `authenticator`. */
export function oidcOperations(ctx: AppContext, authenticator: PassportStatic): { operations: Operation[]; providers: OidcProviderSummary[] } {
  const byId = new Map<string, OidcProviderConfig>();
  for (const provider of ctx.config.oidcProviders) {
    registerStrategy(ctx, authenticator, provider);
    byId.set(provider.id, provider);
  }
  const providerFor = (id: string): OidcProviderConfig => {
    const provider = byId.get(id);
    if (!provider) throw new NotFound(msg(m.error_oidc_no_such_provider));
    return provider;
  };

  const fail = async (req: Request, res: Response, provider: OidcProviderConfig, outcome: { reason: string; redirect: RedirectError; memberId?: Types.ObjectId }) => {
    try {
      await ctx.audit.record({
        action: 'auth.sign_in_failed',
        actorId: null,
        target: outcome.memberId ? { type: 'member', id: outcome.memberId } : null,
        details: { method: 'oidc', provider: provider.id, reason: outcome.reason },
        req,
      });
    } catch (error) {
      requestLogger(ctx, req).error({ err: error }, 'could not audit a failed OpenID Connect sign-in');
    }
    res.redirect(`/sign-in?error=${outcome.redirect}`);
  };

  const operations = [
    defineOperation({
      method: 'get',
      path: '/api/auth/oidc/:providerId/start',
      operationId: 'startOidcSignIn',
      summary: 'Sign in with an identity provider: redirects there',
      description: 'Stores a fresh state and nonce in the session and redirects to the provider. The provider comes back to the callback.',
      tags: ['auth'],
      access: 'public',
      params: ProviderParams,
      responses: { 302: { description: 'Redirect to the identity provider' }, 404: { description: 'No such identity provider' } },
      handler: async ({ req, res, params }) => {
        const provider = providerFor(params.providerId);
        // Each start writes a session: bounded per address.
        await ctx.rateLimiter.hit(`oidc-start:ip:${req.ip}`, 60, 15 * 60_000);
        await redirectToProvider(authenticator, provider, req, res);
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/auth/oidc/:providerId/callback',
      operationId: 'completeOidcSignIn',
      summary: 'Where the identity provider sends the browser back',
      description:
        'Checks state, nonce, issuer and audience, then signs in the person known by issuer and subject, or registers them as an ' +
        'applicant. Redirects to `/` on success (with a new session id), else to `/sign-in?error=oidc_failed|email_in_use|suspended`.',
      tags: ['auth'],
      access: 'public',
      params: ProviderParams,
      query: CallbackQuery,
      responses: { 302: { description: 'Redirect to the app, or to the sign-in page with an error code' }, 404: { description: 'No such identity provider' } },
      handler: async ({ req, res, params, query }) => {
        const provider = providerFor(params.providerId);
        try {
          if (query.error) return await fail(req, res, provider, { reason: 'provider_error', redirect: 'oidc_failed' });
          // Without a code the library would start a new flow instead of failing.
          if (!query.code) return await fail(req, res, provider, { reason: 'missing_code', redirect: 'oidc_failed' });
          // RFC 9207: a provider that names itself must be the one this flow went to (mix-up attacks).
          if (query.iss !== undefined && query.iss !== provider.issuer) return await fail(req, res, provider, { reason: 'wrong_issuer', redirect: 'oidc_failed' });
          const result = await completeWithProvider(authenticator, provider, req, res);
          if ('reason' in result) return await fail(req, res, provider, { reason: result.reason, redirect: 'oidc_failed' });
          const outcome = await signInWithIdentity(ctx, provider, result.claims, req);
          if (!outcome.ok) return await fail(req, res, provider, outcome);
          await logIn(req, outcome.member);
          await ctx.audit.record({
            action: 'auth.sign_in',
            actorId: outcome.member._id,
            target: { type: 'member', id: outcome.member._id },
            details: { method: 'oidc', provider: provider.id },
            req,
          });
          res.redirect('/');
        } catch (error) {
          // Token endpoint errors, network failures, a provider's error page: never a 500 for the browser.
          requestLogger(ctx, req).warn({ err: error, provider: provider.id }, 'OpenID Connect sign-in failed');
          if (!res.headersSent) await fail(req, res, provider, { reason: 'error', redirect: 'oidc_failed' });
        }
      },
    }),
  ];
  return { operations, providers: [...byId.values()].map(({ id, name }) => ({ id, name })) };
}
