import { createHash, randomBytes } from 'node:crypto';
import type { Request } from 'express';
import type { Types } from 'mongoose';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/passwords.ts';
import type { AppContext } from '../context.ts';
import type { MemberDoc } from '../members/member.model.ts';
import type { MailTokenDoc } from './mail.model.ts';
import { normaliseEmail } from '../members/member.model.ts';
import { Conflict, fieldInvalid, Invalid, isDuplicateKey } from '../http/errors.ts';
import { requestLocale } from '../http/locale.ts';
import type { Locale } from '../shared/i18n/locale.ts';
import { confirmEmailChangeMail, emailChangeNoticeMail, emailChangeUnavailableMail, passwordChangedMail, passwordResetMail, testMail, verifyEmailMail } from './mail.templates.ts';
import { m, msg } from '../http/locale.ts';

export const VERIFY_TTL_MS = 24 * 3600_000;
export const RESET_TTL_MS = 3600_000;
export const CHANGE_EMAIL_TTL_MS = 24 * 3600_000;

/**
 * The language of a mail to a member: their profile's choice, else the language of the request that
 * caused it (the browser of the person acting), else English.
 */
export const mailLocale = (member: Pick<MemberDoc, 'locale'>, req?: Pick<Request, 'headers' | 'user'>): Locale => member.locale ?? (req ? requestLocale(req as Request) : 'en');

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const badToken = () => new Invalid(msg(m.error_link_invalid), undefined, 'invalid_token');

/** A fresh random token for a link; only its hash is stored. Earlier tokens of the same purpose stay valid until they expire or are used. */
export async function issueToken(ctx: AppContext, purpose: MailTokenDoc['purpose'], memberId: Types.ObjectId, email: string, ttlMs: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await ctx.models.MailToken.create({ _id: hashToken(token), purpose, memberId, email, expiresAt: new Date(Date.now() + ttlMs) });
  return token;
}

/** Spends a token: the delete by `_id` is atomic, so of two uses exactly one gets the document. */
export async function spendToken(ctx: AppContext, purpose: MailTokenDoc['purpose'], token: string): Promise<MailTokenDoc> {
  const doc = await ctx.models.MailToken.findOneAndDelete({ _id: hashToken(token) }).lean<MailTokenDoc>();
  if (!doc || doc.purpose !== purpose || doc.expiresAt.getTime() <= Date.now()) throw badToken();
  return doc;
}

/** Queues the verification link for the member's current address. Caller applied the rate limit. */
export async function doSendVerification(ctx: AppContext, member: Pick<MemberDoc, '_id' | 'email' | 'emailNormalized' | 'name' | 'locale'>, req?: Request): Promise<void> {
  const token = await issueToken(ctx, 'verify-email', member._id, member.emailNormalized, VERIFY_TTL_MS);
  await ctx.outbox.queue({ kind: 'verify-email', to: member.email, memberId: member._id, ...verifyEmailMail(mailLocale(member, req), ctx.config.publicUrl, token, member.name) });
}

/** Marks the address the token was sent to as verified, if it is still the member's address. */
export async function doVerifyEmail(ctx: AppContext, token: string, req: Request): Promise<void> {
  const doc = await spendToken(ctx, 'verify-email', token);
  const result = await ctx.models.Member.updateOne({ _id: doc.memberId, emailNormalized: doc.email }, { $set: { emailVerifiedAt: new Date() } });
  if (result.matchedCount === 0) throw badToken();
  await ctx.audit.record({ action: 'auth.email_verified', actorId: doc.memberId, target: { type: 'member', id: doc.memberId }, req });
}

/**
 * Queues a reset link when the address belongs to someone with an account. Says nothing either
 * way: the caller answers the same for unknown addresses. Suspended members get no link.
 */
export async function doForgotPassword(ctx: AppContext, email: string, req: Request): Promise<void> {
  const member = await ctx.models.Member.findOne({ emailNormalized: email.trim().toLowerCase() }).lean<MemberDoc>();
  if (!member || member.status === 'suspended') return;
  const token = await issueToken(ctx, 'password-reset', member._id, member.emailNormalized, RESET_TTL_MS);
  await ctx.outbox.queue({ kind: 'password-reset', to: member.email, memberId: member._id, ...passwordResetMail(mailLocale(member, req), ctx.config.publicUrl, token) });
  await ctx.audit.record({ action: 'auth.password_reset_requested', actorId: null, target: { type: 'member', id: member._id }, req });
}

/**
 * Sets a new password from a reset link. Every session and live socket of the member ends, the
 * member is told by mail, and the link is spent. A reset also proves the address: it verifies it.
 */
export async function doResetPassword(ctx: AppContext, token: string, newPassword: string, req: Request): Promise<void> {
  const doc = await spendToken(ctx, 'password-reset', token);
  const member = await ctx.cache.member(doc.memberId);
  if (!member || member.status === 'suspended' || member.emailNormalized !== doc.email) throw badToken();
  const problem = passwordProblem(newPassword, { email: member.emailNormalized, name: member.name });
  if (problem) {
    // The person may try another password with the same link: put the token back.
    await ctx.models.MailToken.create(doc);
    throw fieldInvalid([{ location: 'body', path: 'newPassword', message: problem }], 'weak_password');
  }
  await ctx.models.Member.updateOne(
    { _id: member._id },
    { $set: { passwordHash: await hashPassword(newPassword), emailVerifiedAt: member.emailVerifiedAt ?? new Date() }, $inc: { sessionEpoch: 1 } },
  );
  await ctx.sessions.destroyAllFor(String(member._id));
  ctx.realtime.disconnectMember(String(member._id), 'signed_out');
  await ctx.audit.record({ action: 'auth.password_reset', actorId: member._id, target: { type: 'member', id: member._id }, req });
  await doSendPasswordChanged(ctx, member, 'reset', req);
}

