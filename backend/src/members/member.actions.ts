import type { Locale } from '../shared/i18n/locale.ts';
import type { Request } from 'express';
import { Types } from 'mongoose';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/passwords.ts';
import type { AppContext } from '../context.ts';
import { Conflict, Forbidden, Invalid, NotFound } from '../http/errors.ts';
import { canChangeRoles, canSuspend, type Actor, type Role } from '../policy/policy.ts';
import type { ExpertArea } from '../shared/support-topics.ts';
import { normaliseEmail, normaliseName, type MemberDoc } from './member.model.ts';
import { indexMember } from './member.search.ts';
import { roleChangedTitle } from '../notifications/notification-texts.ts';

function weakPassword(problem: string, field = 'password'): Invalid {
  return new Invalid(`body.${field}: ${problem}`, { issues: [{ location: 'body', path: field, message: problem }] }, 'weak_password');
}

/** Creates an applicant with a password. The caller has validated the body and applied the rate limit. */
export async function doSignUp(ctx: AppContext, input: { email: string; password: string; name: string }, req: Request): Promise<MemberDoc> {
  const email = normaliseEmail(input.email);
  const problem = passwordProblem(input.password, { email: email.emailNormalized, name: input.name });
  if (problem) throw weakPassword(problem);
  if (await ctx.models.Member.exists({ emailNormalized: email.emailNormalized })) {
    // Without e-mail verification this cannot be hidden; sign-up is rate limited per address to
    // keep it from being used to enumerate members.
    throw new Conflict('This e-mail address cannot be used to sign up. If it is yours, sign in instead.', undefined, 'email_unavailable');
  }
  const member = await ctx.models.Member.create({
    ...email,
    name: input.name.trim(),
    nameNormalized: normaliseName(input.name),
    passwordHash: await hashPassword(input.password),
    status: 'applicant',
    roles: [],
  });
  await ctx.audit.record({ action: 'auth.sign_up', actorId: member._id, target: { type: 'member', id: member._id }, req });
  return member.toObject();
}

export async function doChangePassword(ctx: AppContext, member: MemberDoc, input: { currentPassword: string; newPassword: string }, req: Request): Promise<void> {
  if (!(await verifyPassword(input.currentPassword, member.passwordHash))) {
    throw new Invalid('body.currentPassword: is not your current password', { issues: [{ location: 'body', path: 'currentPassword', message: 'is not your current password' }] }, 'wrong_password');
  }
  const problem = passwordProblem(input.newPassword, { email: member.emailNormalized, name: member.name });
  if (problem) throw weakPassword(problem, 'newPassword');
  await ctx.models.Member.updateOne({ _id: member._id }, { $set: { passwordHash: await hashPassword(input.newPassword) } });
  await ctx.audit.record({ action: 'auth.password_changed', actorId: member._id, target: { type: 'member', id: member._id }, req });
}

export async function doUpdateProfile(ctx: AppContext, member: MemberDoc, input: { name?: string; jobTitle?: string; bio?: string; locale?: Locale | null }): Promise<MemberDoc> {
  const set: Partial<MemberDoc> = {};
  if (input.name !== undefined) Object.assign(set, { name: input.name.trim(), nameNormalized: normaliseName(input.name) });
  if (input.jobTitle !== undefined) set.jobTitle = input.jobTitle.trim();
  if (input.bio !== undefined) set.bio = input.bio;
  if (input.locale !== undefined) set.locale = input.locale;
  const updated = await ctx.models.Member.findOneAndUpdate({ _id: member._id }, { $set: set }, { returnDocument: 'after' }).lean<MemberDoc>();
  if (!updated) throw new NotFound();
  await indexMember(ctx, updated);
  return updated;
}

async function loadTarget(ctx: AppContext, memberId: string): Promise<MemberDoc> {
  const target = await ctx.cache.member(memberId);
  if (!target) throw new NotFound('No such member.');
  return target;
}

/**
 * Grants or revokes a role. Takes effect at once: the person's sessions rotate on their next
 * request (sessionEpoch) and their live sockets are cut so they reconnect with the new rights.
 */
