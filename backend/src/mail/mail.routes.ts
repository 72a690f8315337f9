import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { defineOperation, type Operation } from '../http/api.ts';
import { Conflict } from '../http/errors.ts';
import { m, msg, requestLocale } from '../http/locale.ts';
import { text } from '../http/schemas.ts';
import { Email, NewPassword } from '../members/member.schemas.ts';
import { Permission } from '../policy/policy.ts';
import { doConfirmEmailChange, doForgotPassword, doRequestEmailChange, doResetPassword, doSendTestMail, doSendVerification, doVerifyEmail } from './mail.actions.ts';

const Token = text({ min: 20, max: 100 }).describe('The token from the link (its fragment), posted by the landing page');
const TokenBody = z.strictObject({ token: Token }).meta({ id: 'TokenBody' });
const ForgotPasswordBody = z.strictObject({ email: Email }).meta({ id: 'ForgotPasswordBody' });
const ChangeEmailBody = z.strictObject({ newEmail: Email, currentPassword: text({ min: 1, max: 200 }) }).meta({ id: 'ChangeEmailBody' });
const ResetPasswordBody = z.strictObject({ token: Token, newPassword: NewPassword }).meta({ id: 'ResetPasswordBody' });

const OutboxView = z
  .object({
    queued: z.array(
      z.object({ id: z.string(), kind: z.string(), to: z.string(), attempts: z.number(), nextAttemptAt: z.string(), lastError: z.string().nullable(), queuedAt: z.string() }),
    ),
    recent: z.array(
      z.object({ id: z.string(), kind: z.string(), to: z.string(), status: z.enum(['sent', 'failed']), attempts: z.number(), reason: z.string().nullable(), queuedAt: z.string(), at: z.string() }),
    ),
  })
  .meta({ id: 'OutboxState' });


export function mailOperations(ctx: AppContext): Operation[] {
  return [
    defineOperation({
      method: 'post',
      path: '/api/auth/verify-email',
      operationId: 'verifyEmail',
      summary: 'Confirm your e-mail address with the token from the link (single use, 24 hours)',
      tags: ['auth'],
      access: 'public',
      body: TokenBody,
      responses: { 204: { description: 'The address is verified' } },
      handler: async ({ req, body }) => {
        await ctx.rateLimiter.hit(`verify-email:ip:${req.ip}`, 30, 3600_000);
        await doVerifyEmail(ctx, body.token, req);
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/me/email/verification',
      operationId: 'resendVerification',
      summary: 'Send the verification link for your address again',
      tags: ['profile'],
      access: Permission.ProfileOwn,
      responses: { 204: { description: 'Queued' } },
      handler: async ({ req }) => {
        const member = req.user!;
        if (member.emailVerifiedAt) throw new Conflict(msg(m.error_mail_already_verified), undefined, 'already_verified');
        await ctx.rateLimiter.hit(`verify-email:member:${member._id}`, 3, 3600_000);
        await doSendVerification(ctx, member, req);
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/me/email',
      operationId: 'changeEmail',
      summary: 'Move your account to another address (needs your password): it takes effect when the link mailed there is followed',
      tags: ['profile'],
      access: Permission.ProfileOwn,
      body: ChangeEmailBody,
      responses: { 202: { description: 'Accepted', schema: z.object({ message: z.string() }) } },
      handler: async ({ req, body }) => {
        await ctx.rateLimiter.hit(`change-email:member:${req.actor!.id}`, 5, 3600_000);
        await doRequestEmailChange(ctx, req.user!, body, req);
        return { message: m.mail_answer_change_email({}, { locale: requestLocale(req) }) };
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/auth/confirm-email-change',
      operationId: 'confirmEmailChange',
      summary: 'Follow the link sent to a new address (single use, 24 hours): it replaces the old one, verified',
      tags: ['auth'],
      access: 'public',
      body: TokenBody,
      responses: { 204: { description: 'The new address is in use' } },
      handler: async ({ req, body }) => {
        await ctx.rateLimiter.hit(`confirm-email-change:ip:${req.ip}`, 30, 3600_000);
        await doConfirmEmailChange(ctx, body.token, req);
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/auth/forgot-password',
      operationId: 'forgotPassword',
      summary: 'Ask for a password reset link; the answer is the same whether or not the address is known',
      tags: ['auth'],
      access: 'public',
      body: ForgotPasswordBody,
      responses: { 202: { description: 'Accepted', schema: z.object({ message: z.string() }) } },
      handler: async ({ req, body }) => {
        await ctx.rateLimiter.hit(`forgot-password:ip:${req.ip}`, 10, 3600_000);
        await ctx.rateLimiter.hit(`forgot-password:email:${body.email.toLowerCase()}`, 3, 3600_000);
        await doForgotPassword(ctx, body.email, req);
        return { message: m.mail_answer_forgot_password({}, { locale: requestLocale(req) }) };
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/auth/reset-password',
      operationId: 'resetPassword',
      summary: 'Set a new password with the token from a reset link (single use, one hour); every session ends',
      tags: ['auth'],
      access: 'public',
      body: ResetPasswordBody,
      responses: { 204: { description: 'Changed; sign in with the new password' } },
      handler: async ({ req, body }) => {
        await ctx.rateLimiter.hit(`reset-password:ip:${req.ip}`, 20, 3600_000);
        await doResetPassword(ctx, body.token, body.newPassword, req);
      },
    }),
    defineOperation({
      method: 'get',
      path: '/api/admin/mail',
      operationId: 'getOutbox',
      summary: 'The outbox: mail waiting (with the last error) and the newest sent or failed; never bodies',
      tags: ['admin'],
      access: Permission.MailAdmin,
      responses: { 200: { description: 'The outbox', schema: OutboxView } },
      handler: async () => {
        const { queued, log } = await ctx.outbox.state();
        return {
          queued: queued.map((item) => ({
            id: item._id,
            kind: item.kind,
            to: item.to,
            attempts: item.attempts,
            nextAttemptAt: item.nextAttemptAt.toISOString(),
            lastError: item.lastError,
            queuedAt: item.createdAt.toISOString(),
          })),
          recent: log.map((entry) => ({
            id: entry._id,
            kind: entry.kind,
            to: entry.to,
            status: entry.status,
            attempts: entry.attempts,
            reason: entry.reason,
            queuedAt: entry.queuedAt.toISOString(),
            at: entry.at.toISOString(),
          })),
        };
      },
    }),
    defineOperation({
      method: 'post',
      path: '/api/admin/mail/test',
      operationId: 'sendTestMail',
      summary: 'Queue a test mail to your own address',
      tags: ['admin'],
      access: Permission.MailAdmin,
      responses: { 202: { description: 'Queued', schema: z.object({ id: z.string() }) } },
      handler: async ({ req }) => {
        await ctx.rateLimiter.hit(`mail-test:member:${req.actor!.id}`, 10, 3600_000);
        const id = await doSendTestMail(ctx, req.user!, req);
        return { id };
      },
    }),
  ];
}
