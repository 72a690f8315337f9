import type { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { toActor } from '../auth/auth.ts';
import type { AppContext } from '../context.ts';
import { trusted } from '../db/database.ts';
import { AppError, Conflict, fieldInvalid, Invalid, NotFound } from '../http/errors.ts';
import type { MemberDoc } from '../members/member.model.ts';
import { removalOrderEscalationMail } from '../mail/mail.templates.ts';
import { renderMarkdown } from '../messages/render.ts';
import { countEvent, recordFirstSupportResponse } from '../moderation/transparency.ts';
import { canSeeSupportRequest, supportViewerRole, type Actor, type SupportViewerRole } from '../policy/policy.ts';
import type { SupportChange } from '../shared/realtime-events.ts';
import { REMOVAL_ORDER, type SupportStatus } from '../shared/support-topics.ts';
import { MAX_EXPERTS, MAX_REPLIES, supportRule, type SupportReply, type SupportRequestDoc } from './support.model.ts';
import { presentReply, presentSupportRequest, type SupportNames } from './support.presenter.ts';
import { allowedStatuses, firstResponseDueAt, removalTimes } from './support.rules.ts';
import type { CreateSupportRequestBody } from './support.schemas.ts';
import { m, msg } from '../http/locale.ts';
import { baseLocale, type Locale } from '../shared/i18n/locale.ts';
import type { NotificationInput } from '../notifications/notification.actions.ts';
import { supportAssignedTitle, supportEscalatedBody, supportEscalatedTitle, supportNewTitle, supportReplyBody, supportReplyTitle, supportStatusBody, supportStatusTitle, supportUrgencyBody } from '../notifications/notification-texts.ts';

/** Requests one member may open per hour, and replies per hour. */
export const OPEN_RATE_LIMIT = { limit: 20, windowMs: 3600_000 } as const;
export const REPLY_RATE_LIMIT = { limit: 120, windowMs: 3600_000 } as const;
/** An order cannot have arrived in the future; a little clock skew between the authority and us is fine. */
const FUTURE_SKEW_MS = 5 * 60_000;

/** The statuses' names in messages. */
const STATUS_NAMES: Record<SupportStatus, (inputs: Record<string, never>, options: { locale: Locale }) => string> = {
  new: m.error_support_status_new,
  triaged: m.error_support_status_triaged,
  in_progress: m.error_support_status_in_progress,
  waiting_for_requester: m.error_support_status_waiting_for_requester,
  resolved: m.error_support_status_resolved,
};

const notFound = () => new NotFound(msg(m.error_support_no_such_request));

/** Loads a request and how the actor sees it; "not allowed" reads exactly like "no such request". */
export async function accessSupportRequest(ctx: AppContext, actor: Actor | undefined, requestId: string): Promise<{ request: SupportRequestDoc; role: SupportViewerRole }> {
  const request = await ctx.models.SupportRequest.findById(requestId).lean<SupportRequestDoc>();
  const role = request ? supportViewerRole(actor, supportRule(request)) : null;
  if (!request || !role) throw notFound();
  return { request, role };
}

/** Every member and organisation name the presenter may need for these requests, in two queries, for a reader of `locale`. */
export async function namesFor(ctx: AppContext, requests: SupportRequestDoc[], locale: Locale): Promise<SupportNames> {
  const memberIds = new Set<string>();
  for (const request of requests) {
    memberIds.add(request.requesterId);
    for (const id of request.assignedExpertIds) memberIds.add(id);
    for (const reply of request.replies) memberIds.add(reply.authorId);
  }
  const orgIds = [...new Set(requests.map((request) => request.organisationId))];
  const [members, orgs] = await Promise.all([
    memberIds.size ? ctx.models.Member.find({ _id: trusted({ $in: [...memberIds] }) }, { name: 1, expertAreas: 1 }).lean<MemberDoc[]>() : [],
    orgIds.length ? ctx.models.Organisation.find({ _id: trusted({ $in: orgIds }) }, { name: 1 }).lean<{ _id: unknown; name: string }[]>() : [],
  ]);
  return {
    members: new Map(members.map((member) => [String(member._id), { name: member.name, areas: member.expertAreas ?? [] }])),
    organisations: new Map(orgs.map((org) => [String(org._id), org.name])),
    locale,
  };
}

/** Presents one request for the actor, reading `locale` (precondition: they may see it). */
export async function present(ctx: AppContext, request: SupportRequestDoc, actor: Actor, locale: Locale, thread = false) {
  return presentSupportRequest(request, actor, await namesFor(ctx, [request], locale), ctx.clock.date(), { thread });
}

/**
 * Everyone who may see the request now: the requester, their organisation (if it may see it), the
 * triage moderators, the assigned experts. Each is checked by the policy with their current roles.
 */
async function audienceOf(ctx: AppContext, request: SupportRequestDoc): Promise<MemberDoc[]> {
  const or: Record<string, unknown>[] = [{ _id: request.requesterId }, { roles: 'triage' }];
  if (request.visibility === 'org') or.push({ organisationId: request.organisationId });
  if (request.assignedExpertIds.length) or.push({ _id: trusted({ $in: request.assignedExpertIds }) });
  const members = await ctx.models.Member.find(trusted({ $or: or })).lean<MemberDoc[]>();
  return members.filter((member) => canSeeSupportRequest(toActor(member), supportRule(request)));
}

/**
 * After a stored change: every person who may see the request hears it live in their `user:<id>`
 * room, each with the request as they may see it (experts of an anonymous request never get names);
 * `notify` people also get a notification. Experts who lost the request hear only that it is gone.
 */
async function announce(
  ctx: AppContext,
  request: SupportRequestDoc,
  change: SupportChange,
  options: { actorId: string | null; reply?: SupportReply; notify?: (member: MemberDoc, role: SupportViewerRole) => Omit<NotificationInput, 'link'> | null; removed?: string[] },
): Promise<void> {
  const audience = await audienceOf(ctx, request);
  const loaded = await namesFor(ctx, [request], baseLocale);
  const now = ctx.clock.date();
  for (const member of audience) {
    const actor = toActor(member);
    const role = supportViewerRole(actor, supportRule(request))!;
    const names = { ...loaded, locale: member.locale ?? baseLocale };
    const view = presentSupportRequest(request, actor, names, now);
    ctx.realtime.toMember(actor.id, 'support.updated', { change, request: view, reply: options.reply ? presentReply(options.reply, role, request, names) : null });
    const notice = actor.id !== options.actorId ? options.notify?.(member, role) : null;
    if (notice) await ctx.notifier.notify(actor.id, { ...notice, link: `/support/${String(request._id)}` });
  }
  for (const id of options.removed ?? []) ctx.realtime.toMember(id, 'support.removed', { requestId: String(request._id) });
}

const audit = (ctx: AppContext, action: Parameters<AppContext['audit']['record']>[0]['action'], actorId: string | null, request: SupportRequestDoc, details: Record<string, unknown>, req?: Request) =>
  ctx.audit.record({ action, actorId, target: { type: 'support_request', id: request._id }, details, req });

/** Precondition: the actor holds SupportOpen and the body passed its schema. */
export async function doOpenRequest(ctx: AppContext, actor: Actor, body: CreateSupportRequestBody, req: Request): Promise<SupportRequestDoc> {
  await ctx.rateLimiter.hit(`support-open:member:${actor.id}`, OPEN_RATE_LIMIT.limit, OPEN_RATE_LIMIT.windowMs);
  const now = ctx.clock.date();
  const removal = body.category === REMOVAL_ORDER ? { orderReceivedAt: new Date(body.orderReceivedAt!), jurisdiction: body.jurisdiction! } : null;
  if (removal && removal.orderReceivedAt.getTime() > now.getTime() + FUTURE_SKEW_MS) {
    throw fieldInvalid([{ location: 'body', path: 'orderReceivedAt', message: msg(m.error_field_not_in_future) }]);
  }
  const created = await ctx.models.SupportRequest.create({
    kind: body.kind,
    category: body.category,
    urgency: removal ? 'critical' : body.urgency,
    subject: body.subject.trim(),
    descriptionSource: body.description,
    descriptionHtml: renderMarkdown(body.description),
    organisationId: actor.organisationId!,
    requesterId: actor.id,
    visibility: body.visibility,
    anonymousToExperts: body.anonymousToExperts,
    status: 'new',
    assignedExpertIds: [],
    replies: [],
    openedAt: now,
    firstResponseDueAt: firstResponseDueAt(ctx.config.support, now, removal ? 'critical' : body.urgency),
    ...(removal ? { ...removal, ...removalTimes(ctx.config.support, removal.orderReceivedAt, removal.jurisdiction) } : {}),
  });
  const request = created.toObject() as SupportRequestDoc;
  await audit(ctx, 'support.opened', actor.id, request, { kind: request.kind, category: request.category, urgency: request.urgency, visibility: request.visibility, anonymousToExperts: request.anonymousToExperts }, req);
  await countEvent(ctx, { support: request.category === REMOVAL_ORDER ? 'removal_order' : request.kind }, now);
  await announce(ctx, request, 'created', {
    actorId: actor.id,
    notify: (_member, role) => (role === 'triage' ? { kind: 'support.request', title: supportNewTitle(request), body: supportUrgencyBody(request, request.category === REMOVAL_ORDER) } : null),
  });
  return request;
}

/** Adds a reply to the thread. Precondition: accessSupportRequest. The desk's first reply is the first response. */
export async function doReply(ctx: AppContext, actor: Actor, request: SupportRequestDoc, role: SupportViewerRole, body: string, req: Request): Promise<{ request: SupportRequestDoc; reply: SupportReply }> {
  await ctx.rateLimiter.hit(`support-reply:member:${actor.id}`, REPLY_RATE_LIMIT.limit, REPLY_RATE_LIMIT.windowMs);
  if (request.status === 'resolved') throw new Conflict(msg(m.error_support_request_resolved), undefined, 'request_resolved');
  const now = ctx.clock.date();
  const side = role === 'requester' || role === 'organisation' ? 'requester' : 'desk';
  const reply: SupportReply = { id: randomUUID(), authorId: actor.id, side, source: body, html: renderMarkdown(body), at: now };
  // The bound is checked on the copy read (a burst of parallel replies may pass it by a few).
  if (request.replies.length >= MAX_REPLIES) throw new Conflict(msg(m.error_support_thread_full, { count: MAX_REPLIES }), undefined, 'thread_full');
  // One conditional push: a resolve that landed in between wins.
  const pushed = await ctx.models.SupportRequest.findOneAndUpdate({ _id: request._id, status: trusted({ $ne: 'resolved' as const }) }, { $push: { replies: reply } }, { returnDocument: 'after' }).lean<SupportRequestDoc>();
  if (!pushed) throw new Conflict(msg(m.error_support_request_resolved), undefined, 'request_resolved');
  let after = pushed;
  // The status follows the conversation: the desk picked it up; the requester answered a question.
  const next: SupportStatus | null = side === 'desk' && (after.status === 'new' || after.status === 'triaged') ? 'in_progress' : side === 'requester' && after.status === 'waiting_for_requester' ? 'in_progress' : null;
  if (side === 'desk' && !after.firstResponseAt) {
    const first = await ctx.models.SupportRequest.findOneAndUpdate({ _id: request._id, firstResponseAt: null }, { $set: { firstResponseAt: now } }, { returnDocument: 'after' }).lean<SupportRequestDoc>();
    if (first) {
      after = first;
      await recordFirstSupportResponse(ctx, (now.getTime() - first.openedAt.getTime()) / 1000, now);
    }
  }
  if (next) after = (await ctx.models.SupportRequest.findOneAndUpdate({ _id: request._id, status: after.status }, { $set: { status: next } }, { returnDocument: 'after' }).lean<SupportRequestDoc>()) ?? after;
  await audit(ctx, 'support.replied', actor.id, after, { side, ...(next ? { status: next } : {}) }, req);
  await announce(ctx, after, 'replied', {
    actorId: actor.id,
    reply,
    notify: (_member, viewer) => ({ kind: 'support.reply', title: supportReplyTitle(after), body: supportReplyBody(side === 'desk' ? 'desk' : viewer === 'expert' && after.anonymousToExperts ? 'requester' : 'requester_side') }),
  });
  return { request: after, reply };
}

/**
 * Triage sets the experts assigned (replacing the list). Each must be a member holding the expert
 * role. New experts are told; removed ones lose the request at once. Precondition: role is triage.
 */
export async function doAssign(ctx: AppContext, actor: Actor, request: SupportRequestDoc, expertIds: string[], req: Request): Promise<SupportRequestDoc> {
  const experts = await ctx.models.Member.find({ _id: trusted({ $in: expertIds }) }, { roles: 1, status: 1 }).lean<MemberDoc[]>();
  const valid = new Set(experts.filter((member) => member.status === 'member' && member.roles.includes('expert')).map((member) => String(member._id)));
  const wrong = expertIds.filter((id) => !valid.has(id));
  if (wrong.length) {
    const problem = msg(m.error_support_not_experts, { count: wrong.length, ids: wrong.join(', ') });
    throw new Invalid((locale) => m.error_validation({ where: 'body.expertIds', problem: problem(locale) }, { locale }), { issues: [{ location: 'body', path: 'expertIds', message: msg(m.error_support_experts_only) }], notExperts: wrong }, 'not_an_expert');
  }
  if (expertIds.length > MAX_EXPERTS) throw fieldInvalid([{ location: 'body', path: 'expertIds', message: msg(m.error_field_max_items, { count: MAX_EXPERTS }) }]);
  const after = await ctx.models.SupportRequest.findOneAndUpdate(
    { _id: request._id },
    { $set: { assignedExpertIds: expertIds, ...(request.status === 'new' ? { status: 'triaged' } : {}) } },
    { returnDocument: 'after' },
  ).lean<SupportRequestDoc>();
  if (!after) throw notFound();
  const added = expertIds.filter((id) => !request.assignedExpertIds.includes(id));
  const removed = request.assignedExpertIds.filter((id) => !expertIds.includes(id));
  await audit(ctx, 'support.assigned', actor.id, after, { added, removed, ...(request.status === 'new' ? { status: 'triaged' } : {}) }, req);
  await announce(ctx, after, 'assigned', {
    actorId: actor.id,
    removed,
    notify: (member) => (added.includes(String(member._id)) ? { kind: 'support.assigned', title: supportAssignedTitle(after), body: supportUrgencyBody(after, after.category === REMOVAL_ORDER) } : null),
  });
  return after;
}

/** Moves the request to `status` if the actor's side may. Precondition: accessSupportRequest. */
export async function doChangeStatus(ctx: AppContext, actor: Actor, request: SupportRequestDoc, role: SupportViewerRole, status: SupportStatus, req: Request): Promise<SupportRequestDoc> {
  if (!allowedStatuses(role, request).includes(status)) {
    const named = (locale: Locale) => STATUS_NAMES[status]({}, { locale });
    throw request.status === status
      ? new AppError(409, 'status_unchanged', (locale) => m.error_support_status_unchanged({ status: named(locale) }, { locale }))
      : new AppError(403, 'status_not_allowed', (locale) => m.error_support_status_not_allowed({ status: named(locale) }, { locale }));
  }
  const now = ctx.clock.date();
  // Compare-and-set on the status read: two people changing it at once cannot both win silently.
  const after = await ctx.models.SupportRequest.findOneAndUpdate(
    { _id: request._id, status: request.status },
    { $set: { status, resolvedAt: status === 'resolved' ? now : null } },
    { returnDocument: 'after' },
  ).lean<SupportRequestDoc>();
  if (!after) throw new Conflict(msg(m.error_support_changed_meanwhile), undefined, 'request_changed');
  await audit(ctx, 'support.status_changed', actor.id, after, { from: request.status, to: status }, req);
  await announce(ctx, after, 'status', {
    actorId: actor.id,
    notify: (_member, viewer) => (viewer === 'triage' && status !== 'resolved' ? null : { kind: 'support.status', title: supportStatusTitle(after, status === 'resolved'), body: supportStatusBody(status) }),
  });
  return after;
}

/** The requester rates the help, once, after it is resolved. Precondition: accessSupportRequest. */
export async function doRate(ctx: AppContext, actor: Actor, request: SupportRequestDoc, role: SupportViewerRole, rating: { score: number; comment: string }, req: Request): Promise<SupportRequestDoc> {
  if (role !== 'requester') throw new AppError(403, 'requester_only', msg(m.error_support_requester_rates));
  if (request.status !== 'resolved') throw new Conflict(msg(m.error_support_rate_when_resolved), undefined, 'not_resolved');
  const after = await ctx.models.SupportRequest.findOneAndUpdate(
    { _id: request._id, status: 'resolved', rating: null },
    { $set: { rating: { score: rating.score, comment: rating.comment.trim(), at: ctx.clock.date() } } },
    { returnDocument: 'after' },
  ).lean<SupportRequestDoc>();
  if (!after) throw new Conflict(msg(m.error_support_already_rated), undefined, 'already_rated');
  await audit(ctx, 'support.rated', actor.id, after, { score: rating.score }, req);
  await announce(ctx, after, 'rated', { actorId: actor.id });
  return after;
}

/** The requester gives or withdraws consent; withdrawing deletes a draft not yet published. */
export async function doConsent(ctx: AppContext, actor: Actor, request: SupportRequestDoc, role: SupportViewerRole, consent: boolean, req: Request): Promise<SupportRequestDoc> {
  if (role !== 'requester') throw new AppError(403, 'requester_only', msg(m.error_support_requester_decides_library));
  const after = await ctx.models.SupportRequest.findOneAndUpdate(
    { _id: request._id },
    { $set: { libraryDraftConsent: consent, ...(consent ? {} : { libraryDraft: null }) } },
    { returnDocument: 'after' },
  ).lean<SupportRequestDoc>();
  if (!after) throw notFound();
  await audit(ctx, 'support.consent_changed', actor.id, after, { consent, draftDeleted: !consent && Boolean(request.libraryDraft) }, req);
  await announce(ctx, after, 'consent', { actorId: actor.id });
  return after;
}

/**
 * The desk writes a library draft from a resolved request, only with the requester's consent (checked
 * in the same atomic write, so a consent withdrawn a moment before wins). Library editors then
 * publish it in a library channel. Precondition: accessSupportRequest, desk side.
 */
export async function doLibraryDraft(ctx: AppContext, actor: Actor, request: SupportRequestDoc, role: SupportViewerRole, body: { title: string; category: string; body: string }, req: Request): Promise<SupportRequestDoc> {
  if (role !== 'triage' && role !== 'expert') throw new AppError(403, 'desk_only', msg(m.error_support_desk_writes_drafts));
  if (request.status !== 'resolved') throw new Conflict(msg(m.error_support_draft_when_resolved), undefined, 'not_resolved');
  if (!request.libraryDraftConsent) throw new AppError(403, 'no_consent', msg(m.error_support_no_consent));
  const draft = { title: body.title.trim(), category: body.category.trim(), source: body.body, html: renderMarkdown(body.body), authorId: actor.id, at: ctx.clock.date() };
  const after = await ctx.models.SupportRequest.findOneAndUpdate(
    { _id: request._id, status: 'resolved', libraryDraftConsent: true, libraryDraft: null },
    { $set: { libraryDraft: draft } },
    { returnDocument: 'after' },
  ).lean<SupportRequestDoc>();
  if (!after) {
    const fresh = await ctx.models.SupportRequest.findById(request._id).lean<SupportRequestDoc>();
    if (fresh?.libraryDraft) throw new Conflict(msg(m.error_support_draft_exists), undefined, 'draft_exists');
    throw new AppError(403, 'no_consent', msg(m.error_support_no_consent));
  }
  await audit(ctx, 'support.library_draft_created', actor.id, after, {}, req);
  await announce(ctx, after, 'draft', { actorId: actor.id });
  return after;
}

/** An expert goes on or off duty (removal orders escalate to every expert on duty). */
export async function doSetDuty(ctx: AppContext, actor: Actor, onDuty: boolean, req: Request): Promise<MemberDoc> {
  const after = await ctx.models.Member.findOneAndUpdate({ _id: actor.id }, { $set: { onDuty } }, { returnDocument: 'after' }).lean<MemberDoc>();
  if (!after) throw new NotFound(msg(m.error_no_such_member));
  await ctx.audit.record({ action: 'expert.duty_changed', actorId: actor.id, target: { type: 'member', id: actor.id }, details: { onDuty }, req });
  return after;
}

/** The experts on duty now (members holding the role; the members collection is small). */
export async function expertsOnDuty(ctx: AppContext): Promise<MemberDoc[]> {
  const experts = await ctx.models.Member.find({ roles: 'expert', onDuty: true, status: 'member' }).lean<MemberDoc[]>();
  return experts.filter((member) => member.roles.includes('expert'));
}

/**
 * The deadline job: every open removal order whose half time has passed (by `ctx.clock`) and that
 * has not escalated is escalated once — one conditional write claims it, so two processes or two
 * runs never escalate it twice. Every expert on duty is assigned (so they may see it) and told, in
 * the app, live and by e-mail; triage in the app and live. Returns the ids escalated.
 */
export async function runSupportDeadlines(ctx: AppContext): Promise<string[]> {
  const now = ctx.clock.date();
  const due = await ctx.models.SupportRequest.find({ category: REMOVAL_ORDER, escalatedAt: null, status: trusted({ $ne: 'resolved' as const }) }).lean<SupportRequestDoc[]>();
  const escalated: string[] = [];
  for (const request of due) {
    if (!request.escalateAt || request.escalateAt.getTime() > now.getTime()) continue;
    const experts = await expertsOnDuty(ctx);
    const onDuty = experts.map((member) => String(member._id)).filter((id) => id !== request.requesterId);
    const claimed = await ctx.models.SupportRequest.findOneAndUpdate(
      { _id: request._id, escalatedAt: null },
      { $set: { escalatedAt: now, assignedExpertIds: [...new Set([...request.assignedExpertIds, ...onDuty])].slice(0, MAX_EXPERTS) } },
      { returnDocument: 'after' },
    ).lean<SupportRequestDoc>();
    if (!claimed) continue;
    escalated.push(String(claimed._id));
    const minutesLeft = Math.max(0, Math.round((claimed.deadlineAt!.getTime() - now.getTime()) / 60_000));
    await audit(ctx, 'support.escalated', null, claimed, { experts: onDuty.length, minutesLeft });
    // E-mail too: the person on duty may not have Convene open.
    for (const member of experts.filter((expert) => onDuty.includes(String(expert._id)))) {
      const mail = removalOrderEscalationMail(member.locale ?? 'en', ctx.config.publicUrl, String(claimed._id), minutesLeft, claimed.deadlineAt!);
      await ctx.outbox.queue({ kind: 'support-escalation', to: member.email, memberId: member._id, ...mail });
    }
    await announce(ctx, claimed, 'escalated', {
      actorId: null,
      notify: (member, role) =>
        role === 'triage' || (role === 'expert' && onDuty.includes(String(member._id)))
          ? { kind: 'support.escalated', title: supportEscalatedTitle(minutesLeft), body: supportEscalatedBody(claimed.deadlineAt!, claimed.subject) }
          : null,
    });
  }
  return escalated;
}

/** Runs the deadline job every `intervalMs` (config: support.deadlineCheckIntervalMs). */
export function startSupportDeadlines(ctx: AppContext, intervalMs = ctx.config.support.deadlineCheckIntervalMs): { stop(): void } {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    runSupportDeadlines(ctx)
      .catch((error: unknown) => ctx.logger.warn({ err: error }, 'support deadline check failed; will retry'))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
