import type { Locale } from '../shared/i18n/locale.ts';
import type { Request } from 'express';
import { Types } from 'mongoose';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/passwords.ts';
import type { AppContext } from '../context.ts';
import { Conflict, fieldInvalid, Forbidden, Invalid, NotFound } from '../http/errors.ts';
import { canChangeRoles, canSuspend, type Actor, type Role } from '../policy/policy.ts';
import type { ExpertArea } from '../shared/support-topics.ts';
import { normaliseEmail, normaliseName, type MemberDoc } from './member.model.ts';
import { indexMember } from './member.search.ts';
import { m, msg, type Localized } from '../http/locale.ts';
import { roleChangedTitle } from '../notifications/notification-texts.ts';

function weakPassword(problem: Localized, field = 'password'): Invalid {
  return fieldInvalid([{ location: 'body', path: field, message: problem }], 'weak_password');
}

/** Creates an applicant with a password. The caller has validated the body and applied the rate limit. */
export async function doSignUp(ctx: AppContext, input: { email: string; password: string; name: string }, req: Request): Promise<MemberDoc> {
  const email = normaliseEmail(input.email);
  const problem = passwordProblem(input.password, { email: email.emailNormalized, name: input.name });
  if (problem) throw weakPassword(problem);
  if (await ctx.models.Member.exists({ emailNormalized: email.emailNormalized })) {
    // Without e-mail verification this cannot be hidden; sign-up is rate limited per address to
    // keep it from being used to enumerate members.
    throw new Conflict(msg(m.error_member_email_unavailable), undefined, 'email_unavailable');
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
    throw fieldInvalid([{ location: 'body', path: 'currentPassword', message: msg(m.error_password_not_current) }], 'wrong_password');
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
  if (!target) throw new NotFound(msg(m.error_no_such_member));
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
    throw new Forbidden(change.grant ? msg(m.error_member_roles_verified_only) : msg(m.error_member_last_admin));
  }
  const already = target.roles.includes(change.role);
  if (already === change.grant) return change.areas ? doSetExpertAreas(ctx, actor, target, change.areas, req) : target;
  if (change.role === 'expert' && change.grant && !change.areas && target.expertAreas.length === 0) {
    throw fieldInvalid([{ location: 'body', path: 'areas', message: msg(m.error_member_expert_needs_area) }], 'areas_required');
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
 * (or RoleManage, through the role route), or SupportExpert and `target` is the actor themself.
 * Audited; no session change (areas grant no access).
 */
export async function doSetExpertAreas(ctx: AppContext, actor: Actor, target: MemberDoc, areas: ExpertArea[], req: Request): Promise<MemberDoc> {
  if (!target.roles.includes('expert') || target.status !== 'member') throw new Conflict(msg(m.error_member_areas_experts_only), undefined, 'not_an_expert');
  const updated = await ctx.models.Member.findOneAndUpdate({ _id: target._id }, { $set: { expertAreas: areas } }, { returnDocument: 'after' }).lean<MemberDoc>();
  await ctx.audit.record({ action: 'expert.areas_changed', actorId: actor.id, target: { type: 'member', id: target._id }, details: { from: target.expertAreas, to: areas }, req });
  return updated!;
}

/** Suspends a member: every session ends and every live socket is cut, at once. */
export async function doSuspend(ctx: AppContext, actor: Actor, memberId: string, reason: string, req: Request): Promise<MemberDoc> {
  const target = await loadTarget(ctx, memberId);
  if (!canSuspend(actor, { id: String(target._id), roles: target.roles, status: target.status })) {
    throw new Forbidden(msg(m.error_member_may_not_suspend));
  }
  if (target.status === 'suspended') throw new Conflict(msg(m.error_member_already_suspended), undefined, 'already_suspended');
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
    throw new Forbidden(msg(m.error_member_may_not_reinstate));
  }
  if (target.status !== 'suspended') throw new Conflict(msg(m.error_member_not_suspended), undefined, 'not_suspended');
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