export async function doChangeRole(ctx: AppContext, actor: Actor, memberId: string, change: { role: Role; grant: boolean; areas?: ExpertArea[] }, req: Request): Promise<MemberDoc> {
  const target = await loadTarget(ctx, memberId);
  const adminCount = await ctx.models.Member.countDocuments({ roles: 'admin', status: 'member' });
  if (!canChangeRoles(actor, { id: String(target._id), status: target.status }, change, adminCount)) {
    throw new Forbidden(change.grant ? 'Roles go only to verified members.' : 'The last admin cannot lose the admin role.');
  }
  const already = target.roles.includes(change.role);
  if (already === change.grant) return change.areas ? doSetExpertAreas(ctx, actor, target, change.areas, req) : target;
  if (change.role === 'expert' && change.grant && !change.areas && target.expertAreas.length === 0) {
    throw new Invalid('body.areas: an expert declares at least one area', { issues: [{ location: 'body', path: 'areas', message: 'an expert declares at least one area' }] }, 'areas_required');
  }
  const areas = change.areas ? { expertAreas: change.areas } : {};
  const offDuty = change.role === 'expert' && !change.grant ? { onDuty: false } : {};
  const update = change.grant
    ? { $addToSet: { roles: change.role }, $set: areas, $inc: { sessionEpoch: 1 } }
    : { $pull: { roles: change.role }, $set: offDuty, $inc: { sessionEpoch: 1 } };
  const updated = await ctx.models.Member.findOneAndUpdate({ _id: target._id }, update, { returnDocument: 'after' }).lean<MemberDoc>();
  await ctx.audit.record({
    action: change.grant ? 'role.granted' : 'role.revoked',
    actorId: actor.id,
    target: { type: 'member', id: target._id },
    details: { role: change.role, ...(change.areas ? { areas: change.areas } : {}) },
    req,
  });
  ctx.realtime.disconnectMember(String(target._id), 'access_changed');
  await ctx.notifier.notify(target._id, {
    kind: 'role.changed',
    title: roleChangedTitle(change.role, change.grant),
    body: '',
    link: '/profile',
  });
  return updated!;
}

/**
 * Declares an expert's areas (replacing the ones before). Precondition: the actor holds ExpertManage
 * (or RoleManage, through the role route). Audited; no session change (areas grant no access).
 */
export async function doSetExpertAreas(ctx: AppContext, actor: Actor, target: MemberDoc, areas: ExpertArea[], req: Request): Promise<MemberDoc> {
  if (!target.roles.includes('expert') || target.status !== 'member') throw new Conflict('Only experts declare areas; grant the expert role first.', undefined, 'not_an_expert');
  const updated = await ctx.models.Member.findOneAndUpdate({ _id: target._id }, { $set: { expertAreas: areas } }, { returnDocument: 'after' }).lean<MemberDoc>();
  await ctx.audit.record({ action: 'expert.areas_changed', actorId: actor.id, target: { type: 'member', id: target._id }, details: { from: target.expertAreas, to: areas }, req });
  return updated!;
}

/** Suspends a member: every session ends and every live socket is cut, at once. */
export async function doSuspend(ctx: AppContext, actor: Actor, memberId: string, reason: string, req: Request): Promise<MemberDoc> {
  const target = await loadTarget(ctx, memberId);
  if (!canSuspend(actor, { id: String(target._id), roles: target.roles, status: target.status })) {
    throw new Forbidden('You may not suspend this person.');
  }
  if (target.status === 'suspended') throw new Conflict('This person is already suspended.', undefined, 'already_suspended');
  const updated = await ctx.models.Member.findOneAndUpdate(
    { _id: target._id },
    { $set: { status: 'suspended', suspension: { reason, by: new Types.ObjectId(actor.id), at: new Date() } }, $inc: { sessionEpoch: 1 } },
    { returnDocument: 'after' },
  ).lean<MemberDoc>();
  await ctx.sessions.destroyAllFor(String(target._id));
  ctx.realtime.disconnectMember(String(target._id), 'suspended');
  await indexMember(ctx, updated);
  await ctx.audit.record({ action: 'member.suspended', actorId: actor.id, target: { type: 'member', id: target._id }, details: { reason }, req });
  return updated!;
}

export async function doReinstate(ctx: AppContext, actor: Actor, memberId: string, req: Request): Promise<MemberDoc> {
  const target = await loadTarget(ctx, memberId);
  if (!canSuspend(actor, { id: String(target._id), roles: target.roles, status: target.status })) {
    throw new Forbidden('You may not reinstate this person.');
  }
  if (target.status !== 'suspended') throw new Conflict('This person is not suspended.', undefined, 'not_suspended');
  // Back to where they were: a member if they had been approved (they have an organisation).
  const status = target.organisationId ? 'member' : 'applicant';
  const updated = await ctx.models.Member.findOneAndUpdate(
    { _id: target._id },
    { $set: { status, suspension: null }, $inc: { sessionEpoch: 1 } },
    { returnDocument: 'after' },
  ).lean<MemberDoc>();
  await ctx.audit.record({ action: 'member.reinstated', actorId: actor.id, target: { type: 'member', id: target._id }, req });
  await indexMember(ctx, updated);
  return updated!;
}
