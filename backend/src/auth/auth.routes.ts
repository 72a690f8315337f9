import { presentAffiliation } from '../members/reverification.ts';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { AppError, Forbidden } from '../http/errors.ts';
import { doSignUp } from '../members/member.actions.ts';
import type { MemberDoc } from '../members/member.model.ts';
import { SelfView, presentSelf } from '../members/member.presenter.ts';
import { SignInBody, SignUpBody } from '../members/member.schemas.ts';
import { Permission } from '../policy/policy.ts';
import { logIn, logOut } from './auth.ts';
import { doSendVerification } from '../mail/mail.actions.ts';
import type { PassportStatic } from 'passport';
import { m, msg } from '../http/locale.ts';

export const SessionView = z
  .object({
    member: SelfView.nullable().describe('The signed-in person, or null'),
    providers: z.array(z.object({ id: z.string(), name: z.string() })).describe('Identity providers to offer on the sign-in page'),
  })
  .meta({ id: 'Session' });

const SIGN_IN_FAILED = msg(m.error_auth_sign_in_failed);
const BACKOFF = { free: 5, maxDelayMs: 15 * 60 * 1000, resetMs: 60 * 60 * 1000 };

export async function presentSelfWithOrg(ctx: AppContext, member: MemberDoc) {
  const org = member.organisationId ? await ctx.cache.organisation(member.organisationId) : null;
  return presentSelf(member, org, presentAffiliation(member, org, ctx.config, ctx.clock.now()));
}

function authenticateLocal(authenticator: PassportStatic, req: Request, res: Response): Promise<{ member: MemberDoc | false; knownId?: string }> {
  return new Promise((resolve, reject) => {
    authenticator.authenticate('local', { session: false }, (error: unknown, member: MemberDoc | false, info?: { message?: string }) => {
      if (error) reject(error);
      else resolve({ member, knownId: info?.message });
    })(req, res, ((error?: unknown) => error && reject(error)) as NextFunction);
  });
}

export function authOperations(ctx: AppContext, authenticator: PassportStatic, providers: { id: string; name: string }[]): Operation[] {
  return [
    defineOperation({
      method: 'get',
      path: '/api/session',
      operationId: 'getSession',
      summary: 'Who is signed in, and how one can sign in',
      tags: ['auth'],
      access: 'public',
      responses: { 200: { description: 'The session', schema: SessionView } },
      handler: async ({ req }) => ({ member: req.user ? await presentSelfWithOrg(ctx, req.user) : null, providers }),
    }),
    defineOperation({
      method: 'post',
      path: '/api/auth/sign-up',
      operationId: 'signUp',
      summary: 'Register with e-mail and password; you become an applicant and are signed in',
      tags: ['auth'],
      access: 'public',
      body: SignUpBody,
      responses: { 201: { description: 'Registered and signed in', schema: SelfView } },
      handler: async ({ req, body }) => {
        await ctx.rateLimiter.hit(`sign-up:ip:${req.ip}`, 10, 3600_000);
        await ctx.rateLimiter.hit(`sign-up:email:${body.email.toLowerCase()}`, 3, 3600_000);
        const member = await doSignUp(ctx, body, req);
        await doSendVerification(ctx, member, req);
        await logIn(req, member);
        return presentSelfWithOrg(ctx, member);
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/auth/sign-in',
      operationId: 'signIn',
      summary: 'Sign in with e-mail and password',
      description: 'Rate limited per account and per address with growing delays. A failure never says whether the e-mail is registered.',
      tags: ['auth'],
      access: 'public',
      body: SignInBody,
      responses: { 200: { description: 'Signed in; the session cookie is set with a new id', schema: SelfView } },
      handler: async ({ req, res, body }) => {
        const keys = [`sign-in:ip:${req.ip}`, `sign-in:account:${body.email.trim().toLowerCase()}`];
        await ctx.rateLimiter.assertNotBlocked(keys);
        await ctx.rateLimiter.hit(`sign-in-window:ip:${req.ip}`, 60, 15 * 60_000);
        const { member, knownId } = await authenticateLocal(authenticator, req, res);
        if (!member) {
          await Promise.all(keys.map((key) => ctx.rateLimiter.fail(key, BACKOFF)));
          await ctx.audit.record({
            action: 'auth.sign_in_failed',
            actorId: null,
            target: knownId ? { type: 'member', id: knownId } : null,
            details: { reason: knownId ? 'wrong_password' : 'unknown_account' },
            req,
          });
          throw new AppError(401, 'invalid_credentials', SIGN_IN_FAILED);
        }
        if (member.status === 'suspended') {
          await ctx.audit.record({ action: 'auth.sign_in_failed', target: { type: 'member', id: member._id }, details: { reason: 'suspended' }, req });
          throw new Forbidden(msg(m.error_auth_suspended));
        }
        await Promise.all(keys.map((key) => ctx.rateLimiter.succeed(key)));
        await logIn(req, member);
        await ctx.audit.record({ action: 'auth.sign_in', actorId: member._id, target: { type: 'member', id: member._id }, details: { method: 'password' }, req });
        return presentSelfWithOrg(ctx, member);
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/auth/sign-out',
      operationId: 'signOut',
      summary: 'Sign out: the session is destroyed',
      tags: ['auth'],
      access: Permission.SignOut,
      responses: { 204: { description: 'Signed out' } },
      handler: async ({ req }) => {
        const memberId = req.actor!.id;
        const sessionId = req.sessionID;
        await logOut(req);
        ctx.realtime.disconnectSession(sessionId);
        await ctx.audit.record({ action: 'auth.sign_out', actorId: memberId, target: { type: 'member', id: memberId }, req });
      },
    }),
  ];
}