export async function doSendPasswordChanged(ctx: AppContext, member: Pick<MemberDoc, '_id' | 'email' | 'locale'>, how: 'reset' | 'changed', req?: Request): Promise<void> {
  await ctx.outbox.queue({ kind: 'password-changed', to: member.email, memberId: member._id, ...passwordChangedMail(mailLocale(member, req), ctx.config.publicUrl, how) });
}

export async function doSendTestMail(ctx: AppContext, actor: MemberDoc, req: Request): Promise<string> {
  const id = await ctx.outbox.queue({ kind: 'test', to: actor.email, memberId: actor._id, ...testMail(mailLocale(actor, req), ctx.config.publicUrl) });
  await ctx.audit.record({ action: 'mail.test_sent', actorId: actor._id, target: { type: 'member', id: actor._id }, req });
  return id;
}

/** Expired link tokens go (the engines have no TTL index); run by the periodic jobs. */
export async function removeExpiredTokens(ctx: AppContext): Promise<number> {
  const expired = await ctx.models.MailToken.find({}, { _id: 1, expiresAt: 1 }).lean<Pick<MailTokenDoc, '_id' | 'expiresAt'>[]>();
  const now = Date.now();
  let removed = 0;
  for (const doc of expired) if (doc.expiresAt.getTime() <= now) removed += (await ctx.models.MailToken.deleteOne({ _id: doc._id })).deletedCount;
  return removed;
}

/**
 * Asks to move the account to another address. Needs the current password (a session alone is
 * not enough to take over an account's mail). The new address gets a single-use link; the old
 * one is told. Nothing changes until the link is followed. If another account has the new
 * address, that address gets a mail without a link instead, and the caller answers the same, so
 * the answer does not tell who has an account. Caller applied the rate limit.
 */
export async function doRequestEmailChange(ctx: AppContext, member: MemberDoc, input: { newEmail: string; currentPassword: string }, req: Request): Promise<void> {
  if (!member.passwordHash) {
    throw new Conflict(msg(m.error_mail_managed_by_provider), undefined, 'email_managed_by_provider');
  }
  if (!(await verifyPassword(input.currentPassword, member.passwordHash))) {
    throw fieldInvalid([{ location: 'body', path: 'currentPassword', message: msg(m.error_password_not_current) }], 'wrong_password');
  }
  const next = normaliseEmail(input.newEmail);
  if (next.emailNormalized === member.emailNormalized) {
    throw fieldInvalid([{ location: 'body', path: 'newEmail', message: msg(m.error_mail_same_address) }], 'same_email');
  }
  const locale = mailLocale(member, req);
  const taken = await ctx.models.Member.exists({ emailNormalized: next.emailNormalized });
  if (taken) {
    await ctx.outbox.queue({ kind: 'email-change-unavailable', to: next.email, memberId: member._id, ...emailChangeUnavailableMail(locale, ctx.config.publicUrl) });
  } else {
    const token = await issueToken(ctx, 'change-email', member._id, next.emailNormalized, CHANGE_EMAIL_TTL_MS);
    await ctx.outbox.queue({ kind: 'email-change-confirm', to: next.email, memberId: member._id, ...confirmEmailChangeMail(locale, ctx.config.publicUrl, token, member.name) });
  }
  await ctx.outbox.queue({ kind: 'email-change-requested', to: member.email, memberId: member._id, ...emailChangeNoticeMail(locale, ctx.config.publicUrl, 'requested', next.email) });
  await ctx.audit.record({ action: 'member.email_change_requested', actorId: member._id, target: { type: 'member', id: member._id }, details: { toDomain: next.emailDomain }, req });
}

/**
 * Follows a change link: the address the link went to replaces the member's, verified (following
 * the link proves the inbox). The link must have been issued for the member's address as it is
 * now: a change in between (another link, a reset) voids it. The old address is told.
 */
export async function doConfirmEmailChange(ctx: AppContext, token: string, req: Request): Promise<void> {
  const doc = await spendToken(ctx, 'change-email', token);
  const member = await ctx.models.Member.findById(doc.memberId).lean<MemberDoc>();
  if (!member || member.status === 'suspended') throw badToken();
  const next = normaliseEmail(doc.email);
  try {
    const result = await ctx.models.Member.updateOne(
      { _id: member._id, emailNormalized: member.emailNormalized },
      { $set: { email: next.email, emailNormalized: next.emailNormalized, emailDomain: next.emailDomain, emailVerifiedAt: new Date() } },
    );
    if (result.matchedCount === 0) throw badToken();
  } catch (error) {
    // The unique index: someone took the address between the request and the link.
    if (isDuplicateKey(error)) throw new Conflict(msg(m.error_mail_email_taken), undefined, 'email_taken');
    throw error;
  }
  await ctx.audit.record({ action: 'member.email_changed', actorId: member._id, target: { type: 'member', id: member._id }, details: { fromDomain: member.emailDomain, toDomain: next.emailDomain }, req });
  await ctx.outbox.queue({ kind: 'email-changed', to: member.email, memberId: member._id, ...emailChangeNoticeMail(mailLocale(member, req), ctx.config.publicUrl, 'changed', next.email) });
}
